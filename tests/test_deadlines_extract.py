"""Deadline extraction from news sentences: each rule, each trap, and a paraphrased article."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.analysis.deadlines import extract_deadlines, timeparse, topic_key, windows
from bot.analysis.deadlines.candidates import Candidate, date_spans, find_candidates
from bot.analysis.deadlines.events import name_event, relief_event
from bot.analysis.deadlines.extract import worth_judging
from bot.analysis.deadlines.features import features, governing_tense
from bot.analysis.deadlines.merge import one_per_event
from bot.analysis.deadlines.model import DeadlineModel
from bot.analysis.deadlines.text import names_other_party
from bot.domain.models import DeadlineMention
from bot.domain.sentences import split_sentences

JULY_11 = date(2025, 7, 11)  # a Friday


def lengths(sentences: list[str], published: date) -> list[Candidate]:
    """The stated lengths among the candidates of `sentences`."""
    return [c for c in find_candidates(sentences, published) if c.kind == "duration"]


def the_length(sentences: list[str], published: date) -> Candidate:
    """The one stated length among the candidates of `sentences`."""
    (length,) = lengths(sentences, published)
    return length


def feature_of_dates_on(text: str, published: date, day: date, name: str) -> list[float | None]:
    """Feature `name` of each candidate of `text` that starts on `day`."""
    return [features(c, published).get(name) for c in find_candidates(split_sentences(text), published)
            if c.span.start == day]


def features_read_with_the_item(text: str, published: date) -> dict[date, dict[str, float]]:
    """The features of each candidate of `text`, read beside the item's other candidates, by its first day."""
    candidates = find_candidates(split_sentences(text), published)
    return {c.span.start: features(c, published, candidates) for c in candidates}


def dated(mentions: list[DeadlineMention]) -> list[tuple[date | None, date | None]]:
    return sorted((m.start, m.end) for m in mentions if m.start is not None)


def only(mentions: list[DeadlineMention]) -> DeadlineMention:
    assert len(mentions) == 1, mentions
    return mentions[0]


def test_absolute_day_with_future_cue() -> None:
    text = (
        "Beijing said its new export licensing rules for gallium shipped to the US will take effect Aug. 12."
    )
    mention = only(extract_deadlines(text, JULY_11))
    assert (mention.start, mention.end, mention.granularity) == (date(2025, 8, 12), date(2025, 8, 12), "day")
    assert mention.evidence == text


def test_day_first_date_and_month_resolve_forward() -> None:
    text = "Washington and Beijing will hold the next round of trade talks on 1 December, officials said."
    assert dated(extract_deadlines(text, date(2025, 10, 20))) == [(date(2025, 12, 1), date(2025, 12, 1))]
    text = "Trump told reporters he would visit China in March to meet Xi."
    mention = only(extract_deadlines(text, date(2025, 11, 3)))
    assert (mention.start, mention.end, mention.granularity) == (date(2026, 3, 1), date(2026, 3, 31), "month")
    assert mention.what == "Trump visit to China"


def test_weekday_and_relative_weeks() -> None:
    text = "US and Chinese negotiators are expected to meet again on Tuesday in Stockholm."
    assert dated(extract_deadlines(text, JULY_11)) == [(date(2025, 7, 15), date(2025, 7, 15))]
    text = "Bessent said he will meet his Chinese counterpart next week."
    assert dated(extract_deadlines(text, JULY_11)) == [(date(2025, 7, 14), date(2025, 7, 20))]


def test_past_reports_are_not_deadlines() -> None:
    text = (
        "On Monday, the US Commerce Department added 12 Chinese firms to the entity list. "
        "China's commerce ministry said on Tuesday that it opposed the move. "
        "The previous round of US-China talks took place in London last week. "
        "The rule, introduced in late September, targets Chinese subsidiaries."
    )
    assert extract_deadlines(text, date(2025, 10, 16)) == []


def test_fuzzy_windows_are_read_as_ranges() -> None:
    pub = date(2025, 7, 11)
    cases = {
        "US and Chinese officials will resume talks in mid-August.": (date(2025, 8, 11), date(2025, 8, 20)),
        "A Trump-Xi meeting is planned for late September.": (date(2025, 9, 21), date(2025, 9, 30)),
        "Beijing expects to restart the trade talks with Washington later this month.": (pub, date(2025, 7, 31)),
        "Trump said tariffs on Chinese chips would be announced in the coming weeks.": (pub, date(2025, 8, 8)),
        "The US plans to publish its new export controls on China in Q4.": (date(2025, 10, 1), date(2025, 12, 31)),
        "The USTR said new duties on Chinese ships will start in H2 2026.": (date(2026, 7, 1), date(2026, 12, 31)),
        "China and the US aim to sign a trade deal by the end of the year.": (pub, date(2025, 12, 31)),
        "Trump said he would go to China in the early part of next year.": (date(2026, 1, 1), date(2026, 4, 30)),
        "The ban stays until June 2027, officials said.": (date(2027, 6, 1), date(2027, 6, 30)),
        "Trump said he would visit China in the \u201cearly part of next year.\u201d": (date(2026, 1, 1),
                                                                                  date(2026, 4, 30)),
        "Both sides expect to sign the deal in the second half of next year.": (date(2026, 7, 1), date(2026, 12, 31)),
        "Talks on chip exports are expected late next month.": (date(2025, 8, 21), date(2025, 8, 31)),
        "Wang Yi will travel to Washington around the middle of next month.": (date(2025, 8, 11), date(2025, 8, 20)),
        "Beijing said it would answer the new US duties within days.": (pub, date(2025, 7, 18)),
        "Officials expect more export curbs on China in the weeks ahead.": (pub, date(2025, 8, 8)),
        "Phones and laptops from China will not face the new duties until mid-December.": (date(2025, 12, 11),
                                                                                          date(2025, 12, 20)),
        "China will exempt some US goods from its tariffs until the end of November.": (date(2025, 11, 30),
                                                                                        date(2025, 11, 30)),
        # a month's weeks are counted from its first and last days, not from its first Monday
        "Trump will travel to Beijing during the first week of April 2026.": (date(2026, 4, 1), date(2026, 4, 7)),
        "The two sides plan to meet in the last week of August.": (date(2025, 8, 25), date(2025, 8, 31)),
    }
    for text, expected in cases.items():
        assert [(s.start, s.end) for s in date_spans(text, pub)] == [expected], text
    # The model keeps the plans among them.
    assert dated(extract_deadlines("US and Chinese officials will resume talks in mid-August.", pub)) == [
        (date(2025, 8, 11), date(2025, 8, 20))]

def test_a_window_within_the_next_weeks_or_month_rolls_from_the_report() -> None:
    pub = date(2025, 10, 2)
    cases = {
        "Trump said a meeting with Xi is scheduled within the next month.": (pub, date(2025, 11, 2)),
        "China must meet significant deadlines over the next month.": (pub, date(2025, 11, 2)),
        "The two sides expect to sign the deal within the next two weeks.": (pub, date(2025, 10, 16)),
        "The notice will be published within the next week or so.": (pub, date(2025, 10, 9)),
        "Officials expect to hold talks in the next 10 days.": (pub, date(2025, 10, 12)),
        # "next month" alone, and most often "in the next month", is the calendar's whole month
        "The two sides will hold talks next month.": (date(2025, 11, 1), date(2025, 11, 30)),
    }
    for text, expected in cases.items():
        assert [(s.start, s.end) for s in date_spans(text, pub)] == [expected], text
    # "in the coming weeks" keeps its four weeks
    assert [(s.start, s.end) for s in date_spans("A deal is expected in the coming weeks.", pub)] == [
        (pub, date(2025, 10, 30))]


def test_the_earliest_day_something_may_happen_is_read_apart() -> None:
    pub = date(2025, 9, 2)
    text = "The House could vote on the bill as early as Sept. 4, aides said."
    assert feature_of_dates_on(text, pub, date(2025, 9, 4), "earliest") == [1.0]
    assert feature_of_dates_on("Beijing said China and the US could sign as soon as this week.", pub,
                               date(2025, 9, 1), "earliest") == [1.0]
    # a plain day is not
    assert feature_of_dates_on("The House will vote on the bill on Sept. 4.", pub, date(2025, 9, 4),
                               "earliest") == [None]


def test_a_potential_event_is_read_apart_from_a_planned_one() -> None:
    pub = date(2025, 9, 15)
    for text in ("Engagement has picked up ahead of a potential summit between Trump and Xi in late October.",
                 "Beijing left open the possibility of holding fresh talks with Washington next month.",
                 "Greer said another 90-day pause of the US tariffs on China remains an option for November."):
        read = features_read_with_the_item(text, pub).values()
        assert read and all(f.get("clause_potential") == 1.0 for f in read), text
    planned = "Trump and Xi will hold a summit in late October."
    assert [f.get("clause_potential") for f in features_read_with_the_item(planned, pub).values()] == [None]


def test_a_duration_is_counted_from_the_text_not_from_a_table_of_known_truces() -> None:
    # Counted from the report's day, the end carries its uncertainty: a day before, two after.
    text = "Under the deal, the US and China will cut their tariffs for 90 days."
    mention = only(extract_deadlines(text, date(2025, 5, 12)))
    assert (mention.what, mention.start, mention.end) == ("tariff truce expires", date(2025, 8, 9), date(2025, 8, 12))
    # An effective date stated in another sentence is where the length starts.
    text = ("The reduced tariffs take effect on May 14. Under the deal, the US and China will cut their tariffs "
            "for 90 days.")
    assert date(2025, 8, 12) in {m.start for m in extract_deadlines(text, date(2025, 5, 12))}

def test_duration_counted_from_a_stated_start() -> None:
    text = "China will pause its rare-earth export curbs on US buyers for 30 days starting June 2."
    starts = dated(extract_deadlines(text, date(2026, 5, 20)))
    assert (date(2026, 7, 2), date(2026, 7, 2)) in starts


def test_a_start_stated_for_another_length_does_not_start_this_one() -> None:
    # "from January and April" starts the earlier 75-day delays; the new 90 days run from the report.
    sentences = ["Trump will sign an order pushing the ban back by 90 days, more than the previous two 75-day "
                 "delays from January and April."]
    lengths = [c for c in find_candidates(sentences, date(2025, 6, 17)) if c.span.body == "by 90 days"]
    assert [(c.anchor, c.span.start, c.span.end) for c in lengths] == [
        ("published", date(2025, 9, 14), date(2025, 9, 17))]


@pytest.mark.parametrize(("text", "published", "day"), [
    ("Although the rule is effective immediately, as of September 29, BIS issued a licence.", date(2025, 10, 1),
     date(2025, 9, 29)),
    ("The call followed their in-person meeting in Busan on Oct. 30.", date(2025, 11, 25), date(2025, 10, 30)),
    ("The two leaders held talks in South Korea at the end of October.", date(2025, 11, 5), date(2025, 10, 21)),
])
def test_a_day_without_its_year_just_before_the_report_is_the_one_past(text: str, published: date,
                                                                       day: date) -> None:
    # A time parser reads a bare "September 29" on October 1 as next year's; news names next year's with its year.
    assert [(s.start.year, s.start.month) for s in date_spans(text, published)] == [(day.year, day.month)]


def test_a_day_with_its_year_or_next_keeps_it() -> None:
    assert [s.start for s in date_spans("Talks are set for September 29, 2026.", date(2025, 10, 1))] == [
        date(2026, 9, 29)]
    assert [s.start for s in date_spans("The rule takes effect on March 1.", date(2025, 11, 20))] == [
        date(2026, 3, 1)]


@pytest.mark.parametrize(("text", "body"), [
    ("The talks are scheduled for Thursday and Friday in Washington.", "Thursday and Friday"),
    ("Talks will be held on May 10 and 11 in Geneva.", "on May 10 and 11"),
    ("He Lifeng meets Bessent on 10 and 11 May.", "10 and 11 May"),
])
def test_two_days_running_are_one_event_s_days(text: str, body: str) -> None:
    spans = date_spans(text, date(2025, 5, 5))
    assert [(s.body, s.end - s.start, s.granularity) for s in spans] == [(body, timedelta(days=1), "day")]


@pytest.mark.parametrize("text", ["Tariffs rise on May 10 and 11 percent more later.",
                                  "It takes effect on May 10 and 11 days later.",
                                  "Talks on Monday and Thursday."])
def test_days_apart_or_a_number_after_a_day_stay_apart(text: str) -> None:
    assert all(s.start == s.end for s in date_spans(text, date(2025, 5, 5)))


@pytest.mark.parametrize("text", ["Xi will host the APEC summit in November.",
                                  "They'll meet again on November 10, officials said."])
def test_a_day_told_as_to_come_stays_ahead_however_far(text: str) -> None:
    # Told in December, "will ... in November" is eleven months ahead, not the November just past.
    assert [(s.start.year, s.start.month) for s in date_spans(text, date(2025, 12, 5))] == [(2026, 11)]


def test_a_day_told_as_an_end_starts_no_length() -> None:
    # "comments from interested parties until October 29": "from" opens the parties, and the day ends the
    # comments; the 60-day licence is no more counted from it than the suspension "until November 27".
    sentences = ["As of September 29, BIS issued a 60-day Temporary General License.",
                 "BIS is soliciting comments from interested parties until October 29."]
    assert the_length(sentences, date(2025, 10, 1)).anchor_day != date(2025, 10, 29)
    sentences = ["China suspended its ban on gallium exports to the US, effective immediately until November 27, "
                 "2026.", "The two leaders agreed to pause other trade measures for a year."]
    length = the_length(sentences, date(2025, 11, 10))
    assert (length.anchor, length.anchor_day) == ("published", date(2025, 11, 10))


@pytest.mark.parametrize("text", [
    "BEIJING, Nov. 15 (Xinhua) -- China and the United States will hold talks next week.",
    "21st April 2024 – (Washington) U.S. Secretary of State Antony Blinken is set to visit China next week.",
    "Beijing October 21 2024: China said it would answer the new US chip curbs.",
    "Nov 17 (Reuters) – Chinese President Xi Jinping will meet President Biden.",
])
def test_a_wire_dateline_is_the_day_of_filing_not_an_event(text: str) -> None:
    published = next(s.start for s in date_spans(text, date(2024, 1, 1)))  # the dateline's own day
    assert all(c.span.pos > 40 for c in find_candidates(split_sentences(text), published))


def test_a_day_that_opens_an_item_with_a_start_word_is_still_read() -> None:
    text = "Effective Nov. 10 – the US will suspend the port fees on Chinese ships for one year."
    assert date(2025, 11, 10) in {c.span.start for c in find_candidates(split_sentences(text), date(2025, 11, 4))}


def test_an_event_said_to_come_just_before_another_dates_the_other() -> None:
    text = ("Fresh US-China trade talks are expected to start in early August, just before the temporary tariff "
            "reprieve ends.")
    by_topic = {topic_key(m.what): m for m in extract_deadlines(text, JULY_11)}
    assert (by_topic["talks"].start, by_topic["talks"].end) == (date(2025, 8, 1), date(2025, 8, 10))
    assert (by_topic["truce"].start, by_topic["truce"].end) == (date(2025, 8, 11), date(2025, 8, 13))

def test_undated_events() -> None:
    text = (
        "Trump said he expects to meet Xi Jinping at a summit. "
        "Officials from both sides are still looking for a mutually acceptable date."
    )
    mention = only(extract_deadlines(text, JULY_11))
    assert (mention.start, mention.end, mention.granularity) == (None, None, "unknown")
    assert mention.what == "Trump–Xi summit"
    text = "China said the next round of talks with the US would be held at a date to be determined."
    assert only(extract_deadlines(text, JULY_11)).granularity == "unknown"
    # a cue that is a contraction, not a word of its own
    text = "Trump said he'll visit China to meet Xi Jinping."
    assert only(extract_deadlines(text, JULY_11)).what == "Trump visit to China"


def test_an_officials_meeting_told_again_without_its_date_is_one_event() -> None:
    published = date(2021, 7, 22)
    text = ("US Deputy Secretary of State Wendy Sherman will visit China on July 25. "
            "Sherman will meet Chinese Foreign Minister Wang Yi and other officials.")
    assert [m.start for m in extract_deadlines(text, published)] == [date(2021, 7, 25)]
    # the leaders' meeting is an event of its own beside officials' talks
    text = ("US and Chinese trade officials will hold talks in Geneva on May 10. Trump said he expects to meet Xi "
            "Jinping at a summit, at a mutually acceptable date.")
    mentions = extract_deadlines(text, date(2025, 5, 7))
    assert [(m.what, m.start) for m in mentions] == [("US–China trade talks", date(2025, 5, 10)),
                                                     ("Trump–Xi summit", None)]


def test_two_measures_on_one_day_are_two_deadlines() -> None:
    text = (
        "The US will raise tariffs on Chinese batteries effective September 1. "
        "New US export controls on Chinese drones start on the same date."
    )
    found = extract_deadlines(text, date(2025, 8, 1))
    # "the same date" is read as September 1; a tariff and export controls are two things to watch that day.
    assert dated(found) == [(date(2025, 9, 1), date(2025, 9, 1))] * 2
    assert {topic_key(m.what) for m in found} == {"tariff", "export-controls"}

def test_same_date_refers_back_to_the_last_date_read() -> None:
    text = ("Officials from Washington and Beijing will gather in Geneva on Aug. 12. "
            "U.S. and Chinese negotiators will open new trade talks on the same date, a U.S. official said.")
    assert dated(extract_deadlines(text, JULY_11)) == [(date(2025, 8, 12), date(2025, 8, 12))]


def test_the_same_day_as_a_weekday_told_as_done_is_that_past_day() -> None:
    text = ("Chinese customs authorities on Tuesday announced the suspension of US log imports and of soybean "
            "export qualifications for three US companies, effective the same day.")
    assert dated(extract_deadlines(text, date(2025, 3, 5), relevant=True)) == []  # a Wednesday
    ahead = "US and Chinese officials will meet on Tuesday and sign the accord the same day."
    assert dated(extract_deadlines(ahead, date(2025, 3, 5))) == [(date(2025, 3, 11), date(2025, 3, 11))]


@pytest.mark.parametrize(
    "text",
    [
        "May said the US and China had agreed to more talks.",
        "The USTR opened a Section 301 probe into Chinese chips and said it will impose a 25% tariff.",
        "China will buy Boeing 737 jets worth 2.5 billion dollars from the US, officials said.",
        "Analysts said Trump 2.0 will reshape trade with China.",
        "US duties on Chinese steel will rise by 115% next year.",
    ],
)
def test_traps_are_not_dates(text: str) -> None:
    for mention in extract_deadlines(text, JULY_11):
        assert mention.start is None or mention.start.year == 2026, mention


def test_other_countries_and_china_only_news_are_ignored() -> None:
    japan = (
        "Tokyo races to strike a deal with Washington ahead of an Aug. 1 deadline for 25% tariffs on Japan."
    )
    assert extract_deadlines(japan, JULY_11) == []
    china_only = "A Chinese property developer said its shares will be delisted in Hong Kong on August 25."
    assert extract_deadlines(china_only, JULY_11) == []
    mixed = (
        "US and Chinese negotiators will meet in Geneva on Monday. "
        "India filed a WTO complaint over US tariffs, with consultations due by July 30."
    )
    assert dated(extract_deadlines(mixed, JULY_11)) == [(date(2025, 7, 14), date(2025, 7, 14))]


def test_paraphrase_of_the_kuala_lumpur_article() -> None:
    text = (
        "Kuala Lumpur - US Secretary of State Marco Rubio said on Friday he was hopeful about an upcoming "
        "meeting between President Donald Trump and China's Xi Jinping after talks with Wang Yi in Malaysia. "
        "Rubio called Friday's discussion constructive. "
        "Both governments are trying to settle on a mutually acceptable date, he told reporters. "
        "Trump returned to the White House in January. "
        "Negotiators meeting in London in June had produced a 90-day suspension of steep tariffs on "
        "Chinese goods. Commerce Secretary Howard Lutnick said earlier this week that fresh trade talks "
        "between the two sides "
        "were expected to start in early August, shortly before the temporary tariff reprieve runs out."
    )
    mentions = extract_deadlines(text, JULY_11)
    assert all(m.start is None or m.start >= JULY_11 for m in mentions)
    by_topic = {topic_key(m.what): m for m in mentions}
    assert set(by_topic) == {"summit", "talks", "truce"}
    assert by_topic["summit"].granularity == "unknown"
    talks = by_topic["talks"]
    assert talks.granularity == "range"
    assert date(2025, 8, 1) <= talks.start <= talks.end <= date(2025, 8, 15)  # type: ignore[operator]
    truce = by_topic["truce"]  # "shortly before the reprieve runs out": days after early August
    assert truce.start is not None and truce.end is not None
    assert date(2025, 8, 11) <= truce.start <= truce.end <= date(2025, 8, 13)


def test_topic_key_groups_reports_of_one_event() -> None:
    assert topic_key("tariff truce expires") == topic_key("90-day reprieve ends") == "truce"
    assert topic_key("new round of trade talks begins") == topic_key("US–China negotiations") == "talks"
    assert topic_key("Trump–Xi summit") == topic_key("meeting of leaders") == "summit"


def test_by_a_day_is_a_deadline_on_that_day() -> None:
    text = "The USTR will take comments on the China shipping fees by Aug. 30, with a hearing on Sept. 15."
    mentions = extract_deadlines(text, date(2025, 8, 20))
    assert sorted((m.what, m.start, m.end) for m in mentions) == [
        ("public comments due", date(2025, 8, 30), date(2025, 8, 30)),
        ("public hearing", date(2025, 9, 15), date(2025, 9, 15)),
    ]


def test_undated_plans_are_named_for_what_is_planned() -> None:
    text = "China is expected to announce countermeasures soon, after Washington raised tariffs."
    assert [(m.what, m.start) for m in extract_deadlines(text, date(2025, 8, 20))] == [
        ("China's countermeasures", None)]
    # Only a plan: analysts talking about trade is not one.
    assert extract_deadlines("Analysts said trade between the US and China fell in May.", date(2025, 8, 20)) == []


@pytest.mark.parametrize(("text", "what"), [
    ("China said on Friday it would impose special port fees on ships built in the US.", "tariff takes effect"),
    ("Officials are also considering sanctions against six Chinese firms that supply Huawei.", "sanctions"),
    ("The US Commerce Department has proposed banning the sale of TP-Link routers made in China.",
     "ban takes effect"),
    ("A new round of US tariffs on Chinese goods has yet to be imposed.", "US tariff on Chinese goods takes effect"),
    ("China will make a proportionate response to the tariffs the US proposed, the embassy said.",
     "tariff takes effect"),
    # a promised answer, however worded
    ("Beijing countered by vowing to take retaliatory measures against the United States.",
     "China's countermeasures"),
    ("China said it would place sanctions on US defence firm Lockheed Martin.", "China's sanctions"),
    ("China's commerce ministry said it was formulating countermeasures in response to the US tariffs.",
     "China's countermeasures"),
])
def test_a_stated_next_step_without_a_date_is_an_undated_event(text: str, what: str) -> None:
    assert [(m.what, m.start) for m in extract_deadlines(text, date(2025, 5, 12), relevant=True)] == [(what, None)]


def test_no_undated_event_for_what_will_not_happen_or_a_tariff_change_the_item_dates() -> None:
    assert extract_deadlines("Trump assured that China would not impose controls on rare earths.",
                             date(2025, 5, 12), relevant=True) == []
    text = ("Under the US-China agreement, U.S. tariffs will fall to 30% from 145%. The reductions on both sides "
            "will go into effect on Wednesday.")
    assert [m.start for m in extract_deadlines(text, date(2025, 5, 12), relevant=True)] == [date(2025, 5, 14)]


def test_a_past_measure_of_stated_length_is_not_counted_from_the_report() -> None:
    # "had resulted in a 90-day suspension": when it started is not in the text, so no date is made up.
    text = "The talks in London had resulted in a 90-day suspension of high tariffs on Chinese products."
    assert dated(extract_deadlines(f"US and China trade talks. {text}", JULY_11)) == []


def test_a_length_told_in_the_past_perfect_is_not_counted_from_the_report_however_sure_the_model() -> None:
    from bot.analysis.deadlines.model import DeadlineModel

    sure = DeadlineModel({}, 5.0, 0.5, counted_threshold=0.6)  # every candidate scores 0.99
    told = "US and China trade talks in London {} a 90-day suspension of high tariffs on Chinese products."
    assert dated(extract_deadlines(told.format("had resulted in"), JULY_11, model=sure, relevant=True)) == []
    assert dated(extract_deadlines(told.format("agreed to"), JULY_11, model=sure, relevant=True)) != []


def test_a_bare_weekday_read_five_or_six_days_ahead_is_told_as_far() -> None:
    # Monday, December 1, 2025: "on Sunday" is read as December 7, the name of yesterday as well
    monday = date(2025, 12, 1)
    text = "US and Chinese officials met on Sunday and will talk again on Wednesday."
    read = features_read_with_the_item(text, monday)
    assert read[date(2025, 12, 7)].get("weekday_far") == 1.0
    assert read[date(2025, 12, 3)].get("weekday_near") == 1.0
    assert "weekday_far" not in features_read_with_the_item("They will meet next Sunday.", monday)[date(2025, 12, 7)]


@pytest.mark.skipif(timeparse.engine() == "fallback", reason="the pure-Python parser does not read a bare weekend")
def test_the_weekend_in_a_monday_story_is_told_as_far() -> None:
    # the weekend just past, in a Monday story, is read as the coming one four days ahead
    text = "The two sides agreed in Geneva over the weekend to cut tariffs."
    (weekend,) = [c for c in find_candidates([text], date(2025, 12, 1)) if "weekend" in c.span.body]
    assert features(weekend, date(2025, 12, 1)).get("weekday_far") == 1.0


def test_a_weekday_in_a_report_of_what_was_done_is_not_ahead() -> None:
    text = "China and the United States held trade talks in Stockholm on Monday, officials said."
    assert dated(extract_deadlines(text, date(2025, 8, 14))) == []
    ahead = "US and Chinese negotiators will meet in Stockholm on Monday to discuss the tariff truce."
    assert dated(extract_deadlines(ahead, date(2025, 8, 14))) == [(date(2025, 8, 18), date(2025, 8, 18))]
    assert governing_tense(text, text.index("on Monday"), text.index("on Monday") + 9) == "past"
    assert governing_tense(ahead, ahead.index("on Monday"), ahead.index("on Monday") + 9) == "future"

@pytest.mark.parametrize(("text", "when", "tense"), [
    # right before a weekday, "agreed" or "extended" tells when it was done ...
    ("U.S. President Joe Biden and Chinese leader Xi Jinping agreed on Wednesday to resume military talks.",
     "on Wednesday", "past"),
    ("Commerce extended Friday a licence that lets Huawei buy US parts.", "Friday", "past"),
    # ... and so does it as the first verb before the weekday, with its object between
    ("The move comes after the U.S. raised punitive tariffs on Friday to 25% from 10%.", "on Friday", "past"),
    ("A U.S. appeals court set a fast-track schedule on Tuesday to hear TikTok's challenge.", "on Tuesday", "past"),
    ("A vote on the China bill is set for Friday.", "Friday", "scheduled"),
    # ... not when it is still to be done, nor further off, where it may be what the day is about
    ("Tariffs on Chinese goods will be raised on Friday, officials said.", "on Friday", "future"),
    ("The licence will be extended on Friday, officials said.", "on Friday", "future"),
    ("The two sides agreed to meet on Wednesday in Geneva.", "on Wednesday", "infinitive"),
    ("The tariff truce agreed in Geneva ends on August 12.", "on August 12", "present"),
    # a day that opens its sentence takes the verb after it, past an apposition's commas
    ("On Wednesday, Biden's top economic envoy, Treasury Secretary Janet Yellen, is scheduled to leave for China.",
     "On Wednesday", "present"),
])
def test_a_verb_of_doing_right_before_a_weekday_dates_the_doing(text: str, when: str, tense: str) -> None:
    start = text.index(when)
    assert governing_tense(text, start, start + len(when)) == tense


def test_a_number_with_about_is_no_time_of_day() -> None:
    text = "Biden and Xi will meet today at the Filoli estate, where they will talk for about four hours."
    spans = [c.span.body for c in find_candidates(split_sentences(text), date(2023, 11, 15))]
    assert not any("four" in body for body in spans)
    if timeparse.engine() != "fallback":  # the pure-Python parser reads no bare "today"
        assert spans == ["today"]


def test_a_participle_before_by_describes_and_reports_nothing() -> None:
    text = ("China will begin charging special port fees on ships owned or operated by United States "
            "entities starting Tuesday, the Ministry of Transport announced on Friday.")
    day = text.index("Tuesday")
    assert governing_tense(text, day, day + 7) != "past"
    assert feature_of_dates_on(text, date(2025, 10, 11), date(2025, 10, 14), "clause_past_verb") == [None]
    assert dated(extract_deadlines(text, date(2025, 10, 11))) == [(date(2025, 10, 14), date(2025, 10, 14))]
    done = "The fees were imposed on ships owned by US entities on Tuesday."
    assert governing_tense(done, done.index("on Tuesday"), len(done) - 1) == "past"


@pytest.mark.parametrize(("text", "when", "tense"), [
    # a passive takes its tense from the words before "be", irregular participles too
    ("US-China trade talks will be held in London next Monday, June 9.", "next Monday", "future"),
    ("The talks were held in London on Monday.", "on Monday", "past"),
    # after a determiner a participle names a thing ("the expanded controls"); the verb is further back
    ("Trump signed an order to suspend the heightened tariffs on China until November 10, 2026.", "until",
     "infinitive"),
    ("China will delay the expanded rare earth controls until November 10, 2026.", "until", "future"),
    # ... and right after an infinitive, a participle is its object's word
    ("Trump announced an order to suspend heightened reciprocal tariffs on China until November 10, 2026.",
     "until", "infinitive"),
    ("Trump announced heightened reciprocal tariffs on China until November 10, 2026.", "until", "past"),
    # "should" and "must" are modals, not the past of the participle after them; "plans" schedules
    ("By mid-May about 2,000 applications should be processed each day.", "mid-May", "modal"),
    ("The administration plans next month to broaden curbs on chip shipments to China.", "next month", "scheduled"),
])
def test_the_verb_that_governs_a_date_is_read_through_passives_and_participles(text: str, when: str,
                                                                                 tense: str) -> None:
    start = text.index(when)
    assert governing_tense(text, start, start + len(when)) == tense


def test_a_short_aside_in_brackets_neither_ends_the_clause_nor_speaks_for_it() -> None:
    text = "China said the new measures will take effect at 1.01 pm (0501GMT) on Nov. 10, it added."
    assert feature_of_dates_on(text, date(2025, 11, 5), date(2025, 11, 10), "clause_effect") == [1.0]
    aside = "The June 19 deadline (signed previously by Trump) is upon us for the US sale of TikTok."
    assert feature_of_dates_on(aside, date(2025, 6, 18), date(2025, 6, 19), "clause_past_marker") == [None]


@pytest.mark.parametrize(("text", "published", "day"), [
    ("The news comes ahead of a Wednesday deadline to divest TikTok's U.S. business.", date(2025, 9, 15),
     date(2025, 9, 17)),
    ("The June 19 deadline is upon us for the US sale of TikTok.", date(2025, 6, 18), date(2025, 6, 19)),
    ("The US set a deadline of Sept. 15 for the sale of TikTok.", date(2020, 8, 6), date(2020, 9, 15)),
])
def test_a_date_that_names_a_deadline_is_read_as_one(text: str, published: date, day: date) -> None:
    assert feature_of_dates_on(text, published, day, "names_deadline") == [1.0]
    assert feature_of_dates_on("US and China talks on Wednesday, June 19 and Sept. 15.", published, day,
                               "names_deadline") in ([], [None])


def test_a_measure_for_everyone_but_china_is_not_a_us_china_deadline() -> None:
    text = ("US President Donald Trump announced a 90-day pause on reciprocal tariffs for most countries, "
            "excluding China, while tariffs on Chinese goods rise to 125%.")
    sure = DeadlineModel({}, 5.0, 0.5)  # keeps every candidate it is asked about: the rule under test is which
    assert dated(extract_deadlines(text, date(2025, 4, 9), model=sure)) == []
    assert dated(extract_deadlines(text.replace("excluding", "including"), date(2025, 4, 9), model=sure)) != []


def test_january_in_a_december_story_is_next_month_not_a_past_month_rolled_forward() -> None:
    soon = "A second US executive order gives TikTok till January 23rd to work out a deal with China."
    assert feature_of_dates_on(soon, date(2025, 12, 15), date(2026, 1, 23), "month_likely_past") == [None]
    gone = "US and Chinese officials met in early April to discuss tariffs."
    assert [s.start for s in date_spans(gone, date(2025, 5, 20))] == [date(2025, 4, 1)]  # the April just gone


def test_a_month_without_a_year_more_than_half_a_year_ahead_is_read_as_a_past_one() -> None:
    # Read forward, "December 15" in a February story lands in the same year, ten months ahead: most often
    # the December just gone.
    gone = "China suspended planned additional tariffs on products in the second list on December 15."
    assert [s.start for s in date_spans(gone, date(2020, 2, 7))] == [date(2019, 12, 15)]
    later = "China said it would suspend the planned additional tariffs on October 15."
    assert feature_of_dates_on(later, date(2020, 2, 7), date(2020, 10, 15), "month_likely_past") == [1.0]
    assert dated(extract_deadlines(f"US-China trade. {gone}", date(2020, 2, 7))) == []
    # A year said in words is a year written.
    this_year = "China will exempt certain US goods from additional tariffs until the end of November this year."
    assert feature_of_dates_on(this_year, date(2024, 4, 30), date(2024, 11, 30), "month_likely_past") == [None]


def test_a_chinese_company_stands_for_the_chinese_side() -> None:
    text = "The law requires ByteDance to sell TikTok by Jan. 19 or face a U.S. ban."
    assert [m.start for m in extract_deadlines(text, date(2025, 1, 6))] == [date(2025, 1, 19)]


def test_the_publication_weekday_is_the_publication_day() -> None:
    # Published on a Friday: "on Friday" is that day, not a week later; another weekday is the next one.
    friday = date(2025, 1, 10)
    text = "US and Chinese negotiators will resume trade talks on {day} in Geneva."
    assert [s.start for s in date_spans(text.format(day="Friday"), friday)] == [friday]
    assert only(extract_deadlines(text.format(day="Monday"), friday)).start == date(2025, 1, 13)


def test_the_start_of_a_stated_length_is_when_its_relief_takes_effect() -> None:
    starting = "The US and China will suspend the new port fees for a year, starting Nov. 10."
    found = extract_deadlines(starting, date(2025, 11, 1))
    assert [(m.what, m.start) for m in found] == [
        ("relief takes effect", date(2025, 11, 10)), ("suspension ends", date(2026, 11, 10))]
    assert topic_key(found[0].what) != topic_key(found[1].what)  # never merged into one another


def test_stated_lengths_in_their_common_forms_are_read() -> None:
    pub = date(2020, 3, 17)
    ends = {
        "The reporters must hand back their press cards within ten calendar days.": date(2020, 3, 27),
        "The journalists will have 10 days to surrender their press cards.": date(2020, 3, 27),
        "The consulate was given 72 hours to close.": date(2020, 3, 20),
        "Tariffs are cut for an initial period of 90 days.": date(2020, 6, 15),
        "Investors will have one year to divest their holdings.": date(2021, 3, 17),
        "The agreement takes effect 30 days after signing.": date(2020, 4, 16),
        "The ban will take effect 45 days after Trump signed it.": date(2020, 5, 1),
    }
    for text, end in ends.items():
        (candidate,) = lengths([text], pub)
        assert candidate.span.start <= end <= candidate.span.end, text


def test_a_length_from_a_signing_or_law_still_to_come_has_no_day_yet() -> None:
    """Counted from the report, "after the agreement is signed" or "after the date of enactment" misses by
    weeks: the item does not say when that will be."""
    for text in ("Phase two talks start 30 days after the agreement is signed, he said.",
                 "The ban will not take effect until five years after the date of enactment."):
        assert lengths([text], date(2019, 12, 16)) == [], text


def test_an_until_date_with_its_year_is_read_whole() -> None:
    text = "The fees are suspended from November 10, 2025, through November 9, 2026."
    assert (date(2026, 11, 9), date(2026, 11, 9)) in [(s.start, s.end) for s in date_spans(text, date(2025, 11, 4))]


def test_a_number_read_as_a_year_out_of_range_is_skipped() -> None:
    """Duckling reads "up to 10,000" as an interval ending in the year 10000, which no date can hold."""
    text = "USTR is accepting comments through Nov. 10 on fees for vessels of up to 10,000 tons built in China."
    assert dated(extract_deadlines(text, date(2025, 10, 30))) == [(date(2025, 11, 10), date(2025, 11, 10))]


def test_a_move_from_one_date_to_another_is_two_dates_not_the_days_between() -> None:
    text = "Trump said he would postpone the increase of tariffs on Chinese goods from October 1 to October 15."
    spans = [(s.start, s.end) for s in date_spans(text, date(2019, 9, 12))]
    assert spans == [(date(2019, 10, 1), date(2019, 10, 1)), (date(2019, 10, 15), date(2019, 10, 15))]


def test_a_length_whose_end_the_sentence_states_is_read_from_that_day() -> None:
    text = "That 45-day period for TikTok and WeChat expires on Sunday, September 20, when the US bans take effect."
    kinds = [(c.kind, c.span.start) for c in find_candidates([text], date(2020, 9, 18))]
    assert kinds == [("date", date(2020, 9, 20))]


@pytest.mark.parametrize(("text", "published", "kinds"), [
    ("US-China talks went on, with the 90-day tariff pause ending July 9.", date(2025, 7, 7),
     [("date", date(2025, 7, 9))]),
    ("Washington and Beijing agreed a 90-day truce that expires Aug. 12.", date(2025, 5, 12),
     [("date", date(2025, 8, 12))]),
    # the day that ends is an old one: the length counts from it, or is another measure's
    ("The US license for Huawei will be extended for 90 days that were due to expire Monday.", date(2019, 8, 19),
     [("date", date(2019, 8, 19)), ("duration", date(2019, 11, 17))]),
])
def test_a_length_ending_on_the_day_that_follows_it_is_read_from_that_day(
        text: str, published: date, kinds: list[tuple[str, date]]) -> None:
    assert [(c.kind, c.span.start) for c in find_candidates([text], published)] == kinds


@pytest.mark.parametrize("word", ["previous", "prior"])
def test_a_previous_or_prior_measure_is_told_as_past(word: str) -> None:
    text = f"The new delay is longer than the {word} 75-day delay from January of the TikTok ban on Chinese apps."
    assert feature_of_dates_on(text, date(2025, 6, 17), date(2026, 1, 1), "clause_past_marker") == [1.0]


def test_a_meeting_and_talks_on_about_the_same_days_are_one_event_but_talks_before_a_summit_are_two() -> None:
    meet = DeadlineMention("US–China meeting", date(2025, 6, 9), date(2025, 6, 15), "range", 0.86,
                           "Chinese Vice Premier He Lifeng is set to meet top U.S. officials in London next week.")
    talks = DeadlineMention("US–China trade talks", date(2025, 6, 8), date(2025, 6, 13), "range", 0.7,
                            "The trade talks are scheduled between 8 and 13 June.")
    assert one_per_event([meet, talks]) == [talks]
    summit = DeadlineMention("Trump–Xi summit", date(2025, 10, 18), date(2025, 10, 31), "range", 0.8,
                             "Trump and Xi are expected to meet later this month.")
    before = DeadlineMention("Bessent–He Lifeng trade talks", date(2025, 10, 25), date(2025, 10, 26), "range",
                             0.9, "Bessent and He Lifeng will hold talks in Kuala Lumpur on Oct. 25-26.")
    assert one_per_event([summit, before]) == [summit, before]


def test_a_leaders_trip_in_a_month_and_a_summit_in_its_first_week_are_one_journey() -> None:
    trip = DeadlineMention("Trump visit to China", date(2026, 4, 1), date(2026, 4, 30), "month", 0.75,
                           "After the summit in South Korea, Trump announced his intention to visit China in April.")
    summit = DeadlineMention("Trump–Xi summit", date(2026, 4, 1), date(2026, 4, 7), "range", 0.74,
                             "Trump is set to travel to Beijing for a summit with Xi during the first week of April.")
    assert one_per_event([trip, summit]) == [summit]
    later = DeadlineMention("Trump visit to China", date(2026, 4, 1), date(2026, 12, 31), "range", 0.75,
                            "Trump said he would visit China again later this year.")
    assert one_per_event([later, summit]) == [summit, later]  # a year's window may hold another trip


def test_one_change_of_tariffs_told_as_next_week_and_as_its_day_is_one_event() -> None:
    week = DeadlineMention("tariff truce expires", date(2020, 2, 10), date(2020, 2, 16), "range", 0.7,
                           "China will next week lower additional tariffs on $75 billion of US goods.")
    day = DeadlineMention("China's tariff on US goods takes effect", date(2020, 2, 14), date(2020, 2, 14), "day",
                          0.9, "Effective on Feb. 14, China will halve the tariff rate on US goods.")
    assert one_per_event([week, day]) == [day]


def test_one_sentence_telling_one_event_twice_gives_it_once() -> None:
    sentence = "Kerry will travel to Beijing later this year, for climate talks in November."
    wide = DeadlineMention("Kerry visit to China", date(2023, 9, 17), date(2023, 12, 31), "range", 0.8, sentence)
    narrow = DeadlineMention("US–China climate talks", date(2023, 11, 1), date(2023, 11, 30), "month", 0.7,
                             sentence)
    assert one_per_event([wide, narrow]) == [narrow]
    tariff = DeadlineMention("tariff takes effect", date(2023, 11, 1), date(2023, 11, 30), "month", 0.7,
                             "New US tariffs on Chinese chips take effect in November.")
    assert one_per_event([wide, tariff]) == [wide, tariff]  # two sentences, two topics: two events


def test_later_that_year_is_the_year_of_the_date_before_it() -> None:
    text = ("Trump said he will visit Beijing in April next year. "
            "Xi will pay a state visit to the United States later that year.")
    spans = [(c.span.body, c.span.start, c.span.end) for c in find_candidates(split_sentences(text),
                                                                              date(2025, 11, 25))]
    body, start, end = spans[-1]
    assert body == "later that year" and start.year == 2026 and end == date(2026, 12, 31)


@pytest.mark.parametrize(("text", "published", "day"), [
    ("The USTR hearing on Chinese drones will take place on or around Aug. 3.", date(2021, 4, 21), date(2021, 8, 3)),
    ('Trump said he will meet Xi in South Korea "in a couple of weeks."', date(2025, 10, 18), date(2025, 11, 1)),
])
def test_approximate_dates_and_a_couple_of_weeks_are_read(text: str, published: date, day: date) -> None:
    assert any(c.span.start <= day <= c.span.end for c in find_candidates([text], published))


def test_a_pledge_to_retaliate_is_an_undated_countermeasure() -> None:
    found = extract_deadlines("China said it plans to retaliate against the new US tariffs on Chinese goods.",
                              date(2025, 4, 3))
    assert [(m.what, m.start) for m in found] == [("China's countermeasures", None)]


def test_the_event_is_named_for_who_takes_part_not_who_reports_it() -> None:
    text = "Treasury Secretary Scott Bessent said Trump will travel to Beijing in April for talks with Xi."
    assert [m.what for m in extract_deadlines(text, date(2025, 11, 25))] == ["Trump visit to China"]


@pytest.mark.parametrize(("text", "published", "what"), [
    # negotiators meeting are not the leaders
    ("U.S. and Chinese negotiators are expected to meet again in two weeks in Geneva to discuss fentanyl "
     "tariffs, a Treasury spokesperson said.", date(2026, 3, 4), "US–China meeting"),
    ("The leaders of the US and China are expected to meet in Geneva in two weeks.", date(2026, 3, 4),
     "US–China leaders' meeting"),
    # whose controls: the side before them, not the one they are aimed at
    ("China's Ministry of Commerce said export controls on gallium and germanium to the United States will "
     "take effect on Dec. 1.", date(2026, 11, 2), "China's export controls take effect"),
    ("Washington's new export controls on chip tools bound for China take effect on Dec. 1.", date(2026, 11, 2),
     "US export controls take effect"),
    ("The Commerce Department said U.S. chipmakers will have until April 20 to comply with new licensing "
     "requirements on shipments of advanced processors to China.", date(2026, 3, 4),
     "US licensing requirements take effect"),
    # what is suspended until a day is a suspension that ends, whoever suspended it
    ("China's Ministry of Commerce said export controls on gallium and germanium to the United States, "
     "suspended last November, will stay suspended through November 27, 2026.", date(2026, 7, 7),
     "export-control suspension ends"),
])
def test_an_event_is_named_for_who_meets_or_whose_measure_it_is(text: str, published: date, what: str) -> None:
    assert [m.what for m in extract_deadlines(text, published, relevant=True) if m.start] == [what]


def test_the_tense_of_an_agreement_is_not_the_tense_of_what_was_agreed() -> None:
    from bot.analysis.deadlines.features import features

    published = date(2025, 10, 30)
    candidate = find_candidates(["Trump said he had agreed to visit China in April."], published)[0]
    found = features(candidate, published)
    assert found["governed_infinitive"] == 1.0 and "clause_had" not in found and "clause_agreed" in found


def test_a_length_known_within_bounds_is_a_range() -> None:
    pub = date(2019, 10, 11)
    text = "Talks between the US and China will resume in the next four to six weeks, officials said."
    durations = [(c.span.start, c.span.end) for c in lengths([text], pub)]
    assert durations == [(date(2019, 11, 8) - timedelta(days=1), date(2019, 11, 22) + timedelta(days=2))]
    assert not date_spans(text, pub)  # "four to six" is not a clock time


def test_a_date_moved_by_a_length_is_the_old_date_that_much_later() -> None:
    pub = date(2026, 3, 18)
    text = "Trump said he would delay his China visit, set for early April, by five or six weeks."
    moved = [(c.span.start, c.span.end) for c in lengths([text], pub)]
    assert moved == [(date(2026, 5, 6), date(2026, 5, 22))]
    text = "Trump said he is seeking to delay a trip to China in early April by about a month."
    moved = [(c.span.start, c.span.end) for c in lengths([text], pub)]
    assert moved == [(date(2026, 5, 1), date(2026, 5, 10))]


def test_a_range_with_one_year_written_gives_both_ends_that_year() -> None:
    text = "Trump's planned visit to Beijing on 31 March to 2 April 2026 will go ahead."
    assert [(s.start, s.end) for s in date_spans(text, date(2026, 3, 16))][0][0] == date(2026, 3, 31)


def test_a_sentence_wrapped_onto_the_next_line_is_read_whole() -> None:
    text = "Vice Premier Liu He will visit Washington on April\n3 for trade talks with the US."
    assert dated(extract_deadlines(text, date(2019, 3, 21))) == [(date(2019, 4, 3), date(2019, 4, 3))]


def test_what_was_earlier_this_month_is_past() -> None:
    text = "The US imposed tariffs on Chinese chips earlier this month; Beijing will answer later this month."
    spans = date_spans(text, date(2025, 10, 14))
    assert [(s.body, s.start, s.end) for s in spans] == [
        ("earlier this month", date(2025, 10, 1), date(2025, 10, 13)),
        ("later this month", date(2025, 10, 14), date(2025, 10, 31)),
    ]


def test_a_number_after_by_the_is_not_a_day_of_the_month() -> None:
    text = "Sullivan will meet Wang Yi on Friday and Saturday, building on a commitment by the two countries' leaders."
    assert [s.body for s in date_spans(text, date(2024, 1, 26))] == ["on Friday and Saturday"]


@pytest.mark.skipif(timeparse.engine() == "fallback", reason="the pure-Python parser reads a bare August 13 ahead")
def test_a_length_agreed_on_a_day_runs_from_that_day() -> None:
    text = "He said the teams had a phone call on August 13 and agreed to talk again within two weeks."
    length = the_length([text], date(2019, 8, 15))
    assert (length.anchor, length.anchor_day) == ("issued", date(2019, 8, 13))
    assert length.span.start <= date(2019, 8, 27) <= length.span.end


def test_the_same_day_is_the_last_day_named_not_a_month() -> None:
    text = ("China will halve its tariffs on U.S. goods on Feb. 14 under the deal signed in January. The Trump "
            "administration is planning its own reductions on the same day.")
    found = find_candidates(split_sentences(text), date(2020, 2, 6))
    assert [(c.span.start, c.span.end) for c in found if "same" in c.span.body] == [
        (date(2020, 2, 14), date(2020, 2, 14))]


def test_a_count_after_from_the_is_not_a_day_of_the_month() -> None:
    text = "Yellen will host the finance ministers from the 21 member states of APEC on Nov. 11."
    assert [s.body for s in date_spans(text, date(2023, 11, 7))] == ["on Nov. 11"]


def test_the_digits_of_an_address_are_no_date() -> None:
    text = "The entities were listed in https://public-inspection.federalregister.gov/2022-02536.pdf on Monday."
    assert [s.body for s in date_spans(text, date(2022, 2, 7))] == ["on Monday"]


def test_a_plans_horizon_is_no_deadline_and_a_span_of_years_keeps_both_ends() -> None:
    text = "Beijing will review a draft of its 15th five-year plan, which will span from 2026 to 2030, as US ties sour."
    found = find_candidates(split_sentences(text), date(2025, 9, 29))
    assert [(c.kind, c.span.start, c.span.end) for c in found] == [
        ("date", date(2026, 1, 1), date(2030, 12, 31))]


@pytest.mark.skipif(timeparse.engine() == "fallback", reason="the pure-Python parser reads Dec. 1 differently")
def test_a_deal_of_stated_length_runs_from_the_day_it_was_struck_and_from_no_other() -> None:
    struck = ("The soybean purchase is the third since Washington and Beijing agreed on Dec. 1 to a 90-day "
              "detente in trade hostilities.")
    length = the_length([struck], date(2018, 12, 20))
    assert (length.anchor, length.anchor_day) == ("issued", date(2018, 12, 1))
    assert length.span.start <= date(2019, 3, 1) <= length.span.end
    # told without its day, the deal is most often one struck weeks before the report: no date is made up
    assert lengths(["The arrest raises doubts over a 90-day deal between Presidents Trump and Xi."],
                   date(2018, 12, 6)) == []


def test_a_deal_struck_on_a_day_this_year_runs_from_that_day_not_from_its_return_next_year() -> None:
    struck = ("The countries struck a 90-day deal on May 12 to roll back some of the triple-digit, tit-for-tat "
              "tariffs they had imposed on each other.")
    length = the_length([struck], date(2025, 6, 7))
    assert (length.anchor, length.anchor_day) == ("issued", date(2025, 5, 12))
    assert length.span.start <= date(2025, 8, 10) <= length.span.end


def test_a_us_rule_on_a_list_of_countries_of_concern_with_china_in_it_is_ours() -> None:
    text = ("The policy, which takes effect on October 24, 2025, prohibits sharing with parties located in the "
            "People's Republic of China, Russia, Iran, North Korea, Cuba and Venezuela.")
    assert dated(extract_deadlines(text, date(2025, 10, 6), relevant=True)) == [
        (date(2025, 10, 24), date(2025, 10, 24))]
    # China beside one other country is still that pair's affair
    drills = "China and Russia will hold joint naval drills starting on October 24, 2025."
    assert extract_deadlines(drills, date(2025, 10, 6), relevant=True) == []


def test_a_third_country_acting_is_its_own_affair_but_may_speak_of_ours() -> None:
    published = date(2025, 12, 10)
    mexico = ("Mexico will impose tariffs of up to 35% on Chinese imports beginning Jan. 1, as it aligns its "
              "trade policy with the US.")
    assert extract_deadlines(mexico, published, relevant=True) == []
    malaysia = "Malaysia's prime minister said Trump and Xi will meet in Kuala Lumpur on Dec. 20."
    assert dated(extract_deadlines(malaysia, published, relevant=True)) == [(date(2025, 12, 20), date(2025, 12, 20))]


def test_a_clause_of_our_own_inside_a_third_countrys_sentence_is_judged() -> None:
    published = date(2025, 10, 30)
    nexperia = ("The Dutch government is under renewed pressure to end its seizure of Nexperia, after Washington "
                "agreed to suspend its updated export control rule for one year.")
    judged = [c.span.body for c in find_candidates(split_sentences(nexperia), published)
              if worth_judging(c, published)]
    assert judged == ["for one year"]
    # the third country's own clause stays its affair
    mexico = "Mexico will impose tariffs on Chinese imports for one year, as it aligns its policy with the US."
    assert not [c for c in find_candidates(split_sentences(mexico), published) if worth_judging(c, published)]


def test_a_length_starts_from_an_issuing_day_in_its_own_clause_only() -> None:
    published = date(2025, 10, 30)
    text = "Export controls announced on Oct 9, which added to existing curbs, will be suspended for one year."
    length = the_length(split_sentences(text), published)
    assert (length.anchor, length.anchor_day) == ("published", published)
    signed = "Trump on Friday signed an order giving ByteDance 90 days to divest TikTok."
    length = the_length(split_sentences(signed), published)
    assert (length.anchor, length.anchor_day) == ("issued", date(2025, 10, 24))


def test_a_date_something_was_slated_for_is_read_as_counterfactual() -> None:
    published = date(2025, 11, 3)
    text = "The US will extend the tariff exclusions through Nov. 10, 2026, that were slated to expire on Nov. 29."
    assert feature_of_dates_on(text, published, date(2025, 11, 29), "clause_counterfactual") == [1.0]


def test_a_length_said_to_end_in_a_stated_window_is_not_counted_again() -> None:
    text = "Markets are nervous, as a 90-day tariff truce between the US and China is set to expire in early November."
    found = extract_deadlines(text, date(2025, 9, 12))
    assert dated(found) == [(date(2025, 11, 1), date(2025, 11, 10))]


def test_before_a_day_is_a_cutoff_on_that_day_not_a_window_from_today() -> None:
    text = "Chinese goods already shipped are spared the new US tariffs as long as they arrive before June 1."
    (cutoff,) = date_spans(text, date(2019, 5, 10))
    assert cutoff.start >= date(2019, 5, 31) and cutoff.end == date(2019, 6, 1)


def test_before_a_named_day_reads_the_same_with_either_time_engine() -> None:
    text = "Trump will decide on extending the truce with China before Aug. 12, the trade envoy said."
    assert [(s.start, s.end) for s in date_spans(text, date(2025, 7, 31))] == [(date(2025, 8, 11), date(2025, 8, 12))]


def test_an_ordinal_before_a_date_counts_rounds_not_days() -> None:
    text = "The tariffs come in two rounds, the first on Sept. 1 and the second Dec. 15."
    spans = [(s.body, s.start) for s in date_spans(text, date(2019, 8, 23))]
    assert ("Dec. 15", date(2019, 12, 15)) in spans
    assert all(start != date(2019, 12, 2) for _, start in spans)


def test_an_ordinal_that_counts_meetings_is_no_day_of_the_month() -> None:
    text = ("President Joe Biden's conversation with China's Xi Jinping on Thursday morning will be the fifth of "
            "their presidencies.")
    assert [s.start for s in date_spans(text, date(2022, 7, 28))] == [date(2022, 7, 28)]


@pytest.mark.parametrize("text", [
    "Trump welcomed Xi to his Florida resort for a superpower summit in the sun.",
    "U.S. national security adviser Jake Sullivan sat down with China's top diplomat in Vienna.",
    "Trump said tariffs on Chinese goods would be split in two, officials said.",
])
def test_a_weekday_s_abbreviation_or_a_bare_number_is_no_date(text: str) -> None:
    assert date_spans(text, date(2023, 5, 12)) == []


def test_the_following_day_is_the_day_after_the_date_before_it() -> None:
    text = ("The official said Blinken would arrive in the Chinese capital on February 5 and also hold talks the "
            "following day.")
    assert [(c.span.body, c.span.start) for c in find_candidates([text], date(2023, 1, 17))] == [
        ("on February 5", date(2023, 2, 5)), ("the following day", date(2023, 2, 6))]


def test_an_amount_of_money_is_no_part_of_a_date() -> None:
    text = "China said the port fee on US-owned ships will rise to $200 next month."
    spans = [(s.start, s.end) for s in date_spans(text, date(2025, 10, 14))]
    assert spans == [(date(2025, 11, 1), date(2025, 11, 30))]


def test_not_until_a_date_says_when_it_happens() -> None:
    published = date(2025, 11, 5)
    text = "The new US chip rule on Chinese buyers will not take effect until Dec. 15, Commerce said."
    (until,) = find_candidates(split_sentences(text), published)
    found = features(until, published)
    assert found.get("not_until") == 1.0 and "not_happening" not in found
    called_off = "Trump said he will not meet Xi on Dec. 15 after China's new export curbs."
    (off,) = find_candidates(split_sentences(called_off), published)
    assert features(off, published).get("not_happening") == 1.0


def test_the_old_date_of_a_move_is_read_however_far_back_the_verb_stands() -> None:
    published = date(2026, 2, 10)
    text = ("Washington said it would postpone the increase of the duties on Chinese steel goods from March 1 "
            "to April 15.")
    assert feature_of_dates_on(text, published, date(2026, 3, 1), "moved_from") == [1.0]


def test_the_new_date_of_a_move_is_read_when_its_preposition_stands_before_it() -> None:
    published = date(2026, 2, 10)
    text = "The deadline for comments on the duties on Chinese steel is extended from March 1 to April 15, 2026."
    assert feature_of_dates_on(text, published, date(2026, 4, 15), "moved_to") == [1.0]
    assert feature_of_dates_on(text, published, date(2026, 4, 15), "moved_from") == [None]
    assert feature_of_dates_on(text, published, date(2026, 3, 1), "moved_from") == [1.0]


def test_a_day_in_brackets_beside_a_weekday_names_the_deadline_too() -> None:
    published = date(2025, 9, 15)
    text = "Bessent said the Wednesday (Sep 17) deadline for the TikTok shutdown could be extended by 90 days."
    assert feature_of_dates_on(text, published, date(2025, 9, 17), "names_deadline") == [1.0, 1.0]


@pytest.mark.parametrize("text", [
    "The memo requires Treasury to report on steps against Chinese investment within 60 days (i.e., May 21, 2018).",
    "China must answer the US tariff list within 60 days (until May 21, 2018).",
])
def test_a_length_whose_end_is_given_in_brackets_is_read_at_that_end(text: str) -> None:
    found = find_candidates([text], date(2018, 3, 22))
    assert [(c.kind, c.span.start) for c in found] == [("date", date(2018, 5, 21))]


def test_a_date_naming_a_document_is_marked() -> None:
    published = date(2026, 11, 4)
    text = "No fees would be paid on Chinese ships under the April 23 notice, the USTR said."
    assert feature_of_dates_on(text, published, date(2027, 4, 23), "names_document") == [1.0]
    planned = "Fees on Chinese ships will rise on April 23, the USTR said."
    assert feature_of_dates_on(planned, published, date(2027, 4, 23), "names_document") == [None]


@pytest.mark.parametrize(("text", "published", "days"), [
    ("US tariffs on Chinese chips will rise on Sept. 27, and others will take effect on Jan. 1 of each of the "
     "next two years.", date(2024, 9, 14), [date(2024, 9, 27), date(2025, 1, 1), date(2026, 1, 1)]),
    ("US tariff increases on Chinese goods set for 2025 and 2026 will go into effect on January 1 of the "
     "relevant years.", date(2024, 9, 16), [date(2025, 1, 1), date(2026, 1, 1)]),
    ("China's port fees on US ships will start on October 14 and increase annually on April 17 for the "
     "subsequent three years.", date(2025, 10, 10),
     [date(2025, 10, 14), date(2026, 4, 17), date(2027, 4, 17), date(2028, 4, 17)]),
])
def test_one_day_in_each_of_several_years_is_a_date_in_each(text: str, published: date, days: list[date]) -> None:
    found = find_candidates([text], published)
    assert {c.span.start for c in found if c.kind == "date" and c.span.start == c.span.end} == set(days)
    # the sentence gives each day's year, so none reads as a past month rolled forward
    assert not any(features(c, published).get("month_likely_past") for c in found)


def test_a_yearly_day_is_listed_for_ten_years_at_most() -> None:
    text = "US duties on Chinese steel will rise on Jan. 1 of each of the next 500 years, officials said."
    days = [c for c in find_candidates([text], date(2024, 9, 14)) if c.span.granularity == "day"]
    assert len(days) == 10 and days[-1].span.start == date(2034, 1, 1)


def test_a_date_said_once_has_no_other_years() -> None:
    text = "US tariffs on Chinese goods will rise on Jan. 1, officials said, the first rise of the next two years."
    assert [c.span.start for c in find_candidates([text], date(2024, 9, 14)) if c.span.granularity == "day"] == [
        date(2025, 1, 1)]

@pytest.mark.parametrize("text", [
    "The current delay is set to expire this Thursday, June 19.",  # the delay's own end, not what it delayed
    "Trump signed an order to delay enforcement of the TikTok ban for 75 days.",  # the delay's new length
])
def test_a_delay_named_or_measured_is_not_the_old_date_of_a_move(text: str) -> None:
    published = date(2025, 6, 17)
    found = find_candidates(split_sentences(text), published)
    assert found and all("moved_from" not in features(c, published) for c in found)


def test_a_length_in_which_to_act_counts_from_now_not_from_a_stated_start() -> None:
    published = date(2026, 3, 3)
    text = ("New US duties on Chinese drones apply starting April 1. Trade officials of both sides spoke on "
            "Tuesday and have another call planned in two weeks.")
    length = the_length(split_sentences(text), published)
    assert (length.anchor, length.anchor_day) == ("published", published)
    lasting = "New US duties on Chinese drones apply starting April 1. The duties will stay in place for 90 days."
    length = the_length(split_sentences(lasting), published)
    assert (length.anchor, length.anchor_day) == ("stated", date(2026, 4, 1))


@pytest.mark.parametrize(("text", "published", "days"), [
    ("USTR extended the exclusions, currently set to end Nov. 29, 2025, pushing them to Nov. 10, 2026.",
     date(2025, 11, 26), [date(2026, 11, 10)]),
    ("The due date for written comments is extended from August 17 to September 5, 2018.", date(2018, 8, 6),
     [date(2018, 9, 5)]),
    # a move still to come, or only possible, leaves the old day standing
    ("Trump will extend the June 19 deadline for ByteDance to divest by 90 days, to Sept. 17.", date(2025, 6, 17),
     [date(2025, 6, 19), date(2025, 9, 17)]),
    ("The Sept. 17 deadline for the TikTok sale could be extended to Dec. 16, he said.", date(2025, 9, 15),
     [date(2025, 9, 17), date(2025, 12, 16)]),
])
def test_a_move_made_in_one_sentence_leaves_only_the_new_day(text: str, published: date, days: list[date]) -> None:
    sure = DeadlineModel({}, 5.0, 0.5)  # keeps every candidate: the rule under test is the merge
    assert [m.start for m in extract_deadlines(text, published, relevant=True, model=sure) if m.start] == days


def test_an_exemption_told_vaguely_then_exactly_is_one_entry() -> None:
    text = ("China will continue to exempt certain U.S. goods from additional tariffs until July next year, the "
            "commission said Friday. After the extension, the exemption will last until July 31, 2024.")
    sure = DeadlineModel({}, 5.0, 0.5)  # keeps every candidate: the rule under test is what follows
    found = extract_deadlines(text, date(2023, 12, 23), relevant=True, model=sure)
    assert [(m.start, m.end) for m in found if m.start and m.start.year == 2024] == [
        (date(2024, 7, 31), date(2024, 7, 31))]


@pytest.mark.parametrize(("text", "what"), [
    ("Trump said he would go to China in April, followed by Xi's trip to the United States.",
     "Trump visit to China"),
    ("They agreed to mutual visits, with Mr Trump reportedly being invited to China in April and Mr Xi to visit "
     "the United States later on.", "Trump visit to China"),
    ("Beijing said the export control measures announced on Oct. 9 will be halted for one year and the "
     "government will study and refine specific plans.", "export-control suspension ends"),
    ("USTR will hold a hearing in connection with this investigation on Dec. 16.", "public hearing"),
    ("USTR launched a Section 301 investigation and will decide by Dec. 16.", "review due"),
])
def test_a_trip_a_halt_and_a_hearing_are_named_for_what_they_are(text: str, what: str) -> None:
    sure = DeadlineModel({}, 5.0, 0.5)
    # (a set: the pure-Python parser also reads "announced on Oct. 9" a year ahead, an entry of the same name)
    assert {m.what for m in extract_deadlines(text, date(2025, 10, 30), relevant=True, model=sure)
            if m.start} == {what}


def test_whom_a_leader_meets_is_a_meeting() -> None:
    text = "Trump said soybeans will be a key topic when he meets Chinese President Xi Jinping later this month."
    sure = DeadlineModel({}, 5.0, 0.5)
    assert [m.what for m in extract_deadlines(text, date(2025, 10, 2), relevant=True, model=sure)] == [
        "Trump–Xi meeting"]


def test_one_window_named_twice_is_one_event_of_whatever_topic() -> None:
    talks = DeadlineMention("US–China trade talks", date(2025, 3, 10), date(2025, 3, 16), "range", 0.8,
                            "The two sides agreed on a video call to hold trade talks next week.")
    meeting = DeadlineMention("US–China leaders' meeting", date(2025, 3, 10), date(2025, 3, 16), "range", 0.6,
                              "The envoys will meet in person next week, an aide said.")
    assert one_per_event([talks, meeting]) == [talks]


def test_a_vaguer_stated_date_does_not_swallow_a_counted_length() -> None:
    text = ("Beijing said US diplomats whose visas expire before the end of the year must leave China within "
            "ten days.")
    sure = DeadlineModel({}, 5.0, 0.5)  # keeps every candidate: the rule under test is what follows
    found = extract_deadlines(text, date(2021, 6, 2), relevant=True, model=sure)
    assert any(m.start and m.end and m.start <= date(2021, 6, 12) <= m.end and (m.end - m.start).days <= 3
               for m in found), found


def test_a_percentage_after_from_does_not_start_a_length() -> None:
    text = "The 90-day pause will see duties on US soybeans fall to 10 percent from 50 percent."
    published = date(2025, 5, 13)
    length = the_length([text], published)
    assert length.anchor == "published"


@pytest.mark.parametrize(("text", "published", "expected"), [
    ("The commission will hold hearings from March 9 to March 13, 2026, in Washington.", date(2026, 2, 20),
     (date(2026, 3, 9), date(2026, 3, 13))),
    ("The exemptions apply from Dec. 1 to Jan. 31, 2026, the ministry said.", date(2025, 11, 5),
     (date(2025, 12, 1), date(2026, 1, 31))),
])
def test_a_range_with_one_year_written_is_read_whole(text: str, published: date,
                                                     expected: tuple[date, date]) -> None:
    assert [(s.start, s.end) for s in date_spans(text, published)] == [expected]


@pytest.mark.parametrize(("text", "published", "wrong"), [
    # next week holds the 1st of August, which Duckling took "for the first" to mean
    ("The trade chiefs meet in Geneva next week for the first high-level talks.", date(2023, 7, 26),
     date(2023, 8, 1)),
    ("The forum will draw leaders from the 21-member group to Shenzhen.", date(2025, 4, 3), date(2025, 4, 21)),
    ("Objections are accepted until the day of the hearing, May 20, 2026.", date(2026, 5, 4), date(2026, 5, 4)),
    # "the day before" another day is no yesterday: read so, "by Jan. 19, the day" became the day of the report
    ("ByteDance must divest the company by Jan. 19, the day before Trump takes office.", date(2025, 1, 10),
     date(2025, 1, 10)),
    ("The call came nearly one month after the two men met in Busan.", date(2025, 11, 24), date(2025, 12, 2)),
    ("Emerging from the two-day talks, Bessent described the dialogue as constructive.", date(2025, 10, 26),
     date(2025, 11, 2)),
])
def test_counts_and_named_days_are_no_dates(text: str, published: date, wrong: date) -> None:
    assert all(wrong not in (s.start, s.end) for s in date_spans(text, published))


@pytest.mark.parametrize(("text", "published", "ends"), [
    ("The president signed an order on Tuesday that bans the app starting 30 days from now.",
     date(2023, 3, 2), date(2023, 4, 1)),
    ("The vice premier should arrive in Geneva probably a week from tomorrow, the minister said.",
     date(2025, 6, 7), date(2025, 6, 15)),
])
def test_a_length_from_now_is_counted_from_the_report(text: str, published: date, ends: date) -> None:
    length = the_length([text], published)
    assert length.anchor == "published" and length.span.start <= ends <= length.span.end


def test_in_two_weeks_counts_from_the_report_not_from_a_day_something_takes_effect() -> None:
    text = "The new duties take effect on Oct. 1. Negotiators plan another round of talks in two weeks."
    published = date(2024, 9, 10)
    length = the_length(split_sentences(text), published)
    assert length.anchor == "published" and length.span.start <= date(2024, 9, 24) <= length.span.end


@pytest.mark.parametrize(("published", "day"), [
    (date(2024, 9, 2), date(2024, 9, 5)),  # said on a Monday: the coming Thursday
    (date(2024, 9, 5), date(2024, 9, 12)),  # said on a Thursday: a week on
    (date(2024, 9, 6), date(2024, 9, 12)),
])
def test_next_weekday_is_the_first_such_day_ahead(published: date, day: date) -> None:
    (span,) = date_spans("The envoys will meet next Thursday in Vienna.", published)
    assert span.start == span.end == day


def test_a_threatened_measure_is_read_as_a_threat() -> None:
    published = date(2026, 2, 2)
    text = "Beijing rejected the president's threat to raise duties on Chinese solar panels to 60% starting March 1."
    (threatened,) = find_candidates(split_sentences(text), published)
    assert features(threatened, published).get("threat") == 1.0
    text = "The president said duties on Chinese solar panels will rise to 60% starting March 1."
    (planned,) = find_candidates(split_sentences(text), published)
    assert "threat" not in features(planned, published)
    # a danger named is no threat held over anyone
    text = "A US rule effective Aug. 13 will ban contracts with Chinese firms deemed a security threat."
    (effective,) = find_candidates(split_sentences(text), published)
    assert "threat" not in features(effective, published)
    # a threat to call a meeting off leaves the meeting planned
    text = "Trump warned that he may cancel his meeting with Xi, which was planned for later this month."
    (meeting,) = find_candidates(split_sentences(text), published)
    assert "threat" not in features(meeting, published)


def test_a_plan_told_in_the_past_is_read_as_one_but_not_the_new_date_of_a_move() -> None:
    published = date(2026, 9, 14)
    text = "The defense secretary had planned to travel to Beijing in October for talks with his counterpart."
    (trip,) = find_candidates(split_sentences(text), published)
    assert features(trip, published).get("past_plan") == 1.0
    text = "The minister said the talks were expected to start in October, shortly before the truce ends."
    (reported,) = find_candidates(split_sentences(text), published)
    assert "past_plan" not in features(reported, published)  # the reporter's past, not the plan's
    text = "Exclusions that were due to lapse on Sept. 30 will be extended to Dec. 31, the trade office said."
    assert feature_of_dates_on(text, published, date(2026, 12, 31), "past_plan") == [None]


def test_an_end_the_item_moves_later_is_superseded() -> None:
    published = date(2024, 9, 3)
    text = ("The trade office extended the exclusions on Chinese machinery until Dec. 31. "
            "The exclusions had been due to expire on Sept. 30.")
    read = features_read_with_the_item(text, published)
    assert read[date(2024, 9, 30)].get("superseded") == 1.0 and "superseded" not in read[date(2024, 12, 31)]


def test_an_end_that_may_be_extended_is_not_superseded() -> None:
    published = date(2025, 7, 14)
    may = "The deadline to close the deal ends on July 15, but can be extended till January next year."
    assert "superseded" not in features_read_with_the_item(may, published)[date(2025, 7, 15)]
    was = "The deadline to close the deal ends on July 15, but was extended till January next year."
    assert features_read_with_the_item(was, published)[date(2025, 7, 15)].get("superseded") == 1.0


def test_a_passive_after_to_be_is_no_report_of_the_past() -> None:
    text = "A trade deal between the US and China is to be signed on Wednesday in Washington."
    published = date(2026, 1, 12)
    (signing,) = find_candidates(split_sentences(text), published)
    found = features(signing, published)
    assert found["governed_infinitive"] == 1.0 and "reported_date" not in found


def test_what_takes_effect_on_the_day_of_the_report_has_taken_effect() -> None:
    published = date(2026, 4, 1)
    text = "China's export curbs on US drone makers take effect from April 1, 2026, the commerce ministry said."
    (today,) = find_candidates(split_sentences(text), published)
    found = features(today, published)
    assert found.get("ahead_today&clause_effect") == 1.0 and found.get("ahead_today&prep_from") == 1.0


def test_so_long_before_an_event_counts_from_the_report() -> None:
    published = date(2025, 10, 26)
    cases = {
        "Bessent on Sunday signalled a deal with China, just days before a summit between Trump and Xi.":
            [(date(2025, 10, 27), date(2025, 11, 2))],
        "The Pentagon added Alibaba to its list, two months before Trump is set to visit Beijing.":
            [(date(2025, 12, 25), date(2025, 12, 27))],
        "The rules came less than a month before Xi and Trump are expected to hold their first meeting.":
            [(published, date(2025, 11, 26))],
        # the event's own day is stated, and read as itself
        "The encounter took place just a few days before a meeting between Biden and Xi on Nov. 15.": [],
    }
    for text, expected in cases.items():
        assert [(s.start, s.end) for s in date_spans(text, published) if "before" in s.body] == expected, text


def test_some_years_ahead_are_no_particular_year() -> None:
    # a time parser reads "the coming years" as next calendar year and "the next few years" as the three after
    published = date(2026, 2, 14)
    for text in ("Under a new law, the Defense Department must stop buying from these companies in the coming years.",
                 "The port fees on Chinese ships will phase in over the next few years."):
        assert date_spans(text, published) == [], text


def test_a_plan_for_a_weekday_told_in_the_past_tense_is_read_apart() -> None:
    published = date(2024, 4, 3)
    text = "U.S. Treasury Secretary Janet Yellen was scheduled to arrive in China on Thursday."
    assert feature_of_dates_on(text, published, date(2024, 4, 4), "past_plan&weekday") == [1.0]
    month = "The two leaders were expected to finalize the agreement in December."
    assert feature_of_dates_on(month, published, date(2024, 12, 1), "past_plan") == [1.0]
    assert feature_of_dates_on(month, published, date(2024, 12, 1), "past_plan&weekday") == [None]


def test_goods_entered_on_or_after_a_day_are_read_from_that_day() -> None:
    published = date(2025, 11, 5)
    text = ("The order lowers the fentanyl tariffs on Chinese goods from 20% to 10% on goods entered for "
            "consumption, or withdrawn from warehouse for consumption, on or after 12:01 am EST on Monday, "
            "November 10, 2025.")
    (monday,) = [c for c in find_candidates(split_sentences(text), published) if c.span.start > published]
    found = features(monday, published)
    assert found.get("prep_from") == 1.0 and "prep_since" not in found
    assert "governed_past" not in found and "clause_past_verb" not in found
    past = "The agreement entered into force on July 1, 2026."
    (july,) = find_candidates(split_sentences(past), date(2026, 7, 3))
    assert features(july, date(2026, 7, 3)).get("clause_past_verb") == 1.0


def test_what_the_news_comes_ahead_of_is_read_as_ahead() -> None:
    published = date(2019, 9, 13)
    text = "The announcement comes as the two sides make conciliatory gestures ahead of talks next month."
    assert feature_of_dates_on(text, published, date(2019, 10, 1), "ahead_of") == [1.0]
    plain = "The two sides made conciliatory gestures after talks last month and will meet next month."
    assert all("ahead_of" not in features(c, published) for c in find_candidates(split_sentences(plain), published))


def test_a_meeting_on_the_day_of_the_report_is_read_as_a_meeting() -> None:
    # a meeting told for the report's own day is still ahead; a measure taking effect that day has begun
    published = date(2023, 6, 19)
    meeting = "U.S. Secretary of State Antony Blinken will meet with Chinese President Xi Jinping on Monday."
    assert feature_of_dates_on(meeting, published, published, "ahead_today&clause_meeting") == [1.0]
    measure = "China's export curbs on US drone makers take effect on Monday, the commerce ministry said."
    assert feature_of_dates_on(measure, published, published, "ahead_today&clause_meeting") == [None]


def test_the_date_a_measure_no_longer_starts_on_is_its_old_date() -> None:
    published = date(2026, 10, 20)
    text = "The US duties on Chinese steel will now start in December, instead of taking effect on Nov. 1."
    assert feature_of_dates_on(text, published, date(2026, 11, 1), "moved_from") == [1.0]


def test_most_as_a_quantity_does_not_make_a_length_a_count_of_past_time() -> None:
    # "most tariffs" is how many; "the most ... in five years" is a superlative counting time gone by.
    length = the_length(["The two sides agreed to suspend most tariffs for 90 days."], date(2025, 5, 12))
    assert length.span.end - length.span.start <= timedelta(days=3)
    assert length.span.start <= date(2025, 8, 10) <= length.span.end
    assert not lengths(["It was the most tariffs imposed in five years."], date(2025, 5, 12))


@pytest.mark.parametrize("text", [
    "China will suspend the additional 24% tariff on U.S. goods for one year. The measures will take effect at "
    "13:01 local time on November 10, 2025.",
    "From 13:01 on November 10, 2025, the additional tariff will be adjusted, with the 24% rate remaining "
    "suspended for one year.",
])
def test_a_length_runs_from_a_stated_start_with_a_clock_time_in_it(text: str) -> None:
    length = the_length(split_sentences(text), date(2025, 11, 5))
    assert (length.anchor, length.span.end) == ("stated", date(2026, 11, 10))


def test_a_length_for_other_trading_partners_is_theirs() -> None:
    text = ("Trump said the 125% tariff on Chinese goods would apply immediately, even as he paused higher duties "
            "on dozens of other trading partners for 90 days.")
    assert extract_deadlines(text, date(2025, 4, 9), relevant=True) == []


@pytest.mark.parametrize(("text", "published"), [
    ("Under the agreement, U.S. tariffs will fall to 30% from 145%, while China will cut its levy.", date(2025, 5, 12)),
    ("Officials said the products could fall under the higher tariff rate.", date(2025, 9, 1)),
    ("No US official will attend the Beijing Winter Olympics in February.", date(2021, 12, 6)),
    ("In his summer executive order, Trump set a deadline for the sale.", date(2020, 9, 1)),
])
def test_a_season_word_that_is_no_season_is_no_date(text: str, published: date) -> None:
    assert all((s.end - s.start).days < 80 for s in date_spans(text, published))


@pytest.mark.skipif(timeparse.engine() == "fallback", reason="the pure-Python parser reads no seasons")
@pytest.mark.parametrize(("text", "published", "season_starts"), [
    ("Both sides agreed to hold a dialogue on AI in the spring.", date(2024, 1, 10), date(2024, 3, 20)),
    ("Xi is expected to visit the US this fall.", date(2023, 6, 1), date(2023, 9, 23)),
    ("Rules are due by the end of the summer and early fall.", date(2025, 5, 1), date(2025, 9, 23)),
])
def test_a_season_after_a_word_that_makes_it_one_is_a_date(text: str, published: date,
                                                           season_starts: date) -> None:
    assert season_starts in {s.start for s in date_spans(text, published)}


def test_from_a_weekday_named_on_that_weekday_is_the_day_of_the_report() -> None:
    text = "From Tuesday onward, China will prohibit these companies from engaging in trade."
    tuesday = date(2025, 3, 4)
    assert [(s.start, s.end) for s in date_spans(text, tuesday)] == [(tuesday, tuesday)]


@pytest.mark.parametrize("text", [
    "U.S. and Chinese negotiators announced a 90-day lowering of tariffs on Monday.",
    "Microsoft has set a 45-day timeline for the deal.",
])
def test_a_length_before_the_noun_it_measures_is_read(text: str) -> None:
    length = the_length([text], date(2025, 5, 12))
    assert length.kind == "duration"


@pytest.mark.parametrize("text", [
    "The State Department says Kerry will travel to Shanghai and Seoul from Wednesday to Saturday.",
    "The meeting is scheduled to take place during the APEC forum in Gyeongju, South Korea, in late October.",
    "Officials are working to set up the meeting in November when Xi attends a pair of summits in Indonesia "
    "and Thailand.",
    "\"I'll be leading a delegation to Taiwan to celebrate the inauguration,\" McCaul said of the ceremony set "
    "to take place on May 20.",
])
def test_where_one_travels_or_meets_is_no_party_to_it(text: str) -> None:
    assert not names_other_party(text)


@pytest.mark.parametrize("text", [
    "Mexico will impose tariffs on Chinese imports next year.",
    "Exports to Japan rose in May.",
    "Australian Prime Minister Anthony Albanese will visit China next month.",
])
def test_a_third_country_that_acts_or_trades_is_a_party(text: str) -> None:
    assert names_other_party(text)


@pytest.mark.parametrize("text", [
    "Trump said he has accepted an invitation from Xi Jinping to visit Beijing in April and will host Xi for a "
    "state visit to the United States later in 2026.",
    "Trump said he will visit Beijing in April and that he invited Xi for a state visit to the U.S. later next "
    "year.",
])
def test_a_visit_later_in_the_year_of_another_is_after_it_and_its_own(text: str) -> None:
    sure = DeadlineModel({}, 5.0, 0.5)  # keeps every candidate: the reading and naming are under test
    found = extract_deadlines(text, date(2025, 11, 24), relevant=True, model=sure)
    assert [(m.what, m.start, m.end) for m in found] == [
        ("Trump visit to China", date(2026, 4, 1), date(2026, 4, 30)),
        ("Xi visit to the US", date(2026, 5, 1), date(2026, 12, 31)),
    ]
    assert len({topic_key(m.what) for m in found}) == 2  # storage tracks them apart


@pytest.mark.parametrize(("text", "what"), [
    ("China will suspend its export controls on rare earth minerals for one year after Presidents Donald Trump "
     "and Xi Jinping agreed to ease trade tensions.", "export-control suspension ends"),
    ("The Order suspends the export privileges of ZTE for a period of seven years, until March 13, 2025.",
     "suspension ends"),
    ("The two sides agreed to a 90-day pause on most tariffs and levies.", "tariff truce expires"),
])
def test_a_relief_is_named_by_what_it_relieves_however_it_is_told(text: str, what: str) -> None:
    assert relief_event(text) == what
    assert name_event(text) == ("truce", what)


@pytest.mark.parametrize(("text", "what"), [
    ("US President Donald Trump has said that he will host Chinese President Xi Jinping at the White House late "
     "this year, days after holding a phone call with him.", "Xi visit to the US"),
    ("Xi Jinping will host Trump in Beijing in April, the foreign ministry said.", "Trump visit to China"),
])
def test_a_host_s_guest_is_the_one_who_travels(text: str, what: str) -> None:
    sure = DeadlineModel({}, 5.0, 0.5)
    assert [m.what for m in extract_deadlines(text, date(2026, 2, 9), relevant=True, model=sure)] == [what]


@pytest.mark.parametrize("text", [
    "Hegseth met China's Defense Minister Admiral Dong Jun on the sidelines of the meeting.",
    "Trump greeted Xi at his Florida resort of Mar-a-Lago on Thursday.",
])
def test_a_month_abbreviation_inside_a_name_is_no_date(text: str) -> None:
    assert all(s.body.lower().strip() not in ("jun", "mar") for s in date_spans(text, date(2025, 11, 1)))


def test_a_plan_moved_by_a_length_may_name_its_date_before_the_verb() -> None:
    text = ("Trump had planned to visit at the end of March, according to the White House, but said on Monday he "
            "had asked China to delay his summit with Xi Jinping by around a month.")
    length = the_length([text], date(2026, 3, 17))
    # late April (the pure-Python parser reads "the end of March" as March: April)
    assert length.anchor == "stated" and length.span.start <= date(2026, 4, 21) and length.span.end == date(2026, 4, 30)


def test_a_kept_deadline_s_confidence_is_calibrated_per_kind_and_the_threshold_reads_the_probability() -> None:
    # Every candidate scores 1 / (1 + e^-1), about 0.73; a guess is scaled down, a stated date up.
    calibrated = DeadlineModel({}, 1.0, 0.5, calibration={"stated": (1.0, 1.0), "counted": (0.5, -0.5)})
    published = date(2025, 10, 30)
    stated = "US tariffs on Chinese steel will take effect on Dec. 1, the White House said."
    counted = "China agreed to suspend its rare earth export controls on US firms for one year, Washington said."
    [sure] = [m for m in extract_deadlines(stated, published, relevant=True, model=calibrated) if m.start]
    [guess] = [m for m in extract_deadlines(counted, published, relevant=True, model=calibrated) if m.start]
    assert (sure.confidence, guess.confidence) == (0.88, 0.5)  # 1/(1+e^-2), 1/(1+e^0)
    plain = DeadlineModel({}, 1.0, 0.5)
    assert plain.confidence(0.73) == 0.73 and calibrated.confidence(0.2) < calibrated.confidence(0.3)


def test_the_calibration_travels_with_the_model_file() -> None:
    model = DeadlineModel({"weekday": -0.9}, 0.1, 0.45, 1.0, 0.65, {"stated": (0.95, 0.58)})
    stored = json.loads(json.dumps(model.to_json()))
    assert stored["calibration"] == {"stated": [0.95, 0.58]}
    assert "calibration" not in DeadlineModel({}, 0.0, 0.5).to_json()


@pytest.mark.parametrize("text", [
    "The fees will apply on a per voyage basis and are capped at 5 voyages in a year.",
    "The extension will allow for further consideration under the statutory four-year review, her office said.",
])
def test_a_rate_or_a_review_named_for_its_period_is_no_length(text: str) -> None:
    assert lengths([text], date(2025, 10, 12)) == []


def test_the_lunar_new_year_is_not_january_first() -> None:
    text = "Demand for pork peaks with less than two months until China's lunar New Year holiday."
    assert all(s.start != date(2020, 1, 1) for s in date_spans(text, date(2019, 12, 6)))


@pytest.mark.parametrize("text", [
    "The high-stakes discussion, their first in six years, marks a turning point.",
    "Friday marks a 120-day deadline for a divestiture to take place, under an executive order.",
])
def test_a_count_of_years_gone_by_or_a_length_ending_on_a_named_day_is_no_length(text: str) -> None:
    assert lengths([text], date(2025, 10, 30)) == []


@pytest.mark.parametrize(("text", "ends"), [
    ("The suspension would last one year, the ministry said.", date(2026, 11, 5)),
    ("The suspension will take effect immediately and last for one year.", date(2026, 11, 5)),
])
def test_a_length_something_lasts_is_read(text: str, ends: date) -> None:
    length = the_length([text], date(2025, 11, 5))
    assert length.span.start <= ends <= length.span.end


def test_the_last_days_gone_by_are_no_length() -> None:
    assert lengths(["Prices rose over the last 90 days."], date(2025, 11, 5)) == []


def test_an_end_read_from_the_words_beats_a_length_counted_from_the_report() -> None:
    text = ("The trade talks in London produced a 90-day suspension of the highest tariffs on Chinese goods. "
            "Lutnick said a new round of trade talks is expected to begin in early August, just before the "
            "temporary tariff reprieve ends.")
    sure = DeadlineModel({}, 5.0, 0.5)  # keeps every candidate: the rule under test is what follows
    found = extract_deadlines(text, JULY_11, relevant=True, model=sure)
    truce = [(m.start, m.end) for m in found if m.what == "tariff truce expires"]
    assert truce == [(date(2025, 8, 11), date(2025, 8, 13))]


@pytest.mark.parametrize(("text", "published", "ends"), [
    ("The investigation will take a year but could be extended, the ministry said.", date(2024, 5, 19),
     date(2025, 5, 19)),
    ("The truce gives the world's two largest economies three more months to resolve their differences.",
     date(2025, 5, 12), date(2025, 8, 12)),
])
def test_a_length_something_takes_or_is_given_more_of_is_read(text: str, published: date, ends: date) -> None:
    length = the_length([text], published)
    assert length.span.start <= ends <= length.span.end


@pytest.mark.parametrize(("text", "published", "wrong"), [
    # "by six" of "by six months" read as six o'clock today
    ("The investigation will take a year but could be extended by six months.", date(2024, 5, 19),
     date(2024, 5, 19)),
    # "up to ... after June 1" read as a window ending May 31
    ("That fee will go up to $50 after June 1.", date(2025, 4, 3), date(2025, 5, 31)),
])
def test_a_number_of_a_length_or_an_amount_is_no_date(text: str, published: date, wrong: date) -> None:
    assert all(wrong not in (s.start, s.end) for s in date_spans(text, published))


@pytest.mark.parametrize("text", [
    "Trump said tariffs on Chinese goods would be cut to 47% from 57% under the deal with Beijing.",
    "US and Chinese officials said the tariff truce is likely to be extended.",
    "The US is considering tariffs on Chinese drones, officials in Washington said.",
    "China will lift export controls on rare-earth metals under the deal with the United States.",
    # a meeting still ahead, its day not given
    "The sanctions were announced weeks before a scheduled meeting between the leaders of the US and China.",
    "Biden landed in San Francisco ahead of a highly anticipated meeting with Chinese leader Xi Jinping.",
    "Qin Gang accepted Blinken's invitation to visit Washington, but a date for the trip is yet to be determined.",
])
def test_a_change_or_meeting_still_to_come_without_a_day_is_an_undated_event(text: str) -> None:
    found = extract_deadlines(text, JULY_11, relevant=True)
    assert [(m.start, m.end) for m in found] == [(None, None)], found


def test_initially_in_a_plan_for_the_future_is_no_counterfactual() -> None:
    ahead = ("China's port fees on US ships will initially be 400 yuan per tonne from Oct. 14 and increase "
             "on April 17.")
    assert feature_of_dates_on(ahead, date(2025, 10, 11), date(2026, 4, 17), "clause_counterfactual") == [None]
    was = "The US tariff increase on Chinese goods was initially set for March 1."
    assert feature_of_dates_on(was, date(2019, 2, 1), date(2019, 3, 1), "clause_counterfactual") == [1.0]


@pytest.mark.parametrize(("sentence", "expected"), [
    # no word a time needs: not read at all (about half a story's sentences)
    ("Washington and Beijing traded accusations over chips and rare earths.", []),
    # words beyond the time parser's own quick look still make a sentence worth reading
    ("Talks resume in the second half.", [date(2025, 12, 31)]),
    ("The new fees start Tuesday, and the ban takes effect on the same date.", [date(2025, 7, 15)] * 2),
    ("The ban was delayed for a year.", [date(2026, 7, 13)]),
])
def test_only_sentences_with_a_word_of_time_are_read_and_none_is_lost(sentence: str, expected: list[date]) -> None:
    found = find_candidates([sentence], date(2025, 7, 11))
    assert [c.span.end for c in found] == expected


def test_an_original_date_is_an_old_one_and_an_extension_that_runs_out_is_no_move() -> None:
    pub = date(2025, 9, 15)  # a Monday
    old = "The original date of compliance was September 25, 2025, before the extension."
    assert feature_of_dates_on(old, pub, date(2025, 9, 25), "moved_from") == [1.0]
    runs_out = "The administration's latest TikTok extension is set to expire Wednesday."
    assert feature_of_dates_on(runs_out, pub, date(2025, 9, 17), "moved_from") == [None]
    moved = "Trump will delay the tariffs set for Wednesday by two weeks."
    assert feature_of_dates_on(moved, pub, date(2025, 9, 17), "moved_from") == [1.0]


def test_a_length_counted_from_the_report_is_marked_counted_and_named_as_its_stated_end() -> None:
    counted = only(extract_deadlines("China agreed to suspend its rare earth export controls on the US for one year.",
                                     date(2025, 10, 30)))
    stated = only(extract_deadlines("The US and China said the suspension of China's rare earth export controls "
                                    "ends on November 10, 2026.", date(2025, 11, 5)))
    assert counted.counted and not stated.counted
    assert topic_key(counted.what) == topic_key(stated.what)


@pytest.mark.parametrize("text", [
    "The timing of the export crackdown is delicate, coinciding with a fragile 90-day tariff truce between the "
    "US and China.",
    "This development occurs during a 90-day trade ceasefire between Washington and Beijing.",
])
def test_a_period_already_under_way_is_not_counted_from_the_report(text: str) -> None:
    assert lengths([text], date(2025, 5, 29)) == []


@pytest.mark.parametrize("text", [
    "The two sides agreed to continue efforts to extend their 90-day tariff truce, which is set to expire on "
    "August 12.",
    "US and Chinese officials agreed to seek an extension of their 90-day tariff truce on Tuesday.",
])
def test_the_length_of_what_is_extended_is_not_the_extension(text: str) -> None:
    assert lengths([text], date(2025, 7, 29)) == []


def test_the_length_of_an_extension_runs_on_from_the_old_end() -> None:
    text = "The two sides agreed to extend the truce, which is set to expire on August 12, by 90 days."
    assert the_length([text], date(2025, 7, 29)).span.start == date(2025, 11, 10)


def test_a_period_still_to_come_is_counted_from_the_report() -> None:
    text = ("The agency will accept feedback during a 60-day comment period once the proposed rule is published "
            "in the Federal Register.")
    length = the_length([text], date(2023, 3, 22))
    assert length.span.start <= date(2023, 5, 21) <= length.span.end


def test_a_length_before_what_ends_it_is_a_length() -> None:
    sentences = ["The interim rule is slated to take effect on Aug. 13.",
                 "The government will accept comments on the rule for 60 days before it comes to a final version."]
    length = the_length(sentences, date(2019, 8, 8))
    assert (length.anchor, length.span.start, length.span.end) == ("stated", date(2019, 10, 12), date(2019, 10, 12))


def test_the_old_day_of_an_extension_may_follow_a_comma() -> None:
    text = ("The committee has granted ByteDance a one-week extension, from November 27, 2020, to December 4, "
            "2020, to allow time to review a revised submission.")
    published = date(2020, 11, 26)
    assert feature_of_dates_on(text, published, date(2020, 11, 27), "moved_from") == [1.0]
    assert set(feature_of_dates_on(text, published, date(2020, 12, 4), "moved_from")) == {None}


def test_a_length_runs_from_a_start_told_in_another_sentence_unless_a_later_word_extends_something() -> None:
    sentences = ["The administration will reduce tariffs on Chinese goods by 10 per cent from 10 November.",
                 "It will also suspend for one year the implementation of a rule that extends export controls to "
                 "a designated entity's affiliates."]
    length = the_length(sentences, date(2025, 11, 2))
    assert (length.anchor, length.span.start) == ("stated", date(2026, 11, 10))


def test_an_extension_runs_from_a_start_still_ahead_not_from_one_gone_by() -> None:
    ahead = ["China said it would extend the suspension of the 24 percent tariff on US goods for one year.",
             "The statement said the suspension would be effective from November 10."]
    assert the_length(ahead, date(2025, 11, 5)).span.start == date(2026, 11, 10)
    gone_by = ["The tariff truce took effect on May 14, 2025.", "On Monday it was extended for 90 days."]
    assert the_length(gone_by, date(2025, 8, 11)).anchor == "published"


def test_an_extension_runs_on_from_the_day_the_item_says_the_old_period_ends() -> None:
    sentences = ["The current pause was to end Aug. 12.",
                 "Officials are expected to extend their tariff truce by another three months."]
    length = the_length(sentences, date(2025, 7, 29))
    assert (length.anchor, length.span.start) == ("stated", date(2025, 11, 12))


def test_a_length_counted_from_the_report_must_clear_the_models_own_floor_for_guesses() -> None:
    # Every candidate scores 1 / (1 + e^-1), about 0.73: over the threshold, under the counted lengths' floor.
    guarded = DeadlineModel({}, 1.0, 0.5, counted_threshold=0.8)
    published = date(2025, 10, 30)
    counted = "China agreed to suspend its rare earth export controls on US firms for one year, Washington said."
    stated = "US tariffs on Chinese steel will take effect on Dec. 1, the White House said."

    def dated(text: str, model: DeadlineModel) -> list[DeadlineMention]:
        return [m for m in extract_deadlines(text, published, relevant=True, model=model) if m.start]

    assert [(m.start, m.counted) for m in dated(stated, guarded)] == [(date(2025, 12, 1), False)]
    assert dated(counted, guarded) == []
    unguarded = DeadlineModel({}, 1.0, 0.5)  # without a floor of its own, a guess is kept like a stated date
    [guess] = dated(counted, unguarded)
    assert guess.counted and guess.start and guess.end and guess.start <= date(2026, 10, 30) <= guess.end


@pytest.mark.parametrize("text", [
    "Coming into effect on Wednesday, May 14, both countries will reduce tariffs on the other by 115%.",
    "The rules, which enter into force on May 14, cover US chip firms selling to China.",
    "China's curbs on US firms comes into effect on May 14, the ministry said.",
])
def test_every_form_of_coming_into_effect_is_the_effect_cue(text: str) -> None:
    assert feature_of_dates_on(text, date(2025, 5, 12), date(2025, 5, 14), "clause_effect") == [1.0]


@pytest.mark.parametrize(("sentence", "what"), [
    ("Bessent said China will purchase 12 million metric tons of soybeans this season.", "China's soybean purchases"),
    ("China agreed to buy 500 Boeing jets over the next three years.", "China's aircraft purchases"),
    ("Beijing has committed to buy at least 25 million tons a year through 2028.", "China's purchases"),
])
def test_a_buying_commitment_is_named_for_who_buys_what(sentence: str, what: str) -> None:
    assert name_event(sentence) == ("purchases", what)
    assert topic_key(what) == "purchases"  # so two reports of the commitment fold into one tracked deadline


@pytest.mark.parametrize(("text", "read"), [
    ("Huawei declined to comment on the new FCC designation on Friday.", None),
    ("This follows President Trump's comments on Wednesday about increasing tariffs.", None),
    ("USTR will accept written comments about the proposed tariffs until Friday.", 1.0),
    ("A public hearing on the proposal will be held on Friday.", 1.0),
])
def test_a_spokesman_s_comment_is_no_comment_period(text: str, read: float | None) -> None:
    published = date(2025, 4, 8)  # a Tuesday
    friday_or_wednesday = [date(2025, 4, 11), date(2025, 4, 9)]
    found = [features(c, published).get("clause_comment") for c in find_candidates([text], published)
             if c.span.start in friday_or_wednesday]
    assert found == [read]


def test_every_year_of_a_list_is_a_date_and_a_year_after_for_is_one() -> None:
    text = "Other rates are scheduled to increase in 2025 and 2026 for Chinese-origin semiconductors."
    assert [(s.body, s.start, s.end) for s in date_spans(text, date(2024, 9, 17))] == [
        ("in 2025", date(2025, 1, 1), date(2025, 12, 31)), ("2026", date(2026, 1, 1), date(2026, 12, 31))]
    listed = "China set quotas for 2026, 2027 and 2028."
    assert [s.start.year for s in date_spans(listed, date(2025, 12, 1))] == [2026, 2027, 2028]
    # a sum is no list of years
    assert list(windows.fuzzy_windows("exports in 2025 and 2026, 5 million tons", date(2024, 9, 17))) == []


def test_a_start_read_together_with_part_of_its_end_is_read_on_its_own() -> None:
    text = "Under the proposed suspension, which would run from November 10, 2025, through November 9, 2026, no fees."
    assert [(s.start, s.end) for s in date_spans(text, date(2025, 11, 4))] == [
        (date(2025, 11, 10), date(2025, 11, 10)), (date(2026, 11, 9), date(2026, 11, 9))]
    text = "The suspension takes effect from Sunday until Nov 27, 2026."
    assert [(s.start, s.end) for s in date_spans(text, date(2025, 7, 11))] == [
        (date(2025, 7, 13), date(2025, 7, 13)), (date(2026, 11, 27), date(2026, 11, 27))]


def test_a_title_held_then_marks_its_events_past() -> None:
    text = ("The sanctions come amid concern that China would carry out war games like those it held after a visit "
            "by then-House Speaker Nancy Pelosi to the island in August.")
    assert feature_of_dates_on(text, date(2023, 4, 7), date(2023, 8, 1), "clause_past_marker") == [1.0]


def test_the_day_a_length_runs_from_is_a_date_of_its_own() -> None:
    text = "The US will cut tariffs for a period of 90 days from May 14, 2025."
    assert [(s.body, s.start) for s in date_spans(text, date(2025, 5, 12))] == [
        ("from May 14, 2025", date(2025, 5, 14))]
    assert [(c.span.start, c.span.end) for c in lengths([text], date(2025, 5, 12))] == [
        (date(2025, 8, 12), date(2025, 8, 12))]


def test_a_summit_between_two_leaders_is_theirs_not_the_speakers() -> None:
    text = ("US Secretary of State Marco Rubio expressed optimism about an upcoming summit between President Donald "
            "Trump and Chinese President Xi Jinping, following his meeting with Foreign Minister Wang Yi.")
    assert name_event(text) == ("summit", "Trump–Xi summit")


@pytest.mark.parametrize(("text", "tense"), [
    # "added" with an object is a doing; said of speech it reports
    ("Beijing added several rare earth elements to its export control list in early April.", "past"),
    ("He added that the two sides will resume talks in early April.", "future"),
])
def test_added_with_an_object_did_something_and_added_alone_reports(text: str, tense: str) -> None:
    start = text.index("in early April")
    assert governing_tense(text, start, start + len("in early April")) == tense


def test_a_month_told_as_added_before_is_past() -> None:
    text = "Beijing added several rare earth elements to its export control list in early April."
    assert feature_of_dates_on(text, date(2025, 12, 4), date(2026, 4, 1), "clause_past_verb") == [1.0]
    spoken = "The list grows in early April, he added."
    assert feature_of_dates_on(spoken, date(2025, 12, 4), date(2026, 4, 1), "clause_past_verb") == [None]


def test_a_weekday_named_as_a_day_already_done_is_that_day_again() -> None:
    text = ("China's commerce ministry announced on Sunday that it has suspended a ban on exports to the US. "
            "The suspension is effective from Sunday and will remain in place until November 27, 2026.")
    assert told_past(text, date(2025, 11, 10)) == {"on Sunday": None, "from Sunday": 1.0,
                                                    "until November 27, 2026": None}
    ahead = "China and the US will hold talks on Sunday, and the tariffs expire next Sunday, officials said."
    assert set(told_past(ahead, date(2025, 11, 10)).values()) == {None}


def told_past(text: str, published: date) -> dict[str, float | None]:
    item = find_candidates(split_sentences(text), published)
    return {c.span.body: features(c, published, item).get("weekday_told_past") for c in item}


def test_coming_as_a_verb_before_weeks_is_no_time() -> None:
    text = "The call came this week, coming weeks after their meeting in South Korea."
    assert [s.body for s in date_spans(text, date(2025, 11, 25))] == ["this week"]
    # ... while "in coming weeks" and "in the coming months" stay times, as far as the time parser reads them
    ahead = "Officials expect a visit in coming weeks and a deal in the coming months."
    kept = [s.body for s in date_spans(ahead, date(2025, 11, 25))]
    assert any("the coming months" in body for body in kept)
    if any("coming weeks" in s.body for s in timeparse.parse_times(ahead, date(2025, 11, 25))):  # Duckling does
        assert "coming weeks" in kept


def test_a_week_that_holds_a_visits_days_is_those_days_told_vaguely() -> None:
    week = DeadlineMention("Sullivan–Wang Yi talks", date(2024, 8, 26), date(2024, 9, 1), "range", 0.85,
                           "US national security adviser Jake Sullivan will depart for China next week.")
    days = DeadlineMention("Sullivan visit to China", date(2024, 8, 27), date(2024, 8, 29), "range", 0.92,
                           "Sullivan will travel to Beijing for meetings with Wang from Aug. 27-29.")
    assert one_per_event([week, days]) == [days]
    # a month is no vague telling of a visit's days, and a tariff in the week is another event
    month = replace(week, start=date(2024, 8, 1), end=date(2024, 8, 31), granularity="month")
    assert one_per_event([month, days]) == [month, days]
    tariff = DeadlineMention("tariff takes effect", date(2024, 8, 28), date(2024, 8, 28), "day", 0.9,
                             "New US tariffs on Chinese chips take effect on Aug. 28.")
    assert one_per_event([week, tariff]) == [week, tariff]


def test_a_visit_to_a_third_country_on_the_same_trip_is_not_tracked() -> None:
    text = ("US Deputy Secretary of State Wendy Sherman will visit China on July 25-26 to meet Chinese Foreign "
            "Minister Wang Yi. The Deputy Secretary will also visit Oman on July 27.")
    assert dated(extract_deadlines(text, date(2021, 7, 21))) == [(date(2021, 7, 25), date(2021, 7, 26))]


def test_a_time_granted_far_ahead_is_told_apart_from_a_past_month() -> None:
    text = "The law, signed by Biden on April 24, gives ByteDance until January 19 to sell TikTok or face a ban."
    assert feature_of_dates_on(text, date(2024, 5, 8), date(2025, 1, 19), "month_likely_past&prep_until") == [1.0]


@pytest.mark.parametrize(("text", "when", "tense"), [
    # a place after "to" is no verb, whatever its case in the sentence
    ("Trump said he would go to China in April.", "in April", "would"),
    ("The delegation is set to travel to Beijing in April.", "in April", "infinitive"),
])
def test_to_before_a_place_is_no_infinitive(text: str, when: str, tense: str) -> None:
    start = text.index(when)
    assert governing_tense(text, start, start + len(when)) == tense


def test_a_law_of_the_national_peoples_congress_has_no_us_side() -> None:
    text = ("China's new Foreign Investment Law was passed by the National People\u2019s Congress on Friday. "
            "The new law will come into effect on January 1, 2020.")
    assert extract_deadlines(text, date(2019, 3, 15)) == []


def test_non_tariff_barriers_name_no_tariff() -> None:
    sentence = ("The subjects of next week's discussions are expected to cover intellectual property, "
                "non-tariff barriers, agriculture and services.")
    assert name_event(sentence) is None


@pytest.mark.parametrize(("text", "published", "day", "tense"), [
    # a plan in reported speech: "will" put in the past by the reporting verb
    ("Trump said he would go to China in April, followed by Xi's trip to the United States.",
     date(2025, 10, 30), date(2026, 4, 1), "future"),
    ("Bessent said that Trump and Xi would speak on Friday to complete the deal.",
     date(2025, 10, 21), date(2025, 10, 24), "future"),
    # a condition, or no one reporting: "would" stays what it is
    ("Trump said that if the talks fail, tariffs would rise in April.", date(2025, 10, 30), date(2026, 4, 1), "would"),
    ("Tariffs on Chinese goods would rise in April.", date(2025, 10, 30), date(2026, 4, 1), "would"),
])
def test_would_after_a_reporting_verb_is_a_plan(text: str, published: date, day: date, tense: str) -> None:
    assert feature_of_dates_on(text, published, day, f"governed_{tense}") == [1.0]


def test_a_doubted_day_inside_a_kept_window_of_its_event_is_that_events_day() -> None:
    # a model that keeps windows (p 0.5) and doubts days (p 0.3): the window tells that the meeting is
    # ahead, the day which day it is
    model = DeadlineModel({"granularity_day": -0.85}, 0.0, 0.45)
    published = date(2023, 11, 10)
    text = ("Biden and Xi will meet next week in California. "
            "The meeting between Biden and Xi is set for Nov. 15, officials said.")
    found = extract_deadlines(text, published, model=model, relevant=True)
    assert [(m.start, m.end) for m in found] == [(date(2023, 11, 15), date(2023, 11, 15))]
    alone = extract_deadlines(text.split(". ", 1)[1], published, model=model, relevant=True)
    assert [m.start for m in alone if m.start] == []


def test_a_weekday_told_of_what_is_still_to_be_done_is_read_apart() -> None:
    published = date(2020, 1, 13)
    signing = "Beijing will buy more under a trade deal with China to be signed on Wednesday, a source said."
    assert feature_of_dates_on(signing, published, date(2020, 1, 15), "weekday&governed_infinitive") == [1.0]
    order = "The Biden administration will issue a new executive order on Thursday."
    assert feature_of_dates_on(order, published, date(2020, 1, 16), "weekday&clause_will") == [1.0]
    said = "The ministry said on Wednesday that talks had gone well."
    assert feature_of_dates_on(said, published, date(2020, 1, 15), "weekday&clause_will") == [None]


def test_a_weekday_given_with_its_date_reads_as_the_date() -> None:
    published = date(2025, 5, 12)
    dated = "Coming into effect on Wednesday, May 14, both countries will reduce tariffs on the other by 115%."
    assert feature_of_dates_on(dated, published, date(2025, 5, 14), "weekday") == [None]
    ordinal = "The two sides will resume talks on Monday, June 16th, in London."
    assert feature_of_dates_on(ordinal, published, date(2025, 6, 16), "weekday") == [None]
    bare = "The two sides will resume talks on Wednesday in London."
    assert feature_of_dates_on(bare, published, date(2025, 5, 14), "weekday") == [1.0]


@pytest.mark.parametrize(("sentence", "kind"), [
    ("China told the four US outlets they have seven days to file declarations.", "to_act"),
    ("Beijing ordered AP, CBS and NPR to report their operations within seven days.", "to_act"),
    ("Washington and Beijing agreed a 90-day truce on their reciprocal tariffs.", "named"),
    ("China will suspend its 24% additional tariff on US goods for one year.", "for"),
    ("The two apps will be banned 45 days from now unless they are sold.", "to_act"),
])
def test_a_length_says_whether_it_is_time_to_act_or_a_measure_s_period(sentence: str, kind: str) -> None:
    # time given to act runs from the order, mostly the report's day; a named period mostly began before it
    published = date(2025, 11, 5)
    length = the_length([sentence], published)
    read = features(length, published)
    assert read.get(f"length_{kind}") == 1.0
    assert sum(name.startswith("length_") for name in read) == 1


def test_a_length_with_a_stated_start_needs_no_kind() -> None:
    # the start it states already says when it runs; the kind only helps guess a start counted from the report
    published = date(2025, 5, 12)
    length = the_length(["Both sides will cut tariffs for 90 days, starting May 14."], published)
    assert not length.counted
    assert not any(name.startswith("length_") for name in features(length, published))


def test_a_period_announced_on_a_stated_day_runs_from_the_day_the_item_says_it_takes_effect() -> None:
    sentences = ["China on Wednesday announced it will suspend a 24% additional tariff on U.S. goods for one year.",
                 "It also announced plans to lift certain tariffs on U.S. farm goods starting November 10."]
    length = the_length(sentences, date(2025, 11, 5))
    assert (length.anchor, length.span.start, length.span.end) == ("stated", date(2026, 11, 10), date(2026, 11, 10))


def test_a_period_announced_on_a_stated_day_with_no_start_elsewhere_runs_from_that_day() -> None:
    length = the_length(["The president signed an order on Monday giving the company 90 days to sell the land."],
                        date(2024, 5, 15))
    assert length.anchor == "issued" and length.anchor_day == date(2024, 5, 13)


def test_a_meeting_named_ahead_beside_a_day_is_no_undated_event() -> None:
    # The day makes it a past meeting, or a dated one for the model to judge; never a second, undated entry.
    past = "Yellen and He Lifeng met Nov. 9-10 in San Francisco ahead of the summit of US and Chinese leaders."
    assert [m for m in extract_deadlines(past, date(2023, 11, 14), relevant=True) if m.start is None] == []
    # a later cue of the same sentence still counts: the planned trip is undated, its "November" is the agreeing
    text = ("US officials said Blinken would seek to make his planned trip to China, agreed by Biden and Xi in "
            "November, \"when conditions allow.\"")
    assert [(m.start, m.end) for m in extract_deadlines(text, date(2023, 2, 6), relevant=True)] == [(None, None)]


def test_a_length_after_a_laws_enactment_runs_from_the_signing_day_the_item_gives() -> None:
    signed = "On December 23, 2022, President Biden signed into law the National Defense Authorization Act."
    rule = ("The semiconductor prohibitions will not take effect until five years after the date of enactment, and "
            "the FAR Council will issue regulations no later than three years from the enactment date.")
    found = lengths([signed, rule], date(2023, 1, 23))
    assert [(c.anchor, c.anchor_day, c.span.start) for c in found] == [
        ("stated", date(2022, 12, 23), date(2027, 12, 23)), ("stated", date(2022, 12, 23), date(2025, 12, 23))]
    # a bill still to pass has no day of enactment: nothing is counted from the report instead
    assert lengths(["The bans take effect 180 days after enactment of the legislation."], date(2021, 12, 14)) == []


def test_the_words_around_a_date_are_features_of_their_own() -> None:
    text = "Beijing postponed the talks until June 3 deadline day, officials said."
    read = features_read_with_the_item(text, date(2025, 5, 5))[date(2025, 6, 3)]
    words = {name for name in read if "=" in name}
    # the time parser's reading takes "until" in: the words before it are the sentence's
    assert {"w-1=talks", "w-2=the", "w-3=postponed", "w+1=deadline", "w+2=day", "c=postponed"} <= words
    # each word counts less than a reading rule: the corpus weighs many of them
    assert {read[name] for name in words} == {0.1}
