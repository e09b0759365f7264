"""`uschina analyze`: JSON lines in, one judgement per line out, no database."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from bot.analysis.summarize import summarize_text
from bot.config import Settings
from bot.domain.models import Analysis
from bot.pipeline.analyze import judge_together


async def analyze_lines(lines: Iterable[str], settings: Settings) -> AsyncIterator[str]:
    """One JSON line per input line, in order; a bad line yields `{id?, error}` and the batch goes on.

    The lines are read as one feed (`judge_together`): a report that names neither side is read as the report
    of the US–China story it matches, so the whole input is read before the first line is written."""
    parsed = [_parse_line(line, number) for number, line in enumerate(lines, start=1) if line.strip()]
    readable = [entry for entry in parsed if isinstance(entry, _Document)]
    judgements = iter(judge_together([(d.title, d.text, d.published) for d in readable],
                                     settings.relevance_threshold))
    for entry in parsed:
        if isinstance(entry, _Document):
            yield json.dumps(_result(entry, next(judgements).analysis()), ensure_ascii=False)
        else:
            yield json.dumps(entry, ensure_ascii=False)


@dataclass(frozen=True)
class _Document:
    item_id: object
    title: str
    text: str
    published: date
    warning: str | None


def _parse_line(line: str, number: int) -> _Document | dict[str, Any]:
    """The document a line holds, or its one-line error."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"line {number}: not JSON ({exc.msg})"}
    if not isinstance(record, dict):
        return {"error": f"line {number}: expected a JSON object"}
    item_id = record.get("id")
    try:
        text = _text(record)
    except ValueError as exc:
        return {"id": item_id, "error": f"line {number}: {exc}"}
    published = parse_published(record.get("published"))
    warning = None
    if published is None:
        # Still judge and summarize; relative dates can only be read against today.
        published = datetime.now(UTC).date()
        warning = "no usable `published` date; dates were resolved against today"
    return _Document(item_id, str(record.get("title") or ""), text, published, warning)


def _result(document: _Document, analysis: Analysis) -> dict[str, Any]:
    result: dict[str, Any] = {"id": document.item_id}
    if document.warning:
        result["warning"] = document.warning
    # The bot summarizes stories, not items; here the one item is its own story, summarized offline.
    summary = summarize_text(document.title, document.text) if analysis.relevance.relevant else ""
    return {**result, **analysis_json(analysis, summary)}


def analysis_json(analysis: Analysis, summary: str) -> dict[str, Any]:
    """The documented output shape of one analysed item."""
    return {
        "relevant": analysis.relevance.relevant,
        "relevance_score": round(analysis.relevance.score, 4),
        "reasons": list(analysis.relevance.reasons),
        "summary": summary,
        "deadlines": [
            {"what": d.what, "start": d.start.isoformat() if d.start else None,
             "end": d.end.isoformat() if d.end else None, "granularity": d.granularity,
             "confidence": round(d.confidence, 2), "evidence": d.evidence, "counted": d.counted}
            for d in analysis.deadlines
        ],
    }


def _text(record: dict[str, Any]) -> str:
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("missing `text`")
    return text


_PARTIAL_ISO = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def parse_published(value: object) -> date | None:
    """The publication date from ISO-8601 (also partial: 2025-07), RFC 2822 (feeds), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    partial = _PARTIAL_ISO.match(text)
    if partial:
        return date(int(partial.group(1)), int(partial.group(2) or 1), 1)
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None
