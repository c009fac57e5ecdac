"""Which status a session goes to from which, and what reopens a blocked one: no database."""

from __future__ import annotations

import datetime as dt

import pytest

from treatments.models import ScreeningResult, SessionStatus
from treatments.rules import session_status as rules
from treatments.rules.spacing import ClinicCalendar

S = SessionStatus
WEEKDAYS = ClinicCalendar.build(range(5))


def test_every_status_has_its_row_in_the_table() -> None:
    assert set(rules.TRANSITIONS) == set(S.values)
    assert all(targets <= set(S.values) for targets in rules.TRANSITIONS.values())


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.PLANNED, S.BOOKED),
        (S.BOOKED, S.BLOCKED),
        (S.BOOKED, S.CHECKED_IN),
        (S.BLOCKED, S.PLANNED),
        (S.BLOCKED, S.CANCELLED),
        (S.CHECKED_IN, S.COMPLETED),
    ],
)
def test_it_allows_the_clinics_transitions(current: str, new: str) -> None:
    assert rules.may_change(current, new)
    assert rules.change_refusal(current, new) is None


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.BLOCKED, S.BOOKED),  # re-screened first, then booked
        (S.BLOCKED, S.CHECKED_IN),
        (S.PLANNED, S.CHECKED_IN),
        (S.CHECKED_IN, S.CANCELLED),
    ],
)
def test_it_refuses_a_skipped_step(current: str, new: str) -> None:
    assert not rules.may_change(current, new)
    assert rules.change_refusal(current, new) == (
        f"A {S(current).label.lower()} session cannot become {S(new).label.lower()}."
    )


@pytest.mark.parametrize("final", [S.COMPLETED, S.CANCELLED, S.NO_SHOW])
def test_completed_cancelled_and_no_show_are_final(final: str) -> None:
    for new in S.values:
        assert not rules.may_change(final, new)
    assert "is final" in (rules.change_refusal(final, S.PLANNED) or "")


def test_a_blocked_session_is_rescreened_but_a_checked_in_one_is_not() -> None:
    assert S.BLOCKED in rules.RESCREENABLE
    assert S.CHECKED_IN not in rules.RESCREENABLE


@pytest.mark.parametrize(
    ("result", "overridden", "opens"),
    [
        (None, False, False),  # nothing on record: re-screen
        (ScreeningResult.BLOCKED, False, False),  # still the cold sore
        (ScreeningResult.NEEDS_OVERRIDE, False, False),  # a dermatologist's turn
        (ScreeningResult.NEEDS_OVERRIDE, True, True),
        (ScreeningResult.CLEAR, False, True),
    ],
)
def test_it_reopens_a_blocked_session_once_clear_or_overridden(
    result: str | None, overridden: bool, opens: bool
) -> None:
    refusal = rules.reopen_refusal(result, overridden=overridden)
    assert (refusal is None) == opens
    if result == ScreeningResult.NEEDS_OVERRIDE and not overridden:
        assert refusal is not None and "override" in refusal
    if result == ScreeningResult.BLOCKED:
        assert refusal is not None and "re-screen" in refusal


def test_a_reopened_session_is_due_from_the_next_open_day() -> None:
    saturday = dt.date(2027, 3, 6)
    # Blocked on its day (a Monday) and re-screened on a Saturday: due on the Monday after.
    assert rules.reopened_target(dt.date(2027, 3, 1), saturday, WEEKDAYS) == dt.date(2027, 3, 8)
    # A target still ahead is kept.
    assert rules.reopened_target(dt.date(2027, 3, 10), saturday, WEEKDAYS) == dt.date(2027, 3, 10)


def test_each_status_offers_its_actions() -> None:
    assert rules.actions(S.BLOCKED) == {"rescreen", "cancel"}
    assert rules.actions(S.PLANNED) == {"book", "cancel"}
    assert rules.actions(S.BOOKED) == {"move", "check_in", "cancel"}
    assert rules.actions(S.CHECKED_IN) == {"record"}
    assert rules.actions(S.COMPLETED) == frozenset()
