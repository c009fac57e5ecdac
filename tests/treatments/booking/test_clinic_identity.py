"""What the patient takes home names the clinic: the printout and the calendar file."""

from __future__ import annotations

import io
from html import unescape

import pytest
from django.urls import reverse
from icalendar import Calendar
from PIL import Image

from clinic.logo import logo_clean
from clinic.models import ClinicProfile
from tests.conftest import Persona
from tests.treatments.booking.test_booking_pages import book_one, html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]


@pytest.fixture
def harbour() -> ClinicProfile:
    out = io.BytesIO()
    Image.new("RGB", (240, 80), (20, 90, 140)).save(out, format="PNG")
    data, content_type = logo_clean(out.getvalue())
    profile = ClinicProfile.objects.get(pk=ClinicProfile.SINGLETON_ID)
    profile.name = "Harbour Skin Clinic"
    profile.address = "14 Quay Street\nBristol BS1 4DJ"
    profile.phone = "+441174960123"
    profile.email = "hello@harbourskin.example"
    profile.logo, profile.logo_content_type = data, content_type
    profile.save()
    return profile


def test_the_printout_names_the_clinic_and_how_to_reach_it(
    harbour: ClinicProfile, front_desk: Persona, dermatologist: Persona, plan, room
) -> None:
    book_one(front_desk, plan, room, dermatologist)
    page = unescape(html(front_desk.get(reverse("plan-print", args=[plan.public_id]))))
    letterhead = page[page.index('<header class="letterhead">') : page.index("<h1>")]
    for shown in (
        "Harbour Skin Clinic",
        "14 Quay Street",
        "Bristol BS1 4DJ",
        "0117 496 0123",
        'href="tel:+441174960123"',
        "hello@harbourskin.example",
        'src="data:image/png;base64,',
    ):
        assert shown in letterhead, shown
    assert "Call us" not in page
    assert "Contact Harbour Skin Clinic on <strong>0117 496 0123</strong>" in page


def test_the_printout_without_contact_details_still_names_the_clinic(
    front_desk: Persona, plan
) -> None:
    page = html(front_desk.get(reverse("plan-print", args=[plan.public_id])))
    assert "<strong>Microneedling clinic</strong>" in page
    assert "Contact Microneedling clinic about" in page and "Call us" not in page


def test_calendar_events_say_where_to_go_and_whom_to_call(
    harbour: ClinicProfile, front_desk: Persona, dermatologist: Persona, plan, room, anonymous
) -> None:
    book_one(front_desk, plan, room, dermatologist)
    patient_file = front_desk.get(reverse("plan-ics", args=[plan.public_id])).content
    (event,) = Calendar.from_ical(patient_file).walk("VEVENT")
    assert str(event["location"]) == f"Harbour Skin Clinic, 14 Quay Street, Bristol BS1 4DJ, {room}"
    assert (
        "To change or ask: Harbour Skin Clinic: call 0117 496 0123 or e-mail "
        "hello@harbourskin.example." in str(event["description"])
    )
    token = dermatologist.user.practitioner.calendar_token
    feed = anonymous.get(reverse("practitioner-feed", args=[token])).content
    (event,) = Calendar.from_ical(feed).walk("VEVENT")
    assert str(event["location"]).startswith("Harbour Skin Clinic, 14 Quay Street")
