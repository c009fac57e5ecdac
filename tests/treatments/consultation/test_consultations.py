"""Consultations: a new patient is booked with a dermatologist before any plan, into the same
practitioners, rooms and hours as sessions, and never over a session (nor a session over it)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.errors import Conflict, InvalidInput, NotAllowed
from tests import factories
from tests.api_helpers import assert_conforms, assert_error, post
from tests.conftest import Persona
from tests.treatments.series import at, book
from treatments.consultation import services
from treatments.models import Consultation, TreatmentPlan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series", "clinic_open")]


@pytest.fixture
def newcomer() -> factories.Patient:
    return factories.PatientFactory(given_name="Ines", family_name="Okafor")


def _book(front_desk: Persona, patient, practitioner, room, when: str = "10:00", day="2027-03-01"):
    return services.consultation_book(
        acting_user=front_desk.user,
        patient=patient,
        starts_at=at(day, when),
        practitioner=practitioner,
        room=room,
        reason="Acne scars, wants to know the options",
    )


def test_a_new_patient_is_booked_for_a_consultation_without_any_plan(
    front_desk: Persona, newcomer, practitioner, room
) -> None:
    consultation = _book(front_desk, newcomer, practitioner, room)
    assert consultation.status == "booked" and consultation.booked_by == front_desk.user
    assert (consultation.ends_at - consultation.starts_at).seconds == 30 * 60
    assert not TreatmentPlan.objects.filter(patient=newcomer).exists()


def test_a_consultation_cannot_overlap_a_session_of_its_dermatologist(
    front_desk: Persona, newcomer, plan, practitioner, room
) -> None:
    other_room = factories.RoomFactory(name="Room 2")
    book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)  # to 10:45
    with pytest.raises(Conflict, match="already booked 01 Mar 2027 10:00–10:45, session 1"):
        _book(front_desk, newcomer, practitioner, other_room, when="10:30")
    assert not Consultation.objects.exists()


def test_a_session_cannot_be_booked_over_a_consultation_in_its_room(
    front_desk: Persona, newcomer, plan, practitioner, room
) -> None:
    _book(front_desk, newcomer, practitioner, room, when="10:00")  # 10:00–10:30
    someone_else = factories.PractitionerFactory()
    with pytest.raises(Conflict, match="Room 1 is already booked .* a consultation for Ines"):
        book(front_desk.user, plan, 1, at("2027-03-01", "10:15"), someone_else, room)


def test_the_patient_cannot_be_in_two_places(
    front_desk: Persona, newcomer, practitioner, room
) -> None:
    _book(front_desk, newcomer, practitioner, room, when="10:00")
    elsewhere = factories.RoomFactory(name="Room 2")
    with pytest.raises(Conflict, match="The patient is already booked"):
        _book(front_desk, newcomer, factories.PractitionerFactory(), elsewhere, when="10:15")


@pytest.mark.parametrize(
    ("day", "when", "message"),
    [
        ("2027-02-28", "10:00", "closed"),  # a Sunday
        ("2027-03-01", "17:45", r"From 17:45 to the end at 18:15 must fall within opening"),
        ("2027-03-01", "10:10", "15-minute grid"),
        ("2027-02-20", "10:00", "passed"),
    ],
)
def test_a_consultation_keeps_to_the_clinics_hours(
    front_desk: Persona, newcomer, practitioner, room, day: str, when: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        _book(front_desk, newcomer, practitioner, room, when=when, day=day)


def test_a_consultation_is_with_a_dermatologist(front_desk: Persona, newcomer, room) -> None:
    nurse = factories.PractitionerFactory(is_dermatologist=False)
    with pytest.raises(InvalidInput, match="with a dermatologist"):
        _book(front_desk, newcomer, nurse, room)


def test_free_times_leave_out_what_sessions_hold(
    front_desk: Persona, newcomer, plan, practitioner, room
) -> None:
    book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    day = at("2027-03-01", "00:00").date()
    free = [s.starts_at for s in services.consultation_availability(patient=newcomer, day=day)]
    assert at("2027-03-01", "09:00") in free and at("2027-03-01", "10:45") in free
    for taken in ("09:45", "10:00", "10:30"):  # 30 minutes would run into 10:00–10:45
        assert at("2027-03-01", taken) not in free


def test_the_front_desk_books_through_the_page_and_the_patient_page_shows_it(
    front_desk: Persona, newcomer, practitioner, room
) -> None:
    url = reverse("consultation-book", args=[newcomer.public_id])
    page = front_desk.get(url, {"day": "2027-03-01"})
    assert page.status_code == 200 and "10:00" in page.content.decode()
    response = front_desk.post(
        url,
        {
            "day": "2027-03-01",
            "starts_at": at("2027-03-01", "11:00").isoformat(),
            "practitioner": "first",
            "room": "first",
            "reason": "Wants to discuss wrinkles",
        },
        follow=True,
    )
    assert "Consultation booked Monday 01 Mar 2027 11:00" in response.content.decode()
    consultation = Consultation.objects.get()
    assert consultation.practitioner == practitioner and consultation.room == room
    assert (
        "Wants to discuss wrinkles"
        in front_desk.get(reverse("patient-detail", args=[newcomer.public_id])).content.decode()
    )


def test_a_taken_time_on_the_page_is_a_message_and_nothing_is_saved(
    front_desk: Persona, newcomer, practitioner, room
) -> None:
    url = reverse("consultation-book", args=[newcomer.public_id])
    response = front_desk.post(
        url,
        {
            "starts_at": at("2027-03-01", "10:10").isoformat(),
            "practitioner": str(practitioner.public_id),
            "room": str(room.public_id),
        },
    )
    assert response.status_code == 200
    assert "15-minute grid" in response.content.decode()
    assert not Consultation.objects.exists()


def test_the_api_books_cancels_and_documents_both(
    front_desk: Persona, newcomer, practitioner, room
) -> None:
    created = post(
        front_desk,
        "/api/consultations/",
        {
            "patient": str(newcomer.public_id),
            "starts_at": at("2027-03-01", "09:30").isoformat(),
            "practitioner": str(practitioner.public_id),
            "room": str(room.public_id),
        },
    )
    assert created.status_code == 201, created.content
    assert_conforms(created, "POST", "/api/consultations/")
    public_id = created.json()["id"]
    refused = post(front_desk, f"/api/consultations/{public_id}/cancel/", {"reason": " "})
    assert_error(refused, 400, "invalid", "reason")
    cancelled = post(front_desk, f"/api/consultations/{public_id}/cancel/", {"reason": "Ill"})
    assert cancelled.json()["status"] == "cancelled"
    assert_conforms(cancelled, "POST", "/api/consultations/{public_id}/cancel/")
    again = post(front_desk, f"/api/consultations/{public_id}/cancel/", {"reason": "Ill"})
    assert_error(again, 409, "conflict")
    assert_conforms(again, "POST", "/api/consultations/{public_id}/cancel/")


def test_api_availability_lists_the_days_free_times(
    front_desk: Persona, newcomer, practitioner, room
) -> None:
    response = front_desk.get(
        "/api/consultations/availability/", {"patient": newcomer.public_id, "day": "2027-03-01"}
    )
    assert response.status_code == 200
    assert response.json()[0]["starts_at"].startswith("2027-03-01T09:00")
    assert_conforms(response, "GET", "/api/consultations/availability/")
    missing = front_desk.get("/api/consultations/availability/", {"day": "2027-03-01"})
    assert_error(missing, 400, "invalid", "patient")


def test_only_a_dermatologist_marks_it_attended_on_its_day_and_planning_follows(
    front_desk: Persona, dermatologist: Persona, newcomer, practitioner, room, time_machine
) -> None:
    consultation = _book(front_desk, newcomer, practitioner, room)
    with pytest.raises(NotAllowed):
        services.consultation_attend(acting_user=front_desk.user, consultation=consultation)
    with pytest.raises(Conflict, match="on its day"):
        services.consultation_attend(acting_user=dermatologist.user, consultation=consultation)
    time_machine.move_to(at("2027-03-01", "10:40"), tick=False)
    dermatologist.force_login(dermatologist.user)  # the clock moved past the idle limit
    response = dermatologist.post(
        reverse("consultation-attend", args=[consultation.public_id]), follow=True
    )
    assert "Record the skin concern, then plan its series" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == "attended"
    assert consultation.status_changed_by == dermatologist.user


def test_the_front_desk_sees_consultations_but_no_clinical_fields_in_them(
    front_desk: Persona, newcomer, practitioner, room
) -> None:
    _book(front_desk, newcomer, practitioner, room)
    listed = front_desk.get("/api/consultations/", {"patient": newcomer.public_id}).json()
    assert listed["count"] == 1 and listed["results"][0]["patient_name"] == "Ines Okafor"
