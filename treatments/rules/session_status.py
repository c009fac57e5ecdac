"""Which status a session may go to from which, and what a blocked session needs to reopen.

One table: the booking, visit and screening services ask it before they write a status, the
pages and the API ask it which actions to offer. A blocked session is not the end of its
series: once re-screened clear (or a relative contraindication overridden in writing) it is
planned again and booked like any other; or it is cancelled with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from treatments.models import ScreeningResult, SessionStatus
from treatments.rules.screening import awaiting_override
from treatments.rules.spacing import ClinicCalendar

S = SessionStatus

#: Every status a session can go to from each. Completed, cancelled and no-show are final:
#: the record stays as it was.
TRANSITIONS: Mapping[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.BOOKED, S.CANCELLED}),
    # Booked → booked is a move; booked → planned is a later session whose booking a move
    # released (the series keeps its spacing).
    S.BOOKED: frozenset({S.BOOKED, S.PLANNED, S.CHECKED_IN, S.NO_SHOW, S.BLOCKED, S.CANCELLED}),
    S.CHECKED_IN: frozenset({S.COMPLETED}),
    # Re-screened clear (or overridden): planned again, to be booked; or given up, with a reason.
    S.BLOCKED: frozenset({S.PLANNED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.NO_SHOW: frozenset(),
}

#: Statuses a session is re-screened in: before its visit, and after a block, to reopen it.
RESCREENABLE = frozenset({S.PLANNED, S.BOOKED, S.BLOCKED})


def may_change(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def change_refusal(current: str, new: str) -> str | None:
    """Why a session cannot go from `current` to `new`, in words, or None when it can."""
    if may_change(current, new):
        return None
    was, to = S(current).label.lower(), S(new).label.lower()
    if not TRANSITIONS.get(current):
        return f"A {was} session is final: it cannot become {to}."
    return f"A {was} session cannot become {to}."


def reopen_refusal(latest_result: str | None, *, overridden: bool) -> str | None:
    """Why a blocked session cannot be planned again yet, given its latest screening (the one
    that blocked it, or a re-screen since), or None when it can."""
    if latest_result is None or latest_result == ScreeningResult.BLOCKED:
        return (
            "The contraindication that blocked this session still stands: re-screen the "
            "patient once it has cleared."
        )
    if awaiting_override(latest_result, overridden=overridden):
        return (
            "The re-screen found a relative contraindication: a dermatologist's written "
            "override reopens the session."
        )
    return None


def reopened_target(target: dt.date, today: dt.date, calendar: ClinicCalendar) -> dt.date:
    """A reopened session's new target date: its old one if still ahead, else the next day the
    clinic is open from today. Booking then keeps the series' spacing around it (the 7-day
    floor, the order, and later sessions shifted as a move shifts them)."""
    return calendar.next_open_day(max(target, today))


def actions(status: str) -> frozenset[str]:
    """What can be done to a session in this status, by name, for the pages and the API
    (each still needs the viewer's role): book, move, cancel, check_in, record, rescreen."""
    offered: set[str] = set()
    if status == S.PLANNED:
        offered.add("book")
    if status == S.BOOKED:
        offered |= {"move", "check_in"}
    if status == S.CHECKED_IN:
        offered.add("record")
    if status == S.BLOCKED:
        offered.add("rescreen")
    if may_change(status, S.CANCELLED):
        offered.add("cancel")
    return frozenset(offered)
