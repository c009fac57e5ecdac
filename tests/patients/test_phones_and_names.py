"""Phone numbers are checked and stored in E.164; names refuse characters that hide or
reorder text."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.text import validate_visible_text
from patients.models import Patient
from patients.phones import display_phone, normalised_phone
from tests.conftest import Persona


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("020 7946 0958", "+442079460958"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("+1 202-555-0143", "+12025550143"),
        ("  ", ""),
    ],
)
def test_a_valid_number_is_stored_in_e164(typed: str, stored: str) -> None:
    assert normalised_phone(typed, "GB") == stored


@pytest.mark.parametrize("typed", ["call me maybe", "12", "020 7946", "+999 123"])
def test_a_number_that_cannot_be_dialled_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="can be dialled"):
        normalised_phone(typed, "GB")


def test_a_stored_number_reads_nationally_at_home_and_internationally_abroad() -> None:
    assert display_phone("+442079460958") == "020 7946 0958"
    assert display_phone("+12025550143") == "+1 202-555-0143"
    assert display_phone("") == ""


@pytest.mark.parametrize("name", ["Smi\u202eth", "Ann\u200b", "Bo\u2066b", "Li\x07"])
def test_a_name_with_a_hidden_or_control_character_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="invisible character"):
        validate_visible_text(name)


@pytest.mark.parametrize("name", ["Zoë 😀", "כהן", "محمد\u200cرضا", "O'Brien-Ng"])
def test_real_names_in_any_script_are_accepted(name: str) -> None:
    validate_visible_text(name)


def _register(front_desk: Persona, channel: str, **changes: str) -> tuple[int, dict]:
    values = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1985-12-10",
        "sex": "female",
        "phone": "020 7946 0958",
        **changes,
    }
    if channel == "api":
        response = front_desk.post(
            "/api/patients/", data=json.dumps(values), content_type="application/json"
        )
        return response.status_code, response.json()
    response = front_desk.post(reverse("patient-create"), values)
    return response.status_code, {"html": response.content.decode()}


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["page", "api"])
def test_registration_stores_the_number_normalised(front_desk: Persona, channel: str) -> None:
    status, _ = _register(front_desk, channel)
    assert status in (201, 302)
    assert Patient.objects.get(family_name="Lovelace").phone == "+442079460958"


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["page", "api"])
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "call me maybe", "can be dialled"),
        ("family_name", "Love\u202elace", "invisible character U+202E"),
    ],
)
def test_a_refused_number_or_name_says_why_and_saves_nothing(
    front_desk: Persona, channel: str, field: str, value: str, message: str
) -> None:
    status, body = _register(front_desk, channel, **{field: value})
    assert not Patient.objects.exists()
    if channel == "api":
        assert status == 400 and any(message in text for text in body["fields"][field])
    else:
        assert status == 200 and message in body["html"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_normalised_number_is_saved_with_real_transactions(front_desk: Persona) -> None:
    status, body = _register(front_desk, "api", phone="+44 20 7946 0958")
    assert status == 201, body
    assert Patient.objects.get(family_name="Lovelace").phone == "+442079460958"


@pytest.mark.django_db
def test_a_number_stored_before_the_check_does_not_block_other_changes(
    front_desk: Persona,
) -> None:
    from tests import factories

    patient = factories.PatientFactory(phone="1")
    response = front_desk.post(f"/api/patients/{patient.public_id}/archive/")
    assert response.status_code == 200, response.content
    patient.refresh_from_db()
    assert patient.status == Patient.Status.ARCHIVED and patient.phone == "1"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("+442079460958", "020 7946 0958"), ("020 7946 0958", "020 7946 0958"), ("1", "1")],
)
def test_a_number_stored_in_any_form_reads_without_failing(stored: str, shown: str) -> None:
    assert display_phone(stored) == shown


@pytest.mark.django_db
def test_the_patient_page_shows_a_number_stored_before_the_check(front_desk: Persona) -> None:
    from tests import factories

    patient = factories.PatientFactory(phone="call me maybe")
    page = front_desk.get(reverse("patient-detail", args=[patient.public_id]))
    assert page.status_code == 200
    assert "call me maybe" in page.content.decode()
