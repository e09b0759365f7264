"""Clause scoping and the two sides' names as the deadline steps read them."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from bot.analysis.lexicon import (
    CHINA_NAMES,
    CHINA_OFFICIALS,
    CHINESE_COMPANIES,
    OTHER_PARTNERS,
    THIRD_COUNTRIES,
    US_NAMES,
    US_OFFICIALS,
    first_letter_runs,
    letter_runs,
    word_pattern,
)

# A bare "Commerce" is as often China's Ministry of Commerce; the National People's Congress and a Party
# Congress are China's.
US = re.compile(r"(?<![Pp]eople['’]s )(?<!Party )(?<!National )"
                + word_pattern((*US_NAMES, "Americans", *(n for n in US_OFFICIALS if n != "Commerce"))).pattern)
# Chinese companies at the centre of US measures stand for the Chinese side of a sentence.
CHINA = word_pattern((*CHINA_NAMES, "Sino", *CHINA_OFFICIALS, *CHINESE_COMPANIES))
# Other parties: a sentence naming one is only ours when it names both the US and China. Taiwan counts here
# (its own elections and deals are not US–China dates), though relevance reads it as a US–China topic.
_OTHER_COUNTRIES = (*THIRD_COUNTRIES, "Taiwan", "Taiwanese")
_OTHER_COUNTRY = word_pattern(_OTHER_COUNTRIES)
# Most sentences name none: a look at their runs of letters first is far cheaper than the regex.
_OTHER_COUNTRY_STARTS = first_letter_runs(_OTHER_COUNTRIES)
# Where a meeting is held is not a party to it: "the APEC summit in South Korea later this month", "talks in
# Sweden". (Goods "made in Vietnam" or elections "in Taiwan" still are.)
# Where one travels is a place too ("will travel to Shanghai and Seoul", "a trip ... to Spain and Britain", "leading
# a delegation to Taiwan"), and a city may come first ("in Gyeongju, South Korea").
_VENUE = re.compile(
    r"(?i:\b(?:(?:summit|meeting|visit|trip|forum|conference|dialogue)s?|talks|meet|met|sidelines|negotiations|"
    r"held|hosted|take place|takes place|taking place|took place|"
    r"(?P<going>travel\w*|trips?|visits?|heads?|heading|fly|flies|flying|arrive\w*|delegations?))\b"
    r"[^.;]{0,50}?\b(?:in|at|(?(going)to|in))\s+(?:the\s+)?)(?:[A-Z][\w-]+(?: [A-Z][\w-]+)?(?:,| and) )?$")


def names_other_party(text: str) -> bool:
    """Whether `text` names a third country (or Taiwan) other than as the place where two sides meet."""
    return any(_other_parties(text))


def _other_parties(text: str) -> Iterator[re.Match[str]]:
    """The third countries (and Taiwan) `text` names other than as the place where two sides meet."""
    if _OTHER_COUNTRY_STARTS.isdisjoint(letter_runs(text)):
        return iter(())
    return (m for m in _OTHER_COUNTRY.finditer(text) if not _VENUE.search(text[max(0, m.start() - 60) : m.start()]))


_CLAUSE_BREAK = re.compile(r"[,;:—–()]|\s(?:that|but|while|after|when|which|who|as)\s", re.IGNORECASE)


_TRAILING = re.compile(r"^[,;:—–(\s]*(?:to|until|till|through|by|before|from|on)\s+$", re.I)


def clause_around(sentence: str, start: int, end: int) -> str:
    """The clause holding sentence[start:end]. A short phrase around it takes a neighbour: an opening one
    ("On Monday,") the next clause, a trailing one (", to Nov. 10,") the clause it completes."""
    left, right = clause_bounds(sentence, start, end)
    return sentence[left:right]


def clause_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Where `clause_around` starts and ends in `sentence`."""
    breaks = _clause_breaks(sentence)
    left = max(b for b in breaks if b <= start)
    right = min(b for b in breaks if b >= end)
    if len(sentence[left:right].split()) - len(sentence[start:end].split()) < 3:
        if left > 0 and _TRAILING.match(sentence[left:start]):
            preceding = [b for b in breaks if b < left]
            return (preceding[-1] if preceding else 0), right
        following = [b for b in breaks if b > right]
        right = following[0] if following else len(sentence)
    return left, right


@functools.lru_cache(maxsize=256)  # a sentence's clauses are asked for once per date in it, and per feature
def _clause_breaks(sentence: str) -> tuple[int, ...]:
    return (0, *(m.start() for m in _CLAUSE_BREAK.finditer(sentence)), len(sentence))


def _first_party(text: str) -> str | None:
    """Which side `text` names first ("us", "china" or "other"): who a sentence is about, most often."""
    found = [(m.start(), side) for side, pattern in (("us", US), ("china", CHINA)) for m in pattern.finditer(text)]
    found += [(m.start(), "other") for m in _other_parties(text)]
    return min(found)[1] if found else None


def about_other_party(text: str) -> bool:
    """Whether `text` is about another country's affairs: it names a third party, and not both the US and
    China, and it is no list of "countries of concern" with China in it (a US measure on all of them)."""
    return (names_other_party(text) and not (US.search(text) and CHINA.search(text))
            and not _lists_china_among_adversaries(text))


# "institutions located in the People's Republic of China, Russia, Iran, North Korea, Cuba and Venezuela":
# China beside two or more of the others a US rule names as "foreign adversaries" is that rule's list.
_ADVERSARY = re.compile(r"\b(?:Russia|Iran|North Korea|Cuba|Venezuela)\b")


def _lists_china_among_adversaries(text: str) -> bool:
    return CHINA.search(text) is not None and len({m.group() for m in _ADVERSARY.finditer(text)}) >= 2


_OTHER_PARTNERS = word_pattern(OTHER_PARTNERS, flags=re.I)


def for_other_partners(clause: str) -> bool:
    """Whether a clause is about "other trading partners" (and not China): "even as he paused higher duties on
    dozens of other trading partners for 90 days"."""
    return bool(_OTHER_PARTNERS.search(clause)) and not CHINA.search(clause)


# "a 90-day pause for 70 nations—excluding China", "a 10% baseline for all countries, except China": what the
# sentence dates is for everyone else.
_LEAVES_CHINA_OUT = re.compile(r"\b(?:excluding|except(?: for)?|other than|apart from|not including|"
                               r"with the exception of)\s+(?:the\s+)?(?:China|Beijing)\b", re.I)


def leaves_china_out(sentence: str) -> bool:
    """Whether a sentence says its measure is for everyone except China."""
    return _LEAVES_CHINA_OUT.search(sentence) is not None


def is_ours(sentence: str, at: int | None = None) -> bool:
    """False for a sentence about another country's affairs: one that names a third party without both the
    US and China, or whose subject is a third country, unless the clause holding position `at` begins anew
    with the US or China ("The Dutch government is under pressure ..., after Washington agreed to suspend
    its rule for one year")."""
    whose = _whose_sentence(sentence)
    return whose == "ours" or (whose == "third country's subject" and at is not None
                               and _own_clause_is_ours(sentence, at))


# Asked of a sentence once per date in it, and once more for a plan without one: the reading of the whole
# sentence is kept, and only a third country's sentence looks at the clause of each date.
@functools.lru_cache(maxsize=256)
def _whose_sentence(sentence: str) -> str:
    if about_other_party(sentence):
        return "another party's"
    return "third country's subject" if _third_country_subject(sentence) else "ours"


# A clause with a subject of its own: what follows one of these words.
_SUBORDINATE = re.compile(r"(?:,\s*|\s)(?:after|as|while|when|because|since|and|but|where)\s", re.I)


def _own_clause_is_ours(sentence: str, at: int) -> bool:
    starts = [m.end() for m in _SUBORDINATE.finditer(sentence, 0, at)]
    return bool(starts) and _first_party(sentence[starts[-1] : at]) in ("us", "china")


# The words before the first verb: the subject, most often ("Mexico's Senate gave...", "Australian Prime
# Minister Anthony Albanese will visit China").
_FIRST_VERB = re.compile(r"\b(?:will|would|shall|has|have|had|is|are|was|were|said|says|told|plans?|"
                         r"announced|agreed|gave|\w{3,}ed)\b", re.I)
_REPORTING = re.compile(r"(?:said|says|told|announced)$", re.I)


def _third_country_subject(sentence: str) -> bool:
    """A sentence whose subject is a third country ("Mexico will impose tariffs on Chinese imports") is its
    affair, even when it names the US and China."""
    verb = _FIRST_VERB.search(sentence)
    if verb is None or _REPORTING.match(verb.group()):
        return False  # "Malaysia's Anwar said Trump and Xi will meet...": the speaker is not the actor
    return _first_party(sentence[: verb.start()]) == "other"


def mentions_us_and_china(text: str) -> bool:
    """True when the text names both sides somewhere."""
    return bool(US.search(text) and CHINA.search(text))
