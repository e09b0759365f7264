from datetime import timedelta

import pytest

from bot.domain.durations import parse_duration


@pytest.mark.parametrize(("text", "expected"), [
    ("24h", timedelta(hours=24)), ("7d", timedelta(days=7)), ("90d", timedelta(days=90)),
    ("30m", timedelta(minutes=30)), ("2W", timedelta(weeks=2)),
])
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "7", "d7", "7 days", "-1d", "0h", "99999d", "1y"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)
