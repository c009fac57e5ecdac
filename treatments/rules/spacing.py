"""Series dates, the spacing between sessions, and how a move re-spaces a series.

A series keeps its spacing: each session's target is `interval` days after the previous target,
moved forward to the next day the clinic is open. Gaps are never shorter than the interval nor
than the 7-day floor (DOMAIN.md I1), and never longer than reaching an open day needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from treatments.rules.limits import MIN_INTERVAL_DAYS, SEARCH_LIMIT_DAYS


class SchedulingError(ValueError):
    """The schedule asked for cannot be made; the message says why."""


@dataclass(frozen=True)
class ClinicCalendar:
    """Which days the clinic is open: weekdays with opening hours, minus closures."""

    open_weekdays: frozenset[int]
    closures: tuple[tuple[dt.date, dt.date], ...] = field(default=())

    @classmethod
    def build(
        cls, open_weekdays: Iterable[int], closures: Iterable[tuple[dt.date, dt.date]] = ()
    ) -> ClinicCalendar:
        return cls(frozenset(open_weekdays), tuple(sorted(closures)))

    def closure_on(self, day: dt.date) -> tuple[dt.date, dt.date] | None:
        for start, end in self.closures:
            if start <= day <= end:
                return start, end
        return None

    def is_open(self, day: dt.date) -> bool:
        return day.weekday() in self.open_weekdays and self.closure_on(day) is None

    def closed_message(self, day: dt.date) -> str | None:
        """Why the clinic is closed on `day`, in the front desk's words; None when open."""
        closure = self.closure_on(day)
        if closure is not None:
            start, end = closure
            until = f" (closed {start:%d %b}–{end:%d %b})" if start != end else ""
            return f"The clinic is closed on {day:%A %d %B}{until}."
        if day.weekday() not in self.open_weekdays:
            return f"The clinic is closed on {day:%A}s."
        return None

    def next_open_day(self, day: dt.date) -> dt.date:
        """`day` itself if open, else the first open day after it."""
        for offset in range(SEARCH_LIMIT_DAYS + 1):
            candidate = day + dt.timedelta(days=offset)
            if self.is_open(candidate):
                return candidate
        raise SchedulingError(
            f"The clinic has no open day within {SEARCH_LIMIT_DAYS} days of {day:%d %b %Y}: "
            "check the opening hours and closures."
        )


def interval_problem(interval_days: int) -> str | None:
    """The 7-day floor, as it applies to a plan's interval."""
    if interval_days < MIN_INTERVAL_DAYS:
        return (
            f"Sessions on the same area must be at least {MIN_INTERVAL_DAYS} days apart; "
            f"{interval_days} days were asked for."
        )
    return None


def series_dates(
    start: dt.date, sessions: int, interval_days: int, calendar: ClinicCalendar
) -> list[dt.date]:
    """Target dates of a series whose first session is on or after `start`."""
    if sessions < 1:
        raise SchedulingError("A series has at least one session.")
    problem = interval_problem(interval_days)
    if problem:
        raise SchedulingError(problem)
    dates = [calendar.next_open_day(start)]
    while len(dates) < sessions:
        dates.append(calendar.next_open_day(dates[-1] + dt.timedelta(days=interval_days)))
    return dates


# --- The booking window ----------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The days around a session's target date on which it may be booked."""

    target: dt.date
    before_days: int
    after_days: int

    @property
    def first(self) -> dt.date:
        return self.target - dt.timedelta(days=self.before_days)

    @property
    def last(self) -> dt.date:
        return self.target + dt.timedelta(days=self.after_days)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day <= self.last

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def window_problem(number: int, window: Window, day: dt.date) -> str | None:
    """Booking (not moving) stays within the window around the target date."""
    if day in window:
        return None
    return (
        f"Session {number} is due {window.target:%d %b %Y}: book it between "
        f"{window.first:%d %b} and {window.last:%d %b %Y}, or move it to shift the series."
    )


def latest_target_due(today: dt.date, *, before_days: int, notice_days: int) -> dt.date:
    """The latest target date of a planned session that is due for booking `today`: one whose
    window opens within `notice_days`, or has opened (however long ago). A query filters on it."""
    return today + dt.timedelta(days=notice_days + before_days)


def booking_due(window: Window, today: dt.date, *, notice_days: int) -> bool:
    """Whether a planned session with this booking window wants booking now."""
    return window.target <= latest_target_due(
        today, before_days=window.before_days, notice_days=notice_days
    )


# --- Neighbours: the 7-day floor and the series' order ---------------------------------------


@dataclass(frozen=True)
class Neighbour:
    """Another open session on the same area of the same patient, as the floor sees it."""

    plan: int
    number: int
    day: dt.date
    label: str = ""  # how to name its plan when it is another plan's ("IND-03")


def neighbour_problem(
    *,
    plan: int,
    number: int,
    day: dt.date,
    neighbours: Iterable[Neighbour],
    ignore: Collection[int] = (),
) -> str | None:
    """Never within 7 days of another session on the same area — of this series (whichever
    are cancelled in between) or of the patient's other plans — and the series keeps its order.
    `ignore` names this series' sessions that move with it (checked by `respace`)."""
    for other in neighbours:
        same_plan = other.plan == plan
        if same_plan and other.number in ignore:
            continue
        gap = abs((other.day - day).days)
        if gap < MIN_INTERVAL_DAYS:
            which = f"session {other.number}" + ("" if same_plan else f" of {other.label}")
            return (
                f"Session {number} would be {gap} days from {which} "
                f"({other.day:%d %b %Y}); sessions on the same area are at least "
                f"{MIN_INTERVAL_DAYS} days apart."
            )
        if same_plan and (
            (other.number < number and other.day > day)
            or (other.number > number and other.day < day)
        ):
            return (
                f"Session {number} cannot come "
                f"{'before' if other.number < number else 'after'} session "
                f"{other.number} ({other.day:%d %b %Y})."
            )
    return None


def floor_problem(days: Iterable[dt.date], neighbours: Iterable[Neighbour]) -> str | None:
    """A new series' dates against the patient's other sessions on the area."""
    others = list(neighbours)
    for new in days:
        for other in others:
            if abs((new - other.day).days) < MIN_INTERVAL_DAYS:
                return (
                    f"A session on {new:%d %b %Y} would be within {MIN_INTERVAL_DAYS} days of "
                    f"session {other.number} of {other.label} on {other.day:%d %b %Y} on the "
                    "same area."
                )
    return None


# --- Moving a session: how the rest of the series follows ------------------------------------


@dataclass(frozen=True)
class SeriesSession:
    """A session of the series being moved: cancelled ones are left out by the caller."""

    number: int
    day: dt.date  # its booking's day, or its target when unbooked
    movable: bool = True  # planned or booked; a completed session stays where it was
    booked: bool = False
    status: str = "planned"  # as the clinic says it, for the refusal


@dataclass(frozen=True)
class Shift:
    """A later session that must move to keep the plan's interval."""

    number: int
    old_date: dt.date
    new_date: dt.date
    unbooked: bool  # its booking is released and it needs booking again


def respace(
    series: Sequence[SeriesSession],
    *,
    moved: int,
    new_day: dt.date,
    interval_days: int,
    calendar: ClinicCalendar,
    window: Window | None = None,
) -> list[Shift]:
    """Move session `moved` to `new_day`; later sessions shift only as far as keeping the
    plan's interval needs, each to the next open day.

    The moved session keeps the plan's interval after its predecessor unless it stays within
    its booking `window`, the tolerance the clinic accepts around every target date (the 7-day
    floor holds everywhere: `neighbour_problem`). A later session that is not movable and
    would have to move refuses the move.
    """
    numbers = [session.number for session in series]
    if moved not in numbers:
        raise SchedulingError("There is no such session in the series.")
    if not calendar.is_open(new_day):
        raise SchedulingError(f"The clinic is closed on {new_day:%A %d %b %Y}.")
    ordered = sorted(series, key=lambda session: session.number)
    earlier = [session for session in ordered if session.number < moved]
    if earlier and (window is None or new_day not in window):
        before = earlier[-1]
        gap = (new_day - before.day).days
        needed = max(interval_days, MIN_INTERVAL_DAYS)
        if gap < needed:
            raise SchedulingError(
                f"Session {moved} would be {gap} days after session {before.number}; "
                f"the plan needs at least {needed}."
            )
    shifts: list[Shift] = []
    previous = new_day
    for later in (session for session in ordered if session.number > moved):
        earliest = calendar.next_open_day(previous + dt.timedelta(days=interval_days))
        if later.day >= earliest:
            previous = later.day
            continue
        if not later.movable:
            raise SchedulingError(
                f"Session {later.number} is {later.status} and cannot move; choose an earlier date."
            )
        shifts.append(Shift(later.number, later.day, earliest, later.booked))
        previous = earliest
    return shifts


# --- Wall-clock times ------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalStart:
    """An appointment start in the clinic's zone; `ambiguous` when the clock falls back."""

    at: dt.datetime
    ambiguous: bool


def local_start(day: dt.date, wall_time: dt.time, zone: ZoneInfo) -> LocalStart:
    """The aware datetime for `wall_time` on `day` in `zone`.

    A time that does not exist that day (the spring-forward gap) is refused, never shifted.
    A time that happens twice (fall-back) takes its first occurrence and is flagged.
    """
    naive = dt.datetime.combine(day, wall_time)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    round_trip = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise SchedulingError(
            f"{wall_time:%H:%M} does not exist on {day:%d %b %Y} in {zone.key}: the clocks "
            "go forward then. Choose another time."
        )
    return LocalStart(at=first, ambiguous=first.utcoffset() != second.utcoffset())
