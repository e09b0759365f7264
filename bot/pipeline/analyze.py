"""Per-item analysis: relevance on every item; deadlines only on relevant ones (an item just under the bar,
or one naming a single government's measure and nobody else, that states a sure US–China deadline is
relevant); a story signature on those and on any item that may be a US–China story's report. Such an item,
once matched to a relevant story, is read again as its report (`judge_as_story_report`): by the ingest cycle
against the stories still open, by `judge_together` over a set of items read as one feed.

An item gets no summary of its own: what users see is its story's summary, written once the cycle's
batches are stored (`cycle`). The stages are pure and CPU-bound (Duckling holds the GIL), so a batch can
run them in worker processes (`workers`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from bot.analysis.cluster import StorySignature, cluster_reports, story_signature
from bot.analysis.deadlines import extract_deadlines
from bot.analysis.deadlines.merge import confirmed_by
from bot.analysis.relevance import assess_relevance, names_a_side_or_measure, one_sided_measure
from bot.domain.models import Analysis, DeadlineMention, Relevance
from bot.pipeline.workers import WorkerPool


@dataclass(frozen=True)
class Judgement:
    """What the pure stages found for one item."""

    relevance: Relevance
    deadlines: tuple[DeadlineMention, ...] = ()
    signature: StorySignature | None = None

    def analysis(self) -> Analysis:
        return Analysis(relevance=self.relevance, deadlines=self.deadlines, signature=self.signature)


def judge(title: str, text: str, published: date, threshold: float, watch_terms: Sequence[str] = (),
          mute_terms: Sequence[str] = ()) -> Judgement:
    """Relevance of one item and, when relevant, its deadlines dated from `published`; and its story
    signature (an item not relevant gets one too when it names a side or a measure and is not muted: it may be
    read as a relevant story's report)."""
    relevance = assess_relevance(title, text, threshold=threshold, watch_terms=watch_terms,
                                 mute_terms=mute_terms)
    if not relevance.relevant:
        # A muted item stays out, whatever deadline it states.
        deadlines = () if relevance.muted else _deadlines_of_a_near_miss(relevance, title, text, published,
                                                                          threshold)
        if not deadlines:
            # (one that names neither side nor a measure is left out: it cannot be a US–China story's report)
            worth = not relevance.muted and names_a_side_or_measure(title, text)
            return Judgement(relevance, signature=story_signature(title, text) if worth else None)
        relevance = replace(relevance, relevant=True,
                            reasons=(*relevance.reasons, f"a US–China deadline: {deadlines[0].what}"))
    else:
        deadlines = tuple(extract_deadlines(text, published, title=title, relevant=True))
    signature = story_signature(title, text, (d.start for d in deadlines if d.start is not None))
    return Judgement(relevance, deadlines, signature)


# An item that ties the two sides only weakly (a passage naming "China-based entities" and "the rule", not
# who makes it) is still read for deadlines; a sure dated US–China deadline in it makes it relevant.
# So is a passage naming one government's measure and nobody else (`one_sided_measure`): quoted out of its
# article, "USTR has extended the written comment period to September 5" is a US–China deadline.
# Both chosen on the corpus' tuning part: relevance and deadlines F1 both rose, precision held.
NEAR_MISS = 0.5  # of the relevance threshold
SURE_DEADLINE = 0.6


def _deadlines_of_a_near_miss(relevance: Relevance, title: str, text: str, published: date,
                              threshold: float) -> tuple[DeadlineMention, ...]:
    """The deadlines of an item just under the relevance threshold, or of one government's measure, that
    states a sure dated one, or ()."""
    near = 0.0 < relevance.score and relevance.score >= threshold * NEAR_MISS
    if not near and not one_sided_measure(title, text):
        return ()
    found = extract_deadlines(text, published, title=title, relevant=True)
    if not any(m.start is not None and m.confidence >= SURE_DEADLINE for m in found):
        return ()
    return tuple(found)


def judge_batch(docs: Sequence[tuple[str, str, date]], threshold: float) -> list[Judgement]:
    """`judge` over many (title, text, published) documents: one round trip to a worker process."""
    return [judge(title, text, published, threshold) for title, text, published in docs]


def judge_as_story_report(judgement: Judgement, title: str, text: str, published: date,
                          story_days: Sequence[tuple[date, date]]) -> Judgement:
    """An item not judged relevant that matched a relevant story, read again as that story's report: relevant,
    with the deadlines it gives that fall near the days the story's other reports give (`confirmed_by`), when
    it gives one; else as it was.

    One outlet's "Effective from 2 May, the exemption ends" names no side; beside the story's other reports
    of the same day it is the same US–China deadline. A muted item stays out."""
    if judgement.relevance.relevant or judgement.relevance.muted:
        return judgement
    shared = confirmed_by(extract_deadlines(text, published, title=title, relevant=True), story_days)
    if not shared:
        return judgement
    relevance = replace(judgement.relevance, relevant=True,
                        reasons=(*judgement.relevance.reasons, f"its story's other reports give {shared[0].what}"))
    dates = (d.start for d in shared if d.start is not None)
    return Judgement(relevance, tuple(shared), story_signature(title, text, dates))


StoryRead = tuple[Relevance, str, str, date, Sequence[tuple[date, date]]]


def read_story_reports(reads: Sequence[StoryRead]) -> list[Judgement]:
    """`judge_as_story_report` over many (relevance, title, text, published, story days): one round trip to a
    worker process."""
    return [judge_as_story_report(Judgement(relevance), title, text, published, days)
            for relevance, title, text, published, days in reads]


def judge_together(docs: Sequence[tuple[str, str, date]], threshold: float) -> list[Judgement]:
    """`judge` over a set of (title, text, published) documents read as one feed: the relevant ones form
    stories as the ingest cycle forms them, and an item judged not relevant that matches one of those stories
    is read again as its report (`judge_as_story_report`)."""
    judgements = judge_batch(docs, threshold)
    when = [datetime.combine(published, datetime.min.time(), UTC) for _title, _text, published in docs]
    reports = [(str(i), j.signature, when[i]) for i, j in enumerate(judgements)
               if j.signature is not None and j.relevance.relevant]
    joiners = [(str(i), j.signature, when[i]) for i, j in enumerate(judgements)
               if j.signature is not None and not j.relevance.relevant]
    story_of = cluster_reports(reports, joiners=joiners)
    story_days: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for item, _signature, _when in reports:
        story_days[story_of[item]] += [(d.start, d.end) for d in judgements[int(item)].deadlines if d.start and d.end]
    for item, _signature, _when in joiners:
        if story_days.get(story_of.get(item, "")):  # (a story with no dated deadline confirms none)
            title, text, published = docs[int(item)]
            judgements[int(item)] = judge_as_story_report(judgements[int(item)], title, text, published,
                                                          story_days[story_of[item]])
    return judgements


def prepare_worker() -> None:
    """Load what a worker process needs before its first feed: the parsers and every analysis stage's
    lazy tables (Duckling's time zones among them), by judging one short relevant item."""
    import bot.ingest.parse  # noqa: F401  (feeds are parsed in the workers too)

    judge("US and China extend tariff truce", "Washington and Beijing agreed on Friday to extend the tariff "
          "truce until Nov. 10.", date(2025, 8, 11), threshold=0.5)


class Analyzer:
    """Runs the analysis stages with one relevance threshold, in the workers when there are some."""

    def __init__(self, *, threshold: float = 0.5, workers: WorkerPool | None = None) -> None:
        self.threshold = threshold
        self.workers = workers

    def analyze(self, title: str, text: str, published: date, *,
                watch_terms: Sequence[str] = (), mute_terms: Sequence[str] = ()) -> Analysis:
        """Judge one item here, and for a relevant one extract deadlines dated from `published`."""
        return judge(title, text, published, self.threshold, watch_terms, mute_terms).analysis()

    async def read_as_story_reports(self, reads: Sequence[StoryRead]) -> list[Analysis]:
        """`judge_as_story_report` for items not relevant that matched an open story, given as (relevance,
        title, text, published, the story's days), in the workers when there are some."""
        if self.workers is None or not reads:
            judgements = read_story_reports(reads)
        else:
            judgements = await self.workers.run(read_story_reports, list(reads))
        return [judgement.analysis() for judgement in judgements]

    async def analyze_batch(self, docs: Sequence[tuple[str, str, date]]) -> list[Analysis]:
        """`analyze` for many (title, text, published) documents, judged in the workers when there are some."""
        if self.workers is None or not docs:
            judgements = judge_batch(docs, self.threshold)
        else:
            judgements = await self.workers.run(judge_batch, list(docs), self.threshold)
        return [judgement.analysis() for judgement in judgements]
