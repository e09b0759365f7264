# uschina: one process, SQLite in /data, article drop folder in /seeds.
# Builds for amd64 and arm64 alike: on arm64 pip skips Duckling (its wheel is x86-64 Linux only, see the
# environment marker in pyproject.toml) and the pure-Python time parser is used.
#   docker buildx build --platform linux/amd64,linux/arm64 -t uschina .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    USCHINA_DB=/data/uschina.db \
    USCHINA_SEEDS=/seeds \
    USCHINA_HTTP_HOST=0.0.0.0 \
    USCHINA_HTTP_PORT=3000

RUN useradd --create-home --uid 10001 uschina
WORKDIR /app

# The dependency layer: rebuilt only when pyproject.toml changes, not on every code change. The
# dependencies are read from pyproject.toml itself, so they cannot drift from what `pip install .` wants.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt && rm /tmp/requirements.txt

# The code: only the package itself is installed here, its dependencies are already in the layer above.
COPY README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
RUN pip install --no-deps . && mkdir -p /data /seeds && chown uschina:uschina /data /seeds
COPY --chown=uschina:uschina seeds /seeds

USER uschina
VOLUME ["/data", "/seeds"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os,sys,urllib.request; port = os.environ.get('USCHINA_HTTP_PORT', '3000'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"
CMD ["uschina", "run"]
