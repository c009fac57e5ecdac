"""Screening asks only what the record doesn't know, through the pages and the API: the skin
type, the age, the depth and the area answer their questions; rules for another modality or
indication are not asked; an override given at planning carries to the sessions while nothing
changed and it stands."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from evidence.models import Indication, Protocol
from patients.models import SkinConcern
from tests import factories
from tests.api_helpers import assert_error, post
from tests.conftest import Persona, all_no
from tests.treatments.series import at, book
from treatments.models import Screening, TreatmentPlan, TreatmentSession

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2027, 2, 24, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def today(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(TODAY, tick=False)


def html(response: Any) -> str:
    return response.content.decode()


def asked(page: str) -> set[str]:
    """The questions a user answers on the page: one radio group each."""
    return set(re.findall(r'name="rule_(\w+)"', page))


def concern_for(indication: str = "wrinkles", **patient: Any) -> SkinConcern:
    return factories.SkinConcernFactory(
        indication=Indication.objects.get(slug=indication),
        **{f"patient__{name}": value for name, value in patient.items()},
    )


def screening_step(client: Client, concern: SkinConcern, protocol: str, depth: str) -> str:
    args = [concern.patient.public_id, concern.public_id]
    response = client.post(
        reverse("plan-parameters", args=args),
        {
            "protocol": Protocol.objects.get(code=protocol).pk,
            "sessions": 4,
            "interval_days": 30,
            "depth_mm": depth,
            "start_date": "2027-03-01",
            "departure_reason": "",
        },
    )
    screening = reverse("plan-screening", args=args)
    assert response["Location"] == screening, html(response)
    return screening


def test_question_counts_for_a_plain_and_an_rf_plan(
    dermatologist: Client, clinic_open: None
) -> None:
    """Before: 24 questions for plain MN, 27 for RF, all asked. Now, for an adult of type III
    whose face is treated at 1.0 mm: 21 and 24 (C22 and C24 from the record, C25 not asked)."""
    plain = html(dermatologist.get(screening_step(dermatologist, concern_for(), "IND-01", "1.0")))
    rf = html(dermatologist.get(screening_step(dermatologist, concern_for(), "IND-02", "1.0")))
    assert len(asked(plain)) == 21 and len(asked(rf)) == 24
    assert not {"C22", "C24", "C25", "C16", "C18", "C19"} & asked(plain)
    assert {"C16", "C18", "C19"} <= asked(rf)
    assert "Answered from the record" in plain and "Age " in plain


def test_fitzpatrick_v_is_answered_from_the_record_and_raises_its_flag(
    dermatologist: Client, clinic_open: None
) -> None:
    concern = concern_for(fitzpatrick_type=5)
    step = screening_step(dermatologist, concern, "IND-01", "1.0")
    page = html(dermatologist.get(step))
    assert "C21" not in asked(page)
    assert "Fitzpatrick type V on the record" in page
    assert 'name="ack_C21"' in page  # the flag it raises is acknowledged like a typed one
    typed = {f"rule_{code}": "no" for code in asked(page)}
    refused = html(dermatologist.post(step, typed))
    assert "Acknowledge" in refused and "C21" in refused
    response = dermatologist.post(step, {**typed, "ack_C21": "on"})
    assert response.status_code == 302
    confirm = html(dermatologist.get(response["Location"]))
    assert "C21" in confirm  # shown as a 'yes' on the confirmation


def test_every_question_shows_the_study_its_rule_cites(
    dermatologist: Client, clinic_open: None
) -> None:
    from evidence.models import ContraindicationRule

    page = html(dermatologist.get(screening_step(dermatologist, concern_for(), "IND-01", "1.0")))
    for code in ("C01", "C21", "C22", "C24"):
        rule = ContraindicationRule.objects.select_related("study").get(code=code)
        assert reverse("evidence-study", args=[rule.study.code]) in page


def test_a_19_year_olds_age_rule_is_raised_without_asking(
    dermatologist: Client, clinic_open: None
) -> None:
    concern = concern_for(date_of_birth=dt.date(2007, 6, 1))
    step = screening_step(dermatologist, concern, "IND-01", "1.0")
    page = html(dermatologist.get(step))
    assert "C22" not in asked(page) and "Age 19, from the date of birth." in page
    typed = {f"rule_{code}": "no" for code in asked(page)}
    dermatologist.post(step, {**typed, "ack_C22": "on"})
    args = [concern.patient.public_id, concern.public_id]
    response = dermatologist.post(reverse("plan-confirm", args=args))
    assert response.status_code == 302, html(response)
    screening = Screening.objects.get(plan__concern=concern)
    c22 = screening.answers.get(rule__code="C22")
    assert c22.answer and c22.acknowledged and c22.severity_applied == "flag"
    assert c22.note == "From the record: Age 19, from the date of birth."


def test_rules_for_another_modality_or_indication_are_not_asked(
    dermatologist: Client, clinic_open: None
) -> None:
    plain = html(dermatologist.get(screening_step(dermatologist, concern_for(), "IND-01", "1.0")))
    assert "C18" not in asked(plain) and "C25" not in asked(plain)
    melasma = concern_for("melasma")
    protocol = melasma.indication.protocols.first()
    assert protocol is not None
    page = html(dermatologist.get(screening_step(dermatologist, melasma, protocol.code, "1.0")))
    assert "C25" in asked(page)


def plan_request(concern: SkinConcern, answers: dict[str, bool], **extra: Any) -> dict[str, Any]:
    return {
        "concern": str(concern.public_id),
        "protocol": "IND-01",
        "sessions": 4,
        "interval_days": 30,
        "depth_mm": "1.0",
        "start_date": "2027-03-01",
        "answers": answers,
        **extra,
    }


def test_the_api_needs_no_derived_answers_and_refuses_one_contradicting_the_record(
    dermatologist: Persona, clinic_open: None
) -> None:
    concern = concern_for(fitzpatrick_type=5)
    typed = {code: False for code in all_no() if code not in {"C21", "C22", "C24"}}
    body = assert_error(
        post(dermatologist, "/api/plans/", plan_request(concern, {**typed, "C21": False})),
        400,
        "invalid",
        "answers",
    )
    assert "C21 is answered by the record" in body["fields"]["answers"][0]
    assert not TreatmentPlan.objects.filter(concern=concern).exists()
    response = post(
        dermatologist, "/api/plans/", plan_request(concern, typed, acknowledged=["C21"])
    )
    assert response.status_code == 201, response.content
    screening = Screening.objects.get(plan__concern=concern)
    assert screening.answers.get(rule__code="C21").answer


def test_the_preview_lists_what_the_record_answers(
    dermatologist: Persona, clinic_open: None
) -> None:
    concern = concern_for(fitzpatrick_type=5)
    request = plan_request(concern, {})
    del request["answers"]
    body = post(dermatologist, "/api/plans/preview/", request).json()
    assert {q["code"] for q in body["from_record"]} == {"C21", "C22", "C24"}
    assert "C21" not in {q["code"] for q in body["questions"]}


# --- The override carries to the sessions ----------------------------------------------------


@pytest.fixture
def overridden_plan(dermatologist: Persona, clinic_open: None) -> TreatmentPlan:
    """A wrinkles plan for a patient with recurrent cold sores (C03), overridden at planning."""
    from decimal import Decimal

    from treatments.planning import services

    return services.plan_create(
        acting_user=dermatologist.user,
        concern=concern_for(),
        params=services.PlanParameters(
            protocol=Protocol.objects.get(code="IND-01"),
            sessions=4,
            interval_days=30,
            depth_mm=Decimal("1.0"),
            start_date=dt.date(2027, 3, 1),
        ),
        answers={**all_no(), "C03": True},
        override_reason="Aciclovir prophylaxis prescribed from two days before each session.",
    )


def booked_first(
    plan: TreatmentPlan, front_desk: Persona, dermatologist: Persona
) -> TreatmentSession:
    room = factories.RoomFactory(name="Room 1")
    return book(
        front_desk.user,
        plan,
        1,
        at("2027-03-01", "10:00"),
        dermatologist.user.practitioner,
        room,
    )


def test_an_override_given_at_planning_carries_to_a_check_in_where_nothing_changed(
    dermatologist: Persona,
    front_desk: Persona,
    overridden_plan: TreatmentPlan,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    session = booked_first(overridden_plan, front_desk, dermatologist)
    time_machine.move_to(at("2027-03-01", "09:25"), tick=False)
    front_desk.force_login(front_desk.user)
    page = reverse("session-check-in", args=[session.public_id])
    shown = html(front_desk.get(page))
    assert "Overridden by" in shown and "Needs dermatologist override" not in shown
    assert "The override stands" in shown
    response = front_desk.post(page, {"changed": "no"}, follow=True)
    assert "awaits a dermatologist" not in html(response)
    screening = Screening.objects.get(session=session)
    assert screening.result == Screening.Result.NEEDS_OVERRIDE
    assert screening.override_by == dermatologist.user
    assert screening.override_reason.startswith("Aciclovir")
    assert screening.overridden_at == overridden_plan.screenings.get(kind="plan").overridden_at
    assert TreatmentSession.objects.get(pk=session.pk).status == "checked_in"
    dermatologist.force_login(dermatologist.user)
    plan_page = html(dermatologist.get(reverse("plan-detail", args=[overridden_plan.public_id])))
    assert "Needs dermatologist override" not in plan_page
    assert "carried over: nothing has changed since" in plan_page
    record = html(dermatologist.get(reverse("session-record", args=[session.public_id])))
    assert "Record your override" not in record


def test_the_session_page_says_who_overrode_when_and_why_not_that_it_awaits_one(
    dermatologist: Persona,
    front_desk: Persona,
    overridden_plan: TreatmentPlan,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    session = booked_first(overridden_plan, front_desk, dermatologist)
    time_machine.move_to(at("2027-03-01", "09:25"), tick=False)
    front_desk.force_login(front_desk.user)
    front_desk.post(reverse("session-check-in", args=[session.public_id]), {"changed": "no"})
    page = reverse("session-detail", args=[session.public_id])
    dermatologist.force_login(dermatologist.user)
    shown = html(dermatologist.get(page))
    # It said "Needs dermatologist override" with the override after it, as if still awaited.
    assert "Needs dermatologist override" not in shown
    overrider = dermatologist.user.get_full_name()
    when = r"\d\d \w{3} \d{4} \d\d:\d\d"
    assert re.search(rf"Overridden by {overrider} on {when}</span>: Aciclovir", shown)
    assert "carried over: nothing has changed since" in shown
    desk = html(front_desk.get(page))
    assert f"Overridden by {overrider}" in desk and "Aciclovir" not in desk


def test_an_override_does_not_carry_when_something_changed(
    dermatologist: Persona,
    front_desk: Persona,
    overridden_plan: TreatmentPlan,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    session = booked_first(overridden_plan, front_desk, dermatologist)
    time_machine.move_to(at("2027-03-01", "09:25"), tick=False)
    front_desk.force_login(front_desk.user)
    response = post(
        front_desk,
        f"/api/sessions/{session.public_id}/check-in/",
        {"changed": True, "answers": {**all_no(), "C03": True}},
    )
    assert response.status_code == 200, response.content
    screening = Screening.objects.get(session=session)
    assert screening.override_by is None  # a new screening: a dermatologist decides again


def test_an_override_stands_only_for_the_validity_counted_from_when_it_was_given(
    dermatologist: Persona,
    front_desk: Persona,
    overridden_plan: TreatmentPlan,
    time_machine: time_machine.TimeMachineFixture,
    settings: Any,
) -> None:
    """Overridden on 24 February, standing 10 days (to 5 March): carried at session 1 on
    1 March; on 8 March the answers still carry (screened 1 March) but the override does not."""
    settings.SCREENING_VALID_DAYS = 10
    session = booked_first(overridden_plan, front_desk, dermatologist)
    time_machine.move_to(at("2027-03-01", "09:25"), tick=False)
    front_desk.force_login(front_desk.user)
    assert (
        front_desk.post(
            reverse("session-check-in", args=[session.public_id]), {"changed": "no"}
        ).status_code
        == 302
    )
    assert Screening.objects.get(session=session).override_by == dermatologist.user
    time_machine.move_to(at("2027-03-08", "09:00"), tick=False)
    front_desk.force_login(front_desk.user)
    two = overridden_plan.sessions.get(number=2)
    response = post(
        front_desk, "/api/screenings/rescreen/", {"session": str(two.public_id), "changed": False}
    )
    assert response.status_code == 201, response.content
    again = Screening.objects.get(session=two)
    assert again.result == Screening.Result.NEEDS_OVERRIDE and again.override_by is None


def test_the_front_desk_sees_that_the_record_answers_but_not_the_skin_type(
    dermatologist: Persona,
    front_desk: Persona,
    clinic_open: None,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    from decimal import Decimal

    from treatments.planning import services

    plan = services.plan_create(
        acting_user=dermatologist.user,
        concern=concern_for(fitzpatrick_type=5),
        params=services.PlanParameters(
            protocol=Protocol.objects.get(code="IND-01"),
            sessions=4,
            interval_days=30,
            depth_mm=Decimal("1.0"),
            start_date=dt.date(2027, 3, 1),
        ),
        answers={code: False for code in all_no() if code not in {"C21", "C22", "C24"}},
        acknowledged={"C21"},
    )
    session = booked_first(plan, front_desk, dermatologist)
    time_machine.move_to(at("2027-03-01", "09:25"), tick=False)
    front_desk.force_login(front_desk.user)
    page = html(front_desk.get(reverse("session-check-in", args=[session.public_id])))
    assert "Answered from the record" in page and "C21" in page
    assert "Fitzpatrick type V" not in page  # clinical: clinicians only
    dermatologist.force_login(dermatologist.user)
    page = html(dermatologist.get(reverse("session-check-in", args=[session.public_id])))
    assert "Fitzpatrick type V on the record" in page
