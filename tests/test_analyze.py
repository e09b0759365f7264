"""The Analyzer gives the same analysis in worker processes as inline; a dead worker is replaced; an item
just under the relevance bar is read for deadlines."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.pipeline.analyze import Analyzer, judge, judge_together, prepare_worker
from bot.pipeline.workers import WorkerPool

SEED = Path(__file__).resolve().parents[1] / "seeds" / "2025-07-11-rubio-wang-yi-kuala-lumpur.md"
PUBLISHED = date(2025, 7, 11)


def documents() -> list[tuple[str, str, date]]:
    seed_text = SEED.read_text(encoding="utf-8")
    return [
        ("Rubio meets Wang Yi in Kuala Lumpur", seed_text, PUBLISHED),
        ("Leeds council reviews bus lanes", "The council met on Tuesday to review the bus lanes.", PUBLISHED),
        ("US and China agree to extend tariff truce",
         "Washington and Beijing agreed to extend the tariff truce by 90 days, to Nov. 10, U.S. officials said.",
         PUBLISHED),
    ]


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(1, prepare=prepare_worker)
    yield workers
    workers.shutdown()


async def test_worker_processes_give_the_inline_analysis(pool: WorkerPool) -> None:
    inline = await Analyzer().analyze_batch(documents())
    pooled = await Analyzer(workers=pool).analyze_batch(documents())
    assert pooled == inline
    assert [a.relevance.relevant for a in inline] == [True, False, True]
    # ("reviews" may name a measure, a security review: the bus lanes item could be a story's report)
    assert [a.signature is not None for a in inline] == [True, True, True]
    assert any(d.start == date(2025, 11, 10) for d in inline[2].deadlines)


async def test_a_dead_worker_is_replaced_and_the_batch_still_judged(caplog: pytest.LogCaptureFixture) -> None:
    workers = WorkerPool(1)
    try:
        analyzer = Analyzer(workers=workers)
        first = await analyzer.analyze_batch(documents())
        for pid in workers.pids():
            os.kill(pid, signal.SIGKILL)  # as the kernel's OOM killer would
        assert await analyzer.analyze_batch(documents()) == first
        assert "an analysis worker died" in caplog.text
    finally:
        workers.shutdown()



def test_a_relevant_item_naming_one_side_keeps_its_deadlines() -> None:
    """Relevance decides whether an item is about US–China relations; extraction does not ask again."""
    text = ("China's Ministry of Commerce added PVH and Illumina to its unreliable entity list on Tuesday. "
            "The ministry said the two firms will be barred from trade with China from March 1.")
    analysis = Analyzer().analyze("", text, date(2026, 2, 4))
    assert analysis.relevance.relevant
    assert [(d.start, d.end) for d in analysis.deadlines] == [(date(2026, 3, 1), date(2026, 3, 1))]


NOTICE = ("A notice the Commerce Department published on Monday is a broad move, but it will likely weigh hardest "
          "on companies in China.")


def test_an_item_just_under_the_bar_that_states_a_sure_deadline_is_relevant() -> None:
    judged = judge("", f"{NOTICE} The latest rule is set to take effect Tuesday.", date(2026, 3, 16), 0.5)
    assert judged.relevance.relevant
    assert judged.relevance.reasons[-1] == "a US–China deadline: rule takes effect"
    assert [d.start for d in judged.deadlines] == [date(2026, 3, 17)]


def test_an_item_just_under_the_bar_without_a_deadline_stays_irrelevant() -> None:
    judged = judge("", f"{NOTICE} Companies said they were studying it.", date(2026, 3, 16), 0.5)
    assert 0.25 <= judged.relevance.score < 0.5
    assert not judged.relevance.relevant and judged.deadlines == ()


# Passages cut from a US–China story that name only one government's measure, as feeds and readers quote them.
USTR_PASSAGE = ("As a condition of the new 25 percent tariffs, the United States Trade Representative (USTR) has "
                "extended the written comment period to September 5, 2018.")


def test_one_governments_measure_naming_nobody_else_is_read_for_a_sure_deadline() -> None:
    judged = judge("", USTR_PASSAGE, date(2018, 8, 8), 0.5)
    assert judged.relevance.score == 0.0
    assert judged.relevance.relevant
    assert [(d.start, d.end) for d in judged.deadlines] == [(date(2018, 9, 5), date(2018, 9, 5))]


@pytest.mark.parametrize(("text", "published", "due"), [
    ("Among them, tariffs on Chinese electric vehicles, lithium-ion batteries and key minerals will take effect "
     "on September 27 this year.", date(2024, 9, 14), date(2024, 9, 27)),
    ("The additional tariffs on American soybeans will be suspended from November 10.", date(2025, 11, 5),
     date(2025, 11, 10)),
])
def test_a_measure_aimed_at_the_other_sides_goods_is_read_though_its_maker_goes_unnamed(
        text: str, published: date, due: date) -> None:
    judged = judge("", text, published, 0.5)
    assert judged.relevance.relevant
    assert [(d.start, d.end) for d in judged.deadlines] == [(due, due)]


def test_a_muted_item_stays_out_whatever_deadline_it_states() -> None:
    judged = judge("", USTR_PASSAGE, date(2018, 8, 8), 0.5, mute_terms=["comment period"])
    assert not judged.relevance.relevant and judged.deadlines == ()
    assert judged.relevance.reasons == ("muted: comment period",)


@pytest.mark.parametrize("text", [
    # a measure on another country, on everyone, or by a company, not a government
    "The US Trade Representative extended the comment period on tariffs on Mexican steel to September 5.",
    "Brussels' duties on Chinese electric vehicles take effect on October 30 after EU states failed to block them.",
    "Canada's 100% tariffs on Chinese electric vehicles will take effect on October 1.",
    "The Supreme Court will hear arguments on Nov. 5 over President Trump's sweeping tariffs worldwide.",
    "The White House sent letters to U.S. trading partners that higher tariffs could kick in by Aug. 1.",
    "China Evergrande Group said its Hong Kong shares will be removed on August 25 after the delisting decision.",
    # one government, and no measure
    "The U.S. Senate will vote on the spending bill on September 5.",
])
def test_a_one_sided_passage_that_is_not_a_us_china_measure_stays_irrelevant(text: str) -> None:
    judged = judge("", text, date(2025, 7, 1), 0.5)
    assert not judged.relevance.relevant and judged.deadlines == ()


ORDER = ("Trump ends de minimis for China parcels",
         "President Donald Trump signed an order ending the duty-free de minimis exemption for low-value parcels "
         "from China and Hong Kong, effective May 2, raising costs for Shein and Temu shoppers.", date(2025, 4, 3))
NO_SIDE_NAMED = ("Small parcels lose duty-free entry",
                 "From May 2, parcels worth less than $800 will no longer enter duty-free, the White House said, "
                 "closing the de minimis exemption that online retailers rely on.", date(2025, 4, 4))


def test_a_report_naming_neither_side_is_read_as_its_storys_when_it_gives_the_same_day() -> None:
    alone = judge(*NO_SIDE_NAMED[:2], NO_SIDE_NAMED[2], threshold=0.5)
    assert not alone.relevance.relevant and alone.deadlines == ()
    order, plain = judge_together([ORDER, NO_SIDE_NAMED], threshold=0.5)
    assert order.relevance.relevant and plain.relevance.relevant
    assert [d.start for d in plain.deadlines] == [date(2025, 5, 2)]
    assert "its story's other reports give" in plain.relevance.reasons[-1]
    assert plain.signature is not None


def test_an_item_naming_no_side_and_no_measure_is_not_matched_to_stories() -> None:
    weather = judge("Storm closes schools", "Heavy rain closed schools in Leeds on Tuesday.", date(2025, 4, 4),
                    threshold=0.5)
    assert not weather.relevance.relevant and weather.signature is None
    assert judge(*NO_SIDE_NAMED[:2], NO_SIDE_NAMED[2], threshold=0.5).signature is not None


def test_a_matching_report_with_another_day_or_no_story_stays_out() -> None:
    other_day = (NO_SIDE_NAMED[0], NO_SIDE_NAMED[1].replace("May 2", "August 29"), NO_SIDE_NAMED[2])
    assert not judge_together([ORDER, other_day], threshold=0.5)[1].relevance.relevant
    # without the story's own report, there is nothing to read it by
    assert not judge_together([NO_SIDE_NAMED], threshold=0.5)[0].relevance.relevant
    # a report published after the story closed is not its report
    late = (*NO_SIDE_NAMED[:2], date(2025, 4, 20))
    assert not judge_together([ORDER, late], threshold=0.5)[1].relevance.relevant


async def test_reading_story_reports_in_the_workers_gives_the_inline_reading(pool: WorkerPool) -> None:
    alone = judge(*NO_SIDE_NAMED[:2], NO_SIDE_NAMED[2], threshold=0.5)
    reads = [(alone.relevance, *NO_SIDE_NAMED, [(date(2025, 5, 2), date(2025, 5, 2))]),
             (alone.relevance, *NO_SIDE_NAMED, [(date(2025, 9, 1), date(2025, 9, 1))])]
    inline = await Analyzer().read_as_story_reports(reads)
    pooled = await Analyzer(workers=pool).read_as_story_reports(reads)
    assert pooled == inline
    assert [a.relevance.relevant for a in inline] == [True, False]
    assert [d.start for d in inline[0].deadlines] == [date(2025, 5, 2)]
