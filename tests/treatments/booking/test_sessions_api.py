"""/api/sessions/: availability, book, reschedule, cancel, check-in, no-show, record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from tests import factories
from tests.api_helpers import assert_error, post
from tests.conftest import Persona, all_no
from treatments.models import TreatmentPlan, TreatmentSession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]
LONDON = ZoneInfo("Europe/London")


def url(session: TreatmentSession, action: str = "") -> str:
    return f"/api/sessions/{session.public_id}/" + (f"{action}/" if action else "")


def slot(dermatologist: Persona, room, when: str = "2027-03-01T10:00:00+00:00") -> dict:
    return {
        "starts_at": when,
        "practitioner": str(dermatologist.user.practitioner.public_id),
        "room": str(room.public_id),
    }


def test_availability_lists_slots_with_arrival_times_and_resources(
    front_desk: Client, dermatologist: Persona, plan: TreatmentPlan, room
) -> None:
    slots = front_desk.get(url(plan.sessions.get(number=1), "availability")).json()
    first = slots[0]
    assert first["arrival_at"] == "2027-02-26T09:00:00Z"
    assert first["starts_at"] == "2027-02-26T09:30:00Z"
    assert {"id": str(room.public_id), "name": "Room 1"} in first["rooms"]
    assert str(dermatologist.user.practitioner.public_id) in [
        p["id"] for p in first["practitioners"]
    ]


def test_availability_of_one_day_and_bad_days_are_explained(
    front_desk: Client, plan: TreatmentPlan, room
) -> None:
    address = url(plan.sessions.get(number=1), "availability")
    whole = front_desk.get(address).json()
    one_day = front_desk.get(address, {"day": "2027-03-01"}).json()
    assert one_day and {s["starts_at"][:10] for s in one_day} == {"2027-03-01"}
    assert one_day == [s for s in whole if s["starts_at"].startswith("2027-03-01")]
    for bad, message in (("2027-04-01", "Choose a day from"), ("1st March", "YYYY-MM-DD")):
        response = front_desk.get(address, {"day": bad})
        assert response.status_code == 400
        assert message in response.json()["detail"]


def test_availability_leaves_out_days_too_close_to_another_session_on_the_area(
    front_desk: Client, plan: TreatmentPlan, room
) -> None:
    """Session 2's window is 28 March to 7 April. Another plan on Rosa's face has a session on
    Monday 29 March, so nothing before 5 April is offered: no slot the booking would refuse."""
    other = factories.TreatmentPlanFactory(
        concern=factories.SkinConcernFactory(patient=plan.patient, body_area="face")
    )
    factories.BookedSessionFactory(
        plan=other,
        starts_at=dt.datetime(2027, 3, 29, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 3, 29, 10, 45, tzinfo=dt.UTC),
    )
    slots = front_desk.get(url(plan.sessions.get(number=2), "availability")).json()
    assert slots and min(s["starts_at"][:10] for s in slots) == "2027-04-05"
    first = slots[0]
    response = post(
        front_desk,
        url(plan.sessions.get(number=2), "book"),
        {
            "starts_at": first["starts_at"],
            "practitioner": first["practitioners"][0]["id"],
            "room": first["rooms"][0]["id"],
            "shift_later": True,  # 5 April crowds sessions 3 and 4, which move with it
        },
    )
    assert response.status_code == 200, response.content


def test_front_desk_books_and_a_clash_is_a_409(
    front_desk: Persona, dermatologist: Persona, plan: TreatmentPlan, room
) -> None:
    one, two = plan.sessions.get(number=1), plan.sessions.get(number=2)
    response = post(front_desk, url(one, "book"), slot(dermatologist, room))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "booked" and body["arrival_at"] == "2027-03-01T09:30:00Z"
    other = factories.TreatmentPlanFactory()
    clash = factories.TreatmentSessionFactory(plan=other, target_date=dt.date(2027, 3, 1))
    response = post(
        front_desk, url(clash, "book"), slot(dermatologist, room, "2027-03-01T10:15:00+00:00")
    )
    body = assert_error(response, 409, "conflict")
    assert any("is already booked 01 Mar 2027 10:00–10:45" in c for c in body["conflicts"])
    clash.refresh_from_db()
    assert clash.status == "planned"
    assert two.status == "planned"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "2027-03-01T09:00:00+00:00"}, "starts_at"),
        ({"starts_at": "2027-03-07T10:00:00+00:00"}, "starts_at"),
        ({"starts_at": "0001-01-01T10:00:00+00:00"}, "starts_at"),
        ({"starts_at": "9999-12-31T10:00:00+00:00"}, "starts_at"),
        ({"starts_at": "yesterday"}, "starts_at"),
        ({"practitioner": "00000000-0000-0000-0000-000000000000"}, "practitioner"),
        ({"room": "not-a-uuid"}, "room"),
    ],
)
def test_bad_bookings_are_400_and_change_nothing(
    front_desk: Persona, dermatologist: Persona, plan: TreatmentPlan, room, change: dict, field: str
) -> None:
    session = plan.sessions.get(number=1)
    assert_error(
        post(front_desk, url(session, "book"), {**slot(dermatologist, room), **change}),
        400,
        "invalid",
        field,
    )
    session.refresh_from_db()
    assert session.status == "planned"


def test_rescheduling_lists_the_shifts_then_applies_them(
    front_desk: Persona, dermatologist: Persona, plan: TreatmentPlan, room
) -> None:
    one = plan.sessions.get(number=1)
    post(front_desk, url(one, "book"), slot(dermatologist, room))
    moved = slot(dermatologist, room, "2027-03-15T10:00:00+00:00")
    body = assert_error(post(front_desk, url(one, "reschedule"), moved), 409, "conflict")
    assert body["shifts"][0] == {
        "number": 2,
        "old_date": "2027-03-31",
        "new_date": "2027-04-14",
        "booking_released": False,
    }
    response = post(front_desk, url(one, "reschedule"), {**moved, "shift_later": True})
    assert response.status_code == 200
    assert plan.sessions.get(number=2).target_date == dt.date(2027, 4, 14)


def test_cancel_needs_a_reason(front_desk: Client, plan: TreatmentPlan) -> None:
    session = plan.sessions.get(number=1)
    assert_error(post(front_desk, url(session, "cancel"), {}), 400, "invalid", "reason")
    response = post(front_desk, url(session, "cancel"), {"reason": "Moved abroad"})
    assert response.json()["status"] == "cancelled"


def test_the_day_itself_check_in_block_and_record(
    front_desk: Persona,
    dermatologist: Persona,
    plan: TreatmentPlan,
    room,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    one, two = plan.sessions.get(number=1), plan.sessions.get(number=2)
    post(front_desk, url(one, "book"), slot(dermatologist, room))
    post(front_desk, url(two, "book"), slot(dermatologist, room, "2027-03-31T11:00:00+01:00"))
    time_machine.move_to(dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC), tick=False)
    front_desk.force_login(front_desk.user)
    dermatologist.force_login(dermatologist.user)
    response = post(front_desk, url(one, "check-in"), {"changed": False})
    assert response.status_code == 200 and response.json()["status"] == "checked_in"
    assert_error(post(front_desk, url(one, "record"), {"depth_used_mm": "1.0"}), 403, "not_allowed")
    response = post(dermatologist, url(one, "record"), {"depth_used_mm": "1.25", "pain_score": 2})
    assert response.status_code == 200 and response.json()["status"] == "completed"
    time_machine.move_to(dt.datetime(2027, 3, 31, 9, 30, tzinfo=dt.UTC), tick=False)
    front_desk.force_login(front_desk.user)
    response = post(
        front_desk, url(two, "check-in"), {"changed": True, "answers": {**all_no(), "C08": True}}
    )
    assert response.status_code == 409
    assert response.json()["session"]["status"] == "blocked"
    two.refresh_from_db()
    assert two.status == "blocked" and "C08" in two.status_reason


def test_no_show_only_on_the_day(front_desk: Persona, dermatologist: Persona, plan, room) -> None:
    one = plan.sessions.get(number=1)
    post(front_desk, url(one, "book"), slot(dermatologist, room))
    assert_error(post(front_desk, url(one, "no-show"), {}), 409, "conflict")


def test_the_day_list_runs_a_fixed_number_of_queries(
    front_desk: Client, django_assert_max_num_queries: Callable
) -> None:
    def grow(n: int) -> None:
        for _ in range(n):
            factories.BookedSessionFactory(target_date=dt.date(2027, 3, 4))

    grow(5)
    with django_assert_max_num_queries(9):  # two write the access log
        assert front_desk.get("/api/sessions/", {"day": "2027-03-04"}).json()["count"] == 5
    grow(45)
    with django_assert_max_num_queries(9):  # two write the access log
        assert front_desk.get("/api/sessions/", {"day": "2027-03-04"}).json()["count"] == 50
    assert_error(front_desk.get("/api/sessions/", {"day": "2027-02-30"}), 400, "invalid", "day")


def test_anonymous_and_roleless_users_cannot_book(anonymous: Client, plan, room) -> None:
    session = plan.sessions.get(number=1)
    assert anonymous.post(url(session, "book"), {}).status_code == 401
    nobody = Client()
    nobody.force_login(factories.UserFactory())
    assert nobody.post(url(session, "book"), {}).status_code == 403


def test_availability_skips_times_the_patient_is_booked_elsewhere(
    front_desk: Client, plan: TreatmentPlan, room
) -> None:
    other = factories.TreatmentPlanFactory(
        concern=factories.SkinConcernFactory(patient=plan.patient, body_area="scalp")
    )
    factories.BookedSessionFactory(
        plan=other,
        starts_at=dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 3, 1, 10, 45, tzinfo=dt.UTC),
    )
    address = url(plan.sessions.get(number=1), "availability")
    starts = {s["starts_at"] for s in front_desk.get(address, {"day": "2027-03-01"}).json()}
    assert not starts & {"2027-03-01T09:30:00Z", "2027-03-01T10:00:00Z", "2027-03-01T10:30:00Z"}
    assert "2027-03-01T10:45:00Z" in starts
