"""Sentence splitting that knows news abbreviations ("U.S.", "Mr.", "Aug.") and one-sentence-per-line text."""

from __future__ import annotations

import functools
import re

# A candidate boundary: end punctuation, optional closing quotes/brackets, whitespace, then a likely sentence
# start. A newline ends a sentence (many feeds and seed files put one paragraph per line), unless the line goes
# on in lower case or with a number: text wrapped mid-sentence ("will visit China on March\n28-29").
# Starts with a character class so the regex engine can skip ahead quickly; the rest is checked in Python.
_CANDIDATE = re.compile(r"""[.!?。！？\n]["”’')\]]*\s*""")
_STARTS_SENTENCE = re.compile(r"""["“‘(\[]?[A-Z0-9\u4e00-\u9fff]""")
_WRAPPED = re.compile(r"[a-z0-9]")
_LAST_TOKEN = re.compile(r"(\S+)\.[\"”’')\]]*$")

ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gov gen lt col sgt capt adm cmdr st jr sr no vs etc inc corp co ltd plc
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u d.c a.m p.m approx est dept fig
    cf al ft mt rev hon pres""".split()
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in `text`, stripped of surrounding whitespace."""
    return list(_sentence_spans(text))


# Relevance, deadlines and the story signature each split the same item's text: split it once.
@functools.lru_cache(maxsize=8)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        if not _is_boundary(text, match):
            continue
        _append_span(spans, text, start, match.end())
        start = match.end()
    _append_span(spans, text, start, len(text))
    return tuple(spans)


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, in order; a line break inside one reads as a space."""
    return [text[a:b].replace("\n", " ") for a, b in sentence_spans(text)]


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    mark, gap = match.group()[0], match.group()[1:]
    if mark == "\n" and not gap.strip() and "\n" not in gap and _WRAPPED.match(text, match.end()):
        return False
    if mark == "\n" or "\n" in gap or mark in "。！？":
        return True
    if not gap[-1:].isspace() or not _STARTS_SENTENCE.match(text, match.end()):
        return False  # "2.5", "U.S.-made", "e.g. lower case"
    return mark != "." or not _ends_with_abbreviation(text, match.start() + 1)


def _ends_with_abbreviation(text: str, end: int) -> bool:
    match = _LAST_TOKEN.search(text, max(0, end - 12), end)
    if match is None:
        return False
    token = match.group(1).lower().lstrip("(\"“‘'")
    # A single capital initial ("John F. Kennedy") is an abbreviation too.
    return token in ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _append_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
