"""A calendar as a time grid: plain functions, no ORM.

Columns are (day, resource) pairs — one practitioner's or room's week, or every practitioner's
or room's day — and rows the booking grid within opening hours. Each cell is one of: a block (a
booking, or any other appointment: it has a start, an end, a label and a link), free, outside
opening hours, the whole day closed (a closed weekday or a closure) or the practitioner away.
Runs of the same non-free cell are merged into one cell spanning the rows, as a table's
`rowspan`, so the template only walks rows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from treatments.rules.slots import Hours, overlaps

#: A column's key: the day and the practitioner's or room's id.
ColumnKey = tuple[dt.date, int]


@dataclass(frozen=True)
class Block:
    """Something that holds a column from `shown_from` (a session's patient arrives before the
    procedure) to `ends_at`: a session or a consultation. `kind` is its label in words ("Session",
    "Consultation"), so the kinds differ by more than colour."""

    column: ColumnKey
    shown_from: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime
    label: str
    detail: str = ""
    link: str = ""
    css: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Column:
    key: ColumnKey
    label: str


@dataclass
class Cell:
    state: str  # "block", "free", "shut" (outside hours), "closed" (whole day) or "absent"
    starts_at: dt.datetime
    rowspan: int = 1
    note: str = ""
    block: Block | None = None
    link: str = ""


@dataclass
class Grid:
    columns: list[Column]
    times: list[dt.time]
    #: rows[i][j] is the cell starting at times[i] in columns[j], or None where a cell above
    #: spans into it.
    rows: list[list[Cell | None]] = field(default_factory=list)

    @property
    def lines(self) -> list[tuple[dt.time, list[Cell | None]]]:
        return list(zip(self.times, self.rows, strict=True))


def _minute(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


def grid_times(
    hours: Hours, blocks: Sequence[Block], zone: ZoneInfo, grid_minutes: int
) -> list[dt.time]:
    """The rows: from the earliest opening to the latest closing of the week (so a week's days
    line up), widened to show any block outside them (hours change; bookings stay)."""
    spans = [(_minute(o), _minute(c)) for periods in hours.values() for o, c in periods]
    for block in blocks:
        start = block.shown_from.astimezone(zone)
        end = block.ends_at.astimezone(zone)
        spans.append(
            (_minute(start.time()), _minute(end.time()) if end.date() == start.date() else 24 * 60)
        )
    if not spans:
        spans = [(9 * 60, 17 * 60)]
    first = min(s for s, _ in spans) // grid_minutes * grid_minutes
    last = math.ceil(max(e for _, e in spans) / grid_minutes) * grid_minutes
    return [
        dt.time(minute // 60, minute % 60)
        for minute in range(first, min(last, 24 * 60), grid_minutes)
    ]


def build_grid(
    *,
    columns: Sequence[Column],
    hours: Hours,
    closures: Sequence[tuple[dt.date, dt.date, str]],
    absences: Mapping[int, Sequence[tuple[dt.datetime, dt.datetime, str]]],
    blocks: Sequence[Block],
    zone: ZoneInfo,
    grid_minutes: int,
) -> Grid:
    """The grid for `columns`. `absences` are keyed by a column's resource (rooms have none)."""
    times = grid_times(hours, blocks, zone, grid_minutes)
    step = dt.timedelta(minutes=grid_minutes)
    first_minute = _minute(times[0]) if times else 0
    table: list[list[Cell | None]] = [[None] * len(columns) for _ in times]
    by_column: dict[ColumnKey, list[Block]] = {}
    for block in blocks:
        by_column.setdefault(block.column, []).append(block)
    for j, column in enumerate(columns):
        day, resource = column.key
        starts = [dt.datetime.combine(day, t, tzinfo=zone) for t in times]
        closure = next((reason for s, e, reason in closures if s <= day <= e), None)
        periods = hours.get(day.weekday(), ())
        if closure is not None or not periods:
            note = f"Clinic closed: {closure}" if closure is not None else f"Closed on {day:%A}s"
            if times:
                table[0][j] = Cell("closed", starts[0], rowspan=len(times), note=note)
            continue
        cells: list[Cell] = []
        for start in starts:
            end = start + step
            wall = start.time()
            away = next(
                (
                    reason
                    for a, b, reason in absences.get(resource, ())
                    if overlaps(start, end, a, b)
                ),
                None,
            )
            if not any(
                o <= wall and _minute(wall) + grid_minutes <= _minute(c) for o, c in periods
            ):
                cells.append(Cell("shut", start, note="Outside opening hours"))
            elif away is not None:
                cells.append(Cell("absent", start, note=f"Away: {away}"))
            else:
                cells.append(Cell("free", start))
        # Blocks over the cells, in time order; a block whose arrival overlaps the one before
        # (the cream goes on while the previous procedure ends) is shown from where that ends.
        taken_until = 0
        for block in sorted(by_column.get(column.key, []), key=lambda b: b.shown_from):
            top = _row(block.shown_from, zone, first_minute, grid_minutes, math.floor)
            bottom = _row(block.ends_at, zone, first_minute, grid_minutes, math.ceil)
            top, bottom = max(top, taken_until, 0), min(bottom, len(cells))
            if top >= bottom:
                continue
            cells[top] = Cell("block", starts[top], rowspan=bottom - top, block=block)
            for n in range(top + 1, bottom):
                cells[n] = Cell("covered", starts[n])
            taken_until = bottom
        _merge_into(table, j, cells)
    return Grid(columns=list(columns), times=times, rows=table)


def _row(
    moment: dt.datetime,
    zone: ZoneInfo,
    first_minute: int,
    grid_minutes: int,
    rounding: Callable[[float], int],
) -> int:
    local = moment.astimezone(zone)
    return rounding((_minute(local.time()) - first_minute) / grid_minutes)


def _merge_into(table: list[list[Cell | None]], j: int, cells: list[Cell]) -> None:
    """Put a column's cells in the table, one cell per run of shut or absent rows."""
    i = 0
    while i < len(cells):
        cell = cells[i]
        if cell.state == "covered":
            i += 1
            continue
        if cell.state in ("shut", "absent"):
            run = i + 1
            while (
                run < len(cells) and cells[run].state == cell.state and cells[run].note == cell.note
            ):
                run += 1
            cell.rowspan = run - i
            table[i][j] = cell
            i = run
            continue
        table[i][j] = cell
        i += cell.rowspan if cell.state == "block" else 1
