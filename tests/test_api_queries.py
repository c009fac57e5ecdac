"""Query parameters as the schema documents them (pages, days, choices), or a 400 naming the
parameter: DRF would quietly read what it cannot use as no filter or the default."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.api_helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page_size": ""}, "page_size"),  # DRF would give the default size
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"page_size": "+5"}, "page_size"),
        ({"page": "last"}, "page"),  # DRF would give the last page
        ({"page": "0"}, "page"),
        ({"page": "\u0661"}, "page"),  # int() reads an Arabic-Indic one
        ({"archived": "yes"}, "archived"),
        ({"archived": ""}, "archived"),
    ],
)
def test_a_query_parameter_not_as_documented_is_refused(
    front_desk: Client, query: dict, field: str
) -> None:
    assert_error(front_desk.get("/api/patients/", query), 400, "invalid", field)


def test_pages_as_documented(front_desk: Client) -> None:
    factories.PatientFactory.create_batch(3)
    page = front_desk.get("/api/patients/", {"page": "2", "page_size": "2"}).json()
    assert page["count"] == 3 and len(page["results"]) == 1
    assert_error(
        front_desk.get("/api/patients/", {"page": "3", "page_size": "2"}), 404, "not_found"
    )
    huge = "9" * 4000  # far past the last page, and as long as an address may be
    assert_error(front_desk.get("/api/patients/", {"page": huge}), 404, "not_found")
    # Past what int() reads (4,300 digits) is past the address limit too: a 414.
    assert_error(front_desk.get("/api/patients/", {"page": "9" * 5000}), 414, "uri_too_long")


@pytest.mark.parametrize("day", ["", "20270301", "2027-W09-1", "2027-02-30", "1999-12-31"])
def test_a_day_not_as_documented_is_refused(front_desk: Client, day: str) -> None:
    assert_error(front_desk.get("/api/sessions/", {"day": day}), 400, "invalid", "day")


@pytest.mark.parametrize("modality", ["", "laser"])
def test_an_unknown_modality_is_refused(front_desk: Client, modality: str) -> None:
    assert_error(front_desk.get("/api/evidence/rules/", {"modality": modality}), 400, "invalid")
