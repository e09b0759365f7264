"""`uschina analyze`: JSON lines in, one judgement per line out, in order."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.config import Settings
from bot.pipeline.batch import analyze_lines, parse_published

SEED = ("KUALA LUMPUR — US Secretary of State Marco Rubio met Chinese Foreign Minister Wang Yi on Friday and said "
        "a summit between President Donald Trump and Xi Jinping was likely, once both sides find a mutually "
        "acceptable date. Commerce Secretary Howard Lutnick said a new round of trade talks is expected to "
        "begin in early August.")


async def run(lines: list[str]) -> list[dict]:
    return [json.loads(out) async for out in analyze_lines(lines, Settings())]


async def test_outputs_one_line_per_input_in_order_with_errors_in_place() -> None:
    lines = [
        json.dumps({"id": "a", "text": SEED, "published": "2025-07-11", "title": "Rubio meets Wang Yi"}),
        "{not json",
        json.dumps({"id": "b", "text": "Local football club wins the cup.", "published": "2025-07-11"}),
        json.dumps({"id": "c", "published": "2025-07-11"}),
        json.dumps([1, 2]),
    ]
    out = await run(lines)
    assert [o.get("id") for o in out] == ["a", None, "b", "c", None]
    first = out[0]
    assert first["relevant"] is True and 0 < first["relevance_score"] <= 1 and first["reasons"]
    assert "Wang Yi" in first["summary"] and len(first["summary"]) <= 500
    talks = [d for d in first["deadlines"] if d["start"] and d["start"].startswith("2025-08")]
    assert talks and talks[0]["granularity"] == "range"
    assert any(d["granularity"] == "unknown" and d["start"] is None for d in first["deadlines"])
    assert all(d["start"] is None or d["start"] >= "2025-07-11" for d in first["deadlines"])
    assert "error" in out[1] and "not JSON" in out[1]["error"]
    assert out[2]["relevant"] is False and out[2]["deadlines"] == [] and out[2]["summary"] == ""
    assert "missing `text`" in out[3]["error"]
    assert "JSON object" in out[4]["error"]


async def test_missing_date_still_judged_with_a_warning() -> None:
    out = await run([json.dumps({"id": "x", "text": SEED})])
    assert out[0]["relevant"] is True and "warning" in out[0]


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-07-11", date(2025, 7, 11)),
    ("2025-07-11T23:30:00+00:00", date(2025, 7, 11)),
    ("2018-09-18 10:29:33", date(2018, 9, 18)),
    ("2025-07", date(2025, 7, 1)),
    ("Thu, 08 Aug 2024 13:44:32 GMT", date(2024, 8, 8)),
    ("Tue, 30 Jan 2018 17:49:58 -0500", date(2018, 1, 30)),
    ("yesterday", None), ("", None), (None, None), (20250711, None),
])
def test_parse_published(value: object, expected: date | None) -> None:
    assert parse_published(value) == expected


async def test_the_lines_are_read_as_one_feed() -> None:
    """A report naming neither side is read as the report of the story it matches, when it gives its day."""
    order = ("President Donald Trump signed an order ending the duty-free de minimis exemption for low-value "
             "parcels from China and Hong Kong, effective May 2, raising costs for Shein and Temu shoppers.")
    plain = ("From May 2, parcels worth less than $800 will no longer enter duty-free, the White House said, "
             "closing the de minimis exemption that online retailers rely on.")
    alone = await run([json.dumps({"id": "plain", "text": plain, "published": "2025-04-04"})])
    together = await run([json.dumps({"id": "order", "text": order, "published": "2025-04-03"}), "{bad",
                          json.dumps({"id": "plain", "text": plain, "published": "2025-04-04"})])
    assert alone[0]["relevant"] is False
    assert [o.get("id") for o in together] == ["order", None, "plain"]
    assert together[2]["relevant"] is True and [d["start"] for d in together[2]["deadlines"]] == ["2025-05-02"]
