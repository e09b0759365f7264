"""Chinese text that arrives labelled (or assumed) UTF-8 but is really GB2312/GBK/GB18030.

Chinese sites still publish in GB encodings and often say "utf-8" or nothing at all. Decoded as UTF-8 the
bytes fail; the usual fallback (windows-1252) then turns every character into two letters of mojibake.
GB18030 is a superset of GB2312 and GBK, and decodes most byte strings, so a successful decode proves
little: the text is accepted as Chinese only when nearly all its non-ASCII characters are in GB2312, the
set of common characters that real Chinese text is made of and that Latin text misread as GB is not.
"""

from __future__ import annotations

import re

_MIN_GB2312_SHARE = 0.95
_SAMPLE_CHARS = 20_000  # enough to judge; the whole body is still decoded strictly
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.IGNORECASE)
_UTF8 = {"utf-8", "utf8"}


def decode_gb(data: bytes) -> str | None:
    """`data` decoded as GB18030 when it is not UTF-8 and reads as Chinese text; None otherwise."""
    try:
        data.decode("utf-8")
        return None  # valid UTF-8 is UTF-8
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return text if _reads_as_chinese(text[:_SAMPLE_CHARS]) else None


def _reads_as_chinese(text: str) -> bool:
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return False
    common = sum(1 for ch in wide if _in_gb2312(ch))
    return common / len(wide) >= _MIN_GB2312_SHARE


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def feed_as_utf8(body: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """A feed body that claims UTF-8 (or names no charset) but is GB-encoded Chinese, re-encoded as UTF-8
    so the parser does not fall back to windows-1252; any other body is returned as it is."""
    declared = _XML_ENCODING.search(body[:1024])
    charset = _CHARSET.search(content_type or "")
    for label in (declared.group(1).decode("ascii") if declared else None, charset.group(1) if charset else None):
        if label is not None and label.lower() not in _UTF8:
            return body, content_type  # another charset is named: the parser honours it
    text = decode_gb(body)
    if text is None:
        return body, content_type
    # The XML declaration, if any, says utf-8 or nothing: both are now true of the bytes.
    if content_type and charset is None:
        content_type = f"{content_type}; charset=utf-8"
    return text.encode("utf-8"), content_type
