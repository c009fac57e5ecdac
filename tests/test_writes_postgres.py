"""Every write, as it really runs: on PostgreSQL, without the test's own transaction around it.

pytest-django wraps a normal test in a transaction, so a `select_for_update` outside
`transaction.atomic`, or a view that saves half of a refused request, passes every other test.
Here each write goes through its page (the form the page renders, filled in and posted) and its
API endpoint, in autocommit as in production. Each test re-reads what was saved, and posts at
least one refused input first, checking that no clinical row and no history row changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.test import Client
from django.urls import reverse

from evidence.models import ContraindicationRule, GradingScale, Indication, Protocol
from patients.models import Patient, SkinConcern, validate_mrn
from tests import factories
from tests.api_helpers import assert_error, patch, post
from tests.conftest import Persona, all_no
from treatments.models import (
    Consultation,
    PlanRefusal,
    Screening,
    ScreeningAnswer,
    SessionAmendment,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.rules.record import ANAESTHETIC_DAY, DEPTH_RANGE, REASON_REQUIRED
from treatments.visit import services as visit_services

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

UTC = dt.UTC
#: Rosa's session 1 is booked for Monday 1 March 2027 at 10:00 (she arrives 09:30).
SESSION_START = dt.datetime(2027, 3, 1, 10, tzinfo=UTC)
BEFORE_ARRIVAL = dt.datetime(2027, 3, 1, 9, 20, tzinfo=UTC)
ON_THE_DAY = dt.datetime(2027, 3, 1, 9, 50, tzinfo=UTC)
CHANNELS = ["page", "api"]


@pytest.fixture(autouse=True)
def today(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2027, 2, 24, 8, tzinfo=UTC), tick=False)


# --- What "nothing changed" means ------------------------------------------------------------

CLINICAL = (
    Patient,
    SkinConcern,
    TreatmentPlan,
    TreatmentSession,
    Screening,
    ScreeningAnswer,
    Consultation,
    SessionAmendment,
)
HISTORY = tuple(
    apps.get_model(app, name)
    for app, name in (
        ("patients", "PatientEvent"),
        ("patients", "SkinConcernEvent"),
        ("treatments", "TreatmentPlanEvent"),
        ("treatments", "TreatmentSessionEvent"),
        ("treatments", "ScreeningEvent"),
        ("treatments", "ScreeningAnswerEvent"),
        ("treatments", "ConsultationEvent"),
    )
)


def snapshot() -> dict[str, Any]:
    """Every clinical row, field by field, and how many history rows the triggers wrote."""
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in CLINICAL}
    return rows | {model.__name__: model.objects.count() for model in HISTORY}


def assert_unchanged(before: dict[str, Any]) -> None:
    """Nothing written: no clinical row added, removed or changed, no history row."""
    after, changes = snapshot(), []
    for name, then in before.items():
        now = after[name]
        if isinstance(then, int):
            if now != then:
                changes.append(f"{name}: {then} -> {now} history rows")
            continue
        old, new = ({row["id"]: row for row in rows} for rows in (then, now))
        changes += [f"{name} {pk} added" for pk in sorted(new.keys() - old.keys())]
        changes += [f"{name} {pk} removed" for pk in sorted(old.keys() - new.keys())]
        changes += [
            f"{name} {pk}.{column}: {old[pk][column]!r} -> {new[pk][column]!r}"
            for pk in sorted(old.keys() & new.keys())
            for column in old[pk]
            if old[pk][column] != new[pk][column]
        ]
    assert not changes, "the refused request saved: " + "; ".join(changes)


# --- The forms the pages really render -------------------------------------------------------


@dataclass
class Form:
    action: str
    names: set[str] = field(default_factory=set)
    values: dict[str, str] = field(default_factory=dict)
    text: str = ""
    form_id: str = ""
    options: dict[str, list[str]] = field(default_factory=dict)  # a select's choices


class _FormParser(HTMLParser):
    """The POST forms of a page, with what a browser would send unchanged, fields placed outside
    their form with a `form="id"` attribute included (the booking page's choices)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.detached: dict[str, Form] = {}
        self._form: Form | None = None
        self._select: tuple[Form, str] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = Form(action=a.get("action") or "", form_id=a.get("id") or "")
                self.forms.append(self._form)
            return
        owner = a.get("form")
        form = self.detached.setdefault(owner, Form(action="")) if owner else self._form
        if tag == "option" and self._select:
            target, select = self._select
            target.options.setdefault(select, []).append(a.get("value") or "")
            if "selected" in a or select not in target.values:
                target.values[select] = a.get("value") or ""
            return
        name = a.get("name")
        if form is None or not name:
            return
        form.names.add(name)
        kind = (a.get("type") or "text").lower()
        if tag == "input" and kind in {"checkbox", "radio"}:
            if "checked" in a:
                form.values[name] = a.get("value") or "on"
        elif tag == "input" and kind not in {"submit", "button", "reset"}:
            form.values[name] = a.get("value") or ""
        elif tag == "textarea":
            form.values[name], self._textarea = "", name
        elif tag == "select":
            self._select = (form, name)

    def handle_data(self, data: str) -> None:
        if self._form is not None:
            self._form.text += data
            if self._textarea:
                self._form.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._form is not None and self._textarea:
            value = self._form.values[self._textarea]
            self._form.values[self._textarea] = value.removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def parse_forms(page: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(page)
    for form in parser.forms:
        outside = parser.detached.get(form.form_id) if form.form_id else None
        if outside is not None:
            form.names |= outside.names
            form.values = {**outside.values, **form.values}
            form.options = {**outside.options, **form.options}
    return parser.forms


def forms_on(client: Client, url: str) -> list[Form]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return parse_forms(response.content.decode())


def form_on(
    client: Client, url: str, *, having: str = "", action: str = "", text: str = ""
) -> Form:
    """The one POST form on the page with this field, action or text."""
    found = [
        form
        for form in forms_on(client, url)
        if (not having or having in form.names)
        and (not action or form.action == action)
        and (not text or text in form.text)
    ]
    assert len(found) == 1, f"{url} has {len(found)} forms with {having or action or text!r}"
    return found[0]


def submit(client: Client, page: str, form: Form, values: dict[str, Any] | None = None) -> Any:
    """Post the form as the browser would, with these fields filled in or changed."""
    values = {name: str(value) for name, value in (values or {}).items()}
    assert set(values) <= form.names, f"not on the form: {sorted(set(values) - form.names)}"
    return client.post(form.action or page, {**form.values, **values}, follow=True)


def slot_form(client: Client, page: str, at: dt.datetime, practitioner: Any, room: Any) -> Form:
    """The booking page's form for this time, with this practitioner and this room chosen
    from the choices it offers at that time."""
    wanted = {"practitioner": str(practitioner.public_id), "room": str(room.public_id)}
    found = [
        form
        for form in forms_on(client, f"{page}?day={at.date().isoformat()}")
        if form.values.get("starts_at")
        and dt.datetime.fromisoformat(form.values["starts_at"]) == at
        and all(value in form.options.get(name, ()) for name, value in wanted.items())
    ]
    assert len(found) == 1, f"{page} offers {len(found)} forms for {at:%d %b %H:%M}"
    found[0].values.update(wanted)
    return found[0]


def html(response: Any) -> str:
    return response.content.decode()


def landed_on(response: Any, url: str) -> bool:
    return bool(response.redirect_chain) and response.redirect_chain[-1][0] == url


# --- Set-up ----------------------------------------------------------------------------------


def on(when: dt.datetime, time_machine: time_machine.TimeMachineFixture, *clients: Persona) -> None:
    """Move the clock; logins idle that long have expired, so log in again."""
    time_machine.move_to(when, tick=False)
    for client in clients:
        client.force_login(client.user)


#: What the record answers for these tests' adult patients at 1.0 mm: the age (C22) and the
#: depth (C24) rules; they are not asked.
FROM_RECORD = frozenset({"C22", "C24"})


def answers(*yes: str, modality: str = "mn") -> dict[str, bool]:
    """One answer per screening question a wrinkles plan of this modality asks (C25 is for
    melasma only): no, except `yes`."""
    codes = [code for code in all_no(modality) if code not in FROM_RECORD]
    assert set(yes) <= set(codes)
    return {code: code in yes for code in codes}


@pytest.fixture
def room() -> factories.Room:
    return factories.RoomFactory(name="Room 1")


@pytest.fixture
def plan(wrinkles_plan: TreatmentPlan) -> TreatmentPlan:
    """Rosa's 4 sessions, 30 days apart from Monday 1 March 2027, none booked yet."""
    return wrinkles_plan


@pytest.fixture
def booked(plan: TreatmentPlan, dermatologist: Persona, room: factories.Room) -> TreatmentSession:
    """Session 1, booked for 1 March 10:00 with the dermatologist in Room 1."""
    TreatmentSession.objects.filter(plan=plan, number=1).update(
        status=TreatmentSession.Status.BOOKED,
        starts_at=SESSION_START,
        ends_at=SESSION_START + dt.timedelta(minutes=45),
        practitioner=dermatologist.user.practitioner,
        room=room,
    )
    return plan.sessions.get(number=1)


def checked_in(session: TreatmentSession, by: Persona, result: str) -> Screening:
    """The session checked in now, after a pre-session screening with this result."""
    TreatmentSession.objects.filter(pk=session.pk).update(status=TreatmentSession.Status.CHECKED_IN)
    screening = factories.ScreeningFactory(
        plan=session.plan,
        session=session,
        kind=Screening.Kind.PRE_SESSION,
        result=result,
        performed_by=by.user,
    )
    if result == Screening.Result.NEEDS_OVERRIDE:
        factories.ScreeningAnswerFactory(
            screening=screening,
            rule=ContraindicationRule.objects.get(code="C04"),
            answer=True,
            severity_applied="relative",
        )
    return screening


def session_api(session: TreatmentSession, action: str) -> str:
    return f"/api/sessions/{session.public_id}/{action}/"


def slot(practitioner: Any, room: Any, starts_at: dt.datetime, **extra: Any) -> dict[str, Any]:
    return {
        "starts_at": starts_at.isoformat(),
        "practitioner": str(practitioner.public_id),
        "room": str(room.public_id),
        **extra,
    }


# --- Book ------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_books_a_free_slot_and_a_slot_taken_meanwhile_changes_nothing(
    channel: str, front_desk: Persona, dermatologist: Persona, plan: TreatmentPlan, room
) -> None:
    session = plan.sessions.get(number=1)
    practitioner = dermatologist.user.practitioner
    page = reverse("session-book", args=[session.public_id])
    eleven = dt.datetime(2027, 3, 1, 11, tzinfo=UTC)

    def book(at: dt.datetime, form: Form | None = None) -> Any:
        if channel == "api":
            return post(front_desk, session_api(session, "book"), slot(practitioner, room, at))
        return submit(front_desk, page, form or slot_form(front_desk, page, at, practitioner, room))

    # The clerk opens the page; meanwhile another clerk books the dermatologist at 10:00.
    opened = slot_form(front_desk, page, SESSION_START, practitioner, room)
    factories.BookedSessionFactory(
        practitioner=practitioner,
        starts_at=SESSION_START,
        ends_at=SESSION_START + dt.timedelta(minutes=45),
    )
    before = snapshot()
    response = book(SESSION_START, opened)
    if channel == "api":
        assert_error(response, 409, "conflict")
    else:
        assert response.status_code == 200 and "is already booked" in html(response)
    assert_unchanged(before)

    response = book(eleven)
    assert response.status_code == 200, response.content
    if channel == "page":
        assert landed_on(response, reverse("plan-detail", args=[plan.public_id]))
    saved = TreatmentSession.objects.get(pk=session.pk)
    assert saved.status == TreatmentSession.Status.BOOKED
    assert (saved.starts_at, saved.ends_at) == (eleven, eleven + dt.timedelta(minutes=45))
    assert (saved.practitioner, saved.room) == (practitioner, room)
    assert saved.status_changed_by == front_desk.user


# --- Move ------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_moves_a_session_only_once_the_shift_of_later_ones_is_confirmed(
    channel: str, front_desk: Persona, dermatologist: Persona, booked: TreatmentSession, room
) -> None:
    """Session 1 moves from 1 to 8 March (the last day of its window): sessions 2–4 then fall
    closer than 30 days and move too, but only after the clerk has seen their new dates."""
    practitioner = dermatologist.user.practitioner
    eighth = dt.datetime(2027, 3, 8, 10, tzinfo=UTC)
    page = reverse("session-book", args=[booked.public_id])
    before = snapshot()
    if channel == "api":
        url = session_api(booked, "reschedule")
        body = assert_error(
            post(front_desk, url, slot(practitioner, room, eighth)), 409, "conflict"
        )
        assert [s["number"] for s in body["shifts"]] == [2, 3, 4]
        assert_unchanged(before)
        response = post(front_desk, url, slot(practitioner, room, eighth, shift_later=True))
        assert response.status_code == 200, response.content
    else:
        form = slot_form(front_desk, page, eighth, practitioner, room)
        response = submit(front_desk, page, form)
        assert "Moving this session moves later ones" in html(response)
        assert_unchanged(before)
        [confirm] = [f for f in parse_forms(html(response)) if "shift_later" in f.names]
        response = submit(front_desk, page, confirm)
        assert landed_on(response, reverse("plan-detail", args=[booked.plan.public_id]))
    sessions = list(TreatmentSession.objects.filter(plan=booked.plan).order_by("number"))
    assert sessions[0].starts_at == eighth
    assert sessions[0].status == TreatmentSession.Status.BOOKED
    assert [s.target_date for s in sessions[1:]] == [
        dt.date(2027, 4, 7),
        dt.date(2027, 5, 7),
        dt.date(2027, 6, 7),
    ]


# --- Cancel ----------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_cancels_with_a_reason_and_a_blank_reason_changes_nothing(
    channel: str, front_desk: Persona, booked: TreatmentSession
) -> None:
    plan_page = reverse("plan-detail", args=[booked.plan.public_id])

    def cancel(reason: str) -> Any:
        if channel == "api":
            return post(front_desk, session_api(booked, "cancel"), {"reason": reason})
        action = reverse("session-cancel", args=[booked.public_id])
        form = form_on(front_desk, plan_page, action=action)
        return submit(front_desk, plan_page, form, {"reason": reason})

    before = snapshot()
    response = cancel("   ")
    if channel == "api":
        assert_error(response, 400, "invalid", "reason")
    else:
        assert "Give the reason for cancelling." in html(response)
    assert_unchanged(before)

    response = cancel("Patient unwell")
    assert response.status_code == 200
    saved = TreatmentSession.objects.get(pk=booked.pk)
    assert saved.status == TreatmentSession.Status.CANCELLED
    assert saved.status_reason == "Patient unwell"
    assert saved.status_changed_by == front_desk.user
    assert TreatmentPlan.objects.get(pk=booked.plan_id).status == TreatmentPlan.Status.ACTIVE


# --- No-show ---------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_records_a_no_show_after_the_arrival_time_and_not_before(
    channel: str,
    front_desk: Persona,
    booked: TreatmentSession,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    def no_show() -> Any:
        if channel == "api":
            return post(front_desk, session_api(booked, "no-show"), {})
        action = reverse("session-no-show", args=[booked.public_id])
        return submit(front_desk, reverse("today"), form_on(front_desk, "/today/", action=action))

    on(BEFORE_ARRIVAL, time_machine, front_desk)
    before = snapshot()
    response = no_show()
    if channel == "api":
        assert_error(response, 409, "conflict")
    else:
        assert "a no-show is recorded after that" in html(response)
    assert_unchanged(before)

    on(ON_THE_DAY, time_machine, front_desk)
    response = no_show()
    assert response.status_code == 200
    if channel == "page":
        assert landed_on(response, reverse("today"))
    saved = TreatmentSession.objects.get(pk=booked.pk)
    assert saved.status == TreatmentSession.Status.NO_SHOW
    assert saved.status_changed_by == front_desk.user


# --- Check-in --------------------------------------------------------------------------------


@pytest.mark.parametrize("changed", [False, True], ids=["nothing-changed", "changed"])
@pytest.mark.parametrize("channel", CHANNELS)
def test_it_checks_in_and_a_refused_check_in_changes_nothing(
    channel: str,
    changed: bool,
    front_desk: Persona,
    booked: TreatmentSession,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    """Nothing changed: refused before the session's day. Changed: refused while a flag (C26)
    is unacknowledged; then a relative contraindication (C04) checks the patient in, awaiting
    the dermatologist's override."""
    page = reverse("session-check-in", args=[booked.public_id])

    def check_in(given: dict[str, bool] | None, acknowledged: tuple[str, ...] = ()) -> Any:
        if channel == "api":
            data: dict[str, Any] = {"changed": given is not None}
            if given is not None:
                data |= {"answers": given, "acknowledged": list(acknowledged)}
            return post(front_desk, session_api(booked, "check-in"), data)
        if given is None:
            offered = [form for form in forms_on(front_desk, page) if "changed" in form.names]
            if not offered:  # before the day the page offers none: a stale tab's post
                return front_desk.post(page, {"changed": "no"}, follow=True)
            return submit(front_desk, page, form_on(front_desk, page, having="changed"))
        form = form_on(front_desk, f"{page}?changed=yes", having="rule_C01")
        filled = {f"rule_{code}": "yes" if yes else "no" for code, yes in given.items()}
        return submit(front_desk, page, form, filled | {f"ack_{c}": "on" for c in acknowledged})

    if changed:
        on(ON_THE_DAY, time_machine, front_desk)
        refused, message = answers("C26"), "Acknowledge the warnings first: C26."
        status, code = 400, "invalid"  # the request leaves out what it must say
    else:
        refused, message = None, "A session is checked in on its day (01 Mar 2027)."
        status, code = 409, "conflict"  # the request is right, the day is not
    before = snapshot()
    if channel == "page" and not changed:
        # The page says why before anyone tries, and offers no check-in (the visit rule).
        assert message in html(front_desk.get(page))
        assert not [form for form in forms_on(front_desk, page) if "changed" in form.names]
    response = check_in(refused)
    if channel == "api":
        assert assert_error(response, status, code)["detail"] == message
    else:
        assert message in html(response)
    assert_unchanged(before)

    on(ON_THE_DAY, time_machine, front_desk)
    response = check_in(answers("C04", "C26") if changed else None, ("C26",))
    assert response.status_code == 200, response.content
    if channel == "page":
        assert landed_on(response, reverse("today"))
    saved = TreatmentSession.objects.get(pk=booked.pk)
    assert saved.status == TreatmentSession.Status.CHECKED_IN
    screening = Screening.objects.get(session=booked)
    assert screening.kind == Screening.Kind.PRE_SESSION
    assert screening.performed_by == front_desk.user
    yes = set(screening.answers.filter(answer=True).values_list("rule__code", flat=True))
    if changed:
        assert screening.result == Screening.Result.NEEDS_OVERRIDE
        assert yes == {"C04", "C26"}
        assert screening.answers.get(rule__code="C26").acknowledged
        assert screening.override_by is None
    else:
        assert screening.result == Screening.Result.CLEAR and yes == set()
    assert screening.answers.count() == len(answers()) + len(FROM_RECORD)


# --- A blocked session: re-screen, reopen, book again, or cancel -----------------------------

#: A week after the cold sore blocked session 1: Monday 8 March 2027, 08:00.
A_WEEK_LATER = dt.datetime(2027, 3, 8, 8, tzinfo=UTC)


@pytest.fixture
def blocked(
    booked: TreatmentSession,
    front_desk: Persona,
    dermatologist: Persona,
    time_machine: time_machine.TimeMachineFixture,
) -> TreatmentSession:
    """Session 1 blocked at check-in by an active cold sore (C02); the clock then a week on."""
    on(ON_THE_DAY, time_machine, front_desk)
    visit_services.session_check_in(
        acting_user=front_desk.user, session=booked, changed=True, answers=answers("C02")
    )
    on(A_WEEK_LATER, time_machine, front_desk, dermatologist)
    session = TreatmentSession.objects.get(pk=booked.pk)
    assert session.status == TreatmentSession.Status.BLOCKED
    return session


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_rescreens_a_blocked_session_books_it_again_and_a_refused_rescreen_changes_nothing(
    channel: str, front_desk: Persona, dermatologist: Persona, blocked: TreatmentSession, room
) -> None:
    """Refused: a re-screen with a question unanswered. Then clear: the session is planned
    again from today and booked on 9 March, session 2 following to keep the 30 days."""
    rescreen_page = reverse("session-rescreen", args=[blocked.public_id])
    book_page = reverse("session-book", args=[blocked.public_id])
    given = answers()
    before = snapshot()
    if channel == "api":
        response = post(front_desk, session_api(blocked, "rescreen"), {"answers": {}})
        assert_error(response, 400, "invalid", "answers")
    else:
        form = form_on(front_desk, rescreen_page, having="rule_C01")
        filled = {f"rule_{code}": "no" for code in given if code != "C01"}
        assert "Answer this question." in html(submit(front_desk, rescreen_page, form, filled))
    assert_unchanged(before)

    if channel == "api":
        response = post(front_desk, session_api(blocked, "rescreen"), {"answers": given})
        assert response.status_code == 200, response.content
        assert response.json()["reopened"] is True
    else:
        form = form_on(front_desk, rescreen_page, having="rule_C01")
        response = submit(front_desk, rescreen_page, form, {f"rule_{code}": "no" for code in given})
        assert landed_on(response, book_page)
    saved = TreatmentSession.objects.get(pk=blocked.pk)
    assert saved.status == TreatmentSession.Status.PLANNED
    assert saved.target_date == dt.date(2027, 3, 8) and saved.starts_at is None
    rescreened = Screening.objects.filter(session=blocked).order_by("-performed_at").first()
    assert rescreened is not None and rescreened.result == Screening.Result.CLEAR
    assert rescreened.performed_by == front_desk.user

    practitioner = dermatologist.user.practitioner
    ninth = dt.datetime(2027, 3, 9, 10, tzinfo=UTC)
    if channel == "api":
        url = session_api(blocked, "book")
        body = assert_error(post(front_desk, url, slot(practitioner, room, ninth)), 409, "conflict")
        assert [shift["number"] for shift in body["shifts"]] == [2, 3, 4]
        response = post(front_desk, url, slot(practitioner, room, ninth, shift_later=True))
        assert response.status_code == 200, response.content
    else:
        response = submit(
            front_desk, book_page, slot_form(front_desk, book_page, ninth, practitioner, room)
        )
        [confirm] = [f for f in parse_forms(html(response)) if "shift_later" in f.names]
        response = submit(front_desk, book_page, confirm)
        assert landed_on(response, reverse("plan-detail", args=[blocked.plan.public_id]))
    sessions = list(TreatmentSession.objects.filter(plan=blocked.plan).order_by("number"))
    assert sessions[0].status == TreatmentSession.Status.BOOKED
    assert sessions[0].starts_at == ninth
    assert sessions[1].target_date == dt.date(2027, 4, 8)


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_reopens_a_blocked_session_on_an_override_and_one_without_a_reason_changes_nothing(
    channel: str, front_desk: Persona, dermatologist: Persona, blocked: TreatmentSession
) -> None:
    """The front desk's re-screen finds a relative contraindication (C04): the session stays
    blocked until the dermatologist's written override reopens it."""
    result = visit_services.session_rescreen(
        acting_user=front_desk.user, session=blocked, answers=answers("C04")
    )
    assert not result.reopened
    detail = reverse("session-detail", args=[blocked.public_id])
    reopen = reverse("session-reopen", args=[blocked.public_id])

    def override(reason: str) -> Any:
        if channel == "api":
            return post(dermatologist, session_api(blocked, "reopen"), {"override_reason": reason})
        form = form_on(dermatologist, detail, action=reopen)
        return submit(dermatologist, detail, form, {"override_reason": reason})

    before = snapshot()
    response = override("  ")
    if channel == "api":
        assert_error(response, 400, "invalid")
    else:
        assert "Write the reason for the override." in html(response)
    assert_unchanged(before)

    response = override("Acne quiet; avoid active lesions.")
    assert response.status_code == 200, response.content
    saved = TreatmentSession.objects.get(pk=blocked.pk)
    assert saved.status == TreatmentSession.Status.PLANNED
    screening = Screening.objects.get(pk=result.screening.pk)
    assert screening.override_by == dermatologist.user
    assert screening.override_reason == "Acne quiet; avoid active lesions."
    if channel == "page":
        assert "Needs dermatologist override" not in html(response)


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_cancels_a_blocked_session_with_a_reason_and_a_blank_reason_changes_nothing(
    channel: str, front_desk: Persona, blocked: TreatmentSession
) -> None:
    detail = reverse("session-detail", args=[blocked.public_id])

    def cancel(reason: str) -> Any:
        if channel == "api":
            return post(front_desk, session_api(blocked, "cancel"), {"reason": reason})
        action = reverse("session-cancel", args=[blocked.public_id])
        return submit(
            front_desk, detail, form_on(front_desk, detail, action=action), {"reason": reason}
        )

    before = snapshot()
    response = cancel(" ")
    if channel == "api":
        assert_error(response, 400, "invalid", "reason")
    else:
        assert "Give the reason for cancelling." in html(response)
    assert_unchanged(before)
    response = cancel("The patient stops the series")
    assert response.status_code == 200
    saved = TreatmentSession.objects.get(pk=blocked.pk)
    assert (saved.status, saved.status_reason) == ("cancelled", "The patient stops the series")
    assert saved.status_changed_by == front_desk.user


# --- Re-screen (API) -------------------------------------------------------------------------


def test_it_rescreens_before_a_session_and_a_rescreen_without_answers_changes_nothing(
    front_desk: Persona, plan: TreatmentPlan
) -> None:
    two, three = plan.sessions.get(number=2), plan.sessions.get(number=3)
    url = "/api/screenings/rescreen/"
    before = snapshot()
    refused = post(front_desk, url, {"session": str(two.public_id), "changed": True})
    assert_error(refused, 400, "invalid", "answers")
    assert_unchanged(before)

    response = post(front_desk, url, {"session": str(two.public_id), "changed": False})
    assert response.status_code == 201, response.content
    carried = Screening.objects.get(public_id=response.json()["id"])
    assert (carried.session, carried.kind, carried.result) == (two, "pre_session", "clear")
    assert carried.answers.count() == len(answers()) + len(FROM_RECORD)

    response = post(
        front_desk,
        url,
        {"session": str(three.public_id), "changed": True, "answers": answers("C03")},
    )
    assert response.status_code == 201, response.content
    fresh = Screening.objects.get(public_id=response.json()["id"])
    assert (fresh.session, fresh.result) == (three, Screening.Result.NEEDS_OVERRIDE)
    assert list(fresh.answers.filter(answer=True).values_list("rule__code", flat=True)) == ["C03"]
    assert fresh.override_by is None


# --- Override --------------------------------------------------------------------------------


def test_it_saves_an_override_over_the_api_only_from_a_dermatologist_with_a_reason(
    front_desk: Persona,
    dermatologist: Persona,
    booked: TreatmentSession,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    on(ON_THE_DAY, time_machine, front_desk, dermatologist)
    screening = checked_in(booked, front_desk, Screening.Result.NEEDS_OVERRIDE)
    url = f"/api/screenings/{screening.public_id}/override/"
    before = snapshot()
    assert_error(post(front_desk, url, {"reason": "Looks fine to me."}), 403, "not_allowed")
    assert_error(post(dermatologist, url, {"reason": "\u200b \u200b"}), 400, "invalid", "reason")
    assert_unchanged(before)

    response = post(dermatologist, url, {"reason": "Acne controlled; avoid pustules."})
    assert response.status_code == 200, response.content
    saved = Screening.objects.get(pk=screening.pk)
    assert saved.override_by == dermatologist.user
    assert saved.override_reason == "Acne controlled; avoid pustules."
    assert saved.overridden_at is not None

    before = snapshot()
    assert_error(post(dermatologist, url, {"reason": "Once more."}), 409, "conflict")
    assert_unchanged(before)


def _record_values(**changes: str) -> dict[str, str]:
    return {
        "depth_used_mm": "1.25",
        "anaesthetic_applied_at": "2027-03-01T09:20",
        "pain_score": "2",
        "adverse_events": "Mild erythema",
        **changes,
    }


def test_it_saves_the_override_given_with_the_record_on_the_record_page(
    front_desk: Persona,
    dermatologist: Persona,
    booked: TreatmentSession,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    on(ON_THE_DAY, time_machine, dermatologist)
    screening = checked_in(booked, front_desk, Screening.Result.NEEDS_OVERRIDE)
    page = reverse("session-record", args=[booked.public_id])
    form = form_on(dermatologist, page, having="override_reason")
    reason = {"override_reason": "Acne controlled; avoid pustules."}
    before = snapshot()
    response = submit(dermatologist, page, form, reason | _record_values(depth_used_mm=""))
    assert "This field is required." in html(response)
    assert_unchanged(before)

    response = submit(dermatologist, page, form, reason | _record_values())
    assert landed_on(response, reverse("session-detail", args=[booked.public_id]))
    overridden = Screening.objects.get(pk=screening.pk)
    assert overridden.override_by == dermatologist.user
    assert overridden.override_reason == "Acne controlled; avoid pustules."
    recorded = TreatmentSession.objects.get(pk=booked.pk)
    assert recorded.status == TreatmentSession.Status.COMPLETED
    assert recorded.depth_used_mm == Decimal("1.25")


def test_it_saves_nothing_when_the_record_page_refuses_a_record_given_with_an_override(
    front_desk: Persona,
    dermatologist: Persona,
    booked: TreatmentSession,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    """One submit, one decision: the record is refused (the anaesthetic went on the day
    before), so the override written with it must not be saved either."""
    on(ON_THE_DAY, time_machine, dermatologist)
    checked_in(booked, front_desk, Screening.Result.NEEDS_OVERRIDE)
    page = reverse("session-record", args=[booked.public_id])
    form = form_on(dermatologist, page, having="override_reason")
    before = snapshot()
    response = submit(
        dermatologist,
        page,
        form,
        {"override_reason": "Acne controlled; avoid pustules."}
        | _record_values(anaesthetic_applied_at="2027-02-28T09:20"),
    )
    assert ANAESTHETIC_DAY in html(response)
    assert_unchanged(before)


# --- Record ----------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_records_a_session_and_an_anaesthetic_on_another_day_changes_nothing(
    channel: str,
    front_desk: Persona,
    dermatologist: Persona,
    booked: TreatmentSession,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    on(ON_THE_DAY, time_machine, dermatologist)
    checked_in(booked, front_desk, Screening.Result.CLEAR)
    page = reverse("session-record", args=[booked.public_id])

    def record(applied: str) -> Any:
        if channel == "api":
            return post(
                dermatologist,
                session_api(booked, "record"),
                {
                    "depth_used_mm": "1.25",
                    "area": "face",
                    "anaesthetic_applied_at": f"{applied}:00+00:00",
                    "pain_score": 2,
                    "adverse_events": "Mild erythema",
                },
            )
        form = form_on(dermatologist, page, having="depth_used_mm")
        return submit(dermatologist, page, form, _record_values(anaesthetic_applied_at=applied))

    before = snapshot()
    response = record("2027-02-28T09:20")
    if channel == "api":
        assert_error(response, 400, "invalid", "anaesthetic_applied_at")
    else:
        assert ANAESTHETIC_DAY in html(response)
    assert_unchanged(before)

    response = record("2027-03-01T09:20")
    assert response.status_code == 200, response.content
    if channel == "page":
        assert landed_on(response, reverse("session-detail", args=[booked.public_id]))
    saved = TreatmentSession.objects.get(pk=booked.pk)
    assert saved.status == TreatmentSession.Status.COMPLETED
    assert saved.depth_used_mm == Decimal("1.25") and saved.pain_score == 2
    assert saved.area == "face" and saved.adverse_events == "Mild erythema"
    assert saved.anaesthetic_applied_at == dt.datetime(2027, 3, 1, 9, 20, tzinfo=UTC)
    assert saved.status_changed_by == dermatologist.user
    assert TreatmentPlan.objects.get(pk=booked.plan_id).status == TreatmentPlan.Status.ACTIVE


# --- Amend -----------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_amends_a_record_with_its_reason_and_a_refused_amendment_changes_nothing(
    channel: str,
    front_desk: Persona,
    dermatologist: Persona,
    booked: TreatmentSession,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    on(ON_THE_DAY, time_machine, dermatologist)
    checked_in(booked, front_desk, Screening.Result.CLEAR)
    visit_services.session_record(
        acting_user=dermatologist.user,
        session=booked,
        depth_used_mm=Decimal("1.25"),
        area="face",
        cartridge_lot="LOT-1",
    )
    page = reverse("session-detail", args=[booked.public_id])

    def amend(**values: str) -> Any:
        if channel == "api":
            return post(dermatologist, session_api(booked, "amend"), values)
        form = form_on(dermatologist, page, having="reason")
        return submit(dermatologist, page, form, values)

    before = snapshot()
    response = amend(depth_used_mm="3.5", cartridge_lot="LOT-2", reason="Misread")
    if channel == "api":
        assert_error(response, 400, "invalid", "depth_used_mm")
    else:
        assert DEPTH_RANGE in html(response)
    assert_unchanged(before)
    response = amend(cartridge_lot="LOT-2", reason="ok")
    if channel == "api":
        assert_error(response, 400, "invalid", "reason")
    else:
        assert REASON_REQUIRED in html(response)
    assert_unchanged(before)

    history = apps.get_model("treatments", "TreatmentSessionEvent").objects.count()
    response = amend(cartridge_lot="LOT-2", reason="Lot from the second pack")
    assert response.status_code == 200, response.content
    if channel == "page":
        assert landed_on(response, page)
        assert "Lot from the second pack" in html(response)
    saved = TreatmentSession.objects.get(pk=booked.pk)
    assert (saved.cartridge_lot, saved.depth_used_mm) == ("LOT-2", Decimal("1.25"))
    amendment = SessionAmendment.objects.get(session=booked)
    assert amendment.amended_by == dermatologist.user
    assert amendment.reason == "Lot from the second pack"
    assert amendment.changes == [{"field": "cartridge_lot", "old": "LOT-1", "new": "LOT-2"}]
    # The record's own change history has the update too, in the same transaction.
    assert apps.get_model("treatments", "TreatmentSessionEvent").objects.count() == history + 1


# --- Plan create -----------------------------------------------------------------------------


@pytest.fixture
def concern(clinic_open: None) -> SkinConcern:
    return factories.SkinConcernFactory(indication=Indication.objects.get(slug="wrinkles"))


def assert_planned(concern: SkinConcern, dermatologist: Persona) -> TreatmentPlan:
    plan = TreatmentPlan.objects.get(concern=concern)
    assert plan.status == TreatmentPlan.Status.ACTIVE
    assert (plan.protocol.code, plan.planned_sessions, plan.interval_days) == ("IND-01", 4, 30)
    assert plan.needle_depth_mm == Decimal("1.0")
    assert plan.approved_by == dermatologist.user
    assert plan.responsible_dermatologist == dermatologist.user.practitioner
    assert list(plan.sessions.order_by("number").values_list("target_date", flat=True)) == [
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 31),
        dt.date(2027, 4, 30),
        dt.date(2027, 5, 31),
    ]
    screening = Screening.objects.get(plan=plan)
    assert (screening.kind, screening.result) == (Screening.Kind.PLAN, Screening.Result.CLEAR)
    # The record's answers are saved too, marked as the record's.
    assert screening.answers.count() == len(answers()) + len(FROM_RECORD)
    assert not screening.answers.filter(answer=True)
    assert (
        set(screening.answers.exclude(note="").values_list("rule__code", flat=True)) == FROM_RECORD
    )
    return plan


def assert_refused(concern: SkinConcern, by: Persona, code: str) -> None:
    """The refusal is on record, with its history row, although the attempt was rolled back."""
    refusal = PlanRefusal.objects.get()
    assert (refusal.concern, refusal.refused_by, refusal.protocol.code) == (
        concern,
        by.user,
        "IND-01",
    )
    assert [rule.code for rule in refusal.rules.all()] == [code]
    assert apps.get_model("treatments", "PlanRefusalEvent").objects.count() == 1


def test_it_plans_a_series_step_by_step_and_a_blocking_answer_saves_nothing(
    dermatologist: Persona, concern: SkinConcern
) -> None:
    args = [concern.patient.public_id, concern.public_id]
    step = {name: reverse(f"plan-{name}", args=args) for name in ("parameters", "screening")}
    confirm = reverse("plan-confirm", args=args)
    form = form_on(dermatologist, step["parameters"], having="protocol")
    response = submit(
        dermatologist,
        step["parameters"],
        form,
        {
            "protocol": Protocol.objects.get(code="IND-01").pk,
            "sessions": 4,
            "interval_days": 30,
            "depth_mm": "1.0",
            "start_date": "2027-03-01",
        },
    )
    assert landed_on(response, step["screening"])
    form = form_on(dermatologist, step["screening"], having="rule_C01")
    questions = {name for name in form.names if name.startswith("rule_")}
    assert questions == {f"rule_{code}" for code in answers()}

    before = snapshot()
    blocked = {name: "no" for name in questions} | {"rule_C13": "yes"}
    response = submit(dermatologist, step["screening"], form, blocked)
    assert response.status_code == 409 and "This plan cannot go ahead" in html(response)
    assert_unchanged(before)  # no plan, no screening: only the refusal is recorded
    assert_refused(concern, dermatologist, "C13")

    response = submit(dermatologist, step["screening"], form, dict.fromkeys(questions, "no"))
    assert landed_on(response, confirm)
    assert_unchanged(before)  # nothing is saved before confirming
    response = submit(dermatologist, confirm, form_on(dermatologist, confirm, text="Confirm plan"))
    plan = assert_planned(concern, dermatologist)
    assert landed_on(response, reverse("plan-detail", args=[plan.public_id]))


def test_it_plans_a_series_over_the_api_and_a_blocking_answer_saves_nothing(
    dermatologist: Persona, concern: SkinConcern
) -> None:
    request = {
        "concern": str(concern.public_id),
        "protocol": "IND-01",
        "sessions": 4,
        "interval_days": 30,
        "depth_mm": "1.0",
        "start_date": "2027-03-01",
    }
    before = snapshot()
    response = post(dermatologist, "/api/plans/", request | {"answers": answers("C06")})
    assert_error(response, 409, "contraindication_blocked")
    assert_unchanged(before)  # no plan, no screening: only the refusal is recorded
    assert_refused(concern, dermatologist, "C06")

    response = post(dermatologist, "/api/plans/", request | {"answers": answers()})
    assert response.status_code == 201, response.content
    assert response.json()["id"] == str(assert_planned(concern, dermatologist).public_id)


# --- Patients --------------------------------------------------------------------------------

ANN = {
    "given_name": "Ann",
    "family_name": "Lee",
    "date_of_birth": "1984-06-01",
    "sex": "female",
    "phone": "020 7946 0123",
    "email": "ann@example.org",
}


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_registers_a_patient_and_a_refused_registration_saves_nothing(
    channel: str, front_desk: Persona
) -> None:
    """Refused: on the page, a date of birth in the future; over the API, a skin type, which
    only dermatologists record."""
    page = reverse("patient-create")
    before = snapshot()
    if channel == "api":
        refused = post(front_desk, "/api/patients/", ANN | {"fitzpatrick_type": 4})
        assert_error(refused, 403, "not_allowed")
    else:
        form = form_on(front_desk, page, having="given_name")
        refused = submit(front_desk, page, form, ANN | {"date_of_birth": "2999-01-01"})
        assert "Date of birth cannot be in the future." in html(refused)
    assert_unchanged(before)

    if channel == "api":
        response = post(front_desk, "/api/patients/", ANN)
        assert response.status_code == 201, response.content
        patient = Patient.objects.get(public_id=response.json()["id"])
    else:
        response = submit(front_desk, page, form_on(front_desk, page, having="given_name"), ANN)
        patient = Patient.objects.get()
        assert landed_on(response, reverse("patient-detail", args=[patient.public_id]))
    saved = Patient.objects.filter(pk=patient.pk).values(*ANN).get()
    assert {k: str(v) for k, v in saved.items()} == ANN | {"phone": "+442079460123"}  # E.164
    assert patient.status == Patient.Status.ACTIVE and patient.fitzpatrick_type is None
    validate_mrn(patient.mrn)


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_edits_a_patient_and_a_refused_edit_changes_nothing(
    channel: str, front_desk: Persona
) -> None:
    """Refused: on the page, a malformed e-mail; over the API, a skin type from the front desk."""
    patient = factories.PatientFactory(phone="01632 960001", fitzpatrick_type=3)
    page = reverse("patient-edit", args=[patient.public_id])
    api = f"/api/patients/{patient.public_id}/"
    before = snapshot()
    if channel == "api":
        assert_error(patch(front_desk, api, {"fitzpatrick_type": 5}), 403, "not_allowed")
    else:
        refused = submit(
            front_desk, page, form_on(front_desk, page, having="phone"), {"email": "not-an-email"}
        )
        assert "Enter a valid email address." in html(refused)
    assert_unchanged(before)

    if channel == "api":
        response = patch(front_desk, api, {"phone": "020 7946 0999"})
        assert response.status_code == 200, response.content
    else:
        form = form_on(front_desk, page, having="phone")
        response = submit(front_desk, page, form, {"phone": "020 7946 0999"})
        assert landed_on(response, reverse("patient-detail", args=[patient.public_id]))
    saved = Patient.objects.get(pk=patient.pk)
    assert saved.phone == "+442079460999"  # stored in E.164
    unchanged = ("given_name", "family_name", "date_of_birth", "email", "fitzpatrick_type", "mrn")
    assert [getattr(saved, name) for name in unchanged] == [
        getattr(patient, name) for name in unchanged
    ]


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_archives_a_patient_and_a_user_without_a_role_changes_nothing(
    channel: str, front_desk: Persona
) -> None:
    patient = factories.PatientFactory()
    nobody = Client()
    nobody.force_login(factories.UserFactory())
    chart = reverse("patient-detail", args=[patient.public_id])
    action = reverse("patient-archive", args=[patient.public_id])
    api = f"/api/patients/{patient.public_id}/archive/"
    before = snapshot()
    if channel == "api":
        assert_error(nobody.post(api), 403, "permission_denied")
        assert_unchanged(before)
        response = front_desk.post(api)
        assert response.status_code == 200, response.content
    else:
        form = form_on(front_desk, chart, action=action)
        assert nobody.post(action, form.values).status_code == 403
        assert_unchanged(before)
        response = submit(front_desk, chart, form)
        assert landed_on(response, chart)
    saved = Patient.objects.get(pk=patient.pk)
    assert saved.status == Patient.Status.ARCHIVED
    assert (saved.mrn, saved.family_name) == (patient.mrn, patient.family_name)


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_records_a_concern_and_an_impossible_grade_saves_nothing(
    channel: str, dermatologist: Persona
) -> None:
    """MMASI (S10) grades melasma from 0 to 24: 40 is refused, 12 is saved."""
    patient = factories.PatientFactory()
    page = reverse("concern-create", args=[patient.public_id])

    def record(grade: str) -> Any:
        if channel == "api":
            return post(
                dermatologist,
                f"/api/patients/{patient.public_id}/concerns/",
                {
                    "indication": "melasma",
                    "body_area": "face",
                    "grading_scale": "S10",
                    "baseline_grade": grade,
                },
            )
        form = form_on(dermatologist, page, having="indication")
        values = {
            "indication": Indication.objects.get(slug="melasma").pk,
            "body_area": "face",
            "grading_scale": GradingScale.objects.get(code="S10").pk,
            "baseline_score": grade,  # a numeric scale's score is typed on the page
        }
        return submit(dermatologist, page, form, values)

    before = snapshot()
    response = record("40")
    if channel == "api":
        assert_error(response, 400, "invalid", "baseline_grade")
    else:
        assert "goes up to 24" in html(response)
    assert_unchanged(before)

    response = record("12")
    if channel == "api":
        assert response.status_code == 201, response.content
    else:
        assert landed_on(response, reverse("patient-detail", args=[patient.public_id]))
    saved = SkinConcern.objects.get(patient=patient)
    assert (saved.indication.slug, saved.body_area) == ("melasma", "face")
    assert saved.grading_scale is not None
    assert (saved.grading_scale.code, saved.baseline_grade) == ("S10", "12")
    assert saved.status == SkinConcern.Status.ACTIVE


# --- Registration's duplicate check, the patient's details, a concern's own scale -----------

DETAILS = {
    "address_line1": "12 Harley Street",
    "town": "London",
    "postcode": "W1G 9PF",
    "country": "United Kingdom",
    "emergency_contact_name": "Maria Núñez",
    "emergency_contact_relationship": "Sister",
    "emergency_contact_phone": "020 7946 0555",
    "gp_name": "Dr A. Patel",
    "gp_practice": "Marylebone Health Centre",
    "gp_phone": "020 7946 0777",
}
JOSE = {
    "given_name": "jose",
    "family_name": "NUNEZ",
    "date_of_birth": "1980-05-17",
    "sex": "male",
}


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_registers_a_likely_duplicate_only_once_confirmed_with_the_details(
    channel: str, front_desk: Persona
) -> None:
    """Refused: the same date of birth and the name with another case and no accents (a 409
    listing the candidate, or the warning with a link); saved once confirmed, with the address,
    emergency contact, GP and contact preferences."""
    existing = factories.PatientFactory(
        given_name="José", family_name="Núñez", date_of_birth=dt.date(1980, 5, 17)
    )
    page = reverse("patient-create")
    values = JOSE | DETAILS
    before = snapshot()
    if channel == "api":
        body = assert_error(
            post(front_desk, "/api/patients/", values | {"contact_by_sms": True}),
            409,
            "possible_duplicate",
        )
        assert body["candidates"][0]["id"] == str(existing.public_id)
    else:
        form = form_on(front_desk, page, having="given_name")
        refused = submit(front_desk, page, form, values | {"contact_by_sms": "on"})
        assert "This may be a patient already registered" in html(refused)
        assert reverse("patient-detail", args=[existing.public_id]) in html(refused)
    assert_unchanged(before)

    if channel == "api":
        response = post(
            front_desk,
            "/api/patients/",
            values | {"contact_by_sms": True, "confirm_not_duplicate": True},
        )
        assert response.status_code == 201, response.content
        patient = Patient.objects.get(public_id=response.json()["id"])
    else:
        warned = html(submit(front_desk, page, form, values | {"contact_by_sms": "on"}))
        again = [f for f in parse_forms(warned) if "given_name" in f.names]
        assert len(again) == 1 and "confirm_not_duplicate" in again[0].names
        response = submit(
            front_desk, page, again[0], {"confirm_not_duplicate": "1", "contact_by_sms": "on"}
        )
        patient = Patient.objects.exclude(pk=existing.pk).get()
        assert landed_on(response, reverse("patient-detail", args=[patient.public_id]))
    assert (patient.given_name, patient.family_name) == ("jose", "NUNEZ")
    assert (patient.postcode, patient.gp_practice) == ("W1G 9PF", "Marylebone Health Centre")
    assert patient.emergency_contact_phone == "+442079460555"  # E.164
    assert (patient.contact_by_sms, patient.contact_by_email) == (True, False)


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_edits_the_details_and_an_undiallable_gp_phone_changes_nothing(
    channel: str, front_desk: Persona
) -> None:
    patient = factories.PatientFactory(**DETAILS)
    page = reverse("patient-edit", args=[patient.public_id])
    api = f"/api/patients/{patient.public_id}/"
    before = snapshot()
    if channel == "api":
        assert_error(
            patch(front_desk, api, {"gp_phone": "call me maybe"}), 400, "invalid", "gp_phone"
        )
    else:
        form = form_on(front_desk, page, having="gp_phone")
        refused = submit(front_desk, page, form, {"gp_phone": "call me maybe", "town": "Leeds"})
        assert "Enter a phone number that can be dialled" in html(refused)
    assert_unchanged(before)

    if channel == "api":
        response = patch(front_desk, api, {"town": "Leeds", "contact_by_post": True})
        assert response.status_code == 200, response.content
    else:
        form = form_on(front_desk, page, having="gp_phone")
        response = submit(front_desk, page, form, {"town": "Leeds", "contact_by_post": "on"})
        assert landed_on(response, reverse("patient-detail", args=[patient.public_id]))
    saved = Patient.objects.get(pk=patient.pk)
    assert (saved.town, saved.contact_by_post, saved.gp_phone) == ("Leeds", True, "+442079460777")


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_records_a_concern_on_its_own_scale_and_the_skin_phototype_saves_nothing(
    channel: str, dermatologist: Persona
) -> None:
    """The issue's "wrinkles, baseline Fitzpatrick V" is refused; Lemperle grade 3 is saved."""
    patient = factories.PatientFactory()
    page = reverse("concern-create", args=[patient.public_id])
    wrinkles = Indication.objects.get(slug="wrinkles")

    def record(code: str, grade: str) -> Any:
        if channel == "api":
            return post(
                dermatologist,
                f"/api/patients/{patient.public_id}/concerns/",
                {
                    "indication": "wrinkles",
                    "body_area": "face",
                    "grading_scale": code,
                    "baseline_grade": grade,
                },
            )
        form = form_on(dermatologist, page, having="indication")
        values = {
            "indication": wrinkles.pk,
            "body_area": "face",
            "grading_scale": GradingScale.objects.get(code=code).pk,
            "baseline_grade": f"{code}:{grade}",
        }
        return submit(dermatologist, page, form, values)

    before = snapshot()
    response = record("S09", "V")
    if channel == "api":
        assert_error(response, 400, "invalid", "grading_scale")
    else:
        assert "Select a valid choice" in html(response)
    assert_unchanged(before)

    response = record("S06", "3")
    if channel == "api":
        assert response.status_code == 201, response.content
    else:
        assert landed_on(response, reverse("patient-detail", args=[patient.public_id]))
    saved = SkinConcern.objects.get(patient=patient)
    assert (saved.grading_scale, saved.baseline_grade) == (
        GradingScale.objects.get(code="S06"),
        "3",
    )


# --- Screening from the record; the override carried to a session -----------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_plans_with_the_records_answers_and_an_answer_contradicting_it_saves_nothing(
    channel: str, dermatologist: Persona, clinic_open: None
) -> None:
    """Fitzpatrick V and 19 years old: C21 and C22 are the record's 'yes', acknowledged like
    typed ones; over the API a 'no' to C21 is refused and nothing is saved."""
    concern = factories.SkinConcernFactory(
        indication=Indication.objects.get(slug="wrinkles"),
        patient__fitzpatrick_type=5,
        patient__date_of_birth=dt.date(2007, 6, 1),
    )
    typed = {code: False for code in answers() if code != "C21"}
    before = snapshot()
    if channel == "api":
        request = {
            "concern": str(concern.public_id),
            "protocol": "IND-01",
            "sessions": 4,
            "interval_days": 30,
            "depth_mm": "1.0",
            "start_date": "2027-03-01",
        }
        refused = post(dermatologist, "/api/plans/", request | {"answers": {**typed, "C21": False}})
        assert_error(refused, 400, "invalid", "answers")
        assert_unchanged(before)
        response = post(
            dermatologist,
            "/api/plans/",
            request | {"answers": typed, "acknowledged": ["C21", "C22"]},
        )
        assert response.status_code == 201, response.content
    else:
        args = [concern.patient.public_id, concern.public_id]
        step = {name: reverse(f"plan-{name}", args=args) for name in ("parameters", "screening")}
        form = form_on(dermatologist, step["parameters"], having="protocol")
        submit(
            dermatologist,
            step["parameters"],
            form,
            {
                "protocol": Protocol.objects.get(code="IND-01").pk,
                "sessions": 4,
                "interval_days": 30,
                "depth_mm": "1.0",
                "start_date": "2027-03-01",
            },
        )
        form = form_on(dermatologist, step["screening"], having="rule_C01")
        assert not {"rule_C21", "rule_C22"} & form.names  # shown, not asked
        unacknowledged = submit(
            dermatologist, step["screening"], form, {f"rule_{c}": "no" for c in typed}
        )
        assert "Acknowledge C21, C22." in html(unacknowledged)
        assert_unchanged(before)
        values = {f"rule_{c}": "no" for c in typed} | {"ack_C21": "on", "ack_C22": "on"}
        submit(dermatologist, step["screening"], form, values)
        confirm = reverse("plan-confirm", args=args)
        submit(dermatologist, confirm, form_on(dermatologist, confirm, text="Confirm plan"))
    screening = Screening.objects.get(plan__concern=concern)
    yes = screening.answers.filter(answer=True)
    assert {(a.rule.code, a.severity_applied, a.acknowledged) for a in yes} == {
        ("C21", "flag", True),
        ("C22", "flag", True),
    }
    assert all(answer.note.startswith("From the record: ") for answer in yes)


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_carries_the_planning_override_to_a_check_in_and_a_refused_one_changes_nothing(
    channel: str,
    dermatologist: Persona,
    front_desk: Persona,
    clinic_open: None,
    room: factories.Room,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    """Recurrent cold sores (C03) overridden at planning: checked in on the day with nothing
    changed, the session does not wait for a dermatologist again; before the day, the refused
    check-in saves nothing."""
    from treatments.planning import services

    plan = services.plan_create(
        acting_user=dermatologist.user,
        concern=factories.SkinConcernFactory(indication=Indication.objects.get(slug="wrinkles")),
        params=services.PlanParameters(
            protocol=Protocol.objects.get(code="IND-01"),
            sessions=4,
            interval_days=30,
            depth_mm=Decimal("1.0"),
            start_date=dt.date(2027, 3, 1),
        ),
        answers=answers("C03"),
        override_reason="Aciclovir prophylaxis from two days before each session.",
    )
    TreatmentSession.objects.filter(plan=plan, number=1).update(
        status=TreatmentSession.Status.BOOKED,
        starts_at=SESSION_START,
        ends_at=SESSION_START + dt.timedelta(minutes=45),
        practitioner=dermatologist.user.practitioner,
        room=room,
    )
    session = plan.sessions.get(number=1)
    page = reverse("session-check-in", args=[session.public_id])

    def check_in() -> Any:
        if channel == "api":
            return post(front_desk, session_api(session, "check-in"), {"changed": False})
        offered = [form for form in forms_on(front_desk, page) if "changed" in form.names]
        if not offered:  # the day before the page offers none: a stale tab's post
            return front_desk.post(page, {"changed": "no"}, follow=True)
        return submit(front_desk, page, form_on(front_desk, page, having="changed"))

    before = snapshot()
    refused = check_in()  # the day before
    assert refused.status_code in {200, 409}
    assert_unchanged(before)
    on(ON_THE_DAY, time_machine, front_desk)
    response = check_in()
    assert response.status_code == 200, response.content
    carried = Screening.objects.get(session=session)
    planning = plan.screenings.get(kind=Screening.Kind.PLAN)
    assert carried.result == Screening.Result.NEEDS_OVERRIDE
    assert (carried.override_by, carried.override_reason, carried.overridden_at) == (
        planning.override_by,
        planning.override_reason,
        planning.overridden_at,
    )
    assert TreatmentSession.objects.get(pk=session.pk).status == "checked_in"
    if channel == "page":
        assert "awaits a dermatologist" not in html(response)
    else:
        assert response.json()["awaiting_override"] is False
