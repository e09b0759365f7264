"""One story, many outlets: matching reports by what their event is made of.

A signature is a weighted bag of the terms of a report's headline and first sentences (stopwords dropped,
plural and tense endings cut): each weighted by how rare it is in news of this domain (learned from the
corpus' tuning part, so "tariff" and "China" count little and "Stockholm" or "75-day" much), names of people,
places and firms and numbers weighted up, plus the dates of the deadlines the report gives. Numbers are read
with their unit ("$50 billion" and "50bn" are one term, apart from "50%" and "50 days") and dates as one term
("Oct. 14", "14 October"). Two reports of one event share the actors, places, numbers and dates that make it;
two stories of the same week share little more than "US" and "China". A story's signature is the running
mean of its reports'. Reports of one event mostly come within a day or two of its first; a story that began
days earlier must share more to be joined, since by then it is more often a next step of the matter (the
visit announced, then made; the tariff imposed, then answered) than another outlet's report of it.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

from bot.analysis.cues import MONTH_DAY, MONTH_NAMES
from bot.domain.sentences import split_sentences

DEFAULT_WINDOW = timedelta(hours=72)
DEFAULT_THRESHOLD = 0.10  # chosen on the corpus' tuning part, half A, and kept as half B agreed (B-cubed F1)
DAILY_DISCOUNT = 0.03  # similarity taken off a day since a story began (tuning part: 0.03-0.035 level on both halves)
LEDE_SENTENCES = 3
TERM_WEIGHTS_FILE = "term_weights.json"
STORY_TERMS = 60  # a story's signature keeps its strongest terms (a report has 20-40)
SIGNATURE_VERSION = 3

TITLE_WEIGHT = 1.5
NUMBER_WEIGHT = 1.3
NAME_WEIGHT = 1.4  # a person, place or firm names the event more than a common word
DATE_WEIGHT = 1.0  # a deadline's date, as one term

_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)(?<=\s)[A-Z][a-z]{2,}(?:\s[A-Z][a-z]{2,})*")

# "Oct. 14", "October 14th", "14 October": one term "oct14" (a day of a month names an event; "14" alone does not)
_MONTH_DAY = re.compile(MONTH_DAY)
# A number with its unit: "$50 billion", "50bn", "25 per cent", "25%", "90-day", "90 days".
_UNITS = {"billion": "bn", "bn": "bn", "b": "bn", "million": "mn", "mn": "mn", "m": "mn", "trillion": "tn",
          "tn": "tn", "percent": "%", "per cent": "%", "pct": "%", "%": "%", "percentage point": "pp",
          "percentage points": "pp", "day": "d", "days": "d", "week": "w", "weeks": "w", "month": "mo",
          "months": "mo", "year": "y", "years": "y"}
# The unit words and month abbreviations of the regexes below come from `_UNITS` and `MONTH_NAMES`, so every
# unit a regex finds has its term (`_number_with_unit` looks it up).
_ATTACHED_UNITS = ("%", "b", "m")  # written onto the number: "25%", "$5b"
_WORD_UNITS = "|".join(sorted(set(_UNITS) - set(_ATTACHED_UNITS), key=len, reverse=True))
_UNIT_TERMS = "|".join(sorted(set(_UNITS.values()) - {"%"}, key=len, reverse=True))  # "50bn", "90d"
_DIGIT = re.compile(r"\d")  # `_MONTH_DAY` and `_NUMBER_UNIT` find nothing without one
_NUMBER_UNIT = re.compile(rf"(\d+(?:\.\d+)?)(?:[\s-]*({_WORD_UNITS})\b|(%|[bm]\b))")
_MONTHS = {m[:3]: m for m in MONTH_NAMES} | {"sept": "september"}
_WORD = re.compile(rf"u\.s\.|(?:{'|'.join(m[:3] for m in MONTH_NAMES)})\d{{1,2}}\b"
                   rf"|\d+(?:\.\d+)?(?:(?:{_UNIT_TERMS})(?![a-z])|%)?|[a-z]+(?:['’]s)?")
_STOPWORDS = frozenset(
    """a an the and or but of to in on at by for from with as is are was were be been being it its this that
    these those their there they them he she his her we our you your i not no after before over under into
    about amid against between during while than then so if will would could should may might can has have
    had do does did new more most other another also up down out off just only first second last two one
    says said tells told according report reports reported sources source week weeks day days month year
    years monday tuesday wednesday thursday friday saturday sunday today yesterday news update live what
    why how who when where which again further still now some all both each any such very mr ms""".split()
)


@dataclass(frozen=True)
class StorySignature:
    """A story's weighted, unit-length term vector."""

    terms: dict[str, float] = field(default_factory=dict)


def story_signature(title: str, text: str, dates: Iterable[date] = ()) -> StorySignature:
    """The signature of an item from its headline, the first sentences of its text and the dates of the
    deadlines it reports: what an event is made of (actors, places, numbers, dates)."""
    weights: dict[str, float] = {}
    lede = " ".join(split_sentences(text)[:LEDE_SENTENCES])
    names = _proper_names(f"{title}. {lede}")
    _add_terms(weights, title, TITLE_WEIGHT, names)
    _add_terms(weights, lede, 1.0, names)
    for day in dates:
        weights[f"@{day.isoformat()}"] = DATE_WEIGHT
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return StorySignature({t: round(w / norm, 5) for t, w in weights.items()} if norm else {})


def merge_signatures(story: StorySignature, report: StorySignature, reports: int) -> StorySignature:
    """The story's signature once a report joins it: the running mean of its `reports` reports' vectors,
    so a story told in many words is matched by any of them, not only by its first report's. Only the
    `STORY_TERMS` strongest terms are kept, so a story with hundreds of reports stays as cheap as one."""
    terms = {t: w * (reports - 1) for t, w in story.terms.items()}
    for term, weight in report.terms.items():
        terms[term] = terms.get(term, 0.0) + weight
    kept = dict(sorted(terms.items(), key=lambda tw: tw[1], reverse=True)[:STORY_TERMS])
    norm = math.sqrt(sum(w * w for w in kept.values()))
    return StorySignature({t: round(w / norm, 5) for t, w in kept.items()} if norm else {})


def similarity(a: StorySignature, b: StorySignature) -> float:
    """Cosine similarity of two signatures (0 unrelated .. 1 same words)."""
    small, large = (a.terms, b.terms) if len(a.terms) <= len(b.terms) else (b.terms, a.terms)
    return sum(w * large.get(t, 0.0) for t, w in small.items())


def match_story(
    sig: StorySignature,
    candidates: Iterable[tuple[str, StorySignature, datetime]],
    published: datetime,
    *,
    window: timedelta = DEFAULT_WINDOW,
    threshold: float = DEFAULT_THRESHOLD,
) -> str | None:
    """The id of the most similar candidate story within `window` of `published`, or None below threshold.
    A story's similarity is discounted by `DAILY_DISCOUNT` a day since it began: a later report must share
    more of it."""
    best_id, best_score = None, threshold
    for story_id, candidate, seen_at in candidates:
        if abs(published - seen_at) > window:
            continue
        score = similarity(sig, candidate) - DAILY_DISCOUNT * (abs(published - seen_at) / timedelta(days=1))
        if score >= best_score:
            best_id, best_score = story_id, score
    return best_id


def signature_to_json(sig: StorySignature) -> str:
    """Serialize for the `stories.signature` column."""
    return json.dumps({"v": SIGNATURE_VERSION, "terms": sig.terms}, sort_keys=True, separators=(",", ":"))


def signature_from_json(data: str) -> StorySignature:
    """Parse a stored signature; raises ValueError on anything malformed. One of an earlier version is read as
    it is: its numbers and dates are spelled otherwise, but a story stays open only `DEFAULT_WINDOW` and still
    matches on its names and words meanwhile, which beats starting a second story for the same event."""
    try:
        parsed = json.loads(data)
        terms = {str(t): float(w) for t, w in parsed["terms"].items()}
    except (TypeError, KeyError, AttributeError, ValueError) as exc:
        raise ValueError(f"bad story signature: {exc}") from None
    return StorySignature(terms)


def _proper_names(text: str) -> frozenset[str]:
    """Terms of the capitalised words not at a sentence start: people, places, firms, agencies."""
    return frozenset(t for m in _PROPER.finditer(text) for t in _name_terms(m.group()))


@lru_cache(maxsize=4096)  # the same names come back in item after item
def _name_terms(name: str) -> tuple[str, ...]:
    return tuple(_terms(name))


@cache
def _rarity() -> tuple[dict[str, float], float]:
    """Inverse document frequency of each term in news of this domain (from the corpus' tuning part), and
    the weight of a term it never saw: "tariff" says little about which event a report tells, "Stockholm"
    much."""
    data = json.loads(files("bot.analysis").joinpath(TERM_WEIGHTS_FILE).read_text(encoding="utf-8"))
    return {str(t): float(w) for t, w in data["idf"].items()}, float(data["unseen"])


def term_rarity(documents: Iterable[str]) -> dict[str, Any]:
    """The `term_weights.json` content for a collection of (headline + lede) texts."""
    frequency: Counter[str] = Counter()
    count = 0
    for text in documents:
        frequency.update(set(_terms(text)))
        count += 1
    idf = {t: round(math.log((count + 1) / (n + 1)) + 1, 3) for t, n in sorted(frequency.items()) if n > 1}
    return {"documents": count, "unseen": round(math.log(count + 1) + 1, 3), "idf": idf}


def _add_terms(weights: dict[str, float], text: str, weight: float, names: frozenset[str]) -> None:
    idf, unseen = _rarity()
    for term in _terms(text):
        w = weight * idf.get(term, unseen) * (NAME_WEIGHT if term in names else 1.0)
        if any(map(str.isdigit, term)):  # an amount, a rate, a length or a day of a month
            w *= NUMBER_WEIGHT
        # A term counts once per part: repetition says little about which event it is.
        weights[term] = max(weights.get(term, 0.0), w)


def _terms(text: str) -> list[str]:
    lowered = text.lower()
    if _DIGIT.search(lowered):  # numbers and days of a month are read as terms of their own
        lowered = _NUMBER_UNIT.sub(_number_with_unit, _MONTH_DAY.sub(_month_day, lowered))
    return [term for word in _WORD.findall(lowered) if (term := _term(word)) is not None]


@lru_cache(maxsize=16384)  # news repeats its words
def _term(word: str) -> str | None:
    """The term of one of `_WORD`'s words, or None for a stopword or a single character."""
    word = word.removesuffix("'s").removesuffix("’s")
    word = _MONTHS.get(word, word)  # "Oct." and "October" are one month
    if word in _STOPWORDS or len(word) < 2:
        return None
    return _stem(word)


def _month_day(match: re.Match[str]) -> str:
    month, day = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    return f" {month[:3]}{int(day)} "


def _number_with_unit(match: re.Match[str]) -> str:
    return f"{match.group(1)}{_UNITS[match.group(2) or match.group(3)]}"


def _stem(word: str) -> str:
    """Cut common English endings so "curbs", "curbed" and "curbing" meet (deliberately crude)."""
    if word[0].isdigit() or len(word) <= 3:
        return word
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + replacement
    return word


OpenStory = tuple[str, StorySignature, datetime]  # (story id, signature, when it was first reported)


def join_story(
    stories: list[OpenStory], signature: StorySignature, published: datetime, reports_in: Callable[[str], int], *,
    window: timedelta = DEFAULT_WINDOW, threshold: float = DEFAULT_THRESHOLD,
) -> OpenStory | None:
    """The open story a report joins, with its signature updated in `stories` (`reports_in` tells how many
    reports it held before), or None: the report starts a story of its own, which the caller opens."""
    found = match_story(signature, stories, published, window=window, threshold=threshold)
    if found is None:
        return None
    index = next(i for i, story in enumerate(stories) if story[0] == found)
    story_id, current, first_seen = stories[index]
    stories[index] = (story_id, merge_signatures(current, signature, reports_in(story_id) + 1), first_seen)
    return stories[index]


def cluster_reports(
    reports: Iterable[tuple[str, StorySignature, datetime]], *, window: timedelta = DEFAULT_WINDOW,
    threshold: float = DEFAULT_THRESHOLD, joiners: Iterable[tuple[str, StorySignature, datetime]] = (),
) -> dict[str, str]:
    """Story id (the id of its first report) for each (id, signature, published), matched in publication
    order the way the ingest cycle matches them. `joiners` (reports not judged relevant) may be matched to a
    story open when they were published, but never start one or change what a story is made of."""
    stories: list[OpenStory] = []
    story_of: dict[str, str] = {}
    sizes: Counter[str] = Counter()
    timeline = sorted([(r, False) for r in reports] + [(r, True) for r in joiners], key=lambda entry: entry[0][2])
    for (item_id, signature, published), joiner in timeline:
        if joiner:
            found = match_story(signature, stories, published, window=window, threshold=threshold)
            if found is not None:
                story_of[item_id] = found
            continue
        joined = join_story(stories, signature, published, sizes.__getitem__, window=window, threshold=threshold)
        if joined is None:
            stories.insert(0, (item_id, signature, published))
        story_of[item_id] = joined[0] if joined else item_id
        sizes[story_of[item_id]] += 1
    return story_of
