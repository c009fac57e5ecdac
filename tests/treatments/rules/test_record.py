"""What a session record must say: every problem at once, for a record and its amendments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from treatments.rules import record

LONDON = ZoneInfo("Europe/London")
DAY = dt.date(2027, 6, 1)
#: 10:00 in London on the session's day (summer time: 09:00 UTC).
NOW = dt.datetime(2027, 6, 1, 9, tzinfo=dt.UTC)


def errors(**values: object) -> dict[str, list[str]]:
    given: dict = {
        "depth_used_mm": Decimal("1.0"),
        "anaesthetic_applied_at": None,
        "outcome_grade": "",
        "grade_error": None,
    } | values
    return record.record_errors(session_day=DAY, now=NOW, zone=LONDON, **given)


def test_a_plain_record_has_no_problem() -> None:
    assert errors() == {}


@pytest.mark.parametrize(
    ("depth", "message"),
    [
        (None, record.DEPTH_REQUIRED),
        (Decimal("0.1"), record.DEPTH_RANGE),
        (Decimal("3.5"), record.DEPTH_RANGE),
    ],
)
def test_the_depth_is_required_and_within_the_hard_limits(
    depth: Decimal | None, message: str
) -> None:
    assert errors(depth_used_mm=depth) == {"depth_used_mm": [message]}


def test_the_limits_themselves_are_depths_a_record_may_hold() -> None:
    assert errors(depth_used_mm=Decimal("0.25")) == errors(depth_used_mm=Decimal("3.0")) == {}


@pytest.mark.parametrize(
    ("applied", "ok"),
    [
        (dt.datetime(2027, 6, 1, 8, 30, tzinfo=dt.UTC), True),  # 09:30 in London
        (NOW, True),
        (NOW + dt.timedelta(minutes=1), False),  # not yet
        (dt.datetime(2027, 5, 31, 22, 30, tzinfo=dt.UTC), False),  # 23:30 the day before there
        (dt.datetime(2027, 5, 31, 23, 30, tzinfo=dt.UTC), True),  # 00:30 that day in London
    ],
)
def test_the_anaesthetic_goes_on_that_day_in_the_clinics_zone_and_not_later_than_now(
    applied: dt.datetime, ok: bool
) -> None:
    assert (errors(anaesthetic_applied_at=applied) == {}) is ok


def test_the_grade_is_checked_by_the_scale_when_there_is_one() -> None:
    def on_the_scale(grade: str) -> str | None:
        return None if grade in {"0", "1", "2"} else f"{grade!r} is not a grade"

    assert errors(outcome_grade="2", grade_error=on_the_scale) == {}
    assert errors(outcome_grade="9", grade_error=on_the_scale) == {
        "outcome_grade": ["'9' is not a grade"]
    }
    assert errors(outcome_grade="anything") == {}  # no scale: nothing to check against


def test_every_problem_is_reported_at_once() -> None:
    found = errors(
        depth_used_mm=None,
        anaesthetic_applied_at=NOW + dt.timedelta(days=1),
        outcome_grade="x",
        grade_error=lambda grade: "not a grade",
    )
    assert set(found) == {"depth_used_mm", "anaesthetic_applied_at", "outcome_grade"}


@pytest.mark.parametrize("reason", ["", "   ", "\u200b\u200b\u200b", "ok"])
def test_an_amendment_says_why(reason: str) -> None:
    assert record.amendment_errors(reason=reason) == {"reason": [record.REASON_REQUIRED]}


def test_a_reason_in_words_is_enough() -> None:
    assert record.amendment_errors(reason="Depth misread from the dial.") == {}
