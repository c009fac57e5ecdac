"""/api/patients/: search, register, edit, archive, concerns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from patients.models import Patient, SkinConcern
from tests import factories
from tests.api_helpers import assert_error, patch, post
from tests.conftest import Persona

pytestmark = pytest.mark.django_db
URL = "/api/patients/"

NEW = {
    "given_name": "Ann",
    "family_name": "Lee",
    "date_of_birth": "1984-06-01",
    "sex": "female",
    "email": "ann@example.org",
}


def test_anonymous_callers_get_401_not_a_redirect(anonymous: Client) -> None:
    response = anonymous.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_token_authentication_works(anonymous: Client, front_desk: Persona) -> None:
    from clinic.api_auth import issue_token

    _, token = issue_token(front_desk.user)
    response = anonymous.get(URL, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200


def test_front_desk_registers_a_patient(front_desk: Client) -> None:
    response = post(front_desk, URL, NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    patient = Patient.objects.get(public_id=body["id"])
    assert body["mrn"] == patient.mrn
    assert "pk" not in body and body["id"] != patient.pk


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth", "more than 120 years ago"),
        ({"date_of_birth": "2001-02-30"}, "date_of_birth", "Date has wrong format"),
        ({"family_name": ""}, "family_name", "may not be blank"),
        ({"family_name": "x" * 500}, "family_name", "no more than 100"),
        ({"fitzpatrick_type": 9}, "fitzpatrick_type", "not a valid choice"),
        ({"phone": "1" * 31}, "phone", "no more than 30"),
        ({"email": "not-an-email"}, "email", "valid email"),
    ],
)
def test_bad_patient_data_is_refused_field_by_field(
    front_desk: Client, change: dict, field: str, message: str
) -> None:
    body = assert_error(post(front_desk, URL, {**NEW, **change}), 400, "invalid", field)
    assert message in " ".join(body["fields"][field])
    assert Patient.objects.count() == 0


def test_search_by_name_mrn_and_date_of_birth(front_desk: Client) -> None:
    ann = factories.PatientFactory(
        given_name="Ann", family_name="Lee", date_of_birth=dt.date(1984, 6, 1)
    )
    factories.PatientFactory(given_name="Bob", family_name="Leeds")
    for query, expected in (("ann lee", 1), (ann.mrn, 1), ("01/06/1984", 1), ("lee", 2)):
        results = front_desk.get(URL, {"q": query}).json()["results"]
        assert len(results) == expected, query
    assert front_desk.get(URL, {"q": ann.mrn}).json()["results"][0]["id"] == str(ann.public_id)


def test_archived_patients_leave_the_list_but_keep_their_record(front_desk: Client) -> None:
    patient = factories.PatientFactory()
    response = front_desk.post(f"{URL}{patient.public_id}/archive/")
    assert response.json()["status"] == "archived"
    assert front_desk.get(URL).json()["count"] == 0
    assert front_desk.get(URL, {"archived": "1"}).json()["count"] == 1
    assert front_desk.get(f"{URL}{patient.public_id}/").status_code == 200


def test_patients_cannot_be_deleted_over_the_api(clinic_admin: Client) -> None:
    patient = factories.PatientFactory()
    assert clinic_admin.delete(f"{URL}{patient.public_id}/").status_code == 405
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_editing_a_patient(front_desk: Client) -> None:
    patient = factories.PatientFactory(phone="1")
    response = patch(front_desk, f"{URL}{patient.public_id}/", {"phone": "020 7946 0999"})
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.phone == "+442079460999"  # stored in E.164


@pytest.mark.parametrize("bad_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "1"])
def test_an_unknown_patient_is_404(front_desk: Client, bad_id: str) -> None:
    assert_error(front_desk.get(f"{URL}{bad_id}/"), 404, "not_found")


def test_the_list_runs_a_fixed_number_of_queries(
    front_desk: Client, django_assert_max_num_queries: Callable
) -> None:
    factories.PatientFactory.create_batch(5)
    with django_assert_max_num_queries(9):  # two write the access log
        assert front_desk.get(URL).json()["count"] == 5
    factories.PatientFactory.create_batch(45)
    with django_assert_max_num_queries(9):  # two write the access log
        assert front_desk.get(URL).json()["count"] == 50


def test_page_size_is_bounded(front_desk: Client) -> None:
    factories.PatientFactory.create_batch(120)
    assert len(front_desk.get(URL, {"page_size": 100000}).json()["results"]) == 100


def test_a_dermatologist_records_a_concern(dermatologist: Client) -> None:
    patient = factories.PatientFactory()
    response = post(
        dermatologist,
        f"{URL}{patient.public_id}/concerns/",
        {
            "indication": "atrophic-acne-scars",
            "body_area": "face",
            "grading_scale": "S01",
            "baseline_grade": "3",
        },
    )
    assert response.status_code == 201, response.content
    concern = SkinConcern.objects.get(public_id=response.json()["id"])
    assert concern.grading_scale is not None
    assert concern.patient == patient and concern.grading_scale.code == "S01"
    listed = dermatologist.get(f"{URL}{patient.public_id}/concerns/").json()
    assert listed["count"] == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"indication": "tattoos", "body_area": "face"}, "indication"),
        ({"indication": "melasma", "body_area": "elbow"}, "body_area"),
        (
            {
                "indication": "melasma",
                "body_area": "face",
                "grading_scale": "S10",
                "baseline_grade": "99",
            },
            "baseline_grade",
        ),
        (
            {
                "indication": "melasma",
                "body_area": "face",
                "grading_scale": "S01",
                "baseline_grade": "2",
            },
            "grading_scale",
        ),
    ],
)
def test_bad_concerns_are_refused(dermatologist: Client, data: dict, field: str) -> None:
    patient = factories.PatientFactory()
    assert_error(
        post(dermatologist, f"{URL}{patient.public_id}/concerns/", data), 400, "invalid", field
    )
    assert SkinConcern.objects.count() == 0


def test_front_desk_cannot_record_clinical_concerns(front_desk: Client) -> None:
    patient = factories.PatientFactory()
    response = post(
        front_desk,
        f"{URL}{patient.public_id}/concerns/",
        {"indication": "melasma", "body_area": "face"},
    )
    assert_error(response, 403, "not_allowed")
    assert SkinConcern.objects.count() == 0


def test_front_desk_cannot_record_skin_type_but_a_dermatologist_can(
    front_desk: Client, dermatologist: Client
) -> None:
    assert_error(post(front_desk, URL, {**NEW, "fitzpatrick_type": 4}), 403, "not_allowed")
    assert Patient.objects.count() == 0
    patient = factories.PatientFactory(fitzpatrick_type=None)
    url = f"{URL}{patient.public_id}/"
    assert_error(patch(front_desk, url, {"fitzpatrick_type": 5}), 403, "not_allowed")
    assert patch(dermatologist, url, {"fitzpatrick_type": 5}).status_code == 200
    patient.refresh_from_db()
    assert patient.fitzpatrick_type == 5


def test_the_concern_list_runs_a_fixed_number_of_queries(
    dermatologist: Client, django_assert_max_num_queries: Callable
) -> None:
    patient = factories.PatientFactory()
    factories.SkinConcernFactory.create_batch(5, patient=patient)
    url = f"{URL}{patient.public_id}/concerns/"
    with django_assert_max_num_queries(10):  # the log names its patients: one INSERT more
        assert dermatologist.get(url).json()["count"] == 5
    factories.SkinConcernFactory.create_batch(45, patient=patient)
    with django_assert_max_num_queries(10):
        assert dermatologist.get(url).json()["count"] == 50
