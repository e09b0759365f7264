"""The quick word checks before the analysis regexes: each holds a word of every match of its regex.

A check in front of a regex skips it when the text holds none of its words; a word missing from a check would
silently lose matches. So each check is proved against its regex's syntax tree here: every way through the
regex must spell one of the words. (A regex edited later must keep its check true, or this fails.)
"""

from __future__ import annotations

import re
import string
import sys
from itertools import product
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import pytest

from bot.analysis.cues import case_blind
from bot.analysis.deadlines import extract, features, timeparse, windows
from bot.analysis.lexicon import letter_runs

_MOST_SPELLINGS = 20_000


def _spellings(items: Any) -> set[str] | None:
    """Every text a sequence of regex items can match (lower case), when they are few; else None."""
    out = {""}
    for item in items:
        one = _spellings_of(item)
        if one is None:
            return None
        out = {a + b for a in out for b in one}
        if len(out) > _MOST_SPELLINGS:
            return None
    return out


def _spellings_of(item: Any) -> set[str] | None:
    op, av = item
    if op is sre.LITERAL:
        return {chr(av).lower()}
    if op is sre.IN:
        if not all(kind is sre.LITERAL for kind, _ in av):
            return None
        return {chr(code).lower() for _, code in av}
    if op is sre.SUBPATTERN:
        return _spellings(av[-1])
    if op is sre.BRANCH:
        branches = [_spellings(branch) for branch in av[1]]
        return None if any(b is None for b in branches) else set().union(*branches)  # type: ignore[arg-type]
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[1] <= 3:
        once = _spellings(av[2])
        if once is None:
            return None
        return {"".join(parts) for count in range(av[0], av[1] + 1) for parts in product(once, repeat=count)}
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return {""}  # no text of the match's own
    return None


def _holds_a_word(items: Any, words: tuple[str, ...]) -> bool:
    """Whether every match of a sequence of regex items holds (or has right beside it) one of `words`."""
    items = list(items)
    if any(_item_holds_a_word(item, words) for item in items):
        return True
    for start in range(len(items)):  # a run of items spelled in few ways: "(?:is|are) set to"
        spelled = {""}
        for item in items[start:]:
            one = _spellings_of(item)
            if one is None:
                break
            spelled = {a + b for a in spelled for b in one}
            if len(spelled) > _MOST_SPELLINGS:
                break
            if all(any(word in text for word in words) for text in spelled):
                return True
    return False


def _item_holds_a_word(item: Any, words: tuple[str, ...]) -> bool:
    op, av = item
    spelled = _spellings_of(item)
    if spelled is not None and all(any(word in text for word in words) for text in spelled):
        return True
    if op is sre.SUBPATTERN:
        return _holds_a_word(av[-1], words)
    if op is sre.BRANCH:
        return all(_holds_a_word(branch, words) for branch in av[1])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
        return _holds_a_word(av[2], words)
    if op is sre.ASSERT:  # a look-ahead's or look-behind's words are in the text too
        return _holds_a_word(av[1], words)
    return False


def holds_a_word(pattern: str | re.Pattern[str], words: tuple[str, ...]) -> bool:
    """Whether every match of `pattern` (read case-blind) holds one of `words`, as far as can be proved."""
    text = pattern if isinstance(pattern, str) else pattern.pattern
    return _holds_a_word(sre_parse.parse(text, re.IGNORECASE), words)


def test_the_prover_proves_only_what_holds() -> None:
    assert holds_a_word(r"\b(?:will|shall|'ll)\b", ("ll",))
    assert not holds_a_word(r"\b(?:will|shall|'ll)\b", ("will", "shall"))
    assert holds_a_word(r"(?:is|are) (?:set|due) to|x", ("set to", "due to", "x"))
    assert not holds_a_word(r"(?:is|are) (?:set|due) to|x", ("set to", "x"))
    assert holds_a_word(r"plans? to", ("plan",)) and not holds_a_word(r"plans? to", ("plans to",))
    assert not holds_a_word(r"cancel\w*", ("cancelled",)) and not holds_a_word(r"(?!abc)d", ("abc",))
    assert not holds_a_word(r"\bsome ?time", ("sometime",)) and holds_a_word(r"\bsome ?time", ("some",))
    assert holds_a_word(r"\d{1,3}(?=-day)", ("-",))


_FIRST_IS_A_DIGIT = r"\d|"


@pytest.mark.parametrize(("pattern", "words"), [
    *[(pattern, words) for pattern, words in windows._NEEDS.items()],
    *[(pattern, windows._UNIT_AFTER_A_GAP) for pattern in (windows.DURATION, windows.DURATION_RANGE,
                                                            windows.TIME_TO_ACT)],
    *[(features._CUES[name], words) for name, words in features._CUE_WORDS.items()],
    (timeparse._NOT_A_DATE, timeparse._NOT_A_DATE_WORDS),
    (timeparse._MAYBE_TIME.pattern.removeprefix(_FIRST_IS_A_DIGIT), timeparse._TIME_WORDS),
    (timeparse._ALSO_TIME, timeparse._TIME_WORDS),
    (extract._UNDATED, extract._UNDATED_WORDS),
], ids=lambda value: value.pattern[:40] if isinstance(value, re.Pattern) else None)
def test_every_match_holds_a_word_of_its_check(pattern: str | re.Pattern[str], words: tuple[str, ...]) -> None:
    assert holds_a_word(pattern, words)


def test_may_hold_a_time_reads_a_digit_as_the_time_regex_does() -> None:
    assert timeparse._MAYBE_TIME.pattern.startswith(_FIRST_IS_A_DIGIT)


def test_case_blind_text_holds_each_letter_a_case_blind_regex_reads() -> None:
    # Every character a case-blind regex reads as an ASCII letter becomes that letter (the Basic Multilingual
    # Plane holds all that do).
    letters = {letter: re.compile(letter, re.IGNORECASE) for letter in string.ascii_lowercase}
    for code in range(0x10000):
        char = chr(code)
        for letter, pattern in letters.items():
            if pattern.fullmatch(char):
                assert case_blind(f"x{char}x") == f"x{letter}x", hex(code)


def test_only_two_characters_lower_to_an_ascii_letter() -> None:
    # (what `relevance._lower_letters` relies on)
    found = [chr(code) for code in range(0x80, sys.maxunicode + 1)
             if not 0xD800 <= code <= 0xDFFF and any(c in string.ascii_letters for c in chr(code).lower())]
    assert found == ["\u0130", "\u212a"]


@pytest.mark.parametrize("text", ["", "U.S.-China", "naïve café Ωmega", "ﬁnal K İstanbul", "x\ud800y", "中国 China",
                                  "2025年 tariffs_on", "—Beijing’s"])
def test_letter_runs_are_the_maximal_runs_of_ascii_letters(text: str) -> None:
    assert [run.decode() for run in letter_runs(text)] == re.findall("[A-Za-z]+", text)
