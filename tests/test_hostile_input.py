"""Input nobody should send still gets a 4xx, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.api_helpers import assert_error, post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/patients/?q=%00",
        "/api/evidence/protocols/?indication=%00",
        "/api/evidence/rules/a%00/",
    ],
)
def test_a_nul_in_an_api_address_is_a_400(front_desk: Client, url: str) -> None:
    assert_error(front_desk.get(url), 400, "invalid")


@pytest.mark.parametrize("url", ["/patients/?q=%00", "/evidence/protocols/a%00b/"])
def test_a_nul_in_a_page_address_is_a_400(front_desk: Client, url: str) -> None:
    assert front_desk.get(url).status_code == 400


def test_a_nul_inside_json_is_a_400(front_desk: Client) -> None:
    body = assert_error(
        post(
            front_desk,
            "/api/patients/",
            {
                "given_name": "A\u0000",
                "family_name": "B",
                "date_of_birth": "1980-01-01",
            },
        ),
        400,
        "parse_error",
    )
    assert "NUL" in body["detail"]


def test_deeply_nested_json_is_a_400(front_desk: Client) -> None:
    response = front_desk.post(
        "/api/patients/", data="[" * 50000 + "]" * 50000, content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_a_post_without_the_trailing_slash_is_not_lost(front_desk: Client) -> None:
    response = post(
        front_desk,
        "/api/patients",
        {
            "given_name": "Ann",
            "family_name": "Lee",
            "date_of_birth": "1980-01-01",
        },
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("scale", "grade", "message"),
    [
        ("S10", "1e999", "takes a number"),
        ("S10", "\u0663", "takes a number"),
        ("S10", "NaN", "takes a number"),
        ("S02", "9999999", "takes a number"),
        ("S17", "3", "has no single grade"),
    ],
)
def test_grades_are_checked_against_their_scale(scale: str, grade: str, message: str) -> None:
    from evidence.models import GradingScale

    assert message in (GradingScale.objects.get(code=scale).grade_error(grade) or "")


def test_the_patient_list_survives_emoji_rtl_and_long_queries(front_desk: Client) -> None:
    factories.PatientFactory(family_name="\u05db\u05d4\u05df")
    for query in ("\U0001f600", "\u05db\u05d4\u05df", "x" * 4000, "' OR 1=1 --"):
        assert front_desk.get("/patients/", {"q": query}).status_code == 200
