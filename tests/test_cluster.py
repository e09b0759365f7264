"""Story clustering: same event in different words joins, different stories of the same week stay apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.analysis.cluster import (
    DEFAULT_THRESHOLD,
    cluster_reports,
    match_story,
    signature_from_json,
    signature_to_json,
    similarity,
    story_signature,
)

TRUCE_WIRE = (
    "US, China agree to extend tariff truce by 90 days",
    "WASHINGTON (Reuters) - The United States and China agreed on Tuesday to extend their tariff truce for "
    "another 90 days, averting a return to triple-digit duties. Officials met in Stockholm for two days.",
)
TRUCE_AP = (
    "Washington and Beijing prolong trade ceasefire for another three months after Stockholm talks",
    "The world's two largest economies will keep their truce in place until November, negotiators said. "
    "The extension avoids steep new levies on each other's goods.",
)
CHIP_CURBS = (
    "US tightens export controls on advanced AI chips to China",
    "The Commerce Department added new restrictions on semiconductors and chipmaking tools bound for "
    "Chinese firms, officials said on Wednesday.",
)
CHIP_CURBS_OTHER_OUTLET = (
    "Commerce Department widens semiconductor curbs targeting Beijing",
    "New rules restrict exports of AI chips and chip-making equipment to China, the department said.",
)
TAIWAN_ARMS = (
    "China sanctions US defence firms over Taiwan arms sale",
    "Beijing said it would freeze the assets of three American weapons makers after Washington approved "
    "a $2 billion package for Taipei.",
)
SUMMIT = (
    "Trump and Xi to meet in South Korea later this month, White House says",
    "The two leaders will hold talks on the sidelines of the APEC summit in Gyeongju.",
)

NOW = datetime(2025, 8, 12, 9, 0, tzinfo=UTC)


def sig(pair: tuple[str, str]):
    return story_signature(*pair)


def test_same_event_in_different_words_is_one_story() -> None:
    assert similarity(sig(TRUCE_WIRE), sig(TRUCE_AP)) >= DEFAULT_THRESHOLD
    assert similarity(sig(CHIP_CURBS), sig(CHIP_CURBS_OTHER_OUTLET)) >= DEFAULT_THRESHOLD


@pytest.mark.parametrize("other", [CHIP_CURBS, TAIWAN_ARMS, SUMMIT])
def test_different_stories_of_the_same_week_stay_apart(other: tuple[str, str]) -> None:
    assert similarity(sig(TRUCE_WIRE), sig(other)) < DEFAULT_THRESHOLD
    assert similarity(sig(TRUCE_AP), sig(other)) < DEFAULT_THRESHOLD


def test_similarity_is_symmetric_and_bounded() -> None:
    a, b = sig(TRUCE_WIRE), sig(CHIP_CURBS)
    assert similarity(a, b) == pytest.approx(similarity(b, a))
    assert similarity(a, a) == pytest.approx(1.0, abs=1e-3)
    assert 0.0 <= similarity(a, b) < 1.0


def test_match_story_picks_the_best_candidate_in_the_window() -> None:
    candidates = [
        ("chips", sig(CHIP_CURBS), NOW - timedelta(hours=5)),
        ("truce", sig(TRUCE_WIRE), NOW - timedelta(hours=3)),
        ("summit", sig(SUMMIT), NOW - timedelta(hours=1)),
    ]
    assert match_story(sig(TRUCE_AP), candidates, NOW) == "truce"
    assert match_story(sig(CHIP_CURBS_OTHER_OUTLET), candidates, NOW) == "chips"
    assert match_story(sig(TAIWAN_ARMS), candidates, NOW) is None


def test_match_story_ignores_candidates_outside_the_window() -> None:
    old = [("truce", sig(TRUCE_WIRE), NOW - timedelta(days=4))]
    assert match_story(sig(TRUCE_AP), old, NOW) is None
    assert match_story(sig(TRUCE_AP), old, NOW, window=timedelta(days=5)) == "truce"


def test_signature_json_round_trip() -> None:
    original = sig(TRUCE_AP)
    restored = signature_from_json(signature_to_json(original))
    assert restored == original
    assert similarity(restored, sig(TRUCE_WIRE)) == pytest.approx(similarity(original, sig(TRUCE_WIRE)))


@pytest.mark.parametrize("bad", ["", "not json", "[]", '{"terms": 3}', '{"terms": {"a": "x"}}'])
def test_malformed_signature_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ValueError, match="bad story signature"):
        signature_from_json(bad)


def test_empty_text_gives_an_empty_signature_that_matches_nothing() -> None:
    empty = story_signature("", "")
    assert empty.terms == {}
    assert match_story(empty, [("truce", sig(TRUCE_WIRE), NOW)], NOW) is None


def test_a_story_signature_stays_bounded_however_many_reports_join() -> None:
    from bot.analysis.cluster import STORY_TERMS, merge_signatures

    story = story_signature("US and China extend the tariff truce", "Washington and Beijing agreed in Stockholm.")
    for n in range(2, 300):
        report = story_signature(f"Report {n}", f"Officials w{n}a, w{n}b and w{n}c spoke about item{n} on day {n}.")
        story = merge_signatures(story, report, n)
    assert len(story.terms) <= STORY_TERMS
    assert abs(sum(w * w for w in story.terms.values()) - 1.0) < 1e-3


def _numeric_terms(text: str) -> set[str]:
    return {t for t in story_signature("", text).terms if any(ch.isdigit() for ch in t)}


def test_a_number_is_read_with_its_unit() -> None:
    # The same amount and rate in two outlets' styles; "60 days" is another number.
    assert _numeric_terms("Beijing puts 25 per cent duties on $60 billion of American farm goods.") == \
        _numeric_terms("Beijing puts 25% duties on 60bn dollars of American farm goods.") == {"25%", "60bn"}
    assert _numeric_terms("The review runs for a 60-day period.") == _numeric_terms("The review runs 60 days.")
    assert not _numeric_terms("The review runs 60 days.") & _numeric_terms("Duties on $60 billion of goods.")


def test_a_day_of_a_month_is_one_term_however_it_is_written() -> None:
    dates = [_numeric_terms(f"The ministry said the measures start {when}.")
             for when in ("Oct. 14", "October 14th", "14 October", "on the 14th of October")]
    assert all(found == dates[0] for found in dates)
    assert len(dates[0]) == 1
    assert _numeric_terms("The measures start Nov. 14.") != dates[0]


def test_a_story_begun_days_earlier_must_share_more_to_be_joined() -> None:
    from bot.analysis.cluster import StorySignature

    report = StorySignature({"x": 1.0})
    story = StorySignature({"x": 0.15, "y": (1 - 0.15**2) ** 0.5})  # similarity 0.15
    assert match_story(report, [("same-day", story, NOW - timedelta(hours=6))], NOW) == "same-day"
    assert match_story(report, [("older", story, NOW - timedelta(days=2, hours=12))], NOW) is None


def test_a_newer_story_wins_over_an_older_one_as_similar() -> None:
    from bot.analysis.cluster import StorySignature

    report = StorySignature({"x": 1.0})
    older = StorySignature({"x": 0.30, "y": (1 - 0.30**2) ** 0.5})
    newer = StorySignature({"x": 0.28, "z": (1 - 0.28**2) ** 0.5})
    candidates = [("older", older, NOW - timedelta(days=2)), ("newer", newer, NOW - timedelta(hours=2))]
    assert match_story(report, candidates, NOW) == "newer"


def test_a_joiner_joins_an_open_story_but_never_starts_one_or_changes_it() -> None:
    at = datetime(2025, 8, 11, tzinfo=UTC)
    truce = story_signature("US and China extend tariff truce", "Washington and Beijing extended the tariff "
                            "truce by 90 days to Nov. 10, officials said.")
    retold = story_signature("", "The tariff truce was extended by 90 days to Nov. 10.")
    alone = story_signature("", "The council reviewed the bus lanes on Tuesday.")
    story_of = cluster_reports([("a", truce, at), ("b", truce, at + timedelta(hours=2))],
                               joiners=[("j", retold, at + timedelta(hours=1)), ("k", alone, at),
                                        ("early", retold, at - timedelta(hours=1))])
    assert story_of == {"a": "a", "b": "a", "j": "a"}
