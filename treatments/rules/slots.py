"""Slots and bookings in time: plain functions, no ORM.

A booking holds its practitioner and room for the procedure, [start, end). The patient arrives
`lead` (`limits.ANAESTHETIC_LEAD`) earlier for the anaesthetic cream, which is applied in the
waiting area: the lead time holds neither the practitioner nor the room, but the clinic must be
open at arrival.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from zoneinfo import ZoneInfo

from treatments.rules.spacing import ClinicCalendar, SchedulingError, local_start

Busy = Mapping[int, Sequence[tuple[dt.datetime, dt.datetime]]]
Hours = Mapping[int, Sequence[tuple[dt.time, dt.time]]]


def minutes(span: dt.timedelta) -> int:
    return int(span.total_seconds() // 60)


def grid_problem(start: dt.datetime, grid_minutes: int) -> str | None:
    """Appointments start on the booking grid (a whole multiple of `grid_minutes`)."""
    if start.second or start.microsecond or start.minute % grid_minutes:
        return f"Appointments start on the {grid_minutes}-minute grid."
    return None


def overlaps(
    start: dt.datetime, end: dt.datetime, other_start: dt.datetime, other_end: dt.datetime
) -> bool:
    """Half-open intervals: a booking ending at 10:00 does not clash with one starting then."""
    return start < other_end and other_start < end


class Timeline:
    """One resource's busy spans, sorted once, answering "free over [start, end)?" by bisection:
    an 11-day window of a full clinic asks this ~15,000 times over ~1,500 bookings."""

    def __init__(self, spans: Iterable[tuple[dt.datetime, dt.datetime]]) -> None:
        # POSIX seconds: comparing floats is several times cheaper than aware datetimes.
        ordered = sorted((start.timestamp(), end.timestamp()) for start, end in spans)
        self.starts = [start for start, _ in ordered]
        # The latest end among the first i spans: spans may overlap (absences, bookings).
        self.latest_end = list(accumulate((end for _, end in ordered), max))

    def is_free(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.is_free_between(start.timestamp(), end.timestamp())

    def is_free_between(self, start: float, end: float) -> bool:
        before_end = bisect_left(self.starts, end)  # spans that start before `end`
        return before_end == 0 or self.latest_end[before_end - 1] <= start


def opening_problem(
    start: dt.datetime,
    end: dt.datetime,
    *,
    lead: dt.timedelta,
    hours: Hours,
    calendar: ClinicCalendar,
    zone: ZoneInfo,
) -> str | None:
    """Why [start - lead, end) does not fit the clinic's day, or None when it does."""
    arrival = (start - lead).astimezone(zone)
    local_end = end.astimezone(zone)
    day = arrival.date()
    if local_end.date() != day:
        return "The appointment must start and end on the same day."
    closure = calendar.closure_on(day)
    if closure is not None:
        return f"The clinic is closed on {day:%A %d %b %Y}."
    for opens, closes in hours.get(day.weekday(), ()):
        if opens <= arrival.time() and local_end.time() <= closes:
            return None
    periods = ", ".join(f"{o:%H:%M}–{c:%H:%M}" for o, c in hours.get(day.weekday(), ()))
    if not periods:
        return f"The clinic is closed on {day:%A}s."
    if not lead:  # a consultation: no cream, the patient arrives at the time booked
        return (
            f"From {arrival:%H:%M} to the end at {local_end:%H:%M} must fall within opening "
            f"hours ({periods})."
        )
    return (
        f"Arrival at {arrival:%H:%M} ({minutes(lead)} minutes before the procedure, for the "
        f"anaesthetic cream) to the end at {local_end:%H:%M} must fall within opening hours "
        f"({periods})."
    )


@dataclass(frozen=True)
class FreeSlot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    arrival_at: dt.datetime
    practitioner_ids: tuple[int, ...]
    room_ids: tuple[int, ...]


def free_slots(
    *,
    days: Iterable[dt.date],
    hours: Hours,
    calendar: ClinicCalendar,
    duration: dt.timedelta,
    lead: dt.timedelta,
    grid: dt.timedelta,
    zone: ZoneInfo,
    not_before: dt.datetime,
    practitioners: Sequence[int],
    rooms: Sequence[int],
    practitioner_busy: Busy,
    room_busy: Busy,
    patient_busy: Sequence[tuple[dt.datetime, dt.datetime]] = (),
) -> list[FreeSlot]:
    """Every grid time on open days with at least one free practitioner and one free room,
    while the patient is not booked elsewhere."""
    slots = []
    step = int(grid.total_seconds() // 60)
    people = [(p, Timeline(practitioner_busy.get(p, ()))) for p in practitioners]
    places = [(r, Timeline(room_busy.get(r, ()))) for r in rooms]
    patient = Timeline(patient_busy)
    for day in days:
        if not calendar.is_open(day):
            continue
        for opens, closes in hours.get(day.weekday(), ()):
            first = dt.datetime.combine(day, opens) + lead
            last = dt.datetime.combine(day, closes) - duration
            minutes = (first.hour * 60 + first.minute + step - 1) // step * step
            wall = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
            while wall <= last:
                try:
                    start = local_start(day, wall.time(), zone).at
                except SchedulingError:  # the spring-forward gap: no such time that day
                    wall += grid
                    continue
                end = start + duration
                if start - lead >= not_before:
                    a, b = start.timestamp(), end.timestamp()
                    if not patient.is_free_between(a, b):
                        wall += grid
                        continue
                    free_people = tuple(p for p, line in people if line.is_free_between(a, b))
                    free_rooms = tuple(r for r, line in places if line.is_free_between(a, b))
                    if free_people and free_rooms:
                        slots.append(FreeSlot(start, end, start - lead, free_people, free_rooms))
                wall += grid
    return slots


# --- The booking page: one day at a time, each free time once --------------------------------


@dataclass(frozen=True)
class BookingDay:
    """A day of a session's booking window as the day picker shows it."""

    day: dt.date
    state: str  # "open", "closed", "full", "refused" (spacing) or "past"
    free_times: int
    note: str

    @property
    def bookable(self) -> bool:
        return self.state == "open"


def booking_days(
    *,
    days: Iterable[dt.date],
    calendar: ClinicCalendar,
    free_times: Mapping[dt.date, int],
    refused: Mapping[dt.date, str],
    today: dt.date,
) -> list[BookingDay]:
    """Every day of the window with why it cannot be booked, so a closed Sunday says "closed"
    and a full Tuesday says "fully booked" instead of vanishing from the picker."""
    found = []
    for day in days:
        count = free_times.get(day, 0)
        if calendar.closure_on(day) is not None:
            state, note = "closed", "Clinic closed"
        elif day.weekday() not in calendar.open_weekdays:
            state, note = "closed", f"Closed on {day:%A}s"
        elif day < today:
            state, note = "past", "Passed"
        elif day in refused:
            state, note = "refused", refused[day]
        elif count == 0:
            state, note = "full", "Fully booked"
        else:
            state, note = "open", f"{count} free time{'s' if count != 1 else ''}"
        found.append(BookingDay(day, state, count, note))
    return found


def first_choice(days: Sequence[BookingDay], wanted: dt.date, target: dt.date) -> dt.date:
    """The day the page opens on: the one asked for if it is in the window, else the bookable
    day nearest the target (earlier first on a tie), else the target itself."""
    if any(d.day == wanted for d in days):
        return wanted
    bookable = [d.day for d in days if d.bookable]
    if not bookable:
        return target
    return min(bookable, key=lambda d: (abs((d - target).days), d))


@dataclass(frozen=True)
class OfferedTime:
    """One free time, offered once, with everyone and every room free then: the preferred
    practitioner and room first, so the default choice is the plan's own dermatologist."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    arrival_at: dt.datetime
    practitioner_ids: tuple[int, ...]
    room_ids: tuple[int, ...]
    preferred_free: bool


def _first(ids: Sequence[int], preferred: int | None) -> tuple[int, ...]:
    if preferred is not None and preferred in ids:
        return (preferred, *(i for i in ids if i != preferred))
    return tuple(ids)


def offered_times(
    found: Iterable[FreeSlot], *, preferred_practitioner: int | None, preferred_room: int | None
) -> list[OfferedTime]:
    """Free slots as one entry per time, the preferred practitioner and room first."""
    return [
        OfferedTime(
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            arrival_at=slot.arrival_at,
            practitioner_ids=_first(slot.practitioner_ids, preferred_practitioner),
            room_ids=_first(slot.room_ids, preferred_room),
            preferred_free=preferred_practitioner in slot.practitioner_ids,
        )
        for slot in sorted(found, key=lambda s: s.starts_at)
    ]
