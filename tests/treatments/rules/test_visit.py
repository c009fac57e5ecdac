"""When a session may be checked in or marked a no-show: booked, and on its day."""

from __future__ import annotations

import datetime as dt

from treatments.rules import visit as visit_rules

DAY = dt.date(2027, 3, 1)


def test_the_rule_allows_a_booked_session_on_its_day() -> None:
    assert visit_rules.on_the_day_problem(status="booked", day=DAY, today=DAY) is None


def test_the_rule_refuses_a_session_before_or_after_its_day() -> None:
    for today in (DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1)):
        assert visit_rules.on_the_day_problem(status="booked", day=DAY, today=today) == (
            "A session is checked in on its day (01 Mar 2027)."
        )


def test_the_rule_refuses_a_session_that_is_not_booked_and_names_its_status() -> None:
    problem = visit_rules.on_the_day_problem(
        status="checked_in",
        status_label="Checked in",
        day=DAY,
        today=DAY,
        what="marked as a no-show",
    )
    assert problem == "Only a booked session can be marked as a no-show; this one is checked in."
