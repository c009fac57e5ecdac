"""Registration warns of a likely duplicate before saving, and the record holds the address,
emergency contact, GP and contact preferences (demographics: the front desk sees them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from patients.models import Patient
from tests import factories
from tests.api_helpers import assert_error, patch, post

pytestmark = pytest.mark.django_db
API = "/api/patients/"
BORN = dt.date(1980, 5, 17)
JOSE = {
    "given_name": "jose",
    "family_name": "nunez",
    "date_of_birth": BORN.isoformat(),
    "sex": "male",
}
DETAILS = {
    "address_line1": "12 Harley Street",
    "address_line2": "Flat 3",
    "town": "London",
    "postcode": "W1G 9PF",
    "country": "United Kingdom",
    "emergency_contact_name": "Maria Núñez",
    "emergency_contact_relationship": "Sister",
    "emergency_contact_phone": "020 7946 0555",
    "gp_name": "Dr A. Patel",
    "gp_practice": "Marylebone Health Centre",
    "gp_phone": "020 7946 0777",
}


@pytest.fixture
def existing() -> Patient:
    return factories.PatientFactory(given_name="José", family_name="Núñez", date_of_birth=BORN)


# --- Likely duplicates -----------------------------------------------------------------------


def test_the_page_warns_of_a_likely_duplicate_and_links_it(
    front_desk: Client, existing: Patient
) -> None:
    response = front_desk.post(reverse("patient-create"), JOSE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This may be a patient already registered" in html
    assert reverse("patient-detail", args=[existing.public_id]) in html
    assert 'name="confirm_not_duplicate" value="1"' in html and "Register anyway" in html
    assert Patient.objects.count() == 1


def test_the_page_registers_anyway_once_confirmed(front_desk: Client, existing: Patient) -> None:
    response = front_desk.post(reverse("patient-create"), JOSE | {"confirm_not_duplicate": "1"})
    assert response.status_code == 302
    assert Patient.objects.filter(family_name="nunez").count() == 1


def test_a_swapped_name_is_a_likely_duplicate_and_another_birthday_is_not(
    front_desk: Client, existing: Patient
) -> None:
    swapped = JOSE | {"given_name": "NÚÑEZ", "family_name": "José"}
    assert (
        "already registered" in front_desk.post(reverse("patient-create"), swapped).content.decode()
    )
    other_day = JOSE | {"date_of_birth": "1980-05-18"}
    assert front_desk.post(reverse("patient-create"), other_day).status_code == 302


def test_the_api_answers_409_with_the_candidates_and_saves_nothing(
    front_desk: Client, existing: Patient
) -> None:
    body = assert_error(post(front_desk, API, JOSE), 409, "possible_duplicate")
    assert body["candidates"] == [
        {"id": str(existing.public_id), "given_name": "José", "family_name": "Núñez"}
    ]
    assert Patient.objects.count() == 1
    confirmed = post(front_desk, API, JOSE | {"confirm_not_duplicate": True})
    assert confirmed.status_code == 201, confirmed.content
    assert "confirm_not_duplicate" not in confirmed.json()
    assert Patient.objects.count() == 2


def test_the_api_refuses_a_confirmation_that_is_not_a_boolean(front_desk: Client) -> None:
    assert_error(post(front_desk, API, JOSE | {"confirm_not_duplicate": "maybe"}), 400, "invalid")


def test_the_duplicate_check_runs_one_query_however_many_share_the_birthday(
    front_desk: Client, django_assert_num_queries: Callable
) -> None:
    from patients.selectors import patients_likely_duplicates

    factories.PatientFactory.create_batch(30, date_of_birth=BORN)
    factories.PatientFactory(given_name="Jose", family_name="Nunez", date_of_birth=BORN)
    with django_assert_num_queries(1):
        found = patients_likely_duplicates(
            given_name="José", family_name="Núñez", date_of_birth=BORN
        )
    assert [p.family_name for p in found] == ["Nunez"]


def test_an_edit_is_not_asked_about_duplicates(front_desk: Client, existing: Patient) -> None:
    twin = factories.PatientFactory(given_name="Jose", family_name="Nunes", date_of_birth=BORN)
    response = patch(front_desk, f"{API}{twin.public_id}/", {"family_name": "Nunez"})
    assert response.status_code == 200, response.content


# --- Address, emergency contact, GP, contact preferences ------------------------------------


def test_the_page_records_the_details_and_the_patient_page_shows_them(
    front_desk: Client,
) -> None:
    data = JOSE | DETAILS | {"contact_by_email": "on", "contact_by_sms": "on"}
    response = front_desk.post(reverse("patient-create"), data)
    assert response.status_code == 302, response.context["form"].errors
    patient = Patient.objects.get()
    assert patient.emergency_contact_phone == "+442079460555"  # E.164
    assert patient.gp_phone == "+442079460777"
    assert (patient.contact_by_email, patient.contact_by_sms, patient.contact_by_phone) == (
        True,
        True,
        False,
    )
    html = front_desk.get(response["Location"]).content.decode()
    for text in ("12 Harley Street", "W1G 9PF", "Maria Núñez", "Sister", "020 7946 0555"):
        assert text in html
    assert "Dr A. Patel" in html and "Marylebone Health Centre" in html
    assert "E-mail, Text message (SMS)" in html


def test_the_page_refuses_a_phone_that_cannot_be_dialled(front_desk: Client) -> None:
    data = JOSE | {"emergency_contact_phone": "call me maybe", "gp_phone": "12"}
    response = front_desk.post(reverse("patient-create"), data)
    errors = response.context["form"].errors
    assert "Enter a phone number that can be dialled" in str(errors["emergency_contact_phone"])
    assert "gp_phone" in errors
    assert not Patient.objects.exists()


def test_the_edit_page_shows_the_sections(front_desk: Client) -> None:
    patient = factories.PatientFactory(**DETAILS)
    html = front_desk.get(reverse("patient-edit", args=[patient.public_id])).content.decode()
    for legend in ("Address", "Emergency contact", "GP", "May we contact them by"):
        assert f"<legend>{legend}" in html
    assert 'value="12 Harley Street"' in html


def test_the_api_records_and_returns_the_details(front_desk: Client) -> None:
    response = post(front_desk, API, JOSE | DETAILS | {"contact_by_post": True})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["emergency_contact_phone"] == "+442079460555"
    assert body["contact_by_post"] is True and body["contact_by_email"] is False
    assert body["gp_practice"] == "Marylebone Health Centre"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"gp_phone": "call me maybe"}, "gp_phone"),
        ({"postcode": "x" * 21}, "postcode"),
        ({"contact_by_sms": "yes please"}, "contact_by_sms"),
        ({"emergency_contact_name": "Ann\u202eeL"}, "emergency_contact_name"),
    ],
)
def test_the_api_refuses_bad_details(front_desk: Client, change: dict, field: str) -> None:
    assert_error(post(front_desk, API, JOSE | change), 400, "invalid", field)
    assert not Patient.objects.exists()


def test_the_schema_documents_the_details_and_the_duplicate_answer() -> None:
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    patient = schema["components"]["schemas"]["Patient"]["properties"]
    assert {"address_line1", "emergency_contact_phone", "gp_name", "contact_by_sms"} <= set(patient)
    request = schema["components"]["schemas"]["PatientRequest"]["properties"]
    assert request["confirm_not_duplicate"]["type"] == "boolean"
    assert "confirm_not_duplicate" not in patient
    created = schema["paths"]["/api/patients/"]["post"]["responses"]["409"]
    assert "possible_duplicate" in created["description"]


def test_the_admin_shows_the_details(clinic_admin: Client) -> None:
    patient = factories.PatientFactory(**DETAILS)
    html = clinic_admin.get(
        reverse("admin:patients_patient_change", args=[patient.pk])
    ).content.decode()
    assert "Emergency contact" in html and 'value="Marylebone Health Centre"' in html
