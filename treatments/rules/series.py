"""Booking a whole series in one step: where each unbooked session goes, and, for one that
cannot go there, its nearest alternatives. Plain functions, no ORM.

The front desk picks the first unbooked session's day, time, practitioner and room; every later
session is wanted at the same time of day with the same practitioner and room, on its target
date moved by as many days as the first was moved from its own (inside its booking window, else
on its target). The spacing rules are `spacing`'s: the window around each target and the 7-day
floor and order against every other session on the area (`neighbour_problem`), the sessions
placed before it in this series included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from treatments.rules.slots import FreeSlot
from treatments.rules.spacing import (
    ClinicCalendar,
    Neighbour,
    SchedulingError,
    SeriesSession,
    Window,
    interval_problem,
    neighbour_problem,
)

#: How many alternatives a session that cannot be placed offers, at most.
MAX_ALTERNATIVES = 6
#: Numbers a session can have (a PositiveSmallIntegerField): "every later session" as a range.
MAX_SESSION_NUMBER = 32767


def later_than(number: int) -> range:
    """The numbers of every later session of a series (a re-planned series may number past its
    planned count, since a cancelled session keeps its number)."""
    return range(number + 1, MAX_SESSION_NUMBER + 1)


@dataclass(frozen=True)
class Unbooked:
    """A planned session of the series, as the placement sees it."""

    number: int
    window: Window


@dataclass(frozen=True)
class Candidate:
    """A slot one session can take: a start, and who and where."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    practitioner_id: int
    room_id: int

    def day(self, zone: ZoneInfo) -> dt.date:
        return self.starts_at.astimezone(zone).date()


@dataclass(frozen=True)
class Placement:
    """One session's answer: `slot` when it is placed (as wanted, or by the front desk's
    choice), else why not and its nearest alternatives."""

    number: int
    target: dt.date
    wanted_day: dt.date
    slot: Candidate | None
    chosen: bool = False  # placed by a choice among the alternatives, not as wanted
    problem: str = ""
    alternatives: tuple[Candidate, ...] = ()

    @property
    def placed(self) -> bool:
        return self.slot is not None


def wanted_day(window: Window, shift_days: int, calendar: ClinicCalendar) -> dt.date:
    """The day a session is wanted on: its target moved as the first session was, when that
    day is inside its window and open; else its target."""
    moved = window.target + dt.timedelta(days=shift_days)
    if moved in window and calendar.is_open(moved):
        return moved
    return window.target


def spacing_problem(
    *,
    plan: int,
    number: int,
    day: dt.date,
    fixed: Sequence[Neighbour],
    placed: Sequence[Neighbour],
) -> str | None:
    """The 7-day floor and the series' order against what stays put (a booked later session
    of the series included) and what was placed before; the later unbooked sessions are in
    neither list: they are placed after this one."""
    return neighbour_problem(plan=plan, number=number, day=day, neighbours=[*fixed, *placed])


def _at(slot: FreeSlot, practitioner: int, room: int) -> Candidate:
    return Candidate(slot.starts_at, slot.ends_at, practitioner, room)


def _minutes_of(moment: dt.datetime, zone: ZoneInfo) -> int:
    local = moment.astimezone(zone)
    return local.hour * 60 + local.minute


def alternatives(
    *,
    days: Sequence[dt.date],
    free: Mapping[dt.date, Sequence[FreeSlot]],
    wanted: dt.date,
    wall_time: dt.time,
    practitioner: int,
    room: int,
    zone: ZoneInfo,
    limit: int = MAX_ALTERNATIVES,
) -> list[Candidate]:
    """The nearest free slots on `days` (those the spacing allows): the wanted day at other
    times with the same practitioner and room, then the wanted time with another practitioner
    or room, then the neighbouring days, nearest first (earlier first on a tie)."""
    wanted_minutes = wall_time.hour * 60 + wall_time.minute
    same_day: list[tuple[int, Candidate]] = []
    others_then: list[tuple[int, Candidate]] = []
    other_days: list[tuple[tuple[int, int, int, int], Candidate]] = []
    for day in days:
        for slot in free.get(day, ()):
            off = abs(_minutes_of(slot.starts_at, zone) - wanted_minutes)
            same_people = practitioner in slot.practitioner_ids and room in slot.room_ids
            person = (
                practitioner if practitioner in slot.practitioner_ids else slot.practitioner_ids[0]
            )
            place = room if room in slot.room_ids else slot.room_ids[0]
            candidate = _at(slot, person, place)
            changes = (person != practitioner) + (place != room)
            if day == wanted:
                if same_people and off:
                    same_day.append((off, candidate))
                elif not off and changes:
                    others_then.append((changes, candidate))
            else:
                distance = abs((day - wanted).days)
                other_days.append(((distance, int(day < wanted), changes, off), candidate))
    ranked = [
        *(c for _, c in sorted(same_day, key=lambda pair: (pair[0], pair[1].starts_at))[:2]),
        *(c for _, c in sorted(others_then, key=lambda pair: pair[0])[:1]),
    ]
    seen_days: set[dt.date] = set()
    later: list[Candidate] = []
    for _, candidate in sorted(other_days, key=lambda pair: (pair[0], pair[1].starts_at)):
        day = candidate.day(zone)
        if day not in seen_days:  # the best slot of each neighbouring day, not five of one
            seen_days.add(day)
            later.append(candidate)
    return [*ranked, *later][:limit] if ranked or later else []


def _why_not(
    *,
    day: dt.date,
    free: Sequence[FreeSlot],
    wall_time: dt.time,
    practitioner: int,
    room: int,
    names: Mapping[str, Mapping[int, str]],
    calendar: ClinicCalendar,
    zone: ZoneInfo,
) -> str:
    at = f"{wall_time:%H:%M}"
    if calendar.closure_on(day) is not None:
        return f"The clinic is closed on {day:%A %d %b %Y}."
    if not calendar.is_open(day):
        return f"The clinic is closed on {day:%A}s."
    then = [
        s for s in free if _minutes_of(s.starts_at, zone) == wall_time.hour * 60 + wall_time.minute
    ]
    if not then:
        return (
            f"{at} on {day:%a %d %b} is not free: the patient is booked then, no practitioner "
            "or room is free, or it falls outside opening hours."
        )
    slot = then[0]
    busy = [
        name
        for name, free_ids, wanted in (
            (names["p"].get(practitioner, "The practitioner"), slot.practitioner_ids, practitioner),
            (names["r"].get(room, "The room"), slot.room_ids, room),
        )
        if wanted not in free_ids
    ]
    verb = "is" if len(busy) == 1 else "are"
    return f"{' and '.join(busy)} {verb} not free at {at} on {day:%a %d %b}."


def place_series(
    *,
    plan: int,
    sessions: Sequence[Unbooked],
    first_day: dt.date,
    wall_time: dt.time,
    practitioner: int,
    room: int,
    free: Mapping[dt.date, Sequence[FreeSlot]],
    fixed: Sequence[Neighbour],
    calendar: ClinicCalendar,
    zone: ZoneInfo,
    names: Mapping[str, Mapping[int, str]],
    choices: Mapping[int, Candidate] | None = None,
) -> list[Placement]:
    """Each unbooked session (in number order) at `wall_time` with `practitioner` and `room`
    on its wanted day where free; else the front desk's choice for it, if that choice is one of
    its free slots; else why not, with its nearest alternatives.

    `free` holds each day's free slots (`slots.free_slots`); `fixed` the area's sessions that
    stay where they are (booked or done, this plan's and the patient's other plans'). A session
    left unplaced does not hold back the later ones (its place is not known yet): choosing one
    of its alternatives and placing again checks them against it.
    """
    choices = choices or {}
    ordered = sorted(sessions, key=lambda s: s.number)
    if not ordered:
        return []
    shift = (first_day - ordered[0].window.target).days
    placed: list[Neighbour] = []
    found: list[Placement] = []
    for session in ordered:
        window = session.window
        wanted = first_day if session is ordered[0] else wanted_day(window, shift, calendar)
        allowed = [
            day
            for day in window.days()
            if calendar.is_open(day)
            and spacing_problem(
                plan=plan, number=session.number, day=day, fixed=fixed, placed=placed
            )
            is None
        ]
        chosen = choices.get(session.number)
        if chosen is not None and _is_free(chosen, free, allowed, zone):
            found.append(Placement(session.number, window.target, wanted, chosen, chosen=True))
            placed.append(Neighbour(plan=plan, number=session.number, day=chosen.day(zone)))
            continue
        exact = _exact(free.get(wanted, ()), wall_time, practitioner, room, zone)
        if wanted in allowed and exact is not None:
            found.append(Placement(session.number, window.target, wanted, exact))
            placed.append(Neighbour(plan=plan, number=session.number, day=wanted))
            continue
        if wanted not in window:
            problem = (
                f"Session {session.number} is due {window.target:%d %b %Y}: book it between "
                f"{window.first:%d %b} and {window.last:%d %b %Y}."
            )
        elif wanted not in allowed and calendar.is_open(wanted):
            problem = (
                spacing_problem(
                    plan=plan, number=session.number, day=wanted, fixed=fixed, placed=placed
                )
                or ""
            )
        else:
            problem = _why_not(
                day=wanted,
                free=free.get(wanted, ()),
                wall_time=wall_time,
                practitioner=practitioner,
                room=room,
                names=names,
                calendar=calendar,
                zone=zone,
            )
        if chosen is not None:
            problem = (
                f"The time chosen is no longer free or too close to another session. {problem}"
            )
        found.append(
            Placement(
                session.number,
                window.target,
                wanted,
                None,
                problem=problem,
                alternatives=tuple(
                    alternatives(
                        days=allowed,
                        free=free,
                        wanted=wanted,
                        wall_time=wall_time,
                        practitioner=practitioner,
                        room=room,
                        zone=zone,
                    )
                ),
            )
        )
    return found


def _exact(
    free: Sequence[FreeSlot], wall_time: dt.time, practitioner: int, room: int, zone: ZoneInfo
) -> Candidate | None:
    minutes = wall_time.hour * 60 + wall_time.minute
    for slot in free:
        if (
            _minutes_of(slot.starts_at, zone) == minutes
            and practitioner in slot.practitioner_ids
            and room in slot.room_ids
        ):
            return _at(slot, practitioner, room)
    return None


def _is_free(
    chosen: Candidate,
    free: Mapping[dt.date, Sequence[FreeSlot]],
    allowed: Collection[dt.date],
    zone: ZoneInfo,
) -> bool:
    day = chosen.day(zone)
    return day in allowed and any(
        slot.starts_at == chosen.starts_at
        and chosen.practitioner_id in slot.practitioner_ids
        and chosen.room_id in slot.room_ids
        for slot in free.get(day, ())
    )


# --- Re-planning: a changed interval or session count ------------------------------------------


@dataclass(frozen=True)
class Replan:
    """What changing a series' interval or count does to its unbooked sessions."""

    targets: dict[int, dt.date]  # each kept unbooked session's new target date
    added: list[tuple[int, dt.date]]  # new sessions: number and target
    cancelled: list[int]  # surplus unbooked sessions, cancelled (their records stay)


def replan(
    series: Sequence[SeriesSession],
    *,
    plan: int,
    planned: int,
    highest_number: int,
    sessions: int,
    interval_days: int,
    calendar: ClinicCalendar,
    others: Sequence[Neighbour] = (),
) -> Replan:
    """Re-plan a series for `sessions` sessions every `interval_days` days.

    `series` is every session of the plan but the cancelled ones: unbooked (`movable`) ones
    get new targets from the schedule rule (`series_dates`: each the interval after the one
    before, moved to the next open day; the first unbooked session of a series with nothing
    before it keeps its target); booked and done ones stay where they are and anchor the ones
    after them. A shorter series cancels its last sessions (`planned` is the count today, which
    counts cancelled sessions as the plan always has), and only unbooked ones can be; a longer
    one adds sessions after the last, numbered after `highest_number` (a cancelled session
    keeps its number). The result keeps the 7-day floor and the order against the sessions
    that stay and the patient's `others` on the area, else `SchedulingError` says which.
    """
    problem = interval_problem(interval_days)
    if problem:
        raise SchedulingError(problem)
    if sessions < 1:
        raise SchedulingError("A series has at least one session.")
    ordered = sorted(series, key=lambda s: s.number)
    fewer = max(0, planned - sessions)
    if fewer and fewer >= len(ordered):
        raise SchedulingError(
            "That would cancel every session left in the series: cancel the plan instead."
        )
    surplus = ordered[len(ordered) - fewer :] if fewer else []
    fixed_surplus = [s for s in surplus if not s.movable]
    if fixed_surplus:
        first = fixed_surplus[0]
        raise SchedulingError(
            f"Session {first.number} is {first.status}: {sessions} session"
            f"{'s' if sessions != 1 else ''} would cancel it, and only an unbooked session is "
            "cancelled by re-planning. Keep more sessions, or cancel or move it first."
        )
    kept = ordered[: len(ordered) - len(surplus)]
    targets: dict[int, dt.date] = {}
    previous: dt.date | None = None
    for session in kept:
        if session.movable:
            day = (
                session.day
                if previous is None
                else calendar.next_open_day(previous + dt.timedelta(days=interval_days))
            )
            targets[session.number] = day
            previous = day
        else:
            previous = session.day
    added: list[tuple[int, dt.date]] = []
    for number in range(highest_number + 1, highest_number + 1 + max(0, sessions - planned)):
        if previous is None:  # an active plan always has a session that is not cancelled
            raise SchedulingError("This series has no session to follow.")
        day = calendar.next_open_day(previous + dt.timedelta(days=interval_days))
        added.append((number, day))
        previous = day
    staying = [Neighbour(plan=plan, number=s.number, day=s.day) for s in kept if not s.movable]
    moving = [Neighbour(plan=plan, number=n, day=d) for n, d in [*targets.items(), *added]]
    for mover in moving:
        problem = neighbour_problem(
            plan=plan,
            number=mover.number,
            day=mover.day,
            neighbours=[*staying, *others, *(m for m in moving if m.number != mover.number)],
        )
        if problem:
            raise SchedulingError(problem)
    return Replan(targets=targets, added=added, cancelled=[s.number for s in surplus])
