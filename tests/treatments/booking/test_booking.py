"""Booking services: availability, book, move and cancel, and the 7-day floor across plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from clinic.errors import Conflict, InvalidInput, NotAllowed
from evidence.models import Indication, Protocol
from tests import factories
from tests.conftest import Persona, all_no
from tests.treatments.series import LONDON, at, book, first
from treatments.booking import services as sessions
from treatments.booking.selectors import session_day
from treatments.models import TreatmentPlan, TreatmentSession
from treatments.planning import services
from treatments.visit import services as visit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]


# --- Availability ----------------------------------------------------------------------------


def test_availability_respects_hours_lead_time_grid_and_the_window(
    plan: TreatmentPlan, practitioner, room
) -> None:
    slots = sessions.session_availability(session=first(plan))
    days = sorted({s.starts_at.astimezone(LONDON).date() for s in slots})
    # Target Monday 1 March: window 26 Feb (−3) to 8 March (+7); Sundays are closed.
    assert days[0] == dt.date(2027, 2, 26) and days[-1] == dt.date(2027, 3, 8)
    assert dt.date(2027, 2, 28) not in days
    monday = [s for s in slots if s.starts_at.astimezone(LONDON).date() == dt.date(2027, 3, 1)]
    times = [s.starts_at.astimezone(LONDON).strftime("%H:%M") for s in monday]
    assert times[0] == "09:30"  # arrival at opening time, 30 minutes before
    assert times[-1] == "17:15"  # a 45-minute face procedure ends at closing
    assert all(s.starts_at.astimezone(LONDON).minute % 15 == 0 for s in slots)
    assert all(s.arrival_at == s.starts_at - dt.timedelta(minutes=30) for s in slots)
    saturday = [s for s in slots if s.starts_at.astimezone(LONDON).date() == dt.date(2027, 3, 6)]
    assert saturday[-1].starts_at.astimezone(LONDON).strftime("%H:%M") == "12:15"


def test_availability_leaves_out_booked_and_absent_times(
    dermatologist: Client, plan: TreatmentPlan, practitioner, room
) -> None:
    other = factories.TreatmentPlanFactory()
    factories.BookedSessionFactory(
        plan=other,
        practitioner=practitioner,
        room=factories.RoomFactory(),
        starts_at=at("2027-03-01", "10:00"),
        ends_at=at("2027-03-01", "10:45"),
    )
    factories.PractitionerAbsenceFactory(
        practitioner=practitioner,
        starts_at=at("2027-03-02", "00:00"),
        ends_at=at("2027-03-03", "00:00"),
    )
    slots = sessions.session_availability(session=first(plan))
    free_for_them = {
        s.starts_at.astimezone(LONDON).strftime("%H:%M")
        for s in slots
        if s.starts_at.astimezone(LONDON).date() == dt.date(2027, 3, 1)
        and practitioner.pk in s.practitioner_ids
    }
    # A 45-minute procedure starting 09:30–10:30 would overlap their 10:00–10:45 booking.
    assert not {"09:30", "09:45", "10:00", "10:15", "10:30"} & free_for_them
    assert {"10:45", "11:00"} <= free_for_them
    assert not any(
        practitioner.pk in s.practitioner_ids
        for s in slots
        if s.starts_at.astimezone(LONDON).date() == dt.date(2027, 3, 2)
    )


def test_rf_plans_only_get_rooms_with_an_rf_device(
    dermatologist: Persona, clinic_open: None, practitioner
) -> None:
    plain = factories.RoomFactory(has_rf_device=False)
    rf = factories.RoomFactory(has_rf_device=True)
    concern = factories.SkinConcernFactory(indication=Indication.objects.get(slug="wrinkles"))
    plan = services.plan_create(
        acting_user=dermatologist.user,
        concern=concern,
        params=services.PlanParameters(
            protocol=Protocol.objects.get(code="IND-02"),
            sessions=3,
            interval_days=30,
            depth_mm=Decimal("1.0"),
            start_date=dt.date(2027, 3, 1),
        ),
        answers=all_no("rfmn"),
    )
    slots = sessions.session_availability(session=first(plan))
    assert {r for s in slots for r in s.room_ids} == {rf.pk}
    with pytest.raises(InvalidInput, match="has no RF device"):
        book(dermatologist.user, plan, 1, at("2027-03-01", "10:00"), practitioner, plain)


def test_availability_runs_a_fixed_number_of_queries(
    plan: TreatmentPlan, practitioner, room, django_assert_max_num_queries: Callable
) -> None:
    def grow(n: int, hour: int) -> None:
        for i in range(n):
            start = at("2027-03-01", f"{hour + i // 4:02d}:{(i % 4) * 15:02d}")
            factories.BookedSessionFactory(
                plan=factories.TreatmentPlanFactory(),
                room=factories.RoomFactory(),
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=15),
            )

    grow(5, 9)
    with django_assert_max_num_queries(9):  # the hours give the open weekdays: one query less
        sessions.session_availability(session=first(plan))
    grow(45, 11)
    with django_assert_max_num_queries(9):
        sessions.session_availability(session=first(plan))


# --- Booking ---------------------------------------------------------------------------------


def test_booking_holds_the_procedure_and_the_patient_arrives_30_minutes_earlier(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    session = book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    assert session.status == TreatmentSession.Status.BOOKED
    assert session.starts_at and session.ends_at and session.arrival_at
    assert session.ends_at - session.starts_at == dt.timedelta(minutes=45)
    assert session.arrival_at.astimezone(LONDON).strftime("%H:%M") == "09:30"
    assert session.status_changed_by == front_desk.user


def test_a_clash_names_what_it_clashes_with_and_changes_nothing(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    other = factories.TreatmentPlanFactory(concern__patient__family_name="Okonkwo")
    factories.BookedSessionFactory(
        plan=other,
        practitioner=practitioner,
        room=room,
        starts_at=at("2027-03-01", "10:00"),
        ends_at=at("2027-03-01", "10:45"),
    )
    with pytest.raises(Conflict) as error:
        book(front_desk.user, plan, 1, at("2027-03-01", "10:30"), practitioner, room)
    assert "is already booked 01 Mar 2027 10:00–10:45" in error.value.message
    assert "Okonkwo" in error.value.message
    assert "Room 1 is already booked" in error.value.message
    assert first(plan).status == TreatmentSession.Status.PLANNED
    # Back to back is fine: the earlier booking ends as this one starts.
    book(front_desk.user, plan, 1, at("2027-03-01", "10:45"), practitioner, room)


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (("2027-03-01", "09:15"), "must fall within opening hours"),
        (("2027-03-01", "17:30"), "must fall within opening hours"),
        (("2027-02-23", "10:00"), "has passed"),
        (("2027-03-07", "10:00"), "closed on Sundays"),
        (("2027-03-01", "10:10"), "15-minute grid"),
    ],
)
def test_impossible_times_are_refused(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room, when: tuple, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        book(front_desk.user, plan, 1, at(*when), practitioner, room)
    assert first(plan).status == TreatmentSession.Status.PLANNED


def test_a_closure_and_an_inactive_room_are_refused(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    factories.ClosureFactory(
        start_date=dt.date(2027, 3, 1), end_date=dt.date(2027, 3, 1), reason="Staff training"
    )
    with pytest.raises(InvalidInput, match="closed on Monday 01 Mar 2027"):
        book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    room.active = False
    room.save()
    with pytest.raises(InvalidInput, match="is not in use"):
        book(front_desk.user, plan, 1, at("2027-03-02", "10:00"), practitioner, room)


def test_sessions_of_a_cancelled_plan_cannot_be_booked(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        status="cancelled", cancellation_reason="Declined"
    )
    with pytest.raises(Conflict, match="not active"):
        book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)


def test_a_session_is_never_booked_within_7_days_of_its_neighbour(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    TreatmentSession.objects.filter(pk=first(plan, 2).pk).update(target_date="2027-03-04")
    with pytest.raises(InvalidInput, match="3 days from session 1"):
        book(front_desk.user, plan, 2, at("2027-03-04", "10:00"), practitioner, room)


def test_booking_needs_a_booking_role(plan: TreatmentPlan, practitioner, room) -> None:
    nobody = factories.UserFactory()
    with pytest.raises(NotAllowed):
        book(nobody, plan, 1, at("2027-03-01", "10:00"), practitioner, room)


# --- Moving and cancelling -------------------------------------------------------------------


def test_moving_a_session_shows_and_then_applies_the_shift_of_later_ones(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    book(front_desk.user, plan, 3, at("2027-04-30", "10:00"), practitioner, room)
    with pytest.raises(Conflict) as error:
        sessions.session_reschedule(
            acting_user=front_desk.user,
            session=first(plan),
            starts_at=at("2027-03-15", "10:00"),
            practitioner=practitioner,
            room=room,
        )
    assert "session 2 31 Mar → 14 Apr 2027" in error.value.message
    assert "session 3 30 Apr → 14 May 2027 (booking released)" in error.value.message
    assert first(plan).starts_at == at("2027-03-01", "10:00")  # nothing saved
    moved, shifts = sessions.session_reschedule(
        acting_user=front_desk.user,
        session=first(plan),
        starts_at=at("2027-03-15", "10:00"),
        practitioner=practitioner,
        room=room,
        shift_later=True,
    )
    assert [s.number for s in shifts] == [2, 3, 4]
    days = [session_day(s) for s in plan.sessions.order_by("number")]
    assert all((b - a).days >= 30 for a, b in zip(days, days[1:], strict=False))
    assert first(plan, 3).status == TreatmentSession.Status.PLANNED


def test_moving_within_the_spacing_needs_no_confirmation(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    moved, shifts = sessions.session_reschedule(
        acting_user=front_desk.user,
        session=first(plan),
        starts_at=at("2027-02-26", "14:00"),
        practitioner=practitioner,
        room=room,
    )
    assert shifts == [] and moved.starts_at == at("2027-02-26", "14:00")


def test_cancelling_keeps_the_record_and_frees_the_slot(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    with pytest.raises(InvalidInput, match="reason"):
        sessions.session_cancel(acting_user=front_desk.user, session=first(plan), reason=" ")
    cancelled = sessions.session_cancel(
        acting_user=front_desk.user, session=first(plan), reason="Patient unwell"
    )
    assert cancelled.status == "cancelled" and cancelled.status_reason == "Patient unwell"
    other = factories.TreatmentPlanFactory()
    factories.BookedSessionFactory(
        plan=other,
        practitioner=practitioner,
        room=room,
        starts_at=at("2027-03-01", "10:00"),
        ends_at=at("2027-03-01", "10:45"),
    )


def test_a_cancelled_neighbour_does_not_open_a_hole_in_the_7_day_floor(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    sessions.session_cancel(acting_user=front_desk.user, session=first(plan, 2), reason="Away")
    with pytest.raises(InvalidInput, match="1 days from session 1"):
        sessions.session_reschedule(
            acting_user=front_desk.user,
            session=first(plan, 3),
            starts_at=at("2027-03-02", "10:00"),
            practitioner=practitioner,
            room=room,
            shift_later=True,
        )


def test_booking_stays_within_the_window_and_keeps_the_order(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    with pytest.raises(InvalidInput, match="book it between 26 Feb and 08 Mar 2027"):
        book(front_desk.user, plan, 1, at("2027-04-15", "10:00"), practitioner, room)
    assert first(plan).status == "planned"


def test_the_same_patient_cannot_be_in_two_places_at_once(
    front_desk: Persona, dermatologist: Client, plan: TreatmentPlan, practitioner, room
) -> None:
    other_plan = factories.TreatmentPlanFactory(
        concern__patient=plan.patient, concern__body_area="scalp"
    )
    factories.BookedSessionFactory(
        plan=other_plan, starts_at=at("2027-03-01", "10:15"), ends_at=at("2027-03-01", "11:00")
    )
    with pytest.raises(Conflict, match="The patient is already booked"):
        book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)


def test_another_plan_on_the_same_area_keeps_its_distance_at_booking(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    other_plan = factories.TreatmentPlanFactory(
        concern__patient=plan.patient, concern__body_area="face"
    )
    factories.BookedSessionFactory(
        plan=other_plan, starts_at=at("2027-03-04", "10:00"), ends_at=at("2027-03-04", "10:45")
    )
    with pytest.raises(InvalidInput, match="of IND-01"):
        book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)


def test_a_plan_whose_sessions_all_close_is_over(
    front_desk: Persona,
    dermatologist: Client,
    plan: TreatmentPlan,
    booked_today,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    for number in (2, 3, 4):
        sessions.session_cancel(
            acting_user=front_desk.user, session=first(plan, number), reason="Moved away"
        )
    plan.refresh_from_db()
    assert plan.status == "active"  # session 1 is still open
    time_machine.move_to(at("2027-03-01", "09:50"), tick=False)
    visit.session_no_show(acting_user=front_desk.user, session=booked_today)
    plan.refresh_from_db()
    assert plan.status == "cancelled"
    assert plan.cancellation_reason == "No session of the series went ahead."


def test_a_series_across_daylight_saving_keeps_its_wall_clock_time(
    front_desk: Persona, practitioner, room, dermatologist: Persona, clinic_open: None
) -> None:
    concern = factories.SkinConcernFactory(indication=Indication.objects.get(slug="melasma"))
    plan = services.plan_create(
        acting_user=dermatologist.user,
        concern=concern,
        params=services.PlanParameters(
            protocol=Protocol.objects.get(code="IND-11"),
            sessions=3,
            interval_days=14,
            depth_mm=Decimal("1.0"),
            start_date=dt.date(2027, 3, 15),
        ),
        answers=all_no(indication="melasma"),
    )
    for number in (1, 2, 3):
        day = first(plan, number).target_date.isoformat()
        book(front_desk.user, plan, number, at(day, "10:00"), practitioner, room)
    starts = [s.starts_at for s in plan.sessions.order_by("number") if s.starts_at is not None]
    assert [s.astimezone(LONDON).strftime("%H:%M") for s in starts] == ["10:00"] * 3
    assert [s.astimezone(dt.UTC).strftime("%H:%M") for s in starts] == ["10:00", "09:00", "09:00"]


def test_the_plan_page_shows_a_cancelled_session_as_no_longer_booked(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    """A cancelled session keeps its old time on record, but the plan shows it was, not is,
    booked: no arrival time and no link to the practitioner's or room's calendar."""
    book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    sessions.session_cancel(acting_user=front_desk.user, session=first(plan), reason="Unwell")
    page = front_desk.get(f"/plans/{plan.public_id}/").content.decode()
    row = page[page.index('aria-label="Session 1"') : page.index('aria-label="Session 2"')]
    assert "was booked for Mon 01 Mar 2027 10:00" in row
    assert "arrive" not in row and "/calendar/" not in row
