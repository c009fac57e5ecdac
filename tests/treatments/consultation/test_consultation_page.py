"""The consultation booking page works as the session booking page does: one day at a time with
a day picker that never offers a past day, the day's times as the same compact rows (the shared
partials), and once a consultation is booked the pages show it instead of offering another."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import Persona
from tests.treatments.series import at
from treatments.consultation import services
from treatments.models import Consultation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series", "clinic_open")]

TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "treatments"


@pytest.fixture
def newcomer() -> factories.Patient:
    return factories.PatientFactory(given_name="Ines", family_name="Okafor")


def _page(client: Persona, patient: Any, **query: str) -> str:
    response = client.get(reverse("consultation-book", args=[patient.public_id]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_day_picker_starts_today_and_never_links_a_past_day(
    front_desk: Persona, newcomer: Any
) -> None:
    # The clock: Wednesday 24 February 2027.
    html = _page(front_desk, newcomer, day="2027-02-20")
    picker = re.search(r'<nav class="day-picker".*?</nav>', html, re.S)
    assert picker is not None
    days = re.findall(r'<span class="day-name">([^<]+)</span>', picker.group())
    assert days[0] == "Wed 24 Feb" and len(days) == 14
    linked = re.findall(r'href="\?day=([\d-]+)"', html)
    assert linked and min(linked) >= "2027-02-24"
    # A past day asked for opens today, not the past.
    assert '<h2 id="chosen-day">Wednesday 24 Feb 2027</h2>' in html


def test_the_times_are_the_booking_pages_compact_rows_not_radio_buttons(
    front_desk: Persona, newcomer: Any, practitioner: Any, room: Any
) -> None:
    html = _page(front_desk, newcomer, day="2027-03-01")
    assert 'type="radio"' not in html
    assert '<table class="slots">' in html
    assert 'aria-label="Book at 10:00"' in html
    assert '<h2 id="chosen-day">Monday 01 Mar 2027</h2>' in html
    # The page and the session page share their partials rather than copies of them.
    for page in ("consultation_book.html", "session_booking.html"):
        text = (TEMPLATES / page).read_text(encoding="utf-8")
        assert "treatments/includes/day_picker.html" in text
        assert "treatments/includes/free_times.html" in text


def test_a_rows_own_dermatologist_and_room_are_booked(
    front_desk: Persona, newcomer: Any, practitioner: Any, room: Any
) -> None:
    other = factories.RoomFactory(name="Room 2")
    when = at("2027-03-01", "11:00").isoformat()
    response = front_desk.post(
        reverse("consultation-book", args=[newcomer.public_id]),
        {
            "day": "2027-03-01",
            "starts_at": when,
            f"practitioner-{when}": str(practitioner.public_id),
            f"room-{when}": str(other.public_id),
            "reason": "Wants to discuss acne scars",
        },
        follow=True,
    )
    assert "Consultation booked Monday 01 Mar 2027 11:00" in response.content.decode()
    booked = Consultation.objects.get()
    assert (booked.practitioner, booked.room) == (practitioner, other)
    assert booked.reason == "Wants to discuss acne scars"


def test_once_booked_the_pages_show_it_and_offer_no_other(
    front_desk: Persona, newcomer: Any, practitioner: Any, room: Any
) -> None:
    services.consultation_book(
        acting_user=front_desk.user,
        patient=newcomer,
        starts_at=at("2027-03-01", "10:00"),
        practitioner=practitioner,
        room=room,
    )
    patient_page = front_desk.get(reverse("patient-detail", args=[newcomer.public_id]))
    html = patient_page.content.decode()
    assert "Book a consultation" not in html
    assert "Mon 01 Mar 2027 10:00" in html and "Cancel the consultation" in html
    page = _page(front_desk, newcomer)
    assert "already has a consultation booked" in page and "Monday 01 Mar 2027 10:00" in page
    assert '<table class="slots">' not in page
    when = at("2027-03-02", "10:00").isoformat()
    response = front_desk.post(
        reverse("consultation-book", args=[newcomer.public_id]),
        {"starts_at": when, "practitioner": "first", "room": "first"},
        follow=True,
    )
    assert "This patient already has a consultation booked." in response.content.decode()
    assert Consultation.objects.count() == 1


def test_a_cancelled_consultation_lets_another_be_booked(
    front_desk: Persona, newcomer: Any, practitioner: Any, room: Any
) -> None:
    booked = services.consultation_book(
        acting_user=front_desk.user,
        patient=newcomer,
        starts_at=at("2027-03-01", "10:00"),
        practitioner=practitioner,
        room=room,
    )
    services.consultation_cancel(acting_user=front_desk.user, consultation=booked, reason="Ill")
    html = front_desk.get(reverse("patient-detail", args=[newcomer.public_id])).content.decode()
    assert "Book a consultation" in html
    assert '<table class="slots">' in _page(front_desk, newcomer, day="2027-03-01")
