"""Series dates and wall-clock times: plain functions, no ORM.

A series keeps its spacing: each session's target is `interval` days after the previous target,
moved forward to the next day the clinic is open. Gaps are never shorter than the interval nor
than the 7-day floor (DOMAIN.md I1), and never longer than reaching an open day needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

#: The hard floor between sessions on the same area, whatever the protocol says.
MIN_INTERVAL_DAYS = 7
#: How far to look for an open day before giving up (a clinic closed for a year is a data error).
SEARCH_LIMIT_DAYS = 366


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


def series_dates(
    start: dt.date, sessions: int, interval_days: int, calendar: ClinicCalendar
) -> list[dt.date]:
    """Target dates of a series whose first session is on or after `start`."""
    if sessions < 1:
        raise SchedulingError("A series has at least one session.")
    if interval_days < MIN_INTERVAL_DAYS:
        raise SchedulingError(
            f"Sessions on the same area must be at least {MIN_INTERVAL_DAYS} days apart; "
            f"{interval_days} days were asked for."
        )
    dates = [calendar.next_open_day(start)]
    while len(dates) < sessions:
        dates.append(calendar.next_open_day(dates[-1] + dt.timedelta(days=interval_days)))
    return dates


def respaced_dates(
    dates: list[dt.date],
    moved_index: int,
    new_date: dt.date,
    interval_days: int,
    calendar: ClinicCalendar,
) -> list[dt.date]:
    """Move one session and shift later ones only as far as keeping the spacing needs.

    Earlier sessions stay; the moved session must keep the floor from its predecessor.
    """
    if not 0 <= moved_index < len(dates):
        raise SchedulingError("There is no such session in the series.")
    if not calendar.is_open(new_date):
        raise SchedulingError(f"The clinic is closed on {new_date:%A %d %b %Y}.")
    if moved_index > 0:
        gap = (new_date - dates[moved_index - 1]).days
        if gap < max(interval_days, MIN_INTERVAL_DAYS):
            raise SchedulingError(
                f"Session {moved_index + 1} would be {gap} days after session {moved_index}; "
                f"the plan needs at least {max(interval_days, MIN_INTERVAL_DAYS)}."
            )
    result = [*dates[:moved_index], new_date]
    for original in dates[moved_index + 1 :]:
        earliest = calendar.next_open_day(result[-1] + dt.timedelta(days=interval_days))
        result.append(max(original, earliest) if calendar.is_open(original) else earliest)
    return result


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


def series_starts(dates: Iterable[dt.date], wall_time: dt.time, zone: ZoneInfo) -> list[LocalStart]:
    """The same wall-clock time on every date, whatever daylight saving does in between."""
    return [local_start(day, wall_time, zone) for day in dates]
