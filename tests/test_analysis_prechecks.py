"""The cheap word checks that run before the analysis's regexes must never rule out a real match: every match
of a pattern holds one of the words listed for it. Checked on every sentence of the judgement corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.analysis.cues import case_blind, contains_any
from bot.analysis.deadlines.features import _CUE_WORDS, _CUES
from bot.analysis.deadlines.windows import _NEEDS, _UNIT_AFTER_A_GAP, DURATION, DURATION_RANGE, TIME_TO_ACT
from bot.domain.sentences import split_sentences

CORPUS = Path(__file__).parent.parent / "corpus"


def _sentences() -> list[str]:
    texts = {json.loads(line)["text"] for path in sorted(CORPUS.glob("*/*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    return [s for text in sorted(texts) for s in split_sentences(text)]


SENTENCES = _sentences()


def _unmatched(pattern: re.Pattern[str], words: tuple[str, ...]) -> list[str]:
    return [m.group() for s in SENTENCES for m in pattern.finditer(s) if not contains_any(case_blind(m.group()), words)]


def test_the_fixtures_hold_enough_sentences_to_check() -> None:
    assert len(SENTENCES) > 10_000


@pytest.mark.parametrize("name", sorted(_CUES))
def test_every_cue_match_holds_a_listed_word(name: str) -> None:
    assert _unmatched(_CUES[name], _CUE_WORDS[name]) == []


def test_every_fuzzy_window_match_holds_a_listed_word() -> None:
    for pattern, words in _NEEDS.items():
        assert _unmatched(pattern, words) == [], pattern.pattern


@pytest.mark.parametrize("pattern", [DURATION, DURATION_RANGE, TIME_TO_ACT])
def test_every_stated_length_has_its_unit_after_a_gap(pattern: re.Pattern[str]) -> None:
    # the words are looked for in the whole sentence, so a match with its unit at its own start still counts
    assert [m for s in SENTENCES for m in pattern.finditer(s)
            if not contains_any(case_blind(s[max(0, m.start() - 1):m.end()]), _UNIT_AFTER_A_GAP)] == []


def test_the_checks_read_dotless_and_long_letters_as_a_case_blind_regex_does() -> None:
    assert case_blind("FİNAL ſet ıt") == "final set it"
