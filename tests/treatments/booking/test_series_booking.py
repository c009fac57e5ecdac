"""Booking a whole series in one step: the service, the API's preview and booking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from clinic.errors import Conflict, InvalidInput, NotAllowed
from tests import factories
from tests.api_helpers import assert_conforms, assert_error, post
from tests.conftest import Persona
from tests.treatments.series import at, book
from treatments.booking import series
from treatments.models import TreatmentPlan, TreatmentSession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]

#: Rosa's four targets: Mon 1 Mar, Wed 31 Mar, Fri 30 Apr, Mon 31 May 2027 (30 May a Sunday).
TARGETS = ["2027-03-01", "2027-03-31", "2027-04-30", "2027-05-31"]


def body(practitioner, room, when: str = "2027-03-01T10:00:00+00:00", **extra) -> dict:
    return {
        "starts_at": when,
        "practitioner": str(practitioner.public_id),
        "room": str(room.public_id),
        **extra,
    }


def url(plan: TreatmentPlan, action: str) -> str:
    return f"/api/plans/{plan.public_id}/{action}/"


def booked(plan: TreatmentPlan) -> list[tuple[int, str, dt.datetime | None]]:
    return list(plan.sessions.order_by("number").values_list("number", "status", "starts_at"))


# --- The service -------------------------------------------------------------------------


def test_it_books_every_session_at_the_same_time_practitioner_and_room(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    sessions = series.plan_book_series(
        acting_user=front_desk.user,
        plan=plan,
        starts_at=at("2027-03-01", "10:00"),
        practitioner=practitioner,
        room=room,
    )
    assert [s.number for s in sessions] == [1, 2, 3, 4]
    rows = plan.sessions.order_by("number")
    assert [s.starts_at for s in rows] == [at(day, "10:00") for day in TARGETS]
    assert {(s.status, s.practitioner_id, s.room_id, s.status_changed_by_id) for s in rows} == {
        ("booked", practitioner.pk, room.pk, front_desk.user.pk)
    }


def test_it_books_only_the_unbooked_sessions_and_keeps_the_booked_one(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    book(front_desk.user, plan, 2, at("2027-03-31", "15:00"), practitioner, room)
    series.plan_book_series(
        acting_user=front_desk.user,
        plan=plan,
        starts_at=at("2027-03-01", "10:00"),
        practitioner=practitioner,
        room=room,
    )
    starts = [s for _, _, s in booked(plan)]
    assert starts[1] == at("2027-03-31", "15:00")
    assert starts[2:] == [at("2027-04-30", "10:00"), at("2027-05-31", "10:00")]


def test_a_taken_slot_refuses_the_whole_series_naming_the_session(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    other = factories.BookedSessionFactory(
        practitioner=practitioner, room=room, starts_at=at("2027-04-30", "10:00")
    )
    with pytest.raises(Conflict) as refused:
        series.plan_book_series(
            acting_user=front_desk.user,
            plan=plan,
            starts_at=at("2027-03-01", "10:00"),
            practitioner=practitioner,
            room=room,
        )
    assert refused.value.message.startswith("Session 3 (Fri 30 Apr 2027 10:00):")
    assert refused.value.extra["session"] == 3
    assert other.plan.patient.full_name in refused.value.message
    assert {status for _, status, _ in booked(plan)} == {"planned"}


def test_a_choice_books_that_session_elsewhere(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    factories.BookedSessionFactory(
        practitioner=practitioner, room=room, starts_at=at("2027-04-30", "10:00")
    )
    preview = series.plan_series_availability(
        plan=plan, starts_at=at("2027-03-01", "10:00"), practitioner=practitioner, room=room
    )
    assert [p.placed for p in preview.placements] == [True, True, False, True]
    pick = preview.placements[2].alternatives[0]
    assert pick.starts_at.date() == dt.date(2027, 4, 30) and pick.starts_at != at(
        "2027-04-30", "10:00"
    )
    choice = series.Choice(3, pick.starts_at, practitioner, room)
    series.plan_book_series(
        acting_user=front_desk.user,
        plan=plan,
        starts_at=at("2027-03-01", "10:00"),
        practitioner=practitioner,
        room=room,
        choices=[choice],
    )
    assert booked(plan)[2] == (3, "booked", pick.starts_at)


def test_the_first_session_must_be_in_its_window_and_on_the_grid(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    for when, message in (
        (at("2027-03-12", "10:00"), "book it between 26 Feb and 08 Mar 2027"),
        (at("2027-03-01", "10:05"), "15-minute grid"),
        (at("2027-02-20", "10:00"), "That time has passed"),
    ):
        with pytest.raises(InvalidInput, match=message):
            series.plan_series_availability(
                plan=plan, starts_at=when, practitioner=practitioner, room=room
            )
    assert {status for _, status, _ in booked(plan)} == {"planned"}


def test_only_roles_that_book_may_book_a_series(
    clinic_admin: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    clinic_admin.user.user_permissions.clear()
    reader = factories.UserFactory()
    with pytest.raises(NotAllowed):
        series.plan_book_series(
            acting_user=reader,
            plan=plan,
            starts_at=at("2027-03-01", "10:00"),
            practitioner=practitioner,
            room=room,
        )


def test_a_plan_with_nothing_to_book_is_a_conflict(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    series.plan_book_series(
        acting_user=front_desk.user,
        plan=plan,
        starts_at=at("2027-03-01", "10:00"),
        practitioner=practitioner,
        room=room,
    )
    with pytest.raises(Conflict, match="nothing to book"):
        series.plan_series_availability(
            plan=TreatmentPlan.objects.get(pk=plan.pk),
            starts_at=at("2027-03-01", "10:00"),
            practitioner=practitioner,
            room=room,
        )


# --- The API -------------------------------------------------------------------------------


def test_the_preview_lists_every_session_and_saves_nothing(
    front_desk: Client, plan: TreatmentPlan, practitioner, room
) -> None:
    factories.BookedSessionFactory(
        practitioner=practitioner, room=room, starts_at=at("2027-03-31", "10:00")
    )
    address = url(plan, "series-availability")
    response = post(front_desk, address, body(practitioner, room))
    assert_conforms(response, "post", "/api/plans/{public_id}/series-availability/")
    rows = response.json()
    assert [r["number"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["slot"]["starts_at"] == "2027-03-01T10:00:00Z"
    assert rows[0]["slot"]["arrival_at"] == "2027-03-01T09:30:00Z"
    assert rows[1]["slot"] is None
    assert "10:00 on Wed 31 Mar is not free" in rows[1]["problem"]
    assert rows[1]["alternatives"]
    assert {status for _, status, _ in booked(plan)} == {"planned"}


def test_the_api_books_a_series_with_a_choice(
    front_desk: Client, plan: TreatmentPlan, practitioner, room
) -> None:
    factories.BookedSessionFactory(
        practitioner=practitioner, room=room, starts_at=at("2027-03-31", "10:00")
    )
    rows = post(front_desk, url(plan, "series-availability"), body(practitioner, room)).json()
    alternative = rows[1]["alternatives"][0]
    choice = {
        "number": 2,
        "starts_at": alternative["starts_at"],
        "practitioner": alternative["practitioner"]["id"],
        "room": alternative["room"]["id"],
    }
    refused = post(front_desk, url(plan, "book-series"), body(practitioner, room))
    assert_error(refused, 409, "conflict")
    assert refused.json()["session"] == 2
    assert {status for _, status, _ in booked(plan)} == {"planned"}
    response = post(
        front_desk, url(plan, "book-series"), body(practitioner, room, choices=[choice])
    )
    assert_conforms(response, "post", "/api/plans/{public_id}/book-series/")
    assert response.status_code == 200, response.content
    assert [s["status"] for s in response.json()] == ["booked"] * 4
    assert booked(plan)[1][2] == dt.datetime.fromisoformat(alternative["starts_at"])


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"starts_at": "2027-03-01T10:00:00"}, 400, "starts_at"),  # no zone
        ({"practitioner": "00000000-0000-0000-0000-000000000000"}, 400, "practitioner"),
        ({"choices": [{"number": 9}]}, 400, "choices"),
        ({"starts_at": "2027-03-01T10:07:00+00:00"}, 400, "starts_at"),
        ({"starts_at": "2027-05-01T10:00:00+00:00"}, 400, "starts_at"),  # outside the window
    ],
)
def test_bad_input_is_a_clear_400_and_books_nothing(
    front_desk: Client, plan: TreatmentPlan, practitioner, room, change, status, field
) -> None:
    for action in ("series-availability", "book-series"):
        response = post(front_desk, url(plan, action), {**body(practitioner, room), **change})
        assert_error(response, status, "invalid", field)
    assert {status for _, status, _ in booked(plan)} == {"planned"}


def test_a_choice_for_a_session_that_is_not_unbooked_is_refused(
    front_desk: Client, plan: TreatmentPlan, practitioner, room
) -> None:
    choice = {
        "number": 7,
        "starts_at": "2027-03-31T10:00:00+01:00",
        "practitioner": str(practitioner.public_id),
        "room": str(room.public_id),
    }
    response = post(
        front_desk, url(plan, "book-series"), body(practitioner, room, choices=[choice])
    )
    assert_error(response, 400, "invalid", "choices")


def test_the_series_endpoints_need_a_role_that_books(
    anonymous: Client, clinic_admin: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    for action in ("series-availability", "book-series"):
        assert post(anonymous, url(plan, action), body(practitioner, room)).status_code == 401
    # A clinic admin holds the permission to change sessions (as for single bookings).
    assert (
        post(clinic_admin, url(plan, "series-availability"), body(practitioner, room)).status_code
        == 200
    )
    nobody = Persona(factories.UserFactory(is_staff=True))
    assert post(nobody, url(plan, "series-availability"), body(practitioner, room)).status_code in (
        403,
        404,
    )


def test_an_unknown_plan_is_a_404(front_desk: Client, practitioner, room) -> None:
    response = post(
        front_desk,
        "/api/plans/00000000-0000-0000-0000-000000000000/book-series/",
        body(practitioner, room),
    )
    assert_error(response, 404, "not_found")


def test_a_completed_plan_is_a_409(
    front_desk: Client, plan: TreatmentPlan, practitioner, room
) -> None:
    TreatmentPlan.objects.filter(pk=plan.pk).update(status="cancelled", cancellation_reason="x")
    TreatmentSession.objects.filter(plan=plan).update(status="cancelled", status_reason="x")
    response = post(front_desk, url(plan, "book-series"), body(practitioner, room))
    assert_error(response, 409, "conflict")
