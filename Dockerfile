# uschina: one process, SQLite in /data, article drop folder in /seeds.
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
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
RUN pip install . && mkdir -p /data /seeds && chown uschina:uschina /data /seeds
COPY --chown=uschina:uschina seeds /seeds

USER uschina
VOLUME ["/data", "/seeds"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os,sys,urllib.request; port = os.environ.get('USCHINA_HTTP_PORT', '3000'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"
CMD ["uschina", "run"]
