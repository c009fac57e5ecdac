"""The schedule generator and the re-spacing of a moved series: plain functions, tested without
a database. `respace` is the one definition of how a move shifts later sessions: the booking
page and the API both run it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treatments.rules.limits import BOOKING_NOTICE_DAYS as NOTICE
from treatments.rules.limits import MIN_INTERVAL_DAYS
from treatments.rules.spacing import (
    ClinicCalendar,
    SchedulingError,
    SeriesSession,
    Window,
    booking_due,
    latest_target_due,
    local_start,
    respace,
    series_dates,
)

MON_TO_SAT = ClinicCalendar.build(range(6))


def respaced_dates(
    dates: list[dt.date],
    moved_index: int,
    new_date: dt.date,
    interval_days: int,
    calendar: ClinicCalendar,
    window: Window | None = None,
) -> list[dt.date]:
    """The series' dates after `respace` moves one session and applies its shifts."""
    series = [SeriesSession(number=n, day=day) for n, day in enumerate(dates, start=1)]
    shifts = respace(
        series,
        moved=moved_index + 1,
        new_day=new_date,
        interval_days=interval_days,
        calendar=calendar,
        window=window,
    )
    moved = {shift.number: shift.new_date for shift in shifts}
    result = list(dates)
    result[moved_index] = new_date
    return [moved.get(n, day) for n, day in enumerate(result, start=1)]


LONDON = ZoneInfo("Europe/London")


def test_four_sessions_30_days_apart_from_an_open_monday() -> None:
    monday = dt.date(2027, 3, 1)
    dates = series_dates(monday, 4, 30, ClinicCalendar.build(range(7)))
    assert [(d - monday).days for d in dates] == [0, 30, 60, 90]


def test_a_closed_day_moves_the_session_to_the_next_open_day() -> None:
    monday = dt.date(2027, 3, 1)  # +30 days is Wednesday 31 March
    calendar = ClinicCalendar.build(range(5), [(dt.date(2027, 3, 31), dt.date(2027, 4, 1))])
    dates = series_dates(monday, 3, 30, calendar)
    assert dates[1] == dt.date(2027, 4, 2)  # Friday after the closure
    assert dates[2] == dt.date(2027, 5, 3)  # 31 days after is Sunday 2 May -> Monday 3 May


def test_a_closed_start_day_moves_to_the_next_open_day() -> None:
    sunday = dt.date(2027, 3, 7)
    assert series_dates(sunday, 1, 30, MON_TO_SAT) == [dt.date(2027, 3, 8)]


@pytest.mark.parametrize("interval", [0, 6, -3])
def test_it_refuses_an_interval_under_seven_days(interval: int) -> None:
    with pytest.raises(SchedulingError, match="at least 7 days apart"):
        series_dates(dt.date(2027, 3, 1), 4, interval, MON_TO_SAT)


def test_it_refuses_a_series_of_no_sessions() -> None:
    with pytest.raises(SchedulingError, match="at least one session"):
        series_dates(dt.date(2027, 3, 1), 0, 30, MON_TO_SAT)


def test_it_refuses_a_clinic_that_never_opens() -> None:
    with pytest.raises(SchedulingError, match="no open day"):
        series_dates(dt.date(2027, 3, 1), 2, 30, ClinicCalendar.build([]))


calendars = st.builds(
    lambda weekdays, closures: ClinicCalendar.build(weekdays, closures),
    st.frozensets(st.integers(0, 6), min_size=1),
    st.lists(
        st.tuples(st.dates(dt.date(2027, 1, 1), dt.date(2029, 12, 31)), st.integers(0, 20)).map(
            lambda pair: (pair[0], pair[0] + dt.timedelta(days=pair[1]))
        ),
        max_size=6,
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(dt.date(2027, 1, 1), dt.date(2028, 12, 31)),
    sessions=st.integers(1, 24),
    interval=st.integers(MIN_INTERVAL_DAYS, 90),
    calendar=calendars,
)
def test_series_properties(
    start: dt.date, sessions: int, interval: int, calendar: ClinicCalendar
) -> None:
    dates = series_dates(start, sessions, interval, calendar)
    assert len(dates) == sessions
    assert dates[0] >= start
    assert all(calendar.is_open(day) for day in dates)
    # The first session is the first open day on or after the start.
    assert all(
        not calendar.is_open(start + dt.timedelta(days=n)) for n in range((dates[0] - start).days)
    )
    for before, after in zip(dates, dates[1:], strict=False):
        gap = (after - before).days
        assert gap >= interval >= MIN_INTERVAL_DAYS
        # No gap longer than needed: every day skipped beyond the interval was closed.
        for extra in range(interval, gap):
            assert not calendar.is_open(before + dt.timedelta(days=extra))


@settings(max_examples=200, deadline=None)
@given(
    sessions=st.integers(2, 8),
    interval=st.integers(MIN_INTERVAL_DAYS, 45),
    moved=st.integers(0, 7),
    delay=st.integers(0, 40),
)
def test_moving_a_session_keeps_every_later_gap(
    sessions: int, interval: int, moved: int, delay: int
) -> None:
    calendar = MON_TO_SAT
    dates = series_dates(dt.date(2027, 3, 1), sessions, interval, calendar)
    moved %= sessions
    new_date = calendar.next_open_day(dates[moved] + dt.timedelta(days=delay))
    result = respaced_dates(dates, moved, new_date, interval, calendar)
    assert result[:moved] == dates[:moved]
    assert result[moved] == new_date
    assert all(calendar.is_open(day) for day in result)
    for before, after in zip(result, result[1:], strict=False):
        assert (after - before).days >= interval
    assert all(new >= old for new, old in zip(result, dates, strict=True))


def test_moving_a_session_too_close_to_its_predecessor_is_refused() -> None:
    dates = series_dates(dt.date(2027, 3, 1), 3, 30, MON_TO_SAT)
    with pytest.raises(SchedulingError, match="needs at least 30"):
        respaced_dates(dates, 1, dates[0] + dt.timedelta(days=10), 30, MON_TO_SAT)


def test_wall_clock_time_stays_put_across_daylight_saving() -> None:
    # 10:00 in London on either side of the clocks going forward (28 March 2027).
    dates = series_dates(dt.date(2027, 3, 15), 3, 14, MON_TO_SAT)
    starts = [local_start(day, dt.time(10), LONDON) for day in dates]
    assert [s.at.astimezone(LONDON).time() for s in starts] == [dt.time(10)] * 3
    assert [s.at.utcoffset() for s in starts] == [
        dt.timedelta(0),
        dt.timedelta(hours=1),
        dt.timedelta(hours=1),
    ]


def test_a_time_in_the_spring_forward_gap_is_refused() -> None:
    with pytest.raises(SchedulingError, match="does not exist on 28 Mar 2027"):
        local_start(dt.date(2027, 3, 28), dt.time(1, 30), LONDON)


def test_a_time_that_happens_twice_is_flagged() -> None:
    start = local_start(dt.date(2027, 10, 31), dt.time(1, 30), LONDON)
    assert start.ambiguous
    assert start.at.utcoffset() == dt.timedelta(hours=1)  # the first 01:30
    assert not local_start(dt.date(2027, 10, 31), dt.time(10), LONDON).ambiguous


def test_a_move_within_the_booking_window_may_come_closer_than_the_interval() -> None:
    # The window around a target date is the tolerance the clinic accepts at booking: a move
    # inside it keeps the 7-day floor (checked against neighbours), not the full interval.
    dates = series_dates(dt.date(2027, 3, 1), 3, 30, MON_TO_SAT)
    window = Window(dates[1], 3, 7)
    earlier = dates[1] - dt.timedelta(days=2)
    assert respaced_dates(dates, 1, earlier, 30, MON_TO_SAT, window)[1] == earlier
    with pytest.raises(SchedulingError, match="needs at least 30"):
        respaced_dates(dates, 1, dates[0] + dt.timedelta(days=10), 30, MON_TO_SAT, window)


def test_a_session_that_went_ahead_refuses_to_move() -> None:
    series = [
        SeriesSession(1, dt.date(2027, 3, 1)),
        SeriesSession(2, dt.date(2027, 3, 31), movable=False, status="completed"),
    ]
    with pytest.raises(SchedulingError, match="Session 2 is completed and cannot move"):
        respace(
            series,
            moved=1,
            new_day=dt.date(2027, 3, 15),
            interval_days=30,
            calendar=MON_TO_SAT,
        )


def test_booked_later_sessions_that_shift_lose_their_booking() -> None:
    series = [
        SeriesSession(1, dt.date(2027, 3, 1), booked=True),
        SeriesSession(2, dt.date(2027, 3, 31), booked=True),
        SeriesSession(3, dt.date(2027, 5, 31)),
    ]
    shifts = respace(
        series, moved=1, new_day=dt.date(2027, 3, 15), interval_days=30, calendar=MON_TO_SAT
    )
    assert [(s.number, s.new_date, s.unbooked) for s in shifts] == [(2, dt.date(2027, 4, 14), True)]


# --- When a planned session is due for booking -----------------------------------------------


@pytest.mark.parametrize(
    ("opens_in", "due"),
    [(-30, True), (0, True), (1, True), (NOTICE, True), (NOTICE + 1, False)],
    ids=["long-open", "opens-today", "opens-tomorrow", "opens-at-the-notice", "later"],
)
def test_a_planned_session_is_due_once_its_window_opens_within_the_notice(
    opens_in: int, due: bool
) -> None:
    today = dt.date(2027, 3, 1)
    target = today + dt.timedelta(days=opens_in + 3)
    window = Window(target, 3, 7)
    assert (window.first - today).days == opens_in
    assert booking_due(window, today, notice_days=NOTICE) is due
    latest = latest_target_due(today, before_days=3, notice_days=NOTICE)
    assert (target <= latest) is due  # the bound a query filters on says the same


def test_a_closed_day_says_why() -> None:
    calendar = ClinicCalendar.build(range(6), [(dt.date(2027, 12, 25), dt.date(2027, 12, 26))])
    assert calendar.closed_message(dt.date(2027, 3, 7)) == "The clinic is closed on Sundays."
    assert calendar.closed_message(dt.date(2027, 12, 25)) == (
        "The clinic is closed on Saturday 25 December (closed 25 Dec–26 Dec)."
    )
    assert calendar.closed_message(dt.date(2027, 3, 8)) is None
