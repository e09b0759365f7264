"""Naming the event a date belongs to, and the topic key that groups reports of the same event."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.analysis.cues import RELIEF, REPORTED, TAKES_EFFECT
from bot.analysis.deadlines.text import CHINA, US
from bot.analysis.lexicon import CHINA_PEOPLE, US_PEOPLE, word_pattern


@dataclass(frozen=True)
class EventNoun:
    """A phrase pattern that names an event, and how to word the event from its sentence."""

    topic: str
    pattern: re.Pattern[str]
    describe: Callable[[str], str]


_ON_US_GOODS = re.compile(r"\bon (?:US|U\.S\.|American|United States)\b", re.I)
_ON_CHINESE_GOODS = re.compile(r"\bon (?:Chinese|China)\b|\bfrom China\b", re.I)


def _tariff(sentence: str) -> str:
    """Who taxes whom, from the text: "China's tariff on US goods" is not a tariff on Chinese imports."""
    if RELIEF.search(sentence):
        starts = TAKES_EFFECT.search(sentence) or re.search(r"\beffective\b|\bkicks? in\b", sentence, re.I)
        return "tariff reduction takes effect" if starts else "tariff truce expires"
    rate = re.search(r"\b(\d{1,3}(?:\.\d)?)(?: ?%| per ?cent| percent)", sentence)
    prefix = f"{rate.group(1)}% " if rate else ""
    if _ON_US_GOODS.search(sentence):
        return f"China's {prefix}tariff on US goods takes effect"
    if _ON_CHINESE_GOODS.search(sentence):
        return f"US {prefix}tariff on Chinese goods takes effect"
    return f"{prefix}tariff takes effect"


_US_PERSON = word_pattern(US_PEOPLE)
_CHINA_PERSON = word_pattern(CHINA_PEOPLE)


def _person(pattern: re.Pattern[str], sentence: str) -> re.Match[str] | None:
    """The first person of `pattern` who takes part: one named after a reporting verb ("Bessent said Trump
    could visit China") before the one who reports it."""
    reported = REPORTED.search(sentence)
    return (reported and pattern.search(sentence, reported.end())) or pattern.search(sentence)


def _pair(sentence: str) -> str | None:
    """ "Bessent–He Lifeng" when the sentence names a US and a Chinese participant, else None. Those named
    after "between" take part ("Rubio expressed optimism about a summit between President Donald Trump and
    Chinese President Xi Jinping" is Trump's and Xi's)."""
    between = _BETWEEN.search(sentence)
    if between:
        us, china = _US_PERSON.search(sentence, between.end()), _CHINA_PERSON.search(sentence, between.end())
        if us and china:
            return f"{us.group()}–{china.group()}"
    us, china = _person(_US_PERSON, sentence), _person(_CHINA_PERSON, sentence)
    return f"{us.group()}–{china.group()}" if us and china else None


_BETWEEN = re.compile(r"\bbetween\b", re.I)


# Negotiators, ministers and envoys meet too: a meeting is the leaders' only when the words say so.
_LEADERS = re.compile(r"\b(?:leaders?|presidents?|heads? of state|Xi|Trump|Biden)\b", re.I)


def _who_meets(sentence: str, possessive: str = "'") -> str:
    """ "Bessent–He Lifeng", else "US–China leaders'" where the words say leaders, else "US–China"."""
    return _pair(sentence) or (f"US–China leaders{possessive}" if _LEADERS.search(sentence) else "US–China")


def _summit(sentence: str) -> str:
    kind = "summit" if "summit" in sentence.lower() else "meeting"
    return f"{_who_meets(sentence)} {kind}"


def _call(sentence: str) -> str:
    return f"{_who_meets(sentence, possessive='')} call"


def _talks(sentence: str) -> str:
    trade = "trade " if re.search(r"\btrade|tariff", sentence, re.IGNORECASE) else ""
    pair = _pair(sentence)
    if pair:
        return f"{pair} {trade}talks"
    if re.search(r"\bround\b", sentence, re.IGNORECASE):
        return f"new round of US–China {trade}talks begins"
    return f"US–China {trade}talks"


# "will visit China", "his trip to Beijing", "he would go to China in April", "being invited to China in April"
_GOES = (r"(?:visit|trip|travel|(?:go|goes|going|went|fly|flies|flying|head|heads|heading|come|comes|coming|"
         r"invited) to)")
_TO_CHINA = re.compile(rf"\b{_GOES}(?: to)? (?:China|Beijing)")
_TO_THE_US = re.compile(rf"\b{_GOES}(?: to)? (?:the )?(?:US|U\.S\.|United States|Washington)(?!\w)")
_DESTINATION_CHARS = 40  # "a state visit to the United States" and no further


_HOST = re.compile(r"host(?:s|ing)?\b", re.I)


def _visit(sentence: str, at: int | None = None) -> str:
    """Who visits whom. Where the visit noun stands is known (`at`), the words right after it say where to:
    "visit Beijing in April and host Xi for a state visit to the United States later in 2026" tells two; a
    host's guest is the one who travels ("will host Chinese President Xi Jinping at the White House")."""
    destination = sentence[at : at + _DESTINATION_CHARS] if at is not None else ""
    hosting = _HOST.match(destination)
    if hosting:
        guest = destination[hosting.end() :]
        if (china := _CHINA_PERSON.search(guest)) is not None:
            return f"{china.group()} visit to the US"
        if (us := _US_PERSON.search(guest)) is not None:
            return f"{us.group()} visit to China"
    if _TO_THE_US.search(destination) and not _TO_CHINA.search(destination):
        china = _person(_CHINA_PERSON, sentence)
        return f"{china.group() if china else 'Chinese leader'} visit to the US"
    if _TO_CHINA.search(destination) or _TO_CHINA.search(sentence):
        us = _person(_US_PERSON, sentence)
        return f"{us.group()} visit to China" if us else "US official's visit to China"
    china = _person(_CHINA_PERSON, sentence)
    if china and re.search(r"\b(?:the )?(?:US|U\.S\.|United States|Washington)\b", sentence):
        return f"{china.group()} visit to the US"
    return "US–China visit"


_TARIFFS = re.compile(r"\b(?:tariffs?|duties|levies)\b", re.I)
_EXPORT_CONTROLS = re.compile(r"\bexport controls?\b|\bentity list\b", re.I)


def relief_event(sentence: str, *, starts: bool = False) -> str:
    """A relief's end (a truce, a pause, a suspension) by what it relieves: tariffs, export controls, or
    something else; or the day it `starts`. One wording for each, however the relief is told."""
    if _TARIFFS.search(sentence):
        return "tariff reduction takes effect" if starts else "tariff truce expires"
    if starts:
        # Of no known topic, so it folds with another measure taking effect that day ("the tariff cut takes
        # effect Nov. 10 ... suspend export controls for one year, starting Nov. 10"): one entry, not two.
        return "relief takes effect"
    return "export-control suspension ends" if _EXPORT_CONTROLS.search(sentence) else "suspension ends"


_MEASURE = re.compile(
    r"\b(?:(?:export |licensing |new )?"
    r"(?:rules?|regulations?|restrictions|curbs|controls|requirements)|ban(?:ning)?)\b",
    re.I,
)


_LICENSING = re.compile(r"\blicens(?:e|ing) requirements?\b", re.I)


def _side_before(sentence: str, noun: re.Pattern[str]) -> str | None:
    """Whose measure `noun` is: the side named last before it ("China's Ministry of Commerce said export
    controls on gallium to the United States ..." are China's; the US after them is whom they are aimed at)."""
    found = noun.search(sentence)
    before = sentence[: found.start()] if found else sentence
    sides = [(m.start(), "US") for m in US.finditer(before)] + [(m.start(), "China's") for m in CHINA.finditer(before)]
    return max(sides)[1] if sides else None


def _owned(noun: re.Pattern[str], what: str, *, us_by_default: bool = False) -> Callable[[str], str]:
    """Words for a measure told with whose it is ("China's export controls take effect"); when no side stands
    before it, the US if `us_by_default` and the sentence names it, else no side."""
    def describe(sentence: str) -> str:
        side = _side_before(sentence, noun) or ("US" if us_by_default and US.search(sentence) else "")
        return f"{side} {what}".lstrip()
    return describe


_SANCTIONS = re.compile(r"\bsanction(?:s|ing)?\b", re.I)


def _measure(sentence: str) -> str:
    found = _MEASURE.search(sentence)
    noun = found.group().lower().replace("banning", "ban") if found else "measure"
    return f"{noun} {'takes' if noun in ('ban', 'rule', 'regulation', 'requirement') else 'take'} effect"


# "China will purchase 12 million metric tons of soybeans this season", "committed to buy $200 billion of US
# goods over two years": a buying commitment, named for who buys what
_PURCHASES = re.compile(r"\b(?:purchas(?:e|es|ed|ing)|buy(?:s|ing)?|bought)\b", re.I)
_GOODS = (("soy", "soybean"), ("corn", "farm"), ("wheat", "farm"), ("sorghum", "farm"), ("pork", "farm"),
          ("farm", "farm"), ("agricultur", "farm"), ("boeing", "aircraft"), ("aircraft", "aircraft"),
          ("jet", "aircraft"), ("lng", "energy"), ("energy", "energy"), ("oil", "energy"))


def _purchases(sentence: str) -> str:
    lowered = sentence.lower()
    goods = next((name for stem, name in _GOODS if re.search(rf"\b{stem}", lowered)), "")
    buyer = _side_before(sentence, _PURCHASES) or ""
    return " ".join(word for word in (buyer, goods, "purchases") if word)


def _fixed(text: str) -> Callable[[str], str]:
    return lambda _sentence: text


EVENT_NOUNS: tuple[EventNoun, ...] = (
    EventNoun("truce", re.compile(r"\b(?:truce|reprieve|pause|suspen(?:sion|ds?|ded)|halt(?:s|ed)?|ceasefire|"
                                  r"exempt(?:ion|s)?|exclusions?)\b", re.I),
              relief_event),
    EventNoun("talks", re.compile(r"\b(?:talks|negotiations|round of|consultations)\b", re.I), _talks),
    EventNoun("summit", re.compile(r"\b(?:summit|meeting|meets?)\b", re.I), _summit),
    EventNoun("call", re.compile(r"\b(?:phone call|call|speak|talk) (?:with|to)\b", re.I), _call),
    EventNoun("visit", re.compile(r"\b(?:visit|trip|travel to|host(?:s|ing)?|(?:go|goes|going|went|invited) to"
                                  r"(?= China\b| Beijing\b| the United States\b| Washington\b))\b", re.I), _visit),
    EventNoun("export-controls", _EXPORT_CONTROLS,
              _owned(_EXPORT_CONTROLS, "export controls take effect", us_by_default=True)),
    EventNoun("licensing", _LICENSING, _owned(_LICENSING, "licensing requirements take effect")),
    # "discussions to cover non-tariff barriers" are no tariff
    EventNoun("tariff", re.compile(r"(?<!non-)\b(?:tariffs?|duties|levies|port (?:service )?fees)\b", re.I), _tariff),
    EventNoun("sanctions", _SANCTIONS, _owned(_SANCTIONS, "sanctions")),
    EventNoun("deal", re.compile(r"\b(?:deal|agreement|accord|pact)\b", re.I), _fixed("US–China trade deal")),
    EventNoun("purchases", _PURCHASES, _purchases),
    EventNoun("measure", _MEASURE, _measure),
    EventNoun("hearing", re.compile(r"\bhearings?\b", re.I), _fixed("public hearing")),
    EventNoun("countermeasures", re.compile(r"\b(?:countermeasures|retaliat\w+|reciprocal measures)\b", re.I),
              lambda s: "China's countermeasures" if re.match(r"\W*(?:China|Beijing|Chinese)\b", s)
              else "countermeasures"),
    EventNoun(
        "comments", re.compile(r"\b(?:comment period|comments)\b", re.I), _fixed("public comments due")
    ),
    EventNoun("deadline", re.compile(r"\bdeadline\b", re.I), _fixed("deadline")),
    EventNoun("review", re.compile(r"\b(?:review|study|investigation|probe)\b", re.I), _fixed("review due")),
)


# "will hold a hearing in connection with this investigation on Dec. 16", "as part of its review": the review is
# what the dated event belongs to, not the event
_PART_OF = re.compile(r"\b(?:in connection with|as part of|part of|related to|under) (?:the|this|its|that|an?)\s+"
                      r"(?:[\w-]+\s+){0,2}$", re.I)


def name_event(
    sentence: str, position: int | None = None, *, context: str = "", noun_first: bool = True
) -> tuple[str, str] | None:
    """(topic, what) for the event noun nearest `position` in `sentence` (first one when None).

    `context` (the whole sentence when `sentence` is one clause of it) supplies names for the wording;
    `noun_first` favours nouns before `position` ("talks ... in August") over nouns after it.
    """
    best: tuple[int, EventNoun, int] | None = None
    for rank, noun in enumerate(EVENT_NOUNS):
        for match in noun.pattern.finditer(sentence):
            if noun.topic == "review" and _PART_OF.search(sentence, 0, match.start()):
                continue
            distance = 0 if position is None else abs(match.start() - position)
            if position is not None and (match.start() > position) == noun_first:
                distance += 15
            score = distance * 10 + rank
            if best is None or score < best[0]:
                best = (score, noun, match.start())
    if best is None:
        return None
    _, noun, start = best
    text = context or sentence
    if noun.topic == "visit" and position is not None:
        return noun.topic, _visit(text, text.find(sentence) + start)
    return noun.topic, noun.describe(text)


_TOPIC_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("truce", re.compile(r"truce|reprieve|suspension|pause|ceasefire", re.I)),
    ("talks", re.compile(r"talks|negotiation|round", re.I)),
    ("summit", re.compile(r"summit|meeting|leaders", re.I)),
    ("visit", re.compile(r"visit", re.I)),
    ("call", re.compile(r"\bcall\b", re.I)),
    ("export-controls", re.compile(r"export", re.I)),
    ("licensing", re.compile(r"licens", re.I)),
    ("tariff", re.compile(r"tariff|dut(?:y|ies)", re.I)),
    ("deal", re.compile(r"\b(?:deal|agreement)\b", re.I)),
    ("countermeasures", re.compile(r"countermeasure|retaliat", re.I)),
    ("purchases", re.compile(r"\bpurchases\b", re.I)),
)


KNOWN_TOPICS = frozenset({*(topic for topic, _ in _TOPIC_WORDS), "visit:xi", "visit:us"})


def topic_key(what: str) -> str:
    """A normalised topic for `what`: reports of one event share it ("reprieve ends" ~ "truce expires")."""
    for topic, pattern in _TOPIC_WORDS:
        if pattern.search(what):
            if topic == "visit":
                return "visit:xi" if re.search(r"\bXi\b", what) else "visit:us"
            return topic
    words = sorted({w for w in re.findall(r"[a-z]+", what.lower()) if len(w) > 3})
    return " ".join(words) or "event"


def event_topic(text: str) -> str | None:
    """The topic of the first event noun in `text`, or None when it names no event."""
    found = name_event(text)
    return found[0] if found else None
