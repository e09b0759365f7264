"""OPML, the subscription list every feed reader imports and exports.

Reading: every outline with an `xmlUrl`, however deep in folders, becomes a feed named by its `title` (or
its `text`). The file comes from outside, so it is parsed by defusedxml: a DTD, entity declarations or
external references are refused, which stops entity-expansion bombs and local file reads.
Writing: OPML 2.0 with each source's kind as its outline's category, which reading takes back.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

KINDS = ("official", "wire", "outlet", "commentary")
MAX_OPML_BYTES = 5 * 1024 * 1024  # a reader's export of thousands of feeds is well under this


class OpmlError(ValueError):
    """The file is not OPML that can be read safely; the message is one line."""


@dataclass(frozen=True)
class OpmlFeed:
    """One feed outline: its URL, its display name and the kind it was exported with (None if not ours)."""

    url: str
    name: str
    kind: str | None = None


def read_opml(data: bytes) -> list[OpmlFeed]:
    """The feed outlines of an OPML document, in document order; OpmlError if it is not safe, well-formed OPML."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"the file is over {MAX_OPML_BYTES // (1024 * 1024)} MB")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise OpmlError(f"refused: the file declares a DTD or entities ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from None
    if _local(root.tag) != "opml":
        raise OpmlError(f"not OPML: the root element is <{_local(root.tag)}>")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise OpmlError("not OPML: no <body>")
    return list(_feeds(body))


def _feeds(parent: ET.Element) -> Iterator[OpmlFeed]:
    for outline in parent:
        if _local(outline.tag) != "outline":
            continue
        attrs = {key.lower(): value for key, value in outline.attrib.items()}  # some readers write `xmlurl`
        url = attrs.get("xmlurl", "").strip()
        if url:
            name = (attrs.get("title") or attrs.get("text") or url).strip()
            yield OpmlFeed(url=url, name=" ".join(name.split()), kind=_kind(attrs.get("category", "")))
        yield from _feeds(outline)  # a folder, or a feed outline that nests more (some readers do)


def _kind(category: str) -> str | None:
    """Our own export's kind (`/outlet`); categories other readers write are folders, not kinds."""
    for part in category.split(","):
        word = part.strip().strip("/")
        if word in KINDS:
            return word
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()  # tolerate a namespace on the root, which some writers add


def write_opml(feeds: Iterable[OpmlFeed], *, title: str, now: datetime) -> str:
    """An OPML 2.0 document listing `feeds`, every attribute escaped."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attrs = {"type": "rss", "text": feed.name, "title": feed.name, "xmlUrl": feed.url}
        if feed.kind:
            attrs["category"] = f"/{feed.kind}"
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
