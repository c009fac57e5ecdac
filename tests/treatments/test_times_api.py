"""Every time the API takes comes with its UTC offset: one without is refused with a 400 in the
one error shape that names the field, and nothing changes (book, reschedule, record)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from clinic.api_fields import NAIVE_MESSAGE
from tests import factories
from tests.api_helpers import assert_error, post
from tests.conftest import Persona
from tests.treatments.series import at, book, first
from treatments.models import TreatmentPlan, TreatmentSession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]

#: Clinic-local wall-clock times as a client might send them, without saying where they are.
WITHOUT_OFFSET = ["2027-03-01T10:00", "2027-03-01T10:00:00", "2027-03-01 10:00:00.5", "2027-03-01"]


def url(session: TreatmentSession, action: str) -> str:
    return f"/api/sessions/{session.public_id}/{action}/"


def slot(practitioner: factories.Practitioner, room: factories.Room, when: str) -> dict:
    return {"starts_at": when, "practitioner": practitioner.public_id, "room": room.public_id}


def refused_naming(response: object, field: str) -> None:
    body = assert_error(response, 400, "invalid", field)
    assert body["fields"][field] == [NAIVE_MESSAGE.format(field=field)]
    assert field in body["detail"] and "UTC offset" in body["detail"]


@pytest.mark.parametrize("when", WITHOUT_OFFSET)
def test_booking_a_time_without_its_offset_is_refused(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room, when: str
) -> None:
    session = first(plan)
    refused_naming(
        post(front_desk, url(session, "book"), slot(practitioner, room, when)), "starts_at"
    )
    session.refresh_from_db()
    assert session.status == "planned" and session.starts_at is None


def test_the_same_time_with_its_offset_is_booked(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    session = first(plan)
    when = at("2027-03-01", "10:00")
    response = post(front_desk, url(session, "book"), slot(practitioner, room, when.isoformat()))
    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert session.starts_at == when


@pytest.mark.parametrize("when", WITHOUT_OFFSET)
def test_moving_to_a_time_without_its_offset_is_refused(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room, when: str
) -> None:
    booked = book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    response = post(front_desk, url(booked, "reschedule"), slot(practitioner, room, when))
    refused_naming(response, "starts_at")
    booked.refresh_from_db()
    assert booked.starts_at == at("2027-03-01", "10:00")


@pytest.mark.parametrize("when", WITHOUT_OFFSET)
def test_recording_an_anaesthetic_time_without_its_offset_is_refused(
    front_desk: Persona,
    dermatologist: Persona,
    booked_today: TreatmentSession,
    time_machine: time_machine.TimeMachineFixture,
    when: str,
) -> None:
    for persona in (front_desk, dermatologist):  # the clock moved past their idle limit
        persona.force_login(persona.user)
    assert post(front_desk, url(booked_today, "check-in"), {"changed": False}).status_code == 200
    time_machine.move_to(at("2027-03-01", "10:40"), tick=False)
    dermatologist.force_login(dermatologist.user)
    record = {"depth_used_mm": "1.0", "anaesthetic_applied_at": when.replace("10:00", "09:30")}
    refused_naming(
        post(dermatologist, url(booked_today, "record"), record), "anaesthetic_applied_at"
    )
    booked_today.refresh_from_db()
    assert booked_today.status == "checked_in" and booked_today.anaesthetic_applied_at is None
    applied = at("2027-03-01", "09:30").astimezone(dt.UTC)
    record["anaesthetic_applied_at"] = applied.isoformat()
    response = post(dermatologist, url(booked_today, "record"), record)
    assert response.status_code == 200, response.content
    booked_today.refresh_from_db()
    assert booked_today.anaesthetic_applied_at == applied
