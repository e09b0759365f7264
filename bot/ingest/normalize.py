"""Turn raw entries into items: canonical URLs, plain safe text, UTC dates, stable ids and hashes."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot.domain.models import Item, RawEntry, SourceKind

_TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "xtor", "ref", "ref_src", "cmpid", "ocid",
    "sr_share", "smid", "smtyp", "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3",
    "at_custom4", "igshid", "_ga", "_hsenc", "_hsmi", "mkt_tok", "yclid", "wt_mc", "cid", "src",
}  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}

# A picture's caption is not the story: "File photo. Reuters" would open its lede, its summary and what it is
# matched to other reports on.
_DROP_TAGS = ["script", "style", "iframe", "noscript", "template", "svg", "object", "embed", "head", "figcaption"]
_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
    "table", "section", "article", "header", "footer", "aside", "figure", "hr", "dd", "dt",
    "main", "nav", "address",
}  # fmt: skip
_PARAGRAPH = "\u2029"  # a marker no HTML text contains after cleaning, replaced by a blank line at the end
# Zero-width and bidi control characters hide text or reorder it; C0/C1 controls have no place in news text.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ZWJ = "\u200d"


def canonical_url(url: str | None) -> str | None:
    """`url` without tracking parameters, fragment or default port; scheme/host lowercased, query sorted."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not scheme or not host:
        return url.strip()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = urlencode(sorted(_kept_params(parts.query))) if parts.query else ""
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _kept_params(query: str) -> list[tuple[str, str]]:
    pairs = parse_qsl(query, keep_blank_values=True)
    return [(key, value) for key, value in pairs if not _is_tracking(key)]


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def html_to_text(markup: str) -> str:
    """Plain text from HTML: no scripts/styles, blocks as paragraphs, entities decoded, whitespace tidy."""
    if not markup or not markup.strip():
        return ""
    if "<" not in markup:
        return clean_text(html.unescape(markup))
    tree = LexborHTMLParser(markup)
    tree.strip_tags(_DROP_TAGS)
    root = tree.body or tree.root
    if root is None:
        return ""
    return clean_text(_text_with_breaks(root))


def _text_with_breaks(root: LexborNode) -> str:
    pieces: list[str] = []
    for node in root.traverse(include_text=True):
        if node.tag == "-text":
            pieces.append(node.text_content or "")
        elif node.tag == "br":
            pieces.append(_LINE)
        elif node.tag in _BLOCK_TAGS:
            pieces.append(_PARAGRAPH)
    # A line break in the markup is a space, as a browser shows it; only <br> breaks a line.
    return "".join(pieces).replace("\n", " ").replace("\r", " ").replace(_LINE, "\n")


_LINE = "\u2028"  # <br>, until the markup's own line breaks are spaces


def clean_text(text: str) -> str:
    """Drop invisible and control characters, collapse spaces, keep paragraphs as blank-line breaks."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text).replace("\n\n", _PARAGRAPH)
    paragraphs = []
    for block in text.split(_PARAGRAPH):
        lines = (" ".join(line.split()) for line in block.split("\n"))
        joined = "\n".join(line for line in lines if line)
        if joined:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)


_MASS_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_ANGLE_TOKEN = re.compile(r"<([!@#])")  # Slack <!here> <@U1> <#C1>, Discord <@id> <@&id> <#id>
_SLACK_LINK = re.compile(r"<((?:https?|mailto|ftp)[^<>\s|]*)\|([^<>]*)>", re.IGNORECASE)
_MASKED_LINK = re.compile(r"\[([^\[\]]*)\]\(([^()\s]*)\)")


def sanitize_for_chat(text: str) -> str:
    """Neutralize mentions, links with hidden targets and markup tokens in untrusted feed text.

    A zero-width joiner breaks each token so both Slack mrkdwn and Discord markdown show it literally
    (and notify nobody). Slack links `<url|label>` become `label (url)`: the target stays visible.
    """
    text = _SLACK_LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _MASKED_LINK.sub(lambda m: f"[{m.group(1)}]{_ZWJ}({m.group(2)})", text)
    text = _ANGLE_TOKEN.sub(lambda m: f"<{_ZWJ}{m.group(1)}", text)
    return _MASS_MENTION.sub(lambda m: f"@{_ZWJ}{m.group(1)}", text)


def _fingerprint_text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def content_hash(title: str, text: str) -> str:
    """sha256 hex over title and text, ignoring case and whitespace differences."""
    payload = _fingerprint_text(title) + "\n" + _fingerprint_text(text)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def item_id(source: str, key: str) -> str:
    """A stable 16-hex-digit id for (source, key)."""
    return hashlib.sha256(f"{source}\n{key}".encode()).hexdigest()[:16]


def as_utc(moment: datetime) -> datetime:
    """`moment` as aware UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def normalize(entry: RawEntry, *, source_name: str, source_kind: SourceKind, fetched_at: datetime) -> Item:
    """Build the Item for `entry`: clean text, canonical URL, UTC date (fetched_at when unknown), id."""
    url = canonical_url(entry.url)
    title = html_to_text(entry.title).replace("\n", " ") or "(untitled)"
    text = html_to_text(entry.content)
    digest = content_hash(title, text)
    published_from = entry.published_from
    if entry.published is not None:
        published = as_utc(entry.published)
    else:
        published, published_from = as_utc(fetched_at), "fetched"
    key = entry.guid or url or (f"path:{entry.path}" if entry.path else None) or f"hash:{digest}"
    return Item(
        id=item_id(entry.source, key),
        source=entry.source,
        source_name=entry.source_name or source_name,
        source_kind=source_kind,
        url=url,
        guid=entry.guid,
        title=title,
        text=text,
        published=published,
        published_from=published_from,
        fetched_at=as_utc(fetched_at),
        content_hash=digest,
        path=entry.path,
    )
