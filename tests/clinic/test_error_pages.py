"""Errors Django answers itself: JSON in the one error shape under /api/, a page of the site
elsewhere; a body that is too large is a 413, an address too long a 414."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from django.urls import reverse
from pytest_django import Settings

from clinic.error_pages import server_error
from tests import factories
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def test_an_oversized_api_body_is_a_413_in_the_error_shape(
    front_desk: Persona, settings: Settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = front_desk.post(
        "/api/patients/", data=json.dumps({"notes": "x" * 5000}), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and response.json()["fields"] == {}


def test_an_oversized_form_is_a_413_page(front_desk: Persona, settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = front_desk.post(reverse("patient-create"), {"given_name": "x" * 5000})
    assert response.status_code == 413
    assert "larger than this server accepts" in response.content.decode()


@pytest.mark.parametrize("kind", ["api", "page"])
def test_an_address_longer_than_the_app_reads_is_a_414_in_its_own_shape(
    front_desk: Persona, settings: Settings, kind: str
) -> None:
    path = "/api/patients/" if kind == "api" else reverse("patient-list")
    query = "?q=" + "a" * (settings.URL_MAX_LENGTH - len(path) - 3)
    assert front_desk.get(path + query).status_code == 200  # at the limit: read
    response = front_desk.get(path + query + "a")
    assert response.status_code == 414
    if kind == "api":
        assert response.json()["code"] == "uri_too_long" and response.json()["fields"] == {}
    else:
        assert "Address too long" in response.content.decode()


def test_an_unknown_api_address_is_a_json_404(front_desk: Persona) -> None:
    response = front_desk.get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "There is nothing at this address.",
        "code": "not_found",
        "fields": {},
    }


def test_a_missing_page_is_a_page_with_the_site_around_it(front_desk: Persona) -> None:
    response = front_desk.get("/plans/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Microneedling clinic" in html and "Back to the start page" in html


def test_a_page_for_another_role_says_so(front_desk: Persona) -> None:
    patient = factories.SkinConcernFactory().patient
    concern = patient.concerns.first()
    assert concern is not None
    url = reverse("plan-parameters", args=[patient.public_id, concern.public_id])
    response = front_desk.get(url)
    assert response.status_code == 403
    assert "Your role does not give access to this" in response.content.decode()


@pytest.mark.parametrize(("path", "kind"), [("/api/plans/", "json"), ("/today/", "html")])
def test_a_server_error_answers_in_the_kind_the_caller_reads(path: str, kind: str) -> None:
    response = server_error(RequestFactory().get(path))
    assert response.status_code == 500
    if kind == "json":
        assert json.loads(response.content)["code"] == "server_error"
    else:
        assert b"nothing you sent was saved" in response.content
