"""Minimum necessary: the front desk sees demographics and bookings, not the clinical record.

Every clinical field of the world below holds a marker. Each page, API read and admin page that
shows patient data (taken from the access-log declarations, which are built from the URLconf,
the schema and the admin registry) must show the front desk none of them, and the same reads
must show a dermatologist every one, so the check cannot pass by showing nothing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic import roles, visibility
from clinic.visibility import CLINICAL_FIELDS, CLINICAL_RECORDS, SEES_CLINICAL, hidden_fields
from evidence.models import ContraindicationRule
from tests.conftest import Persona
from tests.patients import test_access_log as logged
from tests.test_permission_matrix import _kwargs
from treatments.models import SESSION_RECORD_FIELDS, Screening, TreatmentSession

pytestmark = pytest.mark.django_db

MARKERS = {
    "patient notes": "MARK-PATIENT-NOTES",
    "concern notes": "MARK-CONCERN-NOTES",
    "departure": "MARK-DEPARTURE",
    "adverse events": "MARK-ADVERSE",
    "session notes": "MARK-SESSION-NOTES",
    "device": "MARK-DEVICE",
    "screening notes": "MARK-SCREENING-NOTES",
    "override reason": "MARK-OVERRIDE",
}


# --- The declaration -------------------------------------------------------------------------


def test_each_declared_field_is_a_field_of_its_model() -> None:
    for label, names in CLINICAL_FIELDS.items():
        model = apps.get_model(label)
        known = {f.name for f in model._meta.get_fields()} | {
            r.get_accessor_name() for r in model._meta.related_objects
        }
        assert set(names) <= known, label
    for label in CLINICAL_RECORDS:
        apps.get_model(label)


def test_every_field_of_a_session_record_is_clinical() -> None:
    assert set(SESSION_RECORD_FIELDS) <= set(CLINICAL_FIELDS["treatments.treatmentsession"])


class _Holder:
    def __init__(self, *perms: str) -> None:
        self.perms = set(perms)

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return perm in self.perms


def test_who_holds_the_permission_sees_everything_and_nobody_known_sees_nothing() -> None:
    assert hidden_fields(_Holder(SEES_CLINICAL), "patients.patient") == frozenset()
    assert hidden_fields(_Holder(), "patients.patient") == {"fitzpatrick_type", "notes"}
    assert hidden_fields(None, "treatments.screening") == {"answers", "notes", "override_reason"}
    assert hidden_fields(_Holder(), "clinic.room") == frozenset()
    assert visibility.hides_record(_Holder(), "treatments.screeninganswer")
    assert not visibility.hides_record(_Holder(SEES_CLINICAL), "treatments.screeninganswer")


def test_clinicians_and_clinic_admins_hold_it_and_the_front_desk_does_not() -> None:
    holders = {
        group.name for group in Group.objects.filter(permissions__codename="view_clinical_record")
    }
    assert holders == {roles.DERMATOLOGIST, roles.CLINIC_ADMIN}


# --- The world -------------------------------------------------------------------------------


@pytest.fixture
def world(dermatologist: Persona, clinic_open: None) -> dict[str, Any]:
    """The access log's world, with a marker in each clinical field."""
    world = logged.build_world(dermatologist)
    plan, session, screening = world["plan"], world["session"], world["screening"]
    patient, concern = plan.patient, plan.concern
    patient.notes, patient.fitzpatrick_type = MARKERS["patient notes"], 5
    patient.save()
    concern.notes = MARKERS["concern notes"]
    concern.save()
    plan.departure_reason = MARKERS["departure"]
    plan.save()
    TreatmentSession.objects.filter(pk=session.pk).update(
        adverse_events=MARKERS["adverse events"],
        notes=MARKERS["session notes"],
        device=MARKERS["device"],
        depth_used_mm=Decimal("1.25"),
        pain_score=3,
    )
    Screening.objects.filter(pk=screening.pk).update(
        notes=MARKERS["screening notes"],
        override_reason=MARKERS["override reason"],
        override_by=world["practitioner"].user,
        overridden_at=timezone.now(),
        result=Screening.Result.NEEDS_OVERRIDE,
    )
    answer = screening.answers.get()
    answer.rule = ContraindicationRule.objects.get(code="C04")
    answer.answer = True
    answer.save()
    return world


def _markers_in(text: str) -> set[str]:
    return {marker for marker in MARKERS.values() if marker in text}


# --- Pages -----------------------------------------------------------------------------------

FRONT_DESK_PAGES = [
    name
    for name, spec in logged.SHOWS.items()
    if isinstance(spec, tuple) and spec[0] in ("front_desk", "anonymous")
]


def _page(client: Client, name: str, world: dict[str, Any]) -> str:
    spec = logged.SHOWS[name]
    assert isinstance(spec, tuple)
    url_name = "calendar" if name == "calendar-week" else name
    url = reverse(url_name, kwargs=_kwargs(url_name, world)) + spec[1].format(day=world["day"])
    if name == "session-rescreen":
        logged.blocked_for_rescreen(world)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("name", FRONT_DESK_PAGES)
def test_no_page_shows_the_front_desk_a_clinical_field(
    front_desk: Persona, world: dict[str, Any], name: str
) -> None:
    assert _markers_in(_page(front_desk, name, world)) == set()


def test_the_same_pages_show_a_dermatologist_the_clinical_record(
    dermatologist: Persona, world: dict[str, Any]
) -> None:
    # The front desk's own worklist page is that role's only (the home page shows both roles).
    pages = [name for name in FRONT_DESK_PAGES if name != "worklist"]
    seen = set().union(*(_markers_in(_page(dermatologist, n, world)) for n in pages))
    # The world's session is booked, so its session page shows no record yet (a completed one
    # is read as each role in tests/treatments/visit/test_session_page.py); screening notes
    # have no page of their own.
    assert seen >= {
        MARKERS["patient notes"],
        MARKERS["departure"],
        MARKERS["override reason"],
    }


def test_the_patient_page_shows_the_front_desk_demographics_not_skin_type(
    front_desk: Persona, dermatologist: Persona, world: dict[str, Any]
) -> None:
    patient = world["plan"].patient
    url = reverse("patient-detail", args=[patient.public_id])
    desk, clinician = front_desk.get(url).content.decode(), dermatologist.get(url).content.decode()
    assert patient.mrn in desk and patient.date_of_birth.strftime("%d %b %Y") in desk
    assert "Fitzpatrick" not in desk and "Fitzpatrick" in clinician
    plan = reverse("plan-detail", args=[world["plan"].public_id])
    found = f"Yes to: {ContraindicationRule.objects.get(code='C04').label}"
    assert found not in front_desk.get(plan).content.decode()
    assert found in dermatologist.get(plan).content.decode()


# --- The API ---------------------------------------------------------------------------------

API_READS = [
    (method, path) for method, path in logged._operations_showing_patients() if method == "GET"
]


def _api(client: Client, path: str, world: dict[str, Any]) -> Any:
    response = client.get(logged._url(path, world))
    assert response.status_code == 200, path
    return response.json()


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*(_keys(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_keys(v) for v in node))
    return set()


@pytest.mark.parametrize(("method", "path"), API_READS)
def test_no_api_read_gives_the_front_desk_a_clinical_field(
    front_desk: Persona, world: dict[str, Any], method: str, path: str
) -> None:
    body = _api(front_desk, path, world)
    assert _markers_in(json.dumps(body)) == set()
    assert not _keys(body) & {"fitzpatrick_type", "adverse_events", "answers", "override_reason"}


def test_the_same_api_reads_give_a_dermatologist_every_clinical_field(
    dermatologist: Persona, world: dict[str, Any]
) -> None:
    bodies = json.dumps([_api(dermatologist, path, world) for _, path in API_READS])
    assert _markers_in(bodies) == set(MARKERS.values())


def test_a_write_response_leaves_out_the_clinical_fields_too(
    front_desk: Persona, world: dict[str, Any]
) -> None:
    patient = world["plan"].patient
    response = logged.patch(
        front_desk, f"/api/patients/{patient.public_id}/", {"given_name": "Rosalind"}
    )
    assert response.status_code == 200
    assert "notes" not in response.json() and "fitzpatrick_type" not in response.json()
    patient.refresh_from_db()
    assert patient.notes == MARKERS["patient notes"]  # left as it was, not blanked


def test_the_schema_marks_the_clinical_fields_optional() -> None:
    schema, _ = logged._schema()
    components = schema["components"]["schemas"]
    for name, fields in (
        ("Patient", {"fitzpatrick_type", "notes"}),
        ("Screening", {"answers", "notes", "override_reason"}),
        ("SessionDetail", {"adverse_events", "notes", "depth_used_mm"}),
    ):
        assert not fields & set(components[name].get("required", [])), name
        assert "Clinical" in components[name]["properties"]["notes"]["description"]


# --- The admin -------------------------------------------------------------------------------

STAFF_ADMIN = [m for m in logged.ADMIN_MODELS if not m.__name__.endswith("Event")]


@pytest.mark.parametrize("model", STAFF_ADMIN, ids=lambda m: m._meta.label_lower)
def test_no_admin_page_shows_the_front_desk_a_clinical_field(
    front_desk: Persona, dermatologist: Persona, world: dict[str, Any], model: Any
) -> None:
    obj = logged._instance_for(model, world)
    info = (model._meta.app_label, model._meta.model_name)
    pages = [
        reverse("admin:{}_{}_changelist".format(*info)),
        reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
    ]
    if model._meta.label_lower in CLINICAL_RECORDS:
        assert all(front_desk.get(url).status_code == 403 for url in pages)
        assert all(dermatologist.get(url).status_code == 200 for url in pages)
        return
    for url in pages:
        response = front_desk.get(url)
        assert response.status_code == 200, url
        assert _markers_in(response.content.decode()) == set(), url
    label = model._meta.label_lower
    if label in ("patients.patient", "treatments.treatmentsession", "treatments.screening"):
        shown = dermatologist.get(pages[1]).content.decode()
        assert _markers_in(shown), f"{label}: the dermatologist should see the clinical fields"


def test_the_front_desk_cannot_write_a_clinical_field_through_the_admin(
    front_desk: Persona, world: dict[str, Any]
) -> None:
    patient = world["plan"].patient
    url = reverse("admin:patients_patient_change", args=[patient.pk])
    page = front_desk.get(url).content.decode()
    assert 'name="notes"' not in page and 'name="fitzpatrick_type"' not in page
