"""Every read of patient data is on record: one row per request, naming every patient shown.

The routes are taken from the URLconf, the API's operations and components from its schema,
and the admin's from its registry, so a route added without logging fails here, as the
permission matrix fails for a route added without a role.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from patients.models import Patient, PatientAccess
from patients.serializers import ShowsPatientData
from tests import factories
from tests.api_helpers import patch, post
from tests.conftest import Persona
from tests.test_permission_matrix import URL_NAMES, _kwargs
from tests.test_writes_postgres import answers
from treatments.models import TreatmentSession
from treatments.planning.views import _draft_key

pytestmark = pytest.mark.django_db

Channel = PatientAccess.Channel


@pytest.fixture
def world(dermatologist: Persona, clinic_open: None) -> dict[str, Any]:
    return build_world(dermatologist)


def build_world(dermatologist: Persona) -> dict[str, Any]:
    """One patient with a plan, a session booked in three days' time and a screening, and a
    second patient the lists also show."""
    practitioner = dermatologist.user.practitioner
    plan = factories.TreatmentPlanFactory(responsible_dermatologist=practitioner)
    day = timezone.localdate() + dt.timedelta(days=3)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(11)))
    session = factories.BookedSessionFactory(
        plan=plan,
        practitioner=practitioner,
        target_date=day,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=45),
    )
    # Not booked yet, and due around `day` (on another area, so the booked session's spacing
    # is untouched): the calendar's "book here" page lists it.
    factories.TreatmentSessionFactory(
        plan=factories.TreatmentPlanFactory(
            concern__patient=plan.patient,
            concern__body_area="neck",
            responsible_dermatologist=practitioner,
        ),
        target_date=day,
    )
    screening = factories.ScreeningFactory(plan=plan)
    factories.ScreeningAnswerFactory(screening=screening)
    refusal = factories.PlanRefusalFactory(concern=plan.concern)
    consultation = factories.ConsultationFactory(
        patient=plan.patient,
        practitioner=practitioner,
        starts_at=starts - dt.timedelta(hours=2),
        ends_at=starts - dt.timedelta(hours=1, minutes=30),
    )
    other = factories.TreatmentPlanFactory(responsible_dermatologist=practitioner)
    factories.BookedSessionFactory(
        plan=other,
        practitioner=practitioner,
        target_date=day,
        starts_at=starts + dt.timedelta(hours=2),
        ends_at=starts + dt.timedelta(hours=2, minutes=45),
    )
    return {
        "plan": plan,
        "session": session,
        "screening": screening,
        "refusal": refusal,
        "practitioner": practitioner,
        "day": day,
        "other": other.patient,
        "consultation": consultation,
    }


def only_new_row(before: int) -> PatientAccess:
    assert PatientAccess.objects.count() == before + 1, "expected exactly one access-log row"
    entry = PatientAccess.objects.order_by("-pk").first()
    assert entry is not None
    return entry


def named(entry: PatientAccess) -> set[Patient]:
    return set(entry.patients.all())


# --- Pages, from the URLconf -----------------------------------------------------------------

#: Each page's read of patient data: who reads it, with what query, through which channel and
#: whether it names the second patient too. None: the page shows no patient's data. "api":
#: the API's routes, which the schema tests below take.
SHOWS: dict[str, tuple[str, str, str, bool] | None | str] = {
    "home": ("front_desk", "", Channel.PAGE, True),  # the worklist, its sessions unbooked
    "worklist": ("front_desk", "", Channel.PAGE, True),  # sessions due, in full
    "healthz": None,
    "readyz": None,
    "login": None,
    "logout": None,
    "me": None,
    **{
        name: None
        for name in ("two-factor-verify", "two-factor-setup", "two-factor-recovery")
        + ("api-tokens", "api-token-create", "api-token-revoke")
    },
    "patient-create": None,  # an empty form; the POST redirects to the new record
    "patient-archive": None,  # POST only, redirects
    "session-cancel": None,
    "session-reopen": None,  # POST only, back to the session's page
    "session-no-show": None,
    "consultation-cancel": None,  # POST only, back to the patient's page
    "consultation-attend": None,
    "practitioner-feed-renew": None,
    **{
        name: None
        for name in URL_NAMES
        if name.startswith("evidence-")  # the knowledge base: no patient in it
    },
    "patient-list": ("front_desk", "", Channel.PAGE, True),
    "patient-detail": ("front_desk", "", Channel.PAGE, False),
    "patient-edit": ("front_desk", "", Channel.PAGE, False),
    "concern-create": ("dermatologist", "", Channel.PAGE, False),
    "plan-parameters": ("dermatologist", "", Channel.PAGE, False),
    "plan-screening": ("dermatologist", "", Channel.PAGE, False),
    "plan-confirm": ("dermatologist", "", Channel.PAGE, False),
    "plan-detail": ("front_desk", "", Channel.PAGE, False),
    "plan-print": ("front_desk", "", Channel.EXPORT, False),
    "plan-ics": ("front_desk", "", Channel.EXPORT, False),
    "plan-book-series": ("front_desk", "", Channel.PAGE, False),
    "plan-schedule": ("dermatologist", "", Channel.PAGE, False),
    "session-book": ("front_desk", "", Channel.PAGE, False),
    "consultation-book": ("front_desk", "", Channel.PAGE, False),
    "consultation-detail": ("front_desk", "", Channel.PAGE, False),
    "session-check-in": ("front_desk", "", Channel.PAGE, False),
    "session-record": ("dermatologist", "", Channel.PAGE, False),
    "session-rescreen": ("front_desk", "", Channel.PAGE, False),
    "session-detail": ("front_desk", "", Channel.PAGE, False),
    "today": ("front_desk", "?date={day}", Channel.PAGE, True),
    "calendar": ("front_desk", "?date={day}", Channel.PAGE, True),
    "calendar-week": ("front_desk", "?date={day}&view=week", Channel.PAGE, True),
    "calendar-all": ("front_desk", "?date={day}", Channel.PAGE, True),
    "calendar-book-here": ("front_desk", "?day={day}&time=14:00", Channel.PAGE, False),
    "practitioner-feed": ("anonymous", "", Channel.FEED, True),
}


def test_every_route_is_declared_as_showing_patient_data_or_not() -> None:
    declared = {name for name in SHOWS if name != "calendar-week"}
    api = {name for name in URL_NAMES if name.startswith("api:")}
    assert sorted(declared | api) == URL_NAMES


PAGE_CASES = [name for name, spec in SHOWS.items() if isinstance(spec, tuple)]


@pytest.mark.parametrize("name", PAGE_CASES)
def test_each_page_showing_patient_data_writes_one_row_naming_each_patient(
    request: pytest.FixtureRequest, world: dict[str, Any], name: str
) -> None:
    spec = SHOWS[name]
    assert isinstance(spec, tuple)
    persona, query, channel, names_other = spec
    client: Client = request.getfixturevalue(persona)
    url_name = "calendar" if name == "calendar-week" else name
    url = reverse(url_name, kwargs=_kwargs(url_name, world)) + query.format(day=world["day"])
    if name in ("plan-screening", "plan-confirm"):  # the later steps need the first's draft
        concern = world["plan"].concern
        session = client.session
        session[_draft_key(concern)] = {
            "protocol": "IND-01",
            "sessions": 4,
            "interval_days": 30,
            "depth_mm": "1.0",
            "start_date": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
            "departure_reason": "",
            "answered_on": timezone.localdate().isoformat(),
            "answers": {},
            "acknowledged": [],
        }
        session.save()
    if name == "session-rescreen":
        blocked_for_rescreen(world)
    if name in ("home", "worklist"):  # both patients' sessions are then due for booking
        TreatmentSession.objects.update(
            status=TreatmentSession.Status.PLANNED,
            starts_at=None,
            ends_at=None,
            practitioner=None,
            room=None,
        )
    before = PatientAccess.objects.count()
    response = client.get(url, REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="Tablet 3")
    assert response.status_code == 200, (url, response.status_code)
    entry = only_new_row(before)
    patient = world["plan"].patient
    expected = {patient, world["other"]} if names_other else {patient}
    assert named(entry) == expected
    assert entry.patient_count == len(expected)
    reader = world["practitioner"].user if persona == "anonymous" else client.user  # type: ignore[attr-defined]
    assert (entry.user, entry.channel, entry.method) == (reader, channel, "GET")
    assert entry.path == url and entry.ip_address == "198.51.100.23"
    assert entry.user_agent == "Tablet 3"



def blocked_for_rescreen(world: dict[str, Any]) -> None:
    """Only a blocked session is re-screened: the world's session, blocked at check-in."""
    TreatmentSession.objects.filter(pk=world["session"].pk).update(
        status=TreatmentSession.Status.BLOCKED,
        status_reason="Contraindication at check-in: an active cold sore",
    )


def test_a_search_page_names_the_patients_it_found_and_no_others(
    front_desk: Persona, world: dict[str, Any]
) -> None:
    patient = world["plan"].patient
    before = PatientAccess.objects.count()
    front_desk.get(reverse("patient-list"), {"q": patient.mrn})
    assert named(only_new_row(before)) == {patient}
    before = PatientAccess.objects.count()
    front_desk.get(reverse("patient-list"), {"q": "Nobody-By-This-Name"})
    assert PatientAccess.objects.count() == before  # it showed nobody


def test_a_refused_read_and_a_redirect_are_not_reads(
    anonymous: Client, front_desk: Persona, world: dict[str, Any]
) -> None:
    patient = world["plan"].patient
    anonymous.get(reverse("patient-detail", args=[patient.public_id]))
    anonymous.get(f"/api/patients/{patient.public_id}/")
    front_desk.get(reverse("session-record", args=[world["session"].public_id]))  # 403
    response = front_desk.post(reverse("patient-archive", args=[patient.public_id]))
    assert response.status_code == 302
    assert not PatientAccess.objects.exists()


# --- The API, from its schema ----------------------------------------------------------------


def _schema() -> tuple[dict[str, Any], SchemaGenerator]:
    generator = SchemaGenerator()
    return generator.get_schema(request=None, public=True), generator


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if "$ref" in node else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _responded(schema: dict[str, Any]) -> set[str]:
    """The components some response returns, and those they contain."""
    components = schema["components"]["schemas"]
    found: set[str] = set()
    todo = {
        ref
        for operations in schema["paths"].values()
        for operation in operations.values()
        for ref in _refs(operation.get("responses", {}))
    }
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo |= _refs(components.get(name, {}))
    return found


def _naming_a_patient(schema: dict[str, Any]) -> set[str]:
    """Response components that carry a patient's data: a patient, or a record naming one."""
    components = schema["components"]["schemas"]
    return {
        name
        for name in _responded(schema)
        if {"patient", "mrn"} & set(components.get(name, {}).get("properties", {}))
    }


def _patient_components(schema: dict[str, Any]) -> set[str]:
    """Those, and the components that wrap them (pages of them)."""
    direct = _naming_a_patient(schema)
    components = schema["components"]["schemas"]
    return direct | {name for name, body in components.items() if _refs(body) & direct}


def _operations_showing_patients() -> list[tuple[str, str]]:
    schema, _ = _schema()
    carrying = _patient_components(schema)
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            ok = {k: v for k, v in operation.get("responses", {}).items() if k.startswith("2")}
            if _refs(ok) & carrying:
                found.append((method.upper(), path))
    return sorted(found)


def test_every_api_representation_of_patient_data_is_one_that_logs() -> None:
    """Logging lives in the representation (ShowsPatientData), so a list, a detail and a write
    response alike are on record: every schema component naming a patient must be one."""
    schema, generator = _schema()
    direct = _naming_a_patient(schema)
    assert direct, "the schema names no patient at all?"
    made_by = {
        component.name: component.object
        for component in generator.registry._components.values()
        if component.name in direct
    }
    assert set(made_by) == direct
    not_logging = sorted(
        name
        for name, made in made_by.items()
        if not isinstance(made, ShowsPatientData)
        and not (isinstance(made, type) and issubclass(made, ShowsPatientData))
    )
    assert not not_logging, f"these show patient data without logging it: {not_logging}"


def _url(path: str, world: dict[str, Any]) -> str:
    placeholder = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
    match = resolve(placeholder)
    return reverse(match.view_name, kwargs=_kwargs(match.view_name, world))


#: Each operation that returns patient data, with the request that gets it.
def _reads(world: dict[str, Any]) -> dict[tuple[str, str], tuple[str, Any, bool]]:
    """(method, schema path) → (persona, body, names the second patient too)."""
    session = world["session"]
    practitioner = world["practitioner"]
    starts = session.starts_at + dt.timedelta(hours=4)
    return {
        ("GET", "/api/patients/"): ("front_desk", None, True),
        ("POST", "/api/patients/"): (
            "front_desk",
            {
                "given_name": "Ada",
                "family_name": "Byron",
                "date_of_birth": "1985-12-10",
                "sex": "female",
                "phone": "+442079460999",
                "email": "ada@example.org",
            },
            False,
        ),
        ("GET", "/api/patients/{public_id}/"): ("front_desk", None, False),
        ("PUT", "/api/patients/{public_id}/"): (
            "front_desk",
            {
                "given_name": "Rosa",
                "family_name": "Marlowe",
                "date_of_birth": "1980-01-02",
                "sex": "female",
                "phone": "+442079460123",
                "email": "rosa@example.org",
            },
            False,
        ),
        ("PATCH", "/api/patients/{public_id}/"): ("front_desk", {"given_name": "Rosalind"}, False),
        ("POST", "/api/patients/{public_id}/archive/"): ("front_desk", {}, False),
        ("GET", "/api/patients/{public_id}/concerns/"): ("front_desk", None, False),
        ("POST", "/api/patients/{public_id}/concerns/"): (
            "dermatologist",
            {"indication": "wrinkles", "body_area": "neck"},
            False,
        ),
        ("GET", "/api/plans/"): ("front_desk", None, True),
        ("GET", "/api/plans/{public_id}/"): ("front_desk", None, False),
        ("GET", "/api/plan-refusals/"): ("front_desk", None, False),
        ("GET", "/api/plan-refusals/{public_id}/"): ("front_desk", None, False),
        ("GET", "/api/screenings/"): ("front_desk", None, False),
        ("GET", "/api/screenings/{public_id}/"): ("front_desk", None, False),
        ("GET", "/api/sessions/"): ("front_desk", None, True),
        ("GET", "/api/sessions/{public_id}/"): ("front_desk", None, False),
        ("POST", "/api/sessions/{public_id}/reschedule/"): (
            "front_desk",
            {
                "starts_at": starts.isoformat(),
                "practitioner": str(practitioner.public_id),
                "room": str(session.room.public_id),
            },
            False,
        ),
        ("POST", "/api/sessions/{public_id}/cancel/"): (
            "front_desk",
            {"reason": "The patient asked to cancel."},
            False,
        ),
        ("POST", "/api/screenings/rescreen/"): (
            "front_desk",
            {"session": str(session.public_id), "changed": True, "answers": answers()},
            False,
        ),
        ("GET", "/api/consultations/"): ("front_desk", None, False),
        ("GET", "/api/consultations/{public_id}/"): ("front_desk", None, False),
        ("POST", "/api/consultations/{public_id}/cancel/"): (
            "front_desk",
            {"reason": "The patient asked to cancel."},
            False,
        ),
    }


#: Writes whose success needs a state this world does not have (a check-in on the session's
#: day, a plan's full screening): their representation is the logging one (the component test
#: above), and each has its own write test in tests/test_writes_postgres.py.
NEEDS_ITS_OWN_STATE = {
    ("POST", "/api/plans/"),
    # Unbooked sessions and free slots (tests/treatments/booking/test_series_booking.py), and
    # a changed schedule (tests/treatments/planning/test_plan_schedule.py).
    ("POST", "/api/plans/{public_id}/book-series/"),
    ("POST", "/api/plans/{public_id}/schedule/"),
    ("POST", "/api/sessions/{public_id}/book/"),
    ("POST", "/api/sessions/{public_id}/check-in/"),
    ("POST", "/api/sessions/{public_id}/no-show/"),
    ("POST", "/api/sessions/{public_id}/record/"),
    ("POST", "/api/sessions/{public_id}/amend/"),  # a completed record: tests/.../test_amend.py
    ("POST", "/api/screenings/{public_id}/override/"),
    # A blocked session: tests/treatments/visit/test_blocked_session.py and the write tests.
    ("POST", "/api/sessions/{public_id}/rescreen/"),
    ("POST", "/api/sessions/{public_id}/reopen/"),
    # An open day's free time, and the consultation's own day: tests/treatments/consultation.
    ("POST", "/api/consultations/"),
    ("POST", "/api/consultations/{public_id}/attend/"),
}


def test_every_operation_returning_patient_data_is_exercised_here(world: dict[str, Any]) -> None:
    assert sorted(set(_reads(world)) | NEEDS_ITS_OWN_STATE) == _operations_showing_patients()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/patients/"),
        ("POST", "/api/patients/"),
        ("GET", "/api/patients/{public_id}/"),
        ("PUT", "/api/patients/{public_id}/"),
        ("PATCH", "/api/patients/{public_id}/"),
        ("POST", "/api/patients/{public_id}/archive/"),
        ("GET", "/api/patients/{public_id}/concerns/"),
        ("POST", "/api/patients/{public_id}/concerns/"),
        ("GET", "/api/plans/"),
        ("GET", "/api/plans/{public_id}/"),
        ("GET", "/api/plan-refusals/"),
        ("GET", "/api/plan-refusals/{public_id}/"),
        ("GET", "/api/screenings/"),
        ("GET", "/api/screenings/{public_id}/"),
        ("GET", "/api/sessions/"),
        ("GET", "/api/sessions/{public_id}/"),
        ("POST", "/api/sessions/{public_id}/reschedule/"),
        ("POST", "/api/sessions/{public_id}/cancel/"),
        ("POST", "/api/screenings/rescreen/"),
        ("GET", "/api/consultations/"),
        ("GET", "/api/consultations/{public_id}/"),
        ("POST", "/api/consultations/{public_id}/cancel/"),
    ],
)
def test_each_api_operation_returning_patient_data_writes_one_row(
    request: pytest.FixtureRequest, world: dict[str, Any], method: str, path: str
) -> None:
    persona, body, names_other = _reads(world)[(method, path)]
    client: Persona = request.getfixturevalue(persona)
    url = _url(path, world)
    before = PatientAccess.objects.count()
    if method == "GET":
        response = client.get(url, HTTP_USER_AGENT="Integration 2")
    elif method == "PATCH":
        response = patch(client, url, body)
    elif method == "PUT":
        response = client.put(url, data=body, content_type="application/json")
    else:
        response = post(client, url, body)
    assert response.status_code in (200, 201), (url, response.content[:300])
    entry = only_new_row(before)
    patient = world["plan"].patient
    if (method, path) == ("POST", "/api/patients/"):
        expected = {Patient.objects.get(public_id=response.json()["id"])}
    else:
        expected = {patient, world["other"]} if names_other else {patient}
    if path in ("/api/screenings/", "/api/plan-refusals/"):  # the other patient has none
        expected = {patient}
    assert named(entry) == expected
    assert (entry.user, entry.channel, entry.method) == (client.user, Channel.API, method)


def test_a_list_of_many_patients_is_one_row_written_in_two_queries(
    front_desk: Persona, clinic_open: None, django_assert_num_queries: Any
) -> None:
    factories.PatientFactory.create_batch(30)
    before = PatientAccess.objects.count()
    response = front_desk.get("/api/patients/?page_size=100")
    assert response.status_code == 200
    entry = only_new_row(before)
    assert entry.patient_count == 30 == len(named(entry))
    # The same list again costs the same number of queries with 5 patients more: the log is
    # written in bulk, not one INSERT per patient.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as thirty:
        front_desk.get("/api/patients/?page_size=100")
    factories.PatientFactory.create_batch(5)
    with CaptureQueriesContext(connection) as thirty_five:
        front_desk.get("/api/patients/?page_size=100")
    assert len(thirty_five) == len(thirty)
    inserts = [q for q in thirty_five.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 2


def test_a_refused_write_logs_nothing(front_desk: Persona, world: dict[str, Any]) -> None:
    patient = world["plan"].patient
    response = patch(front_desk, f"/api/patients/{patient.public_id}/", {"date_of_birth": "x"})
    assert response.status_code == 400
    assert not PatientAccess.objects.exists()


# --- The admin, from its registry ------------------------------------------------------------


def _patient_of(model: type[models.Model]) -> str | None:
    """The lookup from a model to its patient (up to two relations away), or None."""
    if model is Patient:
        return "pk"
    fields = [f for f in model._meta.fields if f.is_relation and f.related_model is not None]
    for f in fields:
        if f.related_model is Patient:
            return f.name
    for f in fields:
        related = f.related_model
        if (f.name.startswith("pgh_") and f.name != "pgh_obj") or not isinstance(related, type):
            continue
        inner = _patient_of(related) if related is not model else None
        if inner is not None and inner != "pk" and "__" not in inner:
            return f"{f.name}__{inner}"
        if inner == "pk":
            return f.name
    return None


#: Shows patient data but is not logged: the access log itself, which only clinic admins read.
#: Logging its reads would write a row naming every patient on each page of the log.
NOT_LOGGED = {PatientAccess}

ADMIN_MODELS = sorted(
    (m for m in admin.site._registry if _patient_of(m) and m not in NOT_LOGGED),
    key=lambda m: m._meta.label,
)


def _instance_for(model: type[models.Model], world: dict[str, Any]) -> models.Model:
    patient = world["plan"].patient
    lookup = _patient_of(model)
    assert lookup is not None
    # The world's own rows were made first (the patient has other rows too).
    existing = model._default_manager.filter(**{lookup: patient.pk}).order_by("pk").first()
    if existing is not None:
        return existing
    # Change-history events are written by PostgreSQL triggers; elsewhere make one by hand.
    tracked = model._meta.get_field("pgh_obj").related_model
    assert isinstance(tracked, type) and issubclass(tracked, models.Model)
    tracked_lookup = _patient_of(tracked)
    assert tracked_lookup is not None
    source = tracked._default_manager.filter(**{tracked_lookup: patient.pk}).first()
    copied = {
        f.attname: getattr(source, f.attname)
        for f in model._meta.concrete_fields
        if not f.name.startswith("pgh_") and hasattr(source, f.attname)
    }
    return model._default_manager.create(pgh_obj=source, pgh_label="insert", **copied)


def test_the_admin_logs_every_model_that_belongs_to_a_patient() -> None:
    assert {m._meta.label for m in ADMIN_MODELS} >= {
        "patients.Patient",
        "patients.SkinConcern",
        "treatments.TreatmentPlan",
        "treatments.TreatmentSession",
        "treatments.Screening",
        "treatments.ScreeningAnswer",
        "patients.PatientEvent",
        "treatments.ScreeningAnswerEvent",
    }


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label_lower)
@pytest.mark.parametrize("page", ["changelist", "change"])
def test_each_admin_list_and_change_page_of_patient_data_writes_one_row(
    clinic_admin: Persona, world: dict[str, Any], model: type[models.Model], page: str
) -> None:
    obj = _instance_for(model, world)
    info = (model._meta.app_label, model._meta.model_name)
    if page == "changelist":
        url = reverse("admin:{}_{}_changelist".format(*info))
    else:
        url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
    before = PatientAccess.objects.count()
    response = clinic_admin.get(url)
    assert response.status_code == 200
    entry = only_new_row(before)
    assert world["plan"].patient in named(entry)
    assert (entry.user, entry.channel) == (clinic_admin.user, Channel.ADMIN)


def test_the_admin_patient_picker_logs_the_patients_it_offers(
    front_desk: Persona, world: dict[str, Any]
) -> None:
    patient = world["plan"].patient
    before = PatientAccess.objects.count()
    response = front_desk.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "patients",
            "model_name": "skinconcern",
            "field_name": "patient",
            "term": patient.family_name,
        },
    )
    assert response.status_code == 200
    assert (
        patient.mrn in response.content.decode() or patient.family_name in response.content.decode()
    )
    assert patient in named(only_new_row(before))


# --- Reading the log -------------------------------------------------------------------------


def test_clinic_admins_find_who_saw_a_patient_and_what_a_user_saw_on_a_day(
    clinic_admin: Persona, front_desk: Persona, dermatologist: Persona, world: dict[str, Any]
) -> None:
    patient, other = world["plan"].patient, world["other"]
    front_desk.get(reverse("patient-detail", args=[patient.public_id]))
    dermatologist.get(reverse("patient-detail", args=[other.public_id]))
    front_desk.get(reverse("today") + f"?date={world['day']}")  # names both
    changelist = reverse("admin:patients_patientaccess_changelist")

    who_saw = clinic_admin.get(changelist, {"patient": patient.mrn})
    rows = list(who_saw.context["cl"].result_list)
    assert {row.user for row in rows} == {front_desk.user}
    assert len(rows) == 2

    saw = clinic_admin.get(
        changelist,
        {
            "user__id__exact": dermatologist.user.pk,
            "accessed_at__day": timezone.localdate().day,
            "accessed_at__month": timezone.localdate().month,
            "accessed_at__year": timezone.localdate().year,
        },
    )
    assert saw.status_code == 200
    rows = list(saw.context["cl"].result_list)
    assert [named(row) for row in rows] == [{other}]
    assert other.mrn in saw.content.decode()  # each row names its patients

    patient_page = clinic_admin.get(reverse("admin:patients_patient_change", args=[patient.pk]))
    assert f"{changelist}?patient={patient.mrn}" in patient_page.content.decode()


def test_nobody_edits_or_deletes_the_log(clinic_admin: Persona, world: dict[str, Any]) -> None:
    entry = factories.PatientAccessFactory(patients=[world["plan"].patient])
    change = reverse("admin:patients_patientaccess_change", args=[entry.pk])
    assert clinic_admin.post(change, {"path": "/forged/"}).status_code == 403
    delete = reverse("admin:patients_patientaccess_delete", args=[entry.pk])
    assert clinic_admin.post(delete, {"post": "yes"}).status_code == 403
    assert PatientAccess.objects.filter(pk=entry.pk, path="/patients/x/").exists()


def test_a_session_that_is_not_booked_still_names_its_patient_on_the_api(
    front_desk: Persona, world: dict[str, Any]
) -> None:
    planned = TreatmentSession.objects.filter(plan=world["plan"]).exclude(pk=world["session"].pk)
    for session in planned:
        before = PatientAccess.objects.count()
        front_desk.get(f"/api/sessions/{session.public_id}/")
        assert named(only_new_row(before)) == {world["plan"].patient}


def test_history_models_are_all_registered() -> None:
    events = {m for m in apps.get_models() if m.__name__.endswith("Event")}
    assert events <= set(admin.site._registry)
