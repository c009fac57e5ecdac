"""Placing a whole series: the same time, practitioner and room where free; the nearest
alternatives where not; the spacing rules between consecutive sessions throughout."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from treatments.rules.series import (
    Candidate,
    Unbooked,
    alternatives,
    later_than,
    place_series,
    replan,
    wanted_day,
)
from treatments.rules.slots import FreeSlot
from treatments.rules.spacing import (
    ClinicCalendar,
    Neighbour,
    SchedulingError,
    SeriesSession,
    Window,
)

ZONE = ZoneInfo("Europe/London")
WEEKDAYS = ClinicCalendar.build(range(5))  # Mon-Fri
PLAN = 1
DERM, OTHER = 10, 11
ROOM1, ROOM2 = 20, 21
NAMES = {"p": {DERM: "Dr Carter", OTHER: "Dr Evans"}, "r": {ROOM1: "Room 1", ROOM2: "Room 2"}}
TEN = dt.time(10)
# Mondays, four weeks apart: 1 Mar, 29 Mar, 26 Apr 2027.
TARGETS = [dt.date(2027, 3, 1), dt.date(2027, 3, 29), dt.date(2027, 4, 26)]


def window(target: dt.date) -> Window:
    return Window(target, 3, 7)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


def free_day(
    day: dt.date,
    hours: range = range(9, 17),
    people: tuple[int, ...] = (DERM, OTHER),
    rooms: tuple[int, ...] = (ROOM1, ROOM2),
) -> list[FreeSlot]:
    return [
        FreeSlot(
            at(day, h),
            at(day, h) + dt.timedelta(minutes=45),
            at(day, h) - dt.timedelta(minutes=30),
            people,
            rooms,
        )
        for h in hours
    ]


def everything_free(calendar: ClinicCalendar = WEEKDAYS) -> dict[dt.date, list[FreeSlot]]:
    days = {d for t in TARGETS for d in window(t).days() if calendar.is_open(d)}
    return {d: free_day(d) for d in days}


def place(free: dict, **overrides: object) -> list:
    arguments: dict = {
        "plan": PLAN,
        "sessions": [Unbooked(n, window(t)) for n, t in enumerate(TARGETS, start=1)],
        "first_day": TARGETS[0],
        "wall_time": TEN,
        "practitioner": DERM,
        "room": ROOM1,
        "free": free,
        "fixed": [],
        "calendar": WEEKDAYS,
        "zone": ZONE,
        "names": NAMES,
    }
    arguments.update(overrides)
    return place_series(**arguments)


def test_it_places_every_session_at_the_same_time_with_the_same_people_and_room() -> None:
    found = place(everything_free())
    assert [p.slot for p in found] == [
        Candidate(at(t, 10), at(t, 10) + dt.timedelta(minutes=45), DERM, ROOM1) for t in TARGETS
    ]
    assert all(p.placed and not p.alternatives and not p.problem for p in found)


def test_moving_the_first_session_moves_the_later_ones_by_as_many_days() -> None:
    found = place(everything_free(), first_day=dt.date(2027, 3, 2))  # a Tuesday
    assert [p.slot.day(ZONE) for p in found if p.slot] == [
        dt.date(2027, 3, 2),
        dt.date(2027, 3, 30),
        dt.date(2027, 4, 27),
    ]


def test_a_moved_day_outside_the_window_or_closed_falls_back_to_the_target() -> None:
    assert wanted_day(window(TARGETS[1]), 8, WEEKDAYS) == TARGETS[1]  # past the window
    assert wanted_day(window(TARGETS[1]), 5, WEEKDAYS) == TARGETS[1]  # a Saturday
    assert wanted_day(window(TARGETS[1]), -3, WEEKDAYS) == dt.date(2027, 3, 26)  # a Friday
    assert wanted_day(window(TARGETS[1]), -4, WEEKDAYS) == TARGETS[1]  # before the window


def test_a_busy_room_leaves_that_session_unplaced_with_alternatives_and_the_rest_placed() -> None:
    free = everything_free()
    free[TARGETS[1]] = free_day(TARGETS[1], rooms=(ROOM2,))  # Room 1 taken all that Monday
    found = place(free)
    assert found[0].placed and found[2].placed
    second = found[1]
    assert not second.placed
    assert second.problem == "Room 1 is not free at 10:00 on Mon 29 Mar."
    # The same time in the other room comes first (no other time that day keeps Room 1), then
    # the neighbouring days with Room 1, nearest first, earlier first on a tie.
    first = second.alternatives[0]
    assert (first.starts_at, first.practitioner_id, first.room_id) == (
        at(TARGETS[1], 10),
        DERM,
        ROOM2,
    )
    days = [c.day(ZONE) for c in second.alternatives[1:]]
    assert days[:3] == [dt.date(2027, 3, 30), dt.date(2027, 3, 31), dt.date(2027, 4, 1)]
    assert all(c.room_id == ROOM1 and c.starts_at.hour == 10 for c in second.alternatives[1:])


def test_other_times_that_day_come_first_when_the_practitioner_is_busy_at_that_time() -> None:
    free = everything_free()
    day = TARGETS[1]
    free[day] = [
        s
        if s.starts_at.hour != 10
        else FreeSlot(s.starts_at, s.ends_at, s.arrival_at, (OTHER,), s.room_ids)
        for s in free[day]
    ]
    second = place(free)[1]
    assert second.problem == "Dr Carter is not free at 10:00 on Mon 29 Mar."
    assert [c.starts_at for c in second.alternatives[:2]] == [at(day, 9), at(day, 11)]
    assert (second.alternatives[2].starts_at, second.alternatives[2].practitioner_id) == (
        at(day, 10),
        OTHER,
    )


def test_a_choice_among_the_alternatives_places_the_session() -> None:
    free = everything_free()
    free[TARGETS[1]] = free_day(TARGETS[1], rooms=(ROOM2,))
    pick = place(free)[1].alternatives[0]
    found = place(free, choices={2: pick})
    assert found[1].slot == pick and found[1].chosen
    assert all(p.placed for p in found)


def test_a_stale_choice_is_refused_and_the_alternatives_offered_again() -> None:
    free = everything_free()
    stale = Candidate(at(TARGETS[1], 10), at(TARGETS[1], 10, 45), DERM, ROOM2)
    free[TARGETS[1]] = free_day(TARGETS[1], hours=range(11, 17))  # 10:00 went meanwhile
    second = place(free, choices={2: stale})[1]
    assert not second.placed
    assert second.problem.startswith("The time chosen is no longer free")
    assert second.alternatives


def test_a_closed_target_day_offers_the_open_days_of_its_window() -> None:
    closed = ClinicCalendar.build(range(5), [(TARGETS[1], TARGETS[1])])
    free = everything_free(closed)
    second = place(free, calendar=closed)[1]
    assert second.problem == "The clinic is closed on Monday 29 Mar 2027."
    assert TARGETS[1] not in {c.day(ZONE) for c in second.alternatives}
    assert second.alternatives[0].day(ZONE) == dt.date(2027, 3, 30)  # nearest: the next day


def test_the_7_day_floor_holds_between_consecutive_sessions_at_the_window_edges() -> None:
    # Session 1 is wanted on the last day of its window (Mon 8 Mar); session 2's window opens
    # Fri 12 Mar, four days later: days before 15 Mar are within 7 days of session 1.
    targets = [dt.date(2027, 3, 1), dt.date(2027, 3, 15)]
    sessions = [Unbooked(n, window(t)) for n, t in enumerate(targets, start=1)]
    free = {d: free_day(d) for t in targets for d in window(t).days() if WEEKDAYS.is_open(d)}
    del free[dt.date(2027, 3, 22)]  # session 2's wanted day (its target moved 7 days) is full
    found = place(free, sessions=sessions, first_day=dt.date(2027, 3, 8))
    assert found[0].slot and found[0].slot.day(ZONE) == dt.date(2027, 3, 8)
    second = found[1]
    assert not second.placed and second.wanted_day == dt.date(2027, 3, 22)
    offered = {c.day(ZONE) for c in second.alternatives}
    assert offered and min(offered) >= dt.date(2027, 3, 15)
    assert dt.date(2027, 3, 12) not in offered  # 4 days after session 1


def test_a_session_too_close_to_a_fixed_one_says_so() -> None:
    # Another plan's session on the area on Thu 1 Apr: session 2's target (29 Mar) is 3 days off.
    fixed = [Neighbour(plan=2, number=1, day=dt.date(2027, 4, 1), label="IND-03")]
    second = place(everything_free(), fixed=fixed)[1]
    assert not second.placed
    assert "3 days from session 1 of IND-03" in second.problem
    assert all(abs((c.day(ZONE) - dt.date(2027, 4, 1)).days) >= 7 for c in second.alternatives)


def test_a_booked_later_session_keeps_the_order() -> None:
    # Session 3 is booked on Fri 2 Apr; session 2 cannot go after it nor within 7 days of it.
    fixed = [Neighbour(plan=PLAN, number=3, day=dt.date(2027, 4, 2))]
    sessions = [Unbooked(n, window(t)) for n, t in zip((1, 2), TARGETS[:2], strict=True)]
    second = place(everything_free(), sessions=sessions, fixed=fixed)[1]
    assert not second.placed and "4 days from session 3" in second.problem
    assert {c.day(ZONE) for c in second.alternatives} == {dt.date(2027, 3, 26)}


def test_no_free_time_in_the_window_gives_no_alternatives() -> None:
    free = everything_free()
    for day in window(TARGETS[2]).days():
        free.pop(day, None)
    third = place(free)[2]
    assert not third.placed and third.alternatives == ()
    assert "10:00 on Mon 26 Apr is not free" in third.problem


def test_alternatives_give_one_slot_per_neighbouring_day() -> None:
    day = TARGETS[1]
    found = alternatives(
        days=window(day).days(),
        free={d: free_day(d) for d in window(day).days() if d != day},
        wanted=day,
        wall_time=TEN,
        practitioner=DERM,
        room=ROOM1,
        zone=ZONE,
    )
    days = [c.day(ZONE) for c in found]
    assert len(days) == len(set(days)) == 6
    assert all(c.starts_at.hour == 10 for c in found)


def test_later_than_covers_numbers_past_the_planned_count() -> None:
    assert 5 in later_than(3) and 3 not in later_than(3) and 32767 in later_than(1)


# --- Re-planning ----------------------------------------------------------------------------


OPEN_DAILY = ClinicCalendar.build(range(7))


def planned(number: int, day: dt.date) -> SeriesSession:
    return SeriesSession(number, day)


def booked(number: int, day: dt.date) -> SeriesSession:
    return SeriesSession(number, day, movable=False, booked=True, status="booked")


def test_a_longer_interval_moves_every_unbooked_session_from_the_one_before() -> None:
    start = dt.date(2027, 3, 1)
    series = [planned(n, start + dt.timedelta(days=30 * (n - 1))) for n in (1, 2, 3)]
    change = replan(
        series,
        plan=PLAN,
        planned=3,
        highest_number=3,
        sessions=3,
        interval_days=45,
        calendar=OPEN_DAILY,
    )
    assert change.targets == {1: start, 2: dt.date(2027, 4, 15), 3: dt.date(2027, 5, 30)}
    assert change.added == [] and change.cancelled == []


def test_booked_sessions_stay_and_anchor_the_ones_after_them() -> None:
    series = [booked(1, dt.date(2027, 3, 2)), planned(2, dt.date(2027, 3, 31))]
    change = replan(
        series,
        plan=PLAN,
        planned=2,
        highest_number=2,
        sessions=2,
        interval_days=28,
        calendar=WEEKDAYS,
    )
    assert change.targets == {2: dt.date(2027, 3, 30)}  # a Tuesday: open


def test_closed_days_move_a_target_to_the_next_open_day() -> None:
    series = [booked(1, dt.date(2027, 3, 1)), planned(2, dt.date(2027, 3, 31))]
    change = replan(
        series,
        plan=PLAN,
        planned=2,
        highest_number=2,
        sessions=2,
        interval_days=33,
        calendar=WEEKDAYS,
    )
    assert change.targets == {2: dt.date(2027, 4, 5)}  # Sat 3 Apr -> Mon 5 Apr


def test_more_sessions_are_added_after_the_last_and_fewer_cancel_the_last_unbooked() -> None:
    series = [booked(1, dt.date(2027, 3, 1)), planned(2, dt.date(2027, 3, 31))]
    longer = replan(
        series,
        plan=PLAN,
        planned=2,
        highest_number=2,
        sessions=4,
        interval_days=30,
        calendar=OPEN_DAILY,
    )
    assert longer.added == [(3, dt.date(2027, 4, 30)), (4, dt.date(2027, 5, 30))]
    # A session cancelled earlier keeps its number: the new ones come after it.
    after_a_cancelled = replan(
        series,
        plan=PLAN,
        planned=3,
        highest_number=3,
        sessions=4,
        interval_days=30,
        calendar=OPEN_DAILY,
    )
    assert after_a_cancelled.added == [(4, dt.date(2027, 4, 30))]
    shorter = replan(
        [*series, planned(3, dt.date(2027, 4, 30))],
        plan=PLAN,
        planned=3,
        highest_number=3,
        sessions=2,
        interval_days=30,
        calendar=OPEN_DAILY,
    )
    assert shorter.cancelled == [3] and shorter.targets == {2: dt.date(2027, 3, 31)}


def test_shortening_refuses_to_cancel_a_booked_session() -> None:
    series = [planned(1, dt.date(2027, 3, 1)), booked(2, dt.date(2027, 3, 31))]
    with pytest.raises(SchedulingError, match="Session 2 is booked"):
        replan(
            series,
            plan=PLAN,
            planned=2,
            highest_number=2,
            sessions=1,
            interval_days=30,
            calendar=OPEN_DAILY,
        )


def test_a_change_that_crowds_a_booked_session_is_refused_with_why() -> None:
    # Sessions 1 and 3 booked, 2 unbooked between them: a 28-day interval lands session 2 on
    # 29 Mar, 3 days before session 3 on 1 Apr.
    series = [
        booked(1, dt.date(2027, 3, 1)),
        planned(2, dt.date(2027, 3, 18)),
        booked(3, dt.date(2027, 4, 1)),
    ]
    with pytest.raises(SchedulingError, match="Session 2 would be 3 days from session 3"):
        replan(
            series,
            plan=PLAN,
            planned=3,
            highest_number=3,
            sessions=3,
            interval_days=28,
            calendar=OPEN_DAILY,
        )


def test_the_interval_floor_and_another_plans_session_are_held() -> None:
    series = [planned(1, dt.date(2027, 3, 1)), planned(2, dt.date(2027, 3, 31))]
    with pytest.raises(SchedulingError, match="at least 7 days apart"):
        replan(
            series,
            plan=PLAN,
            planned=2,
            highest_number=2,
            sessions=2,
            interval_days=6,
            calendar=OPEN_DAILY,
        )
    other = [Neighbour(plan=2, number=1, day=dt.date(2027, 4, 16), label="IND-03")]
    with pytest.raises(SchedulingError, match="of IND-03"):
        replan(
            series,
            plan=PLAN,
            planned=2,
            highest_number=2,
            sessions=2,
            interval_days=45,
            calendar=OPEN_DAILY,
            others=other,
        )


def test_shortening_to_nothing_left_is_refused() -> None:
    series = [planned(1, dt.date(2027, 3, 1))]
    with pytest.raises(SchedulingError, match="cancel the plan instead"):
        replan(
            series,
            plan=PLAN,
            planned=3,
            highest_number=3,
            sessions=1,
            interval_days=30,
            calendar=OPEN_DAILY,
        )
