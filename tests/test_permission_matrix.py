"""Every URL, for every persona and method it accepts, gives its declared result.

The matrix is built from the URLconf: a URL added without an entry here fails the first test.
Bodies are empty, so an allowed write answers 400 (or a redirect with a message on pages)
and changes nothing; what matters is who gets past the door.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "front_desk", "dermatologist", "clinic_admin")


def each(anonymous: int, front_desk: int, dermatologist: int, clinic_admin: int) -> dict:
    return dict(zip(PERSONAS, (anonymous, front_desk, dermatologist, clinic_admin), strict=True))


PAGE = each(302, 200, 200, 200)  # any staff role; anonymous visitors go to the login page
API_READ = each(401, 200, 200, 200)
API_WRITE_BAD_BODY = each(401, 400, 400, 400)  # allowed in; the empty body is refused
API_WRITE_NOT_NOW = each(401, 409, 409, 409)  # allowed in; the session is not due today
DERMATOLOGISTS_ONLY_API = each(401, 403, 400, 403)
# Deleting, and writing the knowledge base, exist for nobody: roles without the model permission
# are stopped at the door (403); the clinic admin, who holds it, finds no such method (405).
NO_SUCH_WRITE = each(401, 403, 403, 405)

MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "home": {"GET": PAGE},
    "worklist": {"GET": each(302, 200, 403, 403)},  # "due": the front desk's list
    "healthz": {"GET": each(200, 200, 200, 200)},
    "readyz": {"GET": each(200, 200, 200, 200)},
    "login": {"GET": each(200, 200, 200, 200), "POST": each(200, 200, 200, 200)},
    "logout": {"POST": each(302, 302, 302, 302)},
    "me": {"GET": PAGE},
    # Who has no authenticator is sent to set one up; the others give their code.
    "two-factor-verify": {"GET": each(302, 302, 200, 200), "POST": each(302, 302, 200, 200)},
    "two-factor-setup": {"GET": PAGE, "POST": PAGE},
    "two-factor-recovery": {"POST": each(302, 302, 200, 200)},
    "api-tokens": {"GET": PAGE},
    "api-token-create": {"POST": PAGE},
    "api-token-revoke": {"POST": each(302, 302, 302, 302)},
    "patient-list": {"GET": PAGE},
    "patient-create": {"GET": PAGE, "POST": PAGE},
    "patient-edit": {"GET": PAGE, "POST": PAGE},
    "patient-archive": {"POST": each(302, 302, 302, 302)},
    "concern-create": {"GET": each(302, 403, 200, 200), "POST": each(302, 403, 200, 200)},
    "patient-detail": {"GET": PAGE},
    "evidence-indications": {"GET": PAGE},
    "evidence-indication": {"GET": PAGE},
    "evidence-protocol": {"GET": PAGE},
    "evidence-rules": {"GET": PAGE},
    "evidence-studies": {"GET": PAGE},
    "evidence-study": {"GET": PAGE},
    # Planning needs the role and an active dermatologist record: the clinic admin has neither.
    # Without a draft, the later steps send the dermatologist back to the first.
    "plan-parameters": {"GET": each(302, 403, 200, 403), "POST": each(302, 403, 200, 403)},
    "plan-screening": {"GET": each(302, 403, 302, 403), "POST": each(302, 403, 302, 403)},
    "plan-confirm": {"GET": each(302, 403, 302, 403), "POST": each(302, 403, 302, 403)},
    "plan-detail": {"GET": PAGE},
    "plan-print": {"GET": PAGE},
    "plan-ics": {"GET": PAGE},
    # Every role that books sessions books a series (this plan has nothing left to book).
    "plan-book-series": {"GET": PAGE, "POST": PAGE},
    # Changing a plan's schedule is planning: the clinic admin is no dermatologist.
    "plan-schedule": {"GET": each(302, 403, 200, 403), "POST": each(302, 403, 200, 403)},
    "session-book": {"GET": PAGE, "POST": PAGE},
    "session-cancel": {"POST": each(302, 302, 302, 302)},
    "session-no-show": {"POST": each(302, 302, 302, 302)},
    "session-check-in": {"GET": PAGE, "POST": each(302, 302, 302, 302)},  # no answer: sent back
    "session-record": {"GET": each(302, 403, 200, 200), "POST": each(302, 403, 200, 200)},
    # Only a blocked session is re-screened to reopen it: this booked one sends back to its page.
    "session-rescreen": {"GET": each(302, 302, 302, 302), "POST": each(302, 302, 302, 302)},
    # An override is a dermatologist's: the others' role stops them (the admin's at the service).
    "session-reopen": {"POST": each(302, 403, 302, 302)},
    "consultation-book": {"GET": PAGE, "POST": PAGE},  # no time chosen: the page says so
    "consultation-detail": {"GET": PAGE},
    # Empty reason, or not the consultation's day / not a dermatologist: back with a message.
    "consultation-cancel": {"POST": each(302, 302, 302, 302)},
    "consultation-attend": {"POST": each(302, 302, 302, 302)},
    # Only a completed record is amended: the booked session sends the recorders back.
    "session-detail": {"GET": PAGE, "POST": each(302, 403, 302, 302)},
    "today": {"GET": PAGE},
    "calendar": {"GET": PAGE},
    "calendar-all": {"GET": PAGE},
    "calendar-book-here": {"GET": PAGE},
    "practitioner-feed": {"GET": each(200, 200, 200, 200)},  # the secret token is the key
    "practitioner-feed-renew": {"POST": each(302, 404, 302, 404)},
    "api:patient-list": {"GET": API_READ, "POST": API_WRITE_BAD_BODY},
    "api:patient-detail": {
        "GET": API_READ,
        "PUT": API_WRITE_BAD_BODY,
        "PATCH": API_READ,
        "DELETE": NO_SUCH_WRITE,
    },
    "api:patient-archive": {"POST": API_READ},
    "api:patient-concerns": {"GET": API_READ, "POST": each(401, 403, 400, 400)},
    "api:plan-list": {"GET": API_READ, "POST": DERMATOLOGISTS_ONLY_API},
    "api:plan-preview": {"POST": DERMATOLOGISTS_ONLY_API},
    "api:plan-detail": {"GET": API_READ, "DELETE": NO_SUCH_WRITE},
    "api:plan-series-availability": {"POST": API_WRITE_BAD_BODY},
    "api:plan-book-series": {"POST": API_WRITE_BAD_BODY},
    "api:plan-schedule": {"POST": DERMATOLOGISTS_ONLY_API},
    "api:screening-list": {"GET": API_READ},
    "api:screening-rescreen": {"POST": API_WRITE_BAD_BODY},
    "api:screening-detail": {"GET": API_READ},
    "api:screening-override": {"POST": DERMATOLOGISTS_ONLY_API},
    "api:session-list": {"GET": API_READ},
    "api:session-detail": {"GET": API_READ},
    "api:session-availability": {"GET": API_READ},
    "api:session-book": {"POST": API_WRITE_BAD_BODY},
    "api:session-reschedule": {"POST": API_WRITE_BAD_BODY},
    "api:session-cancel": {"POST": API_WRITE_BAD_BODY},
    "api:session-check-in": {"POST": API_WRITE_BAD_BODY},
    "api:session-no-show": {"POST": API_WRITE_NOT_NOW},
    "api:session-record": {"POST": DERMATOLOGISTS_ONLY_API},
    "api:session-rescreen": {"POST": API_WRITE_BAD_BODY},
    # The override's role first; the dermatologist's empty body is valid, the booked session not.
    "api:session-reopen": {"POST": each(401, 403, 409, 403)},
    "api:plan-refusal-list": {"GET": API_READ},
    "api:plan-refusal-detail": {"GET": API_READ},
    "api:consultation-list": {"GET": API_READ, "POST": API_WRITE_BAD_BODY},
    "api:consultation-detail": {"GET": API_READ},
    "api:consultation-availability": {"GET": API_WRITE_BAD_BODY},  # no day nor patient: 400
    "api:consultation-cancel": {"POST": API_WRITE_BAD_BODY},
    # Only a dermatologist attends; this one is booked for 2031, not today.
    "api:consultation-attend": {"POST": each(401, 403, 409, 403)},
    "api:session-amend": {"POST": DERMATOLOGISTS_ONLY_API},
    **{
        f"api:{name}-{kind}": {"GET": API_READ, "POST": NO_SUCH_WRITE}
        for name in ("study", "indication", "protocol", "rule", "scale")
        for kind in ("list", "detail")
    },
    "api:token": {"POST": each(400, 400, 400, 400)},
    "api:token-list": {"GET": API_READ},
    "api:token-revoke": {"DELETE": each(401, 404, 404, 404)},  # nobody has that prefix
    "api:schema": {"GET": API_READ},
    "api:docs": {"GET": API_READ},
}

#: The admin: the index, then every registered model's list, by who may view it.
ADMIN_INDEX = each(302, 200, 200, 200)
STAFF_VIEWS_IT = each(302, 200, 200, 200)
ADMINS_ONLY = each(302, 403, 403, 200)
ADMIN_MODELS: dict[str, dict[str, int]] = {
    "auth.user": ADMINS_ONLY,
    "auth.group": ADMINS_ONLY,
    "knox.authtoken": ADMINS_ONLY,
    "otp_totp.totpdevice": ADMINS_ONLY,
    "otp_static.staticdevice": ADMINS_ONLY,
    "axes.accessattempt": ADMINS_ONLY,
    "axes.accessfailurelog": ADMINS_ONLY,
    "axes.accesslog": ADMINS_ONLY,
    "clinic.practitioner": STAFF_VIEWS_IT,
    "clinic.practitionerabsence": STAFF_VIEWS_IT,
    "clinic.room": STAFF_VIEWS_IT,
    "clinic.openinghours": STAFF_VIEWS_IT,
    "clinic.closure": STAFF_VIEWS_IT,
    # One record, edited by clinic admins: its list is a redirect to its page.
    "clinic.clinicprofile": each(302, 403, 403, 302),
    **{
        f"evidence.{m}": STAFF_VIEWS_IT
        for m in (
            "study",
            "indication",
            "finding",
            "protocol",
            "contraindicationrule",
            "gradingscale",
        )
    },
    "patients.patient": STAFF_VIEWS_IT,
    "patients.patientaccess": ADMINS_ONLY,
    **{f"patients.{m}event": ADMINS_ONLY for m in ("patient", "skinconcern")},
    **{
        f"treatments.{m}event": ADMINS_ONLY
        for m in (
            "treatmentplan",
            "treatmentsession",
            "screening",
            "screeninganswer",
            "consultation",
            "planrefusal",
        )
    },
    "patients.skinconcern": STAFF_VIEWS_IT,
    "treatments.treatmentplan": STAFF_VIEWS_IT,
    "treatments.treatmentsession": STAFF_VIEWS_IT,
    "treatments.screening": STAFF_VIEWS_IT,
    "treatments.consultation": STAFF_VIEWS_IT,
    # That planning was refused is everyone's to see (which rule refused it, clinicians').
    "treatments.planrefusal": STAFF_VIEWS_IT,
    # Screening answers are clinical as a whole (clinic.visibility): not the front desk's.
    "treatments.screeninganswer": each(302, 403, 200, 200),
}


def _walk(patterns: list, namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


URL_NAMES = sorted(
    {name for name in _walk(get_resolver().url_patterns) if not name.startswith("admin:")}
)


def test_every_url_has_a_declared_result_for_every_persona() -> None:
    assert sorted(MATRIX) == URL_NAMES
    registered = sorted(m._meta.label_lower for m in admin.site._registry)
    assert sorted(ADMIN_MODELS) == registered


@pytest.fixture
def world(dermatologist: Persona, clinic_open: None) -> dict[str, object]:
    practitioner = dermatologist.user.practitioner
    plan = factories.TreatmentPlanFactory(responsible_dermatologist=practitioner)
    session = factories.BookedSessionFactory(
        plan=plan,
        practitioner=practitioner,
        starts_at=dt.datetime(2031, 3, 3, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2031, 3, 3, 10, 45, tzinfo=dt.UTC),
    )
    screening = factories.ScreeningFactory(plan=plan)
    consultation = factories.ConsultationFactory(practitioner=practitioner)
    refusal = factories.PlanRefusalFactory(concern=plan.concern)
    return {
        "refusal": refusal,
        "plan": plan,
        "session": session,
        "screening": screening,
        "practitioner": practitioner,
        "consultation": consultation,
    }


def _kwargs(name: str, world: dict) -> dict[str, object]:
    plan, session = world["plan"], world["session"]
    patient_id, concern_id = plan.patient.public_id, plan.concern.public_id
    if name == "api:plan-refusal-detail":  # only the matrix's world holds a refusal
        return {"public_id": world["refusal"].public_id}
    by_name = {
        "patient-edit": {"public_id": patient_id},
        "patient-archive": {"public_id": patient_id},
        "concern-create": {"public_id": patient_id},
        "patient-detail": {"public_id": patient_id},
        "evidence-indication": {"slug": "wrinkles"},
        "evidence-protocol": {"code": "IND-01"},
        "evidence-study": {"code": "ablon-2018"},
        "plan-parameters": {"public_id": patient_id, "concern_id": concern_id},
        "plan-screening": {"public_id": patient_id, "concern_id": concern_id},
        "plan-confirm": {"public_id": patient_id, "concern_id": concern_id},
        "calendar": {"kind": "practitioners", "public_id": world["practitioner"].public_id},
        "calendar-all": {"kind": "rooms"},
        "practitioner-feed": {"token": world["practitioner"].calendar_token},
        "api:patient-detail": {"public_id": patient_id},
        "api:patient-archive": {"public_id": patient_id},
        "api:patient-concerns": {"public_id": patient_id},
        "api:screening-detail": {"public_id": world["screening"].public_id},
        "api:screening-override": {"public_id": world["screening"].public_id},
        "api:study-detail": {"code": "ablon-2018"},
        "api:indication-detail": {"slug": "wrinkles"},
        "api:protocol-detail": {"code": "IND-01"},
        "api:rule-detail": {"code": "C01"},
        "api:scale-detail": {"code": "S01"},
        "api-token-revoke": {"prefix": "mnc_nothing"},
        "worklist": {"name": "due"},
        "api:token-revoke": {"prefix": "mnc_nothing"},
    }
    if name in by_name:
        return by_name[name]
    if name.startswith(("plan-", "api:plan-")) and name not in (
        "api:plan-preview",
        "api:plan-list",
        "api:plan-refusal-list",
    ):
        return {"public_id": plan.public_id}
    if name.startswith(("consultation-", "api:consultation-")) and name not in (
        "consultation-book",
        "api:consultation-list",
        "api:consultation-availability",
    ):
        return {"public_id": world["consultation"].public_id}
    if name == "consultation-book":
        return {"public_id": patient_id}
    if name.startswith(("session-", "api:session-")) and name != "api:session-list":
        return {"public_id": session.public_id}
    return {}


CASES = [
    (name, method, persona)
    for name, methods in MATRIX.items()
    for method, expected in methods.items()
    for persona in expected
]


@pytest.mark.parametrize(
    ("name", "method", "persona"), CASES, ids=[f"{n}-{m}-{p}" for n, m, p in CASES]
)
def test_each_url_answers_each_persona_as_declared(
    request: pytest.FixtureRequest, world: dict, name: str, method: str, persona: str
) -> None:
    client: Client = request.getfixturevalue(persona)
    url = reverse(name, kwargs=_kwargs(name, world))
    response = (
        getattr(client, method.lower())(url, content_type="application/json")
        if name.startswith("api:")
        else getattr(client, method.lower())(url)
    )
    assert response.status_code == MATRIX[name][method][persona], response.content[:300]


ADMIN_CASES = [(label, persona) for label, expected in ADMIN_MODELS.items() for persona in expected]


@pytest.mark.parametrize(
    ("label", "persona"), ADMIN_CASES, ids=[f"{label}-{p}" for label, p in ADMIN_CASES]
)
def test_each_admin_list_answers_each_persona_as_declared(
    request: pytest.FixtureRequest, label: str, persona: str
) -> None:
    client: Client = request.getfixturevalue(persona)
    app_label, model = label.split(".")
    response = client.get(reverse(f"admin:{app_label}_{model}_changelist"))
    assert response.status_code == ADMIN_MODELS[label][persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_admin_index(request: pytest.FixtureRequest, persona: str) -> None:
    client: Client = request.getfixturevalue(persona)
    assert client.get(reverse("admin:index")).status_code == ADMIN_INDEX[persona]


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
UNDECLARED = [
    (name, method)
    for name, methods in MATRIX.items()
    for method in METHODS
    if method not in methods
]


@pytest.mark.parametrize(("name", "method"), UNDECLARED, ids=[f"{n}-{m}" for n, m in UNDECLARED])
def test_a_method_the_matrix_does_not_declare_is_not_served(
    clinic_admin: Client, world: dict, name: str, method: str
) -> None:
    """So the matrix lists every method a URL accepts: anything else is a 405 (or, for the
    knowledge base and other read-only APIs, refused at the door before the method is looked
    at)."""
    url = reverse(name, kwargs=_kwargs(name, world))
    response = getattr(clinic_admin, method.lower())(url, content_type="application/json")
    assert response.status_code in (403, 405), (response.status_code, response.content[:200])
