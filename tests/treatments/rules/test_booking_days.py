"""The booking page's day picker and offered times, without a database."""

from __future__ import annotations

import datetime as dt

from treatments.rules.slots import FreeSlot, booking_days, first_choice, offered_times
from treatments.rules.spacing import ClinicCalendar

MONDAY = dt.date(2027, 3, 1)
WEEK = [MONDAY + dt.timedelta(days=n) for n in range(7)]
#: Open Monday to Saturday, closed for training on Wednesday 3 March.
CALENDAR = ClinicCalendar.build(range(6), [(dt.date(2027, 3, 3), dt.date(2027, 3, 3))])


def test_it_says_why_each_day_cannot_be_booked() -> None:
    days = booking_days(
        days=WEEK,
        calendar=CALENDAR,
        free_times={WEEK[1]: 12, WEEK[3]: 1, WEEK[5]: 4},
        refused={WEEK[5]: "Session 2 would be 5 days from session 1."},
        today=WEEK[1],
    )
    assert [(d.day.day, d.state) for d in days] == [
        (1, "past"),
        (2, "open"),
        (3, "closed"),
        (4, "open"),
        (5, "full"),
        (6, "refused"),
        (7, "closed"),
    ]
    assert days[1].note == "12 free times" and days[3].note == "1 free time"
    assert days[2].note == "Clinic closed" and days[6].note == "Closed on Sundays"
    assert days[5].note.startswith("Session 2 would be") and not days[5].bookable
    assert [d.bookable for d in days].count(True) == 2


def test_it_opens_on_the_day_asked_else_the_bookable_day_nearest_the_target() -> None:
    days = booking_days(
        days=WEEK, calendar=CALENDAR, free_times={WEEK[1]: 3, WEEK[3]: 3}, refused={}, today=MONDAY
    )
    assert first_choice(days, WEEK[2], WEEK[2]) == WEEK[2]  # asked: shown, closed as it is
    # Tuesday and Thursday are both a day from Wednesday's target: the earlier wins.
    assert first_choice(days, dt.date.min, WEEK[2]) == WEEK[1]
    assert first_choice(days, dt.date(2027, 4, 1), WEEK[4]) == WEEK[3]
    nothing = booking_days(days=WEEK, calendar=CALENDAR, free_times={}, refused={}, today=MONDAY)
    assert first_choice(nothing, dt.date.min, WEEK[4]) == WEEK[4]


def _slot(hour: int, people: tuple[int, ...], rooms: tuple[int, ...]) -> FreeSlot:
    start = dt.datetime(2027, 3, 1, hour, tzinfo=dt.UTC)
    return FreeSlot(
        start, start + dt.timedelta(minutes=45), start - dt.timedelta(minutes=30), people, rooms
    )


def test_each_time_is_offered_once_with_the_preferred_practitioner_and_room_first() -> None:
    times = offered_times(
        [_slot(11, (1, 2), (5, 6, 7)), _slot(10, (1, 2, 3), (5, 6))],
        preferred_practitioner=3,
        preferred_room=6,
    )
    assert [t.starts_at.hour for t in times] == [10, 11]
    assert times[0].practitioner_ids == (3, 1, 2) and times[0].preferred_free
    assert times[1].practitioner_ids == (1, 2) and not times[1].preferred_free
    assert times[0].room_ids == (6, 5) and times[1].room_ids == (6, 5, 7)
    plain = offered_times(
        [_slot(10, (2, 1), (5,))], preferred_practitioner=None, preferred_room=None
    )
    assert plain[0].practitioner_ids == (2, 1) and not plain[0].preferred_free
