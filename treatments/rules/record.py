"""What a session record must say, whether it is first recorded or later amended.

Every problem is reported at once (field name → messages), so a form shows them all on one
submit and the API answers them all in one 400; the service refuses while any remain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from clinic.text import is_meaningful
from treatments.rules.limits import PLAN_DEPTH_MAX_MM, PLAN_DEPTH_MIN_MM

DEPTH_REQUIRED = "Record the depth used."
DEPTH_RANGE = f"Depth used must lie between {PLAN_DEPTH_MIN_MM} and {PLAN_DEPTH_MAX_MM} mm."
ANAESTHETIC_DAY = "Give the time it was applied on the day of the session, not later than now."
REASON_REQUIRED = "Say why the record is amended (at least a few words)."
NOTHING_CHANGED = "Nothing to amend: every value is as recorded."


def record_errors(
    *,
    depth_used_mm: Decimal | None,
    anaesthetic_applied_at: dt.datetime | None,
    outcome_grade: str,
    session_day: dt.date,
    now: dt.datetime,
    zone: dt.tzinfo,
    grade_error: Callable[[str], str | None] | None = None,
) -> dict[str, list[str]]:
    """Every problem of a record's values. `grade_error` is the concern's grading scale's
    check of a grade (None when the concern has no scale)."""
    errors: dict[str, list[str]] = {}
    if depth_used_mm is None:
        errors["depth_used_mm"] = [DEPTH_REQUIRED]
    elif not PLAN_DEPTH_MIN_MM <= depth_used_mm <= PLAN_DEPTH_MAX_MM:
        errors["depth_used_mm"] = [DEPTH_RANGE]
    if anaesthetic_applied_at is not None and not (
        anaesthetic_applied_at.astimezone(zone).date() == session_day
        and anaesthetic_applied_at <= now
    ):
        errors["anaesthetic_applied_at"] = [ANAESTHETIC_DAY]
    if outcome_grade and grade_error is not None and (problem := grade_error(outcome_grade)):
        errors["outcome_grade"] = [problem]
    return errors


def amendment_errors(*, reason: str) -> dict[str, list[str]]:
    """An amendment says why (and changes something: `NOTHING_CHANGED`, above the form)."""
    return {} if is_meaningful(reason) else {"reason": [REASON_REQUIRED]}
