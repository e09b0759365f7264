"""Offline extractive summaries: verbatim sentences, no datelines, bylines or boilerplate.

Sentences are scored by position (news puts the point first), by the US and China actors they name and by
overlap with the headline; a maximal-marginal-relevance pass then skips sentences that repeat what is
already chosen, which is what removes redundancy when several outlets tell one story.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from bot.analysis.relevance import actor_mentions
from bot.domain.sentences import split_sentences

MMR_LAMBDA = 0.7
REDUNDANT = 0.6  # word overlap above which a sentence only repeats a chosen one

_DATELINE = re.compile(
    r"^[A-Z][\w.'’]*(?:[ ,]+[A-Z0-9][\w.'’]*){0,5}"  # KUALA LUMPUR / GYEONGJU, South Korea, Oct 30
    r"\s*(?:\([^)]{1,30}\))?\s*[.,]?\s*[-–—]+\s*"  # (Reuters) -
)
# "(TNS) The U.S. said ...", "(NAFB.com) – China's state-owned ...": a wire's tag with no place before it
_WIRE_TAG = re.compile(r"^\([A-Z][\w.&'’ /-]{0,30}\)\s*(?:[-–—]+\s*)?(?=[A-Z“\"‘])")
_BYLINE = re.compile(r"^(?:By|BY)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}(?:\s*(?:,|and)\s.*)?$")
_BOILERPLATE = re.compile(
    r"(?i)sign up|subscribe|newsletter|read more|all rights reserved|copyright|©|reporting by|"
    r"editing by|writing by|additional reporting|contributed to this report|click here|follow us|"
    r"^(?:photo|image|video|watch|advertisement|related)\b|this article (?:was|has been)"
)
_WORDS = re.compile(r"[A-Za-z0-9]+")
# A sentence that leans on the one before it ("China will match that move", "He added ..."): shown alone it
# makes a claim whose subject is missing.
_DANGLING = re.compile(
    r"^(?:He|She|They|It|This|That|These|Those|But|However|Also|Meanwhile|Instead|Still|Yet)\b|"
    r"\b(?:that|the|this|such a) (?:move|step|decision|announcement|measure|plan|threat)\b",
)
# A dated plan: what a reader most needs from a story that has a deadline.
_DEADLINE_CUE = re.compile(
    r"\b(?:will|would|expected|set to|due|scheduled|until|deadline|expire\w*|takes? effect|effective|"
    r"ends?)\b.*\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?|"
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}\b.*\b(?:will|would|expire\w*|"
    r"deadline|takes? effect)\b|\b\d+[- ]day\b|\b(?:next|this|later this) (?:week|month|year)\b",
)


class Summarizer(Protocol):
    """Turns one item, or the items of one story, into a short English summary."""

    async def summarize(self, title: str, text: str) -> str:
        """Summarize one item."""
        ...

    async def summarize_story(self, docs: Sequence[tuple[str, str]]) -> str:
        """Summarize one story told by several sources: (title, text) per source."""
        ...


class ExtractiveSummarizer:
    """The offline summarizer: picks sentences from the source text."""

    def __init__(self, *, max_sentences: int = 3, max_chars: int = 500) -> None:
        self.max_sentences = max_sentences
        self.max_chars = max_chars

    async def summarize(self, title: str, text: str) -> str:
        """Summarize one item extractively."""
        return summarize_text(title, text, max_sentences=self.max_sentences, max_chars=self.max_chars)

    async def summarize_story(self, docs: Sequence[tuple[str, str]]) -> str:
        """Summarize several sources of one story extractively."""
        return summarize_story(docs, max_sentences=self.max_sentences, max_chars=self.max_chars)


def summarize_text(title: str, text: str, *, max_sentences: int = 3, max_chars: int = 500) -> str:
    """A summary of one item: at most `max_sentences` verbatim sentences and `max_chars` characters."""
    return summarize_story([(title, text)], max_sentences=max_sentences, max_chars=max_chars)


def summarize_story(docs: Sequence[tuple[str, str]], *, max_sentences: int = 3, max_chars: int = 500) -> str:
    """A summary across the sources of one story, without repeating what another source already said."""
    candidates = [c for order, (title, text) in enumerate(docs) for c in _candidates(order, title, text)]
    chosen = _select(candidates, max_sentences, max_chars)
    if not chosen:
        return _fallback(docs, max_chars)
    chosen.sort(key=lambda c: (c.doc, c.position))
    return " ".join(c.sentence for c in chosen)


def clean_sentences(text: str) -> list[str]:
    """The text's sentences without dateline, bylines and boilerplate."""
    sentences = []
    for index, sentence in enumerate(split_sentences(text)):
        if index < 2:
            sentence = _WIRE_TAG.sub("", _DATELINE.sub("", sentence, count=1).strip(), count=1)
        if not sentence or _BYLINE.match(sentence) or _BOILERPLATE.search(sentence):
            continue
        if len(_WORDS.findall(sentence)) < 4:
            continue  # a dateline on its own line, a caption, a stray heading
        sentences.append(sentence)
    return sentences


class _Candidate:
    """One source sentence with its standalone score and word set."""

    def __init__(self, doc: int, position: int, sentence: str, score: float) -> None:
        self.doc, self.position, self.sentence, self.score = doc, position, sentence, score
        self.words = _word_set(sentence)


def _candidates(doc: int, title: str, text: str) -> list[_Candidate]:
    title_words = _word_set(title)
    out = []
    for position, sentence in enumerate(clean_sentences(text)):
        out.append(_Candidate(doc, position, sentence, _score(sentence, position, title_words) - 0.05 * doc))
    return out


def _score(sentence: str, position: int, title_words: set[str]) -> float:
    words = _word_set(sentence)
    overlap = len(words & title_words) / (len(title_words) or 1)
    actors = min(actor_mentions(sentence), 4) / 4
    score = 1.0 / (1 + position) + 0.5 * actors + 0.5 * overlap
    if _DEADLINE_CUE.search(sentence):
        score += 0.4  # keep the sentence that carries the deadline
    if sentence[0] in "“\"‘'":
        score *= 0.75  # a bare quote says less about what happened than the reporting around it
    if len(sentence) < 50 or len(sentence) > 350:
        score *= 0.7
    return score


def _select(candidates: list[_Candidate], max_sentences: int, max_chars: int) -> list[_Candidate]:
    chosen: list[_Candidate] = []
    used = 0
    pool = list(candidates)
    while pool and len(chosen) < max_sentences:
        best = max(pool, key=lambda c: _marginal(c, chosen))
        pool.remove(best)
        if _redundancy(best, chosen) > REDUNDANT or _lacks_its_subject(best, chosen):
            continue
        extra = len(best.sentence) + (1 if chosen else 0)
        if used + extra <= max_chars:
            chosen.append(best)
            used += extra
    return chosen


def _lacks_its_subject(candidate: _Candidate, chosen: list[_Candidate]) -> bool:
    """A dangling sentence is shown only after the sentence it leans on."""
    if candidate.position == 0 or not _DANGLING.search(candidate.sentence):
        return False
    return not any(c.doc == candidate.doc and c.position == candidate.position - 1 for c in chosen)


def _marginal(candidate: _Candidate, chosen: list[_Candidate]) -> float:
    return MMR_LAMBDA * candidate.score - (1 - MMR_LAMBDA) * _redundancy(candidate, chosen)


def _redundancy(candidate: _Candidate, chosen: list[_Candidate]) -> float:
    return max((_overlap(candidate.words, c.words) for c in chosen), default=0.0)


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / (min(len(a), len(b)) or 1)


def _word_set(text: str) -> set[str]:
    return {w.lower() for w in _WORDS.findall(text) if len(w) > 3 or w.isupper()}


def _fallback(docs: Sequence[tuple[str, str]], max_chars: int) -> str:
    """No sentence fits: cut the best lede at a word boundary, or fall back to the headline."""
    for title, text in docs:
        sentences = clean_sentences(text)
        source = sentences[0] if sentences else title.strip()
        if source:
            return source if len(source) <= max_chars else source[: max_chars - 1].rsplit(" ", 1)[0] + "…"
    return ""
