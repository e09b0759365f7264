"""Extractive summaries: verbatim, short, free of datelines/bylines/boilerplate, no cross-source repeats."""

from __future__ import annotations

import pytest

from bot.analysis.summarize import (
    ExtractiveSummarizer,
    Summarizer,
    clean_sentences,
    summarize_story,
    summarize_text,
)
from bot.domain.sentences import split_sentences

# Our own article in the style of a wire report, with a dateline line, a byline and boilerplate.
KL_TITLE = "Rubio upbeat on Trump-Xi summit after first talks with Wang Yi"
KL_TEXT = "\n".join(
    [
        'Kuala Lumpur —',
        'By Jane Doe',
        'US Secretary of State Marco Rubio said on Friday that a summit between President Donald '
        'Trump and Chinese President Xi Jinping was likely, after meeting Chinese Foreign Minister '
        'Wang Yi in Malaysia.',
        'The two diplomats spoke for about an hour on the sidelines of the ASEAN foreign '
        "ministers' gathering in Kuala Lumpur.",
        '“There is a strong desire on both sides,” Rubio told reporters.',
        'Both countries are still working on a date, he added.',
        'The talks come weeks after trade negotiators from Washington and Beijing agreed in London '
        'to keep a 90-day pause on steep tariffs.',
        'Sign up for our daily China briefing.',
        'Reporting by Jane Doe; Editing by John Roe',
    ]
)


def test_seed_style_article_summary_names_the_meeting_and_the_summit() -> None:
    summary = summarize_text(KL_TITLE, KL_TEXT)
    assert len(summary) <= 500
    assert len(split_sentences(summary)) <= 3
    assert "Rubio" in summary and "Wang Yi" in summary
    assert "Malaysia" in summary or "Kuala Lumpur" in summary
    assert "summit" in summary and "Xi" in summary and "Trump" in summary


def test_sentences_are_verbatim_and_boilerplate_is_gone() -> None:
    summary = summarize_text(KL_TITLE, KL_TEXT, max_sentences=5, max_chars=2000)
    for sentence in split_sentences(summary):
        assert sentence in KL_TEXT
    for unwanted in ("Kuala Lumpur —", "By Jane Doe", "Sign up", "Reporting by", "Editing by"):
        assert unwanted not in summary


@pytest.mark.parametrize(
    ("text", "expected_first"),
    [
        ("WASHINGTON (Reuters) - The U.S. added 12 Chinese firms to its Entity List on Tuesday. More.",
         "The U.S. added 12 Chinese firms to its Entity List on Tuesday."),
        ("GYEONGJU, South Korea, Oct 30 – Trump and Xi met for 100 minutes at an air base on Thursday.",
         "Trump and Xi met for 100 minutes at an air base on Thursday."),
        ("BEIJING — China's commerce ministry said it would study the US proposal on chip exports.",
         "China's commerce ministry said it would study the US proposal on chip exports."),
        ("(TNS) The U.S. said China has agreed to buy millions of tons of soybeans through 2028.",
         "The U.S. said China has agreed to buy millions of tons of soybeans through 2028."),
        ("(NAFB.com) – China’s state-owned COFCO bought three cargoes of U.S. soybeans this week.",
         "China’s state-owned COFCO bought three cargoes of U.S. soybeans this week."),
    ],
)
def test_datelines_are_removed(text: str, expected_first: str) -> None:
    assert clean_sentences(text)[0] == expected_first


def test_abbreviations_do_not_break_sentences() -> None:
    text = (
        "Mr. Bessent met He Lifeng in Geneva on Aug. 11 to discuss U.S. tariffs on Chinese goods. "
        "The Jan. 20 inauguration reset the talks."
    )
    assert split_sentences(text) == [
        "Mr. Bessent met He Lifeng in Geneva on Aug. 11 to discuss U.S. tariffs on Chinese goods.",
        "The Jan. 20 inauguration reset the talks.",
    ]


def test_limits_are_respected() -> None:
    summary = summarize_text(KL_TITLE, KL_TEXT, max_sentences=1, max_chars=500)
    assert len(split_sentences(summary)) == 1
    tiny = summarize_text(KL_TITLE, KL_TEXT, max_chars=80)
    assert 0 < len(tiny) <= 80


def test_empty_text_falls_back_to_the_headline() -> None:
    assert summarize_text("US and China extend tariff truce", "") == "US and China extend tariff truce"


def test_story_summary_drops_what_another_source_repeats() -> None:
    wire = (
        "US, China extend tariff truce by 90 days",
        "WASHINGTON (Reuters) - The United States and China agreed on Tuesday to extend their tariff truce "
        "by 90 days. The extension averts a return to triple-digit duties on each other's goods.",
    )
    other = (
        "Washington and Beijing prolong trade ceasefire",
        "The United States and China agreed on Tuesday to extend their tariff truce by another 90 days. "
        "Soybean farmers hope the pause will bring Chinese buyers back before the harvest.",
    )
    summary = summarize_story([wire, other])
    assert summary.count("agreed on Tuesday") == 1
    assert "Soybean farmers" in summary
    assert len(summary) <= 500


async def test_extractive_summarizer_implements_the_protocol() -> None:
    summarizer: Summarizer = ExtractiveSummarizer(max_sentences=2)
    one = await summarizer.summarize(KL_TITLE, KL_TEXT)
    assert one == summarize_text(KL_TITLE, KL_TEXT, max_sentences=2)
    story = await summarizer.summarize_story([(KL_TITLE, KL_TEXT)])
    assert story == one


def test_a_claim_is_never_shown_without_the_sentence_it_leans_on() -> None:
    text = ("Officials met in Geneva for a second day of talks on Sunday. "
            "The Commerce Department said the tariffs on steel would rise to 50% next month. "
            "China will match that move with duties on American soybeans, Beijing said, as US and Chinese "
            "officials and Xi traded warnings. "
            "Markets in Asia were mixed.")
    summary = summarize_text("US China tariffs", text, max_sentences=2, max_chars=500)
    assert "match that move" not in summary or "tariffs on steel would rise" in summary
    assert summary


def test_the_sentence_that_carries_a_deadline_is_kept() -> None:
    text = ("US and Chinese negotiators met in London on Monday and Tuesday. "
            "Both delegations described the atmosphere as constructive and businesslike. "
            "Analysts said the meeting eased fears of a new escalation between Washington and Beijing. "
            "The reduced tariffs will expire on Aug. 12 unless the two sides extend the truce.")
    summary = summarize_text("US and China hold talks in London", text, max_sentences=2, max_chars=500)
    assert "Aug. 12" in summary
