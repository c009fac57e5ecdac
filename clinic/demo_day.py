"""The demo's day at the front desk, worked out from the clock: pure, no ORM.

A clinic opening the app expects today's list to look like the moment it is: a patient seen
earlier today, one checked in and waiting for the anaesthetic cream, others still to arrive,
and a consultation. Only what has happened by now is completed or checked in; before opening,
everyone is still to arrive. When the clinic is closed today, or too little of the day is left
for arrivals, the arrivals go on the next open day instead (today's list then says nothing
is booked, as it would), and `DemoDay.note` says where they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from treatments.rules.spacing import ClinicCalendar

Hours = dict[int, list[tuple[dt.time, dt.time]]]

#: People and rooms the demo books in parallel: practitioner n works in room n.
LANES = 3
#: Arrivals still to come: enough for a list, few enough for a short afternoon.
TO_ARRIVE = 3
#: The gap between one arrival's procedure and the next to arrive.
SPACING = dt.timedelta(minutes=60)


class Stage(Enum):
    COMPLETED = "completed"
    CHECKED_IN = "checked in"
    TO_ARRIVE = "to arrive"


@dataclass(frozen=True)
class Appointment:
    """One booking of the demo day. `starts_at` is the procedure (or consultation) start, in
    the clinic's zone; `lane` picks the practitioner and room."""

    starts_at: dt.datetime
    stage: Stage
    lane: int
    consultation: bool = False


@dataclass(frozen=True)
class DemoDay:
    appointments: tuple[Appointment, ...]
    note: str

    def days(self) -> list[dt.date]:
        return sorted({a.starts_at.date() for a in self.appointments})


def _ceil(moment: dt.datetime, grid: dt.timedelta) -> dt.datetime:
    """The first grid time at or after `moment` (grid times count from midnight)."""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = -(-(moment - midnight) // grid)
    return midnight + steps * grid


def _day_period(
    day: dt.date, hours: Hours, zone: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime] | None:
    periods = hours.get(day.weekday())
    if not periods:
        return None
    opens, closes = periods[0]
    return (
        dt.datetime.combine(day, opens, tzinfo=zone),
        dt.datetime.combine(day, closes, tzinfo=zone),
    )


class _Lanes:
    """Who is busy when: each appointment takes the first lane free for its whole length."""

    def __init__(self) -> None:
        self.busy: list[list[tuple[dt.datetime, dt.datetime]]] = [[] for _ in range(LANES)]

    def take(self, start: dt.datetime, end: dt.datetime, first: int = 0) -> int | None:
        for offset in range(LANES):
            lane = (first + offset) % LANES
            if all(end <= b_start or b_end <= start for b_start, b_end in self.busy[lane]):
                self.busy[lane].append((start, end))
                return lane
        return None


def plan_demo_day(
    *,
    now: dt.datetime,
    hours: Hours,
    calendar: ClinicCalendar,
    procedure: dt.timedelta,
    lead: dt.timedelta,
    consultation: dt.timedelta,
    grid: dt.timedelta,
) -> DemoDay:
    """The demo's appointments around `now` (aware, in the clinic's zone): a session completed
    earlier today and one checked in when today is open and the clock allows, then arrivals
    still to come (sessions and a consultation) today, or on the next open day when today has
    no room left for them."""
    zone = now.tzinfo
    if zone is None:
        raise ValueError("now must be aware")
    lanes = _Lanes()
    done: list[Appointment] = []
    today = now.date()
    period = _day_period(today, hours, zone) if calendar.is_open(today) else None
    if period is not None:
        opens, closes = period
        first_start = opens + lead  # the first patient arrives at opening
        if first_start + procedure <= now:  # seen and gone before now
            lane = lanes.take(first_start, first_start + procedure)
            if lane is not None:  # the first booking of the day: always free
                done.append(Appointment(first_start, Stage.COMPLETED, lane))
        # Arrived on time (the lead before the procedure), waiting for the cream to work.
        waiting = _ceil(now, grid)
        if waiting == now:
            waiting += grid
        if waiting - lead >= opens and waiting + procedure <= closes:
            lane = lanes.take(waiting, waiting + procedure, first=1)
            if lane is not None:
                done.append(Appointment(waiting, Stage.CHECKED_IN, lane))
        arrivals = _arrivals(
            max(_ceil(now + grid, grid) + lead, first_start),
            closes,
            lanes,
            procedure=procedure,
            consultation=consultation,
        )
        if len([a for a in arrivals if not a.consultation]) >= 2:
            return DemoDay(tuple(done + arrivals), "Today's list has the demo's arrivals.")
    following = calendar.next_open_day(today + dt.timedelta(days=1))
    next_period = _day_period(following, hours, zone)
    if next_period is None:
        raise ValueError(f"{following} is open but has no opening hours")
    arrivals = _arrivals(
        next_period[0] + lead,
        next_period[1],
        _Lanes(),
        procedure=procedure,
        consultation=consultation,
    )
    why = "The clinic is closed today" if period is None else "Today is nearly over"
    return DemoDay(
        tuple(done + arrivals),
        f"{why}: the demo's arrivals are on {following:%A %d %B %Y} (today's list: Next day ›).",
    )


def _arrivals(
    start: dt.datetime,
    closes: dt.datetime,
    lanes: _Lanes,
    *,
    procedure: dt.timedelta,
    consultation: dt.timedelta,
) -> list[Appointment]:
    """Up to TO_ARRIVE sessions an hour apart from `start`, and a consultation after the first,
    each in the first free lane, all ending by closing time."""
    found: list[Appointment] = []
    moment = start
    while len(found) < TO_ARRIVE and moment + procedure <= closes:
        lane = lanes.take(moment, moment + procedure, first=len(found) + 2)
        if lane is not None:
            found.append(Appointment(moment, Stage.TO_ARRIVE, lane))
        moment += SPACING
    # No cream before a consultation: the patient arrives at its time, a quarter past the first.
    if found:
        moment = found[0].starts_at + dt.timedelta(minutes=15)
        while moment + consultation <= closes:
            lane = lanes.take(moment, moment + consultation)
            if lane is not None:
                found.append(Appointment(moment, Stage.TO_ARRIVE, lane, consultation=True))
                break
            moment += dt.timedelta(minutes=15)
    return found
