"""The demo's day from the clock (clinic.demo_day): pure, no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clinic.demo_day import LANES, DemoDay, Stage, plan_demo_day
from treatments.rules.spacing import ClinicCalendar

LONDON = ZoneInfo("Europe/London")
HOURS = {d: [(dt.time(9), dt.time(18))] for d in range(5)} | {5: [(dt.time(9), dt.time(13))]}
CALENDAR = ClinicCalendar.build(range(6), [(dt.date(2027, 12, 25), dt.date(2027, 12, 26))])
PROCEDURE = dt.timedelta(minutes=60)
LEAD = dt.timedelta(minutes=30)


def day_at(moment: dt.datetime) -> DemoDay:
    return plan_demo_day(
        now=moment,
        hours=HOURS,
        calendar=CALENDAR,
        procedure=PROCEDURE,
        lead=LEAD,
        consultation=dt.timedelta(minutes=30),
        grid=dt.timedelta(minutes=15),
    )


def stages(day: DemoDay) -> list[Stage]:
    return [a.stage for a in day.appointments if not a.consultation]


def test_mid_morning_one_seen_one_waiting_and_more_to_come() -> None:
    now = dt.datetime(2027, 3, 2, 11, 10, tzinfo=LONDON)
    day = day_at(now)
    assert stages(day) == [Stage.COMPLETED, Stage.CHECKED_IN] + [Stage.TO_ARRIVE] * 3
    assert day.days() == [now.date()]
    completed, waiting, *later = day.appointments
    assert completed.starts_at + PROCEDURE <= now
    assert waiting.starts_at - LEAD <= now < waiting.starts_at
    assert all(a.starts_at - (LEAD if not a.consultation else dt.timedelta()) > now for a in later)
    assert [a.consultation for a in day.appointments].count(True) == 1


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2027, 3, 2, 11, 10, tzinfo=LONDON),
        dt.datetime(2027, 3, 2, 7, 0, tzinfo=LONDON),
        dt.datetime(2027, 3, 2, 15, 50, tzinfo=LONDON),
        dt.datetime(2027, 3, 6, 10, 0, tzinfo=LONDON),  # a Saturday, open until 13:00
    ],
)
def test_no_lane_is_double_booked_and_every_booking_is_in_opening_hours(
    moment: dt.datetime,
) -> None:
    day = day_at(moment)
    for lane in range(LANES):
        times = sorted(
            (a.starts_at, a.starts_at + (dt.timedelta(minutes=30) if a.consultation else PROCEDURE))
            for a in day.appointments
            if a.lane == lane
        )
        for (_, end), (start, _) in zip(times, times[1:], strict=False):
            assert end <= start
    for a in day.appointments:
        (opens, closes) = HOURS[a.starts_at.weekday()][0]
        arrival = a.starts_at - (dt.timedelta() if a.consultation else LEAD)
        assert arrival.time() >= opens
        assert (a.starts_at + PROCEDURE).time() <= closes


def test_before_opening_everyone_is_still_to_arrive() -> None:
    day = day_at(dt.datetime(2027, 3, 2, 7, 0, tzinfo=LONDON))
    assert set(stages(day)) == {Stage.TO_ARRIVE}
    assert day.appointments[0].starts_at.time() == dt.time(9, 30)
    assert day.note == "Today's list has the demo's arrivals."


def test_on_a_closed_day_the_arrivals_are_on_the_next_open_day() -> None:
    day = day_at(dt.datetime(2027, 12, 25, 10, tzinfo=LONDON))  # closure, then a Sunday
    assert day.days() == [dt.date(2027, 12, 27)]
    assert set(stages(day)) == {Stage.TO_ARRIVE}
    assert day.note.startswith("The clinic is closed today")
    assert "Monday 27 December 2027" in day.note


def test_late_in_the_day_what_happened_stays_today_and_arrivals_move_on() -> None:
    now = dt.datetime(2027, 3, 2, 17, 30, tzinfo=LONDON)
    day = day_at(now)
    today = [a for a in day.appointments if a.starts_at.date() == now.date()]
    assert [a.stage for a in today] == [Stage.COMPLETED]
    assert {a.starts_at.date() for a in day.appointments if a.stage is Stage.TO_ARRIVE} == {
        dt.date(2027, 3, 3)
    }
    assert day.note.startswith("Today is nearly over")
