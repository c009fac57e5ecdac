"""Calendars as time grids, without a database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from treatments.rules.calendar_grid import Block, Column, Grid, build_grid

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.date(2027, 3, 1)
#: Mon–Fri 09:00–18:00, Saturday 09:00–13:00, closed on Sundays.
HOURS = {d: [(dt.time(9), dt.time(13 if d == 5 else 18))] for d in range(6)}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def week(**kwargs: object) -> Grid:
    days = [MONDAY + dt.timedelta(days=n) for n in range(7)]
    arguments = {
        "columns": [Column((d, 1), f"{d:%a}") for d in days],
        "hours": HOURS,
        "closures": [],
        "absences": {},
        "blocks": [],
        "zone": LONDON,
        "grid_minutes": 15,
    } | kwargs
    return build_grid(**arguments)  # type: ignore[arg-type]


def test_rows_are_the_booking_grid_within_opening_hours() -> None:
    grid = week()
    assert grid.times[0] == dt.time(9) and grid.times[-1] == dt.time(17, 45)
    assert len(grid.times) == 36
    saturday = [row[5] for row in grid.rows]
    assert [c.state for c in saturday[:16] if c is not None] == ["free"] * 16  # 09:00 to 12:45
    assert saturday[16] is not None and saturday[16].state == "shut"
    assert saturday[16].rowspan == 20 and saturday[17:] == [None] * 19


def test_a_closed_day_and_a_closure_are_one_cell_each_saying_so() -> None:
    grid = week(closures=[(dt.date(2027, 3, 3), dt.date(2027, 3, 3), "Training day")])
    wednesday, sunday = grid.rows[0][2], grid.rows[0][6]
    assert wednesday is not None and sunday is not None
    assert (wednesday.state, wednesday.note, wednesday.rowspan) == (
        "closed",
        "Clinic closed: Training day",
        36,
    )
    assert (sunday.state, sunday.note) == ("closed", "Closed on Sundays")
    assert all(row[2] is None and row[6] is None for row in grid.rows[1:])


def test_an_absence_is_shown_as_such_not_free() -> None:
    grid = week(absences={1: [(at(MONDAY, 14), at(MONDAY, 16), "Training")]})
    monday = [row[0] for row in grid.rows]
    away = monday[20]  # 14:00
    assert away is not None and (away.state, away.note, away.rowspan) == (
        "absent",
        "Away: Training",
        8,
    )
    assert monday[28] is not None and monday[28].state == "free"  # 16:00
    other = week(absences={2: [(at(MONDAY, 14), at(MONDAY, 16), "Training")]})
    assert other.rows[20][0] is not None and other.rows[20][0].state == "free"


def test_a_booking_is_a_block_from_arrival_to_end() -> None:
    block = Block(
        column=(MONDAY, 1),
        shown_from=at(MONDAY, 9, 30),
        starts_at=at(MONDAY, 10),
        ends_at=at(MONDAY, 10, 45),
        label="Rosa Marlowe",
        link="/sessions/x/",
    )
    # The next patient's cream goes on while Rosa's procedure ends: shown from 10:45.
    after = Block(
        column=(MONDAY, 1),
        shown_from=at(MONDAY, 10, 15),
        starts_at=at(MONDAY, 10, 45),
        ends_at=at(MONDAY, 11, 30),
        label="Ada Lovett",
    )
    grid = week(blocks=[after, block])
    monday = [row[0] for row in grid.rows]
    first = monday[2]
    assert first is not None and first.block == block and first.rowspan == 5
    assert monday[3:7] == [None] * 4
    second = monday[7]
    assert second is not None and second.block == after and second.rowspan == 3
    assert monday[10] is not None and monday[10].state == "free"


def test_a_block_outside_todays_hours_widens_the_grid() -> None:
    late = Block(
        column=(MONDAY, 1),
        shown_from=at(MONDAY, 18),
        starts_at=at(MONDAY, 18, 30),
        ends_at=at(MONDAY, 19, 15),
        label="Kept from before the hours changed",
    )
    grid = week(blocks=[late])
    assert grid.times[-1] == dt.time(19)
    assert grid.rows[36][0] is not None and grid.rows[36][0].block == late


def test_a_consultation_and_a_session_hold_their_own_cells_and_leave_the_rest_free() -> None:
    """A consultation holds from its start (no cream), a session from its arrival; the cells
    between and after stay free, and each block says what it is."""
    consultation = Block(
        column=(MONDAY, 1),
        shown_from=at(MONDAY, 9),
        starts_at=at(MONDAY, 9),
        ends_at=at(MONDAY, 9, 30),
        label="Ines Okafor",
        kind="Consultation",
    )
    session = Block(
        column=(MONDAY, 1),
        shown_from=at(MONDAY, 10),  # arrives at 10:00 for 10:30
        starts_at=at(MONDAY, 10, 30),
        ends_at=at(MONDAY, 11, 15),
        label="Rosa Marlowe",
        kind="Session",
    )
    grid = week(blocks=[session, consultation])
    monday = [row[0] for row in grid.rows][:12]  # 09:00 to 11:45
    states = [(c.state, c.rowspan) if c is not None else None for c in monday]
    assert states == [
        ("block", 2),  # 09:00–09:30, the consultation
        None,
        ("free", 1),  # 09:30
        ("free", 1),  # 09:45
        ("block", 5),  # 10:00–11:15, the session from its arrival
        None,
        None,
        None,
        None,
        ("free", 1),  # 11:15
        ("free", 1),
        ("free", 1),
    ]
    first, second = monday[0], monday[4]
    assert first is not None and first.block is not None and first.block.kind == "Consultation"
    assert second is not None and second.block is not None and second.block.kind == "Session"
