"""The API takes what its schema documents and nothing DRF would guess from: each field only in
its JSON type and decimals written as documented, or a 400 naming the field, and nothing saved."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework import serializers

from clinic.api_fields import decimal_pattern
from patients.models import Patient
from tests import factories
from tests.api_helpers import assert_error, post
from treatments.planning.serializers import PlanRequestSerializer

pytestmark = pytest.mark.django_db

PATIENT = {"given_name": "Ann", "family_name": "Lee", "date_of_birth": "1980-01-01"}


def test_the_patient_as_typed_is_registered(dermatologist: Client) -> None:
    response = post(dermatologist, "/api/patients/", {**PATIENT, "fitzpatrick_type": 3})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name", 7),  # DRF would save "7"
        ("notes", 0),
        ("notes", False),
        ("date_of_birth", 19800101),
        ("sex", ["female"]),
        ("fitzpatrick_type", "3"),  # DRF would read 3
        ("fitzpatrick_type", True),  # and 1
        ("fitzpatrick_type", 3.0),
    ],
)
def test_a_patient_field_in_another_json_type_is_refused(
    dermatologist: Client, field: str, value: object
) -> None:
    body = assert_error(
        post(dermatologist, "/api/patients/", {**PATIENT, field: value}), 400, "invalid", field
    )
    assert body["fields"][field][0].startswith("Must be ")
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"changed": "false"}, "changed"),  # DRF would read False
        ({"changed": 0}, "changed"),
        ({"answers": {"C01": "no"}}, "answers"),
    ],
)
def test_a_screening_field_in_another_json_type_is_refused(
    front_desk: Client, change: dict, field: str
) -> None:
    session = factories.TreatmentSessionFactory()
    request = {"session": str(session.public_id), "changed": False, **change}
    body = assert_error(post(front_desk, "/api/screenings/rescreen/", request), 400, "invalid")
    assert body["fields"][field]


def test_a_list_item_of_the_wrong_type_is_named_by_its_place(front_desk: Client) -> None:
    session = factories.TreatmentSessionFactory()
    request = {"session": str(session.public_id), "changed": False, "acknowledged": ["C22", 22]}
    body = assert_error(post(front_desk, "/api/screenings/rescreen/", request), 400, "invalid")
    assert body["fields"]["acknowledged"] == ["1: Must be a string, not a number."]


@pytest.mark.parametrize("depth", ["", "-", ".", "1.", ".5", "01.5", "1e0", " 1.5", "1_0", 1.5])
def test_a_decimal_not_written_as_documented_is_refused(
    dermatologist: Client, depth: object
) -> None:
    concern = factories.SkinConcernFactory()
    request = {
        "concern": str(concern.public_id),
        "protocol": "IND-01",
        "sessions": 4,
        "interval_days": 30,
        "depth_mm": depth,
        "start_date": "2027-03-01",
    }
    assert_error(post(dermatologist, "/api/plans/preview/", request), 400, "invalid", "depth_mm")


def test_the_decimal_pattern_is_what_the_field_reads() -> None:
    depth = PlanRequestSerializer().fields["depth_mm"]
    assert isinstance(depth, serializers.DecimalField)
    pattern = decimal_pattern(depth)
    accepted = ["1", "1.5", "1.25", "0.25", "-1.5"]
    refused = ["", "-", ".", "1.", ".5", "01.5", "1e0", " 1", "1.255", "12"]
    assert [value for value in accepted if not re.fullmatch(pattern, value)] == []
    assert [value for value in refused if re.fullmatch(pattern, value)] == []
