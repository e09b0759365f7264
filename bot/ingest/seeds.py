"""Read article files from the seeds folder (.txt, .md, .html/.htm, optional YAML front matter).

Each file becomes one RawEntry whose guid is "seed:<relative path>", so editing a file updates its item
instead of adding a second one. Supported front matter keys: `title`, `published`, `source`, `url`.

Dates: a date without a time (front matter `published: 2025-07-11`, or "July 11, 2025" in the text)
means 12:00 UTC that day. Noon keeps the same calendar date in every time zone from UTC-11 to UTC+11,
so a digest in Washington or Beijing shows the day the file names.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import re
import stat
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler
from selectolax.lexbor import LexborHTMLParser

from bot.domain.models import PublishedFrom, RawEntry
from bot.domain.sentences import split_sentences
from bot.ingest.charset import decode_gb
from bot.ingest.normalize import as_utc, html_to_text

SEED_SOURCE = "seeds"
SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
MAX_SEED_BYTES = 5 * 1024 * 1024
MAX_FRONT_MATTER_BYTES = 16 * 1024  # far more than a handful of keys needs; bounds the YAML parser's work
MAX_TITLE_CHARS = 300
MAX_META_CHARS = 2000  # source names and URLs
_NOON = time(12, 0, tzinfo=UTC)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class SeedError(ValueError):
    """A seed file that cannot be ingested; the message is one line naming the file and the reason."""


def sniff_text(data: bytes) -> str:
    """Decode file bytes: a BOM, else UTF-8, else an HTML <meta charset>, else GB-encoded Chinese (also
    when it is labelled UTF-8); SeedError if none fits."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding)
    if b"\x00" in data:
        raise SeedError("binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_declared(data)
    if _control_ratio(text) > 0.05:
        raise SeedError("binary file (mostly control characters)")
    return text


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SeedError(f"cannot decode as {encoding} (byte {exc.start})") from exc


def _decode_declared(data: bytes) -> str:
    """Bytes that are not UTF-8: the charset HTML declares, unless it is UTF-8 (then the label is wrong) or
    absent; GB-encoded Chinese is recognised either way."""
    match = _META_CHARSET.search(data[:4096])
    name = match.group(1).decode("ascii") if match else None
    if name is None or name.lower() in {"utf-8", "utf8"}:
        chinese = decode_gb(data)
        if chinese is not None:
            return chinese
    if name is None:
        raise SeedError("not UTF-8 text (save it as UTF-8, or declare <meta charset> in HTML)")
    if name.lower() in {"gb2312", "gbk", "x-gbk"}:
        name = "gb18030"  # a superset: pages labelled GB2312 routinely use GBK characters (as browsers do)
    try:
        codecs.lookup(name)
    except LookupError as exc:
        raise SeedError(f"unknown charset {name!r} declared") from exc
    return _decode(data, name)


def _control_ratio(text: str) -> float:
    sample = text[:4096]
    if not sample:
        return 0.0
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls / len(sample)


@dataclass(frozen=True)
class _FrontMatter:
    metadata: Mapping[str, Any]
    body: str


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors and aliases: a few hundred bytes of nested aliases ("billion
    laughs") expand to gigabytes once the value is turned into a title."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.YAMLError("anchors and aliases (&name, *name) are not allowed")
        return super().compose_node(parent, index)


def _split_front_matter(text: str) -> _FrontMatter:
    handler = YAMLHandler()
    if not handler.detect(text):
        return _FrontMatter({}, text)
    try:
        header, body = handler.split(text)
    except ValueError as exc:
        raise SeedError(f"invalid front matter YAML: {_first_line(exc)}") from exc
    if len(header.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise SeedError(f"front matter larger than {MAX_FRONT_MATTER_BYTES // 1024} KB")
    metadata = _load_yaml(header)
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise SeedError("front matter must be a mapping of keys to values")
    return _FrontMatter(metadata, body.strip("\n"))


def _load_yaml(header: str) -> Any:
    try:
        return yaml.load(header, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError as exc:  # thousands of nested brackets
        raise SeedError("invalid front matter YAML: nested too deeply") from exc
    except (ValueError, yaml.YAMLError) as exc:
        raise SeedError(f"invalid front matter YAML: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _front_matter_date(value: object) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return datetime.combine(value, _NOON)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            found = find_text_date(value)
            if found is not None:
                return found
        else:
            is_date_only = len(value.strip()) <= 10
            return datetime.combine(parsed.date(), _NOON) if is_date_only else as_utc(parsed)
    raise SeedError(f"front matter 'published' is not a date: {str(value)[:40]!r}")


_MONTHS = {
    name: index
    for index, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = (
    re.compile(r"\b(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})\b"),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b", re.IGNORECASE),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})\b", re.IGNORECASE),
)


def find_text_date(text: str) -> datetime | None:
    """The first date written in `text` ("2025-07-11", "July 11, 2025", "11 July 2025"), at noon UTC."""
    found: list[tuple[int, date]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = match.groupdict()
            month = int(parts["mnum"]) if parts.get("mnum") else _MONTHS[parts["month"].lower()]
            try:
                found.append((match.start(), date(int(parts["year"]), month, int(parts["day"]))))
            except ValueError:
                continue
    if not found:
        return None
    return datetime.combine(min(found)[1], _NOON)


def _published(
    metadata: Mapping[str, Any], plain: str, path: Path, now: datetime
) -> tuple[datetime, PublishedFrom]:
    if metadata.get("published") is not None:
        return _front_matter_date(metadata["published"]), "front_matter"
    # Only the top of the text: later dates are usually events or deadlines, not the publication date.
    stated = find_text_date(plain[:400])
    if stated is not None and stated <= now + timedelta(days=1):
        return stated, "text"
    mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return min(mtime, as_utc(now)), "mtime"


_HEADING = re.compile(r"^#{1,6}\s+")
_DATELINE_ONLY = re.compile(r"^[\w .,'’()/-]{1,60}\s*[—–-]{1,2}\s*$")
_LEADING_DATELINE = re.compile(r"^[A-Z][\w .,'’()/]{1,40}?\s+[—–]\s+|^[A-Z][A-Z .,'’()/]{1,40}\s+-{1,2}\s+")
_BYLINE = re.compile(r"^by\s+\S", re.IGNORECASE)


def _is_poor_title(line: str) -> bool:
    if _DATELINE_ONLY.match(line) or line.endswith(":"):
        return True
    if _BYLINE.match(line) and len(line) < 80:
        return True
    return find_text_date(line) is not None and len(line) < 40


def title_from_text(text: str) -> str:
    """A title from plain text: the first sentence of the first real line (markdown heading marks
    dropped), skipping datelines ("Kuala Lumpur —", "WASHINGTON, October 30. /TASS/."), bylines and bare
    dates."""
    for raw_line in text.splitlines():
        line = _HEADING.sub("", raw_line.strip()).strip(" *_")
        if not line or _is_poor_title(line):
            continue
        return _shorten(_first_sentence(_LEADING_DATELINE.sub("", line)), 200)
    return ""


# A sentence with no word in lower case before more text ("WASHINGTON, October 30.", "/TASS/.") is where and
# when a report was filed, not what it says; a line that is one such sentence is a headline in title case.
_LOWER_CASE_WORD = re.compile(r"\b[a-z]{2,}")


def _first_sentence(line: str) -> str:
    sentences = split_sentences(line)
    while len(sentences) > 1 and not _LOWER_CASE_WORD.search(sentences[0]):
        sentences.pop(0)
    return sentences[0] if sentences else line


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _html_title(markup: str) -> str:
    tree = LexborHTMLParser(markup)
    for selector in ("title", "h1"):
        node = tree.css_first(selector)
        if node is not None:
            text = " ".join(node.text().split())
            if text:
                return text
    return ""


def read_seed_file(path: Path, *, root: Path, now: datetime, max_bytes: int = MAX_SEED_BYTES) -> RawEntry:
    """Read one seed file into a RawEntry; raises SeedError("<relative path>: <reason>") when unusable."""
    relative = _relative(path, root)
    try:
        return _read(path, relative, root, now, max_bytes)
    except SeedError as exc:
        raise SeedError(f"{relative}: {exc}") from exc
    except OSError as exc:
        raise SeedError(f"{relative}: cannot read ({exc.strerror or exc})") from exc


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _read_capped(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`: the size is checked before reading and the read
    is bounded by it, so a 1 GB file never reaches memory."""
    if not path.is_file():  # checked before opening: opening a FIFO would wait for a writer
        raise SeedError("not a regular file")
    with path.open("rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise SeedError("not a regular file")
        if info.st_size > max_bytes:
            raise SeedError(f"file larger than {max_bytes // 1024} KB")
        # read(n) allocates n bytes up front: ask for the size seen (plus one, to notice growth), not the cap.
        # A file still being written is read again at the next poll, when its size or mtime has changed.
        data = handle.read(info.st_size + 1)
    if len(data) > max_bytes:
        raise SeedError(f"file larger than {max_bytes // 1024} KB")
    return data


def _read(path: Path, relative: str, root: Path, now: datetime, max_bytes: int) -> RawEntry:
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise SeedError(f"unsupported file type {path.suffix or '(none)'}")
    if not _inside(path, root):
        raise SeedError("links outside the seeds folder are not followed")
    data = _read_capped(path, max_bytes)
    if not data.strip():
        raise SeedError("empty file")
    parts = _split_front_matter(sniff_text(data))
    is_html = path.suffix.lower() in HTML_SUFFIXES
    plain = html_to_text(parts.body) if is_html else parts.body
    if not plain.strip():
        raise SeedError("no text after the front matter")
    metadata = parts.metadata
    title = (
        _meta_str(metadata, "title") or (_html_title(parts.body) if is_html else "") or title_from_text(plain)
    )
    published, published_from = _published(metadata, plain, path, now)
    return RawEntry(
        source=SEED_SOURCE,
        guid=f"seed:{relative}",
        url=_meta_str(metadata, "url") or None,
        title=_shorten(title or path.stem, MAX_TITLE_CHARS),
        content=parts.body,
        published=published,
        published_from=published_from,
        path=relative,
        source_name=_meta_str(metadata, "source") or f"file: {relative}",
    )


def _meta_str(metadata: Mapping[str, Any], key: str) -> str:
    value = metadata.get(key)
    if value is None:
        return ""
    return " ".join(str(value)[: MAX_META_CHARS * 2].split())[:MAX_META_CHARS]


def _inside(path: Path, root: Path) -> bool:
    """True when `path`, symlinks resolved, is within `root` (a link to /etc/passwd or /dev/zero is not)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def _is_candidate(path: Path, root: Path) -> bool:
    relative = path.relative_to(root)
    if any(part.startswith(".") for part in relative.parts):
        return False
    return path.suffix.lower() in SUPPORTED_SUFFIXES and path.is_file() and _inside(path, root)


def scan_seeds(root: Path) -> dict[str, tuple[float, int]]:
    """Relative path -> (mtime, size) of every supported, non-hidden file under `root`; symlinked folders
    are not entered and symlinked files count only when they point inside `root`."""
    if not root.is_dir():
        return {}
    found: dict[str, tuple[float, int]] = {}
    for folder, dirs, names in os.walk(root):  # followlinks=False: no loops, no walking out of the folder
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # hidden folders are skipped anyway
        for name in sorted(names):
            path = Path(folder) / name
            try:
                if not _is_candidate(path, root):
                    continue
                info = path.stat()
            except OSError:
                continue  # vanished or unreadable between listing and stat: the next scan sees it
            found[path.relative_to(root).as_posix()] = (info.st_mtime, info.st_size)
    return dict(sorted(found.items()))


class SeedWatcher:
    """Polls the seeds folder and reports new or changed files (the first poll reports every file)."""

    def __init__(self, root: Path, *, interval_s: float = 5.0) -> None:
        self.root = root
        self.interval_s = interval_s
        self._seen: dict[str, tuple[float, int]] = {}
        self.removed: list[str] = []  # relative paths that disappeared in the last poll

    def poll_once(self) -> list[Path]:
        """Scan now; return the files added or changed since the previous scan."""
        current = scan_seeds(self.root)
        changed = [name for name, stamp in current.items() if self._seen.get(name) != stamp]
        self.removed = sorted(set(self._seen) - set(current))
        self._seen = current
        return [self.root / name for name in changed]

    async def changes(self) -> AsyncGenerator[list[Path], None]:
        """Yield each non-empty batch of new/changed files, polling every `interval_s` seconds."""
        while True:
            batch = await asyncio.to_thread(self.poll_once)
            if batch:
                yield batch
            await asyncio.sleep(self.interval_s)
