"""Every HTML form, field by field, against hostile input; and every POST without its CSRF token.

Each form is declared once with a body it accepts. The baseline test proves that body is
accepted, so when a hostile value in one field is refused, that field is the reason. A refusal
must come with a message the user can read and must leave every clinical record as it was.
A form posting to a URL that is not declared here fails the coverage test.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.messages import constants, get_messages
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.api_auth import issue_token
from clinic.models import Practitioner, Room
from patients.models import Patient, SkinConcern
from tests import factories
from tests.conftest import Persona, all_no
from tests.test_permission_matrix import MATRIX
from tests.test_permission_matrix import _kwargs as matrix_kwargs
from treatments.booking import services as session_services
from treatments.models import (
    Consultation,
    Screening,
    ScreeningAnswer,
    SessionAmendment,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.screening.selectors import plan_screening_questions
from treatments.visit import services as visit_services

pytestmark = pytest.mark.django_db

#: Monday 1 March 2027, 09:40 in London (UTC in winter): session 1's arrival (09:30) has passed.
NOW = dt.datetime(2027, 3, 1, 9, 40, tzinfo=dt.UTC)

OVERLONG = "x" * 100_001
TEXT = {"overlong": OVERLONG, "nul": "a\x00b"}
# Arabic-Indic and other Unicode digits are read as the digits they are (Python's int()),
# so they are not hostile here; the grade parser, which stores text, is stricter.
NUMBER = {
    "negative": "-1",
    "huge": "9" * 40,
    "exponent": "1e999",
    "nan": "NaN",
    "hex": "0x10",
    "word": "many",
}
DATE = {
    "year-1": "0001-01-01",
    "year-9999": "9999-12-31",
    "no-such-day": "2027-02-30",
    "word": "tomorrow",
    "overlong": "2027-03-01" + "0" * 5000,
}
DATETIME = {
    "year-1": "0001-01-01T10:00",
    "year-9999": "9999-12-31T10:00",
    "no-such-month": "2027-13-01T10:00",
    "word": "noon",
}
CHOICE = {"unknown": "bogus", "overlong": "9" * 5000, "negative": "-1", "nul": "\x00"}


def uuids(other: Callable[[dict], Any]) -> dict[str, Any]:
    """Public ids that must not work: another kind of record's, one that exists nowhere, junk."""
    return {
        "borrowed": lambda world: str(other(world)),
        "unknown": lambda world: str(uuid.uuid4()),
        "junk": "not-a-uuid",
        "sql": "' OR 1=1 --",
    }


@dataclass(frozen=True)
class FormCase:
    name: str  # the URL's name, as in the permission matrix
    persona: str
    body: Callable[[dict], dict[str, Any]]
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # field -> label -> value
    url: Callable[[dict], str] | None = None
    prepare: Callable[[dict, Client], None] | None = None
    changes_records: bool = True  # False for steps whose result lives in the session
    accepted: int = 302  # 200 for a page that shows, once, what it made (codes, a token)

    def address(self, world: dict) -> str:
        return (
            self.url(world) if self.url else reverse(self.name, kwargs=world["kwargs"][self.name])
        )


def _current_code(user: Any, *, confirmed: bool) -> str:
    """The code the user's authenticator app shows now."""
    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).latest("pk")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def _setup_begun(world: dict, client: Client) -> None:
    client.get(reverse("two-factor-setup"))  # makes the authenticator to be confirmed


def _plan_step(world: dict, client: Client) -> None:
    client.post(
        reverse("plan-parameters", kwargs=world["kwargs"]["plan-parameters"]),
        {**PLAN_PARAMETERS(world), "protocol": world["ind01"]},
    )


def _screened(world: dict, client: Client) -> None:
    _plan_step(world, client)
    client.post(
        reverse("plan-screening", kwargs=world["kwargs"]["plan-screening"]),
        {f"rule_{code}": "no" for code in all_no()},
    )


def _checked_in(world: dict, client: Client) -> None:
    visit_services.session_check_in(
        acting_user=world["front_desk_user"], session=world["session1"], changed=False
    )


def _recorded(world: dict, client: Client) -> None:
    _checked_in(world, client)
    visit_services.session_record(
        acting_user=world["practitioner"].user,
        session=world["session1"],
        depth_used_mm=Decimal("1.0"),
        area="face",
    )


def _blocked(world: dict, client: Client) -> None:
    """Session 1 blocked at check-in by an active cold sore (C02, absolute)."""
    visit_services.session_check_in(
        acting_user=world["front_desk_user"],
        session=world["session1"],
        changed=True,
        answers={**all_no(), "C02": True},
    )


def _awaiting_override(world: dict, client: Client) -> None:
    """Blocked, then re-screened by the front desk: the cold sore has gone, but a relative
    contraindication (C04) waits for the dermatologist's written override."""
    _blocked(world, client)
    visit_services.session_rescreen(
        acting_user=world["front_desk_user"],
        session=TreatmentSession.objects.get(pk=world["session1"].pk),
        answers={**all_no(), "C04": True},
    )


def RESCREEN(world: dict) -> dict[str, Any]:  # noqa: N802 - read as a constant
    questions = plan_screening_questions(world["plan"]).asked
    return {f"rule_{question.rule.code}": "no" for question in questions}


def PATIENT(world: dict) -> dict[str, Any]:  # noqa: N802 - read as a constant
    return {
        "given_name": "Ann",
        "family_name": "Lee",
        "date_of_birth": "1980-05-17",
        "sex": "female",
        "phone": "020 7946 0123",
        "email": "ann@example.org",
        "fitzpatrick_type": "3",
        "notes": "",
    }


def PLAN_PARAMETERS(world: dict) -> dict[str, Any]:  # noqa: N802
    return {
        "protocol": world["ind01"],
        "sessions": "4",
        "interval_days": "30",
        "depth_mm": "1.0",
        "start_date": "2027-03-08",
        "departure_reason": "",
    }


PATIENT_FIELDS = {
    "given_name": TEXT,
    "family_name": TEXT,
    "date_of_birth": DATE,
    "sex": CHOICE,
    "phone": TEXT,
    "email": {**TEXT, "not-an-address": "ann at example"},
    "fitzpatrick_type": CHOICE,
    "notes": TEXT,
}

FORMS = [
    FormCase("patient-create", "dermatologist", PATIENT, PATIENT_FIELDS),
    FormCase("patient-edit", "dermatologist", PATIENT, PATIENT_FIELDS),
    FormCase("patient-archive", "front_desk", lambda world: {}),
    FormCase(
        "concern-create",
        "dermatologist",
        lambda world: {
            "indication": world["wrinkles"],
            "body_area": "face",
            "grading_scale": "",
            "baseline_grade": "",
            "notes": "",
        },
        {
            "indication": CHOICE,
            "body_area": CHOICE,
            "grading_scale": CHOICE,
            "notes": TEXT,
        },
    ),
    FormCase(
        "plan-parameters",
        "dermatologist",
        PLAN_PARAMETERS,
        {
            "protocol": CHOICE,
            "sessions": NUMBER,
            "interval_days": NUMBER,
            "depth_mm": NUMBER,
            "start_date": DATE,
            "departure_reason": TEXT,
        },
        changes_records=False,
    ),
    FormCase(
        "plan-screening",
        "dermatologist",
        lambda world: {f"rule_{code}": "no" for code in all_no()},
        {"rule_C01": CHOICE, "rule_C13": CHOICE, "override_reason": TEXT},
        prepare=_plan_step,
        changes_records=False,
    ),
    FormCase("plan-confirm", "dermatologist", lambda world: {}, prepare=_screened),
    FormCase(
        "session-book",
        "front_desk",
        lambda world: {
            "starts_at": "2027-03-31T10:00:00+01:00",
            "practitioner": world["practitioner"].public_id,
            "room": world["room"].public_id,
        },
        {
            "starts_at": DATETIME,
            "practitioner": uuids(lambda world: world["other_room"].public_id),
            "room": uuids(lambda world: world["practitioner"].public_id),
        },
        url=lambda world: reverse("session-book", args=[world["session2"].public_id]),
    ),
    FormCase(
        "plan-book-series",  # sessions 2 to 4 (session 1 is booked)
        "front_desk",
        lambda world: {
            "day": "2027-03-31",
            "time": "10:00",
            "practitioner": world["practitioner"].public_id,
            "room": world["room"].public_id,
            "action": "book",
        },
        {
            "day": DATE,
            "time": {"word": "noon", "nul": "\x00", "overlong": "10:00" + "0" * 5000},
            "practitioner": uuids(lambda world: world["other_room"].public_id),
            "room": uuids(lambda world: world["practitioner"].public_id),
        },
    ),
    FormCase(
        "plan-schedule",
        "dermatologist",
        lambda world: {"sessions": "5", "interval_days": "30", "departure_reason": ""},
        {"sessions": NUMBER, "interval_days": NUMBER, "departure_reason": TEXT},
    ),
    FormCase(
        "session-cancel",
        "front_desk",
        lambda world: {"reason": "Patient moved away"},
        {"reason": TEXT},
        url=lambda world: reverse("session-cancel", args=[world["session2"].public_id]),
    ),
    FormCase("session-no-show", "front_desk", lambda world: {}),
    FormCase(
        "consultation-book",
        "front_desk",
        lambda world: {
            "day": "2027-03-01",
            "starts_at": "2027-03-01T12:00:00+00:00",
            "practitioner": world["practitioner"].public_id,
            "room": world["room"].public_id,
            "reason": "Acne scars",
        },
        {
            "starts_at": DATETIME,
            "practitioner": uuids(lambda world: world["other_room"].public_id),
            "room": uuids(lambda world: world["practitioner"].public_id),
            "reason": TEXT,
        },
        url=lambda world: reverse(
            "consultation-book", args=[world["other_plan"].patient.public_id]
        ),
    ),
    FormCase(
        "consultation-cancel",
        "front_desk",
        lambda world: {"reason": "Found another clinic"},
        {"reason": TEXT},
    ),
    FormCase("consultation-attend", "dermatologist", lambda world: {}),
    FormCase(
        "session-check-in",
        "front_desk",
        lambda world: {"changed": "no"},
        {"changed": {**CHOICE, "unanswered": ""}},  # never "nothing changed" by default
    ),
    FormCase(
        "session-rescreen",
        "front_desk",
        RESCREEN,
        {"rule_C02": {**CHOICE, "unanswered": ""}, "override_reason": TEXT},
        url=lambda world: reverse("session-rescreen", args=[world["session1"].public_id]),
        prepare=_blocked,
    ),
    FormCase(
        "session-reopen",
        "dermatologist",
        lambda world: {"override_reason": "Discussed with the patient; benefit outweighs risk."},
        {"override_reason": {**TEXT, "blank": "   "}},
        url=lambda world: reverse("session-reopen", args=[world["session1"].public_id]),
        prepare=_awaiting_override,
    ),
    FormCase(
        "session-record",
        "dermatologist",
        lambda world: {
            "depth_used_mm": "1.0",
            "area": "face",
            "device": "Dermapen 4",
            "needle_cartridge": "16-pin nano",
            "cartridge_lot": "L2027-03",
            "anaesthetic_applied_at": "2027-03-01T09:30",
            "pain_score": "3",
            "adverse_events": "",
            "notes": "",
            "outcome_grade": "",
        },
        {
            "depth_used_mm": NUMBER,
            "area": CHOICE,
            "device": TEXT,
            "needle_cartridge": TEXT,
            "cartridge_lot": TEXT,
            "anaesthetic_applied_at": DATETIME,
            "pain_score": NUMBER,
            "adverse_events": TEXT,
            "notes": TEXT,
        },
        prepare=_checked_in,
    ),
    FormCase(
        "session-detail",  # the amendment of a completed record
        "dermatologist",
        lambda world: {
            "depth_used_mm": "1.25",
            "area": "face",
            "device": "Dermapen 4",
            "needle_cartridge": "16-pin",
            "cartridge_lot": "L2027-03",
            "anaesthetic_applied_at": "",
            "pain_score": "",
            "adverse_events": "",
            "notes": "",
            "outcome_grade": "",
            "reason": "Depth misread from the pen's dial.",
        },
        {
            "depth_used_mm": NUMBER,
            "area": CHOICE,
            "needle_cartridge": TEXT,
            "cartridge_lot": TEXT,
            "anaesthetic_applied_at": DATETIME,
            "pain_score": NUMBER,
            "notes": TEXT,
            "reason": TEXT,
        },
        prepare=_recorded,
    ),
    FormCase("practitioner-feed-renew", "dermatologist", lambda world: {}),
    FormCase("logout", "front_desk", lambda world: {}, changes_records=False),
    FormCase(
        "two-factor-verify",
        "dermatologist",
        lambda world: {"code": _current_code(world["practitioner"].user, confirmed=True)},
        {"code": TEXT},
        changes_records=False,
    ),
    FormCase(
        "two-factor-setup",
        "front_desk",
        lambda world: {"code": _current_code(world["front_desk_user"], confirmed=False)},
        {"code": TEXT},
        prepare=_setup_begun,
        changes_records=False,
        accepted=200,
    ),
    FormCase(
        "two-factor-recovery",
        "dermatologist",
        lambda world: {},
        changes_records=False,
        accepted=200,
    ),
    FormCase(
        "api-token-create", "front_desk", lambda world: {}, changes_records=False, accepted=200
    ),
    FormCase(
        "api-token-revoke",
        "front_desk",
        lambda world: {},
        url=lambda world: reverse("api-token-revoke", args=[world["token_prefix"]]),
        prepare=lambda world, client: world.update(
            token_prefix=issue_token(world["front_desk_user"])[0].token_key
        ),
        changes_records=False,
    ),
]
BY_NAME = {case.name: case for case in FORMS}


def test_every_page_that_accepts_a_post_is_declared_here() -> None:
    posted_pages = {
        name
        for name, methods in MATRIX.items()
        if "POST" in methods and not name.startswith("api:")
    }
    # The login form has its own test below: it holds no record to compare.
    assert posted_pages == set(BY_NAME) | {"login"}


@pytest.fixture(autouse=True)
def planned_last_week(time_machine: time_machine.TimeMachineFixture) -> None:
    """Rosa's plan is made, screened and booked on Wednesday 24 February 2027."""
    time_machine.move_to(dt.datetime(2027, 2, 24, 8, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def world(
    time_machine: time_machine.TimeMachineFixture,
    front_desk: Persona,
    dermatologist: Persona,
    wrinkles_plan: TreatmentPlan,
) -> dict[str, Any]:
    """Rosa's plan with session 1 booked for 10:00 today; now is 09:40, after her arrival."""
    practitioner = dermatologist.user.practitioner
    room = factories.RoomFactory(name="Room 1")
    session1 = wrinkles_plan.sessions.get(number=1)
    session_services.session_book(
        acting_user=front_desk.user,
        session=session1,
        starts_at=dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC),
        practitioner=practitioner,
        room=room,
    )
    time_machine.move_to(NOW, tick=False)
    other = factories.TreatmentPlanFactory()  # another patient's plan, for borrowed ids
    world: dict[str, Any] = {
        "plan": wrinkles_plan,
        "session": session1,
        "session1": session1,
        "session2": wrinkles_plan.sessions.get(number=2),
        "screening": Screening.objects.get(plan=wrinkles_plan),
        "practitioner": practitioner,
        "room": room,
        "other_room": factories.RoomFactory(name="Room 2"),
        "other_plan": other,
        "front_desk_user": front_desk.user,
        "ind01": str(wrinkles_plan.protocol.pk),
        "wrinkles": str(wrinkles_plan.concern.indication_id),
        # A newcomer seen today at 11:00 (the factory skips the rules; the slot is free).
        "consultation": factories.ConsultationFactory(
            practitioner=practitioner,
            room=factories.RoomFactory(name="Consulting room"),
            starts_at=dt.datetime(2027, 3, 1, 11, tzinfo=dt.UTC),
            ends_at=dt.datetime(2027, 3, 1, 11, 30, tzinfo=dt.UTC),
        ),
    }
    world["kwargs"] = {case.name: matrix_kwargs(case.name, world) for case in FORMS}
    # Planning needs a concern without an active plan: Rosa's neck.
    neck = factories.SkinConcernFactory(
        patient=wrinkles_plan.patient, indication=wrinkles_plan.concern.indication, body_area="neck"
    )
    for step in ("plan-parameters", "plan-screening", "plan-confirm"):
        world["kwargs"][step] = {"public_id": neck.patient.public_id, "concern_id": neck.public_id}
    return world


CLINICAL_MODELS = (
    Patient,
    SkinConcern,
    TreatmentPlan,
    TreatmentSession,
    Screening,
    ScreeningAnswer,
    SessionAmendment,
    Consultation,
    Practitioner,
    Room,
)


def snapshot() -> dict[str, list[Mapping[str, Any]]]:
    return {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in CLINICAL_MODELS
    }


def error_messages(response: Any) -> list[str]:
    """What the user is told went wrong: form errors, error messages, or a 4xx body."""
    found = [str(m) for m in get_messages(response.wsgi_request) if m.level >= constants.WARNING]
    for context in response.context or []:
        for form in (context.get("form"),) if hasattr(context, "get") else ():
            if form is not None and form.errors:
                found += [str(e) for errors in form.errors.values() for e in errors]
    if 400 <= response.status_code < 500 and not found:
        text = re.sub(r"<[^>]+>", " ", response.content.decode(errors="replace"))
        found += [line.strip() for line in text.splitlines() if line.strip()][:3]
    return found


def _client(request: pytest.FixtureRequest, case: FormCase, world: dict) -> Persona:
    client: Persona = request.getfixturevalue(case.persona)
    client.force_login(client.user)  # the clock jumped past idle
    if case.prepare:
        case.prepare(world, client)
    return client


@pytest.mark.parametrize("case", FORMS, ids=[case.name for case in FORMS])
def test_each_forms_baseline_is_accepted(
    request: pytest.FixtureRequest, world: dict, case: FormCase
) -> None:
    client = _client(request, case, world)
    before = snapshot()
    response = client.post(case.address(world), case.body(world))
    assert response.status_code == case.accepted, error_messages(response)
    if case.name != "logout" and case.accepted == 302:  # only logging out may end on the login page
        assert not response["Location"].startswith(reverse("login"))
    assert error_messages(response) == []
    assert (snapshot() != before) is case.changes_records


HOSTILE = [
    (case.name, field_name, label)
    for case in FORMS
    for field_name, values in case.fields.items()
    for label in values
]


def _hostile_value(case: FormCase, field_name: str, label: str, world: dict) -> str:
    value = case.fields[field_name][label]
    return value(world) if callable(value) else value


@pytest.mark.parametrize(
    ("name", "field_name", "label"), HOSTILE, ids=["-".join(h) for h in HOSTILE]
)
def test_a_hostile_value_is_refused_with_a_message_and_changes_nothing(
    request: pytest.FixtureRequest, world: dict, name: str, field_name: str, label: str
) -> None:
    case = BY_NAME[name]
    client = _client(request, case, world)
    before = snapshot()
    body = {**case.body(world), field_name: _hostile_value(case, field_name, label, world)}
    response = client.post(case.address(world), body)
    assert response.status_code < 500
    said = error_messages(response)
    assert said, f"{name} accepted {field_name}={label} without a word"
    assert all(message.strip() for message in said)
    assert snapshot() == before
    if not case.changes_records:  # the step must not move on either
        assert response.status_code != 302 or said


def test_odd_but_real_text_is_kept_exactly(dermatologist: Client) -> None:
    """Emoji, right-to-left script and combining marks are names and notes, not attacks."""
    name, family, notes = "Zo\u00eb \U0001f600", "\u05db\u05d4\u05df", "e\u0301 \u202eRTL"
    response = dermatologist.post(
        reverse("patient-create"),
        {**PATIENT({}), "given_name": name, "family_name": family, "notes": notes},
    )
    assert response.status_code == 302
    patient = Patient.objects.get(family_name=family)
    assert (patient.given_name, patient.notes) == (name, notes)
    page = dermatologist.get(reverse("patient-detail", args=[patient.public_id])).content.decode()
    assert family in page


@pytest.mark.parametrize("case", FORMS, ids=[case.name for case in FORMS])
def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(
    request: pytest.FixtureRequest, world: dict, case: FormCase
) -> None:
    logged_in = _client(request, case, world)
    client = Client(enforce_csrf_checks=True)
    client.cookies = logged_in.cookies  # the same logged-in session, but no token
    before = snapshot()
    response = client.post(case.address(world), case.body(world))
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    assert snapshot() == before


def test_the_same_post_with_the_pages_token_goes_through(front_desk: Client) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies = front_desk.cookies
    page = client.get(reverse("patient-create")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        reverse("patient-create"),
        {**PATIENT({}), "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    assert Patient.objects.filter(family_name="Lee").exists()


API_POSTS = sorted(
    name
    for name, methods in MATRIX.items()
    if name.startswith("api:") and "POST" in methods and name != "api:token"
)


@pytest.mark.parametrize("name", API_POSTS)
def test_the_api_refuses_a_cookie_session_post_without_a_csrf_token(
    world: dict, dermatologist: Persona, name: str
) -> None:
    """A browser's cookie is not consent: session-authenticated API writes need the token too.
    (Token-authenticated clients send no cookie, so there is nothing to forge.)"""
    dermatologist.force_login(dermatologist.user)
    client = Client(enforce_csrf_checks=True)
    client.cookies = dermatologist.cookies
    before = snapshot()
    kwargs = matrix_kwargs(name, world)
    response = client.post(reverse(name, kwargs=kwargs), {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert snapshot() == before


HOSTILE_CREDENTIALS = [
    (OVERLONG, "x"),
    ("a\x00b", "x"),
    ("\U0001f600", "\u05db\u05d4\u05df"),
    ("' OR 1=1 --", "' OR 1=1 --"),
]


@pytest.mark.parametrize(("username", "password"), HOSTILE_CREDENTIALS)
@pytest.mark.parametrize("where", ["login", "admin:login"])
def test_the_login_forms_survive_hostile_credentials(
    anonymous: Client, where: str, username: str, password: str
) -> None:
    """Every failed attempt is recorded by axes, in columns PostgreSQL bounds: an overlong or
    NUL-bearing username must not turn the failure into a 500."""
    response = anonymous.post(reverse(where), {"username": username, "password": password})
    assert response.status_code == 200
    assert error_messages(response)
    assert "_auth_user_id" not in anonymous.session


@pytest.mark.parametrize(("username", "password"), HOSTILE_CREDENTIALS)
def test_the_api_token_endpoint_survives_hostile_credentials(
    anonymous: Client, username: str, password: str
) -> None:
    response = anonymous.post(
        reverse("api:token"),
        {"username": username, "password": password},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"]
