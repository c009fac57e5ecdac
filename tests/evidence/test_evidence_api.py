"""/api/evidence/: the knowledge base, read-only for every role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests import factories
from tests.api_helpers import post

pytestmark = pytest.mark.django_db
ENDPOINTS = ["studies", "indications", "protocols", "rules", "scales"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("persona", ["front_desk", "dermatologist", "clinic_admin"])
def test_every_role_reads_the_evidence(
    request: pytest.FixtureRequest, persona: str, endpoint: str
) -> None:
    client = request.getfixturevalue(persona)
    response = client.get(f"/api/evidence/{endpoint}/")
    assert response.status_code == 200
    assert response.json()["count"] > 0


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_nobody_writes_the_evidence_over_the_api(clinic_admin: Client, endpoint: str) -> None:
    assert post(clinic_admin, f"/api/evidence/{endpoint}/", {"code": "x"}).status_code == 405


def test_a_protocol_shows_its_cited_study(front_desk: Client) -> None:
    body = front_desk.get("/api/evidence/protocols/IND-01/").json()
    assert body["default_sessions"] == 4 and body["default_interval_days"] == 30
    assert body["study"]["citation"] == "Ablon 2018"
    assert body["study"]["provenance"] == "SD/V"
    assert body["requires_clinician_review"] is True


def test_rules_for_plain_microneedling_leave_out_rf_only_rules(front_desk: Client) -> None:
    codes = {
        r["code"]
        for r in front_desk.get(
            "/api/evidence/rules/", {"modality": "mn", "page_size": "100"}
        ).json()["results"]
    }
    assert "C01" in codes and not codes & {"C16", "C18", "C19"}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_evidence_lists_run_a_fixed_number_of_queries(
    front_desk: Client, endpoint: str, django_assert_max_num_queries: Callable
) -> None:
    with django_assert_max_num_queries(10):
        first = front_desk.get(f"/api/evidence/{endpoint}/").json()["count"]
    for _ in range(50):
        factories.FindingFactory()  # 50 more studies and indications
        factories.ProtocolFactory()
    with django_assert_max_num_queries(10):
        front_desk.get(f"/api/evidence/{endpoint}/")
    assert first > 0


def test_the_schema_and_docs_are_served_without_a_cdn(front_desk: Client) -> None:
    schema = front_desk.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/plans/" in schema.content
    docs = front_desk.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "unpkg" not in docs.lower()
    assert "https://" not in docs


def test_the_schema_needs_a_login(anonymous: Client) -> None:
    assert anonymous.get("/api/schema/").status_code == 401
