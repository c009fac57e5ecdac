"""Planning services: screen, then create an active plan with its sessions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from pytest_django import Settings

from clinic.errors import (
    Conflict,
    ContraindicationBlocked,
    InvalidInput,
    NotAllowed,
    OverrideRequired,
)
from evidence.models import Indication, Protocol
from patients.models import Patient
from tests import factories
from tests.conftest import Persona, all_no
from treatments.models import Screening, TreatmentPlan, TreatmentSession
from treatments.planning import services
from treatments.screening import selectors as screening_selectors
from treatments.screening import services as screening_services
from treatments.screening.selectors import rules_for_modality

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2027, 3, 1)


@pytest.fixture(autouse=True)
def today_is_wednesday_24_february_2027(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2027, 2, 24, 9, tzinfo=dt.UTC), tick=False)


def params(code: str = "IND-01", **overrides: Any) -> services.PlanParameters[Protocol]:
    protocol = Protocol.objects.get(code=code)
    values: dict[str, Any] = {
        "protocol": protocol,
        "sessions": protocol.default_sessions or 3,
        "interval_days": protocol.default_interval_days or 30,
        "depth_mm": Decimal("1.0"),
        "start_date": MONDAY,
        "departure_reason": "",
        **overrides,
    }
    return services.PlanParameters(**values)


def counts() -> tuple[int, int, int]:
    return (
        TreatmentPlan.objects.count(),
        Screening.objects.count(),
        TreatmentSession.objects.count(),
    )


@pytest.fixture
def concern(db: None) -> factories.SkinConcern:
    return factories.SkinConcernFactory(indication=Indication.objects.get(slug="wrinkles"))


def test_the_wrinkles_protocol_gives_four_sessions_30_days_apart(
    dermatologist: Persona, concern: factories.SkinConcern, clinic_open: None
) -> None:
    plan = services.plan_create(
        acting_user=dermatologist.user, concern=concern, params=params(), answers=all_no()
    )
    assert plan.status == TreatmentPlan.Status.ACTIVE
    assert plan.approved_by == dermatologist.user
    assert plan.protocol.study.first_author_surname == "Ablon"
    dates = [s.target_date for s in plan.sessions.order_by("number")]
    assert [(d - MONDAY).days for d in dates] == [0, 30, 60, 91]  # day 90 is a Sunday
    screening = plan.screenings.get()
    assert screening.result == Screening.Result.CLEAR
    assert screening.answers.count() == len(all_no())  # C25 is for melasma only


def test_an_absolute_contraindication_blocks_and_nothing_is_saved(
    dermatologist: Persona, concern: factories.SkinConcern, clinic_open: None
) -> None:
    before = counts()
    with pytest.raises(ContraindicationBlocked, match="C08 Pregnancy"):
        services.plan_create(
            acting_user=dermatologist.user,
            concern=concern,
            params=params(),
            answers={**all_no(), "C08": True},
        )
    assert counts() == before


def test_a_relative_contraindication_needs_a_written_override(
    dermatologist: Persona, concern: factories.SkinConcern, clinic_open: None
) -> None:
    answers = {**all_no(), "C07": True}
    with pytest.raises(OverrideRequired, match="C07"):
        services.plan_create(
            acting_user=dermatologist.user, concern=concern, params=params(), answers=answers
        )
    plan = services.plan_create(
        acting_user=dermatologist.user,
        concern=concern,
        params=params(),
        answers=answers,
        override_reason="Prescriber agrees; shallower depth.",
    )
    screening = plan.screenings.get()
    assert screening.result == Screening.Result.NEEDS_OVERRIDE
    assert screening.override_by == dermatologist.user
    assert screening.override_reason == "Prescriber agrees; shallower depth."


def test_front_desk_cannot_plan_or_override(
    front_desk: Persona, concern: factories.SkinConcern, clinic_open: None
) -> None:
    with pytest.raises(NotAllowed):
        services.plan_create(
            acting_user=front_desk.user, concern=concern, params=params(), answers=all_no()
        )
    assert counts() == (0, 0, 0)


def test_an_rf_only_rule_does_not_apply_to_plain_microneedling(
    dermatologist: Persona, concern: factories.SkinConcern, clinic_open: None
) -> None:
    mn_codes = {rule.code for rule in rules_for_modality("mn")}
    rf_codes = {rule.code for rule in rules_for_modality("rfmn")}
    assert "C18" not in mn_codes
    assert rf_codes - mn_codes == {"C16", "C18", "C19"}
    with pytest.raises(InvalidInput, match="not questions for this plan: C18"):
        services.plan_create(
            acting_user=dermatologist.user,
            concern=concern,
            params=params(),
            answers={**all_no(), "C18": True},
        )
    rf_plan_answers = {**all_no("rfmn"), "C18": True}
    with pytest.raises(ContraindicationBlocked, match="C18"):
        services.plan_create(
            acting_user=dermatologist.user,
            concern=concern,
            params=params("IND-02"),
            answers=rf_plan_answers,
        )


@pytest.mark.parametrize(
    ("slug", "outcome"),
    [
        ("wrinkles", "blocked"),
        ("hypertrophic-scars", "override"),
        ("keloids", "override"),
    ],
)
def test_keloid_tendency_blocks_cosmetic_plans_but_routes_scar_plans_to_a_dermatologist(
    dermatologist: Persona, clinic_open: None, slug: str, outcome: str
) -> None:
    concern = factories.SkinConcernFactory(indication=Indication.objects.get(slug=slug))
    protocol = Protocol.objects.filter(indication__slug=slug, modality="mn").first()
    assert protocol is not None
    plan_params = params(protocol.code, departure_reason="Specialist plan: test spot first.")
    answers = {**all_no(), "C09": True}
    if outcome == "blocked":
        with pytest.raises(ContraindicationBlocked, match="C09"):
            services.plan_create(
                acting_user=dermatologist.user,
                concern=concern,
                params=plan_params,
                answers=answers,
            )
        return
    with pytest.raises(OverrideRequired, match="C09"):
        services.plan_create(
            acting_user=dermatologist.user, concern=concern, params=plan_params, answers=answers
        )
    plan = services.plan_create(
        acting_user=dermatologist.user,
        concern=concern,
        params=plan_params,
        answers=answers,
        override_reason="Scar is the indication; silicone gel and test spot.",
    )
    assert plan.screenings.get().override_by == dermatologist.user


def test_missing_answers_are_named_and_nothing_is_saved(
    dermatologist: Persona, concern: factories.SkinConcern, clinic_open: None
) -> None:
    answers = all_no()
    del answers["C01"], answers["C26"]
    with pytest.raises(InvalidInput, match="missing: C01, C26"):
        services.plan_create(
            acting_user=dermatologist.user, concern=concern, params=params(), answers=answers
        )
    assert counts() == (0, 0, 0)


def test_flags_must_be_acknowledged(
    dermatologist: Persona, concern: factories.SkinConcern, clinic_open: None
) -> None:
    answers = {**all_no(), "C21": True}
    with pytest.raises(InvalidInput, match="Acknowledge the warnings first: C21"):
        services.plan_create(
            acting_user=dermatologist.user, concern=concern, params=params(), answers=answers
        )
    plan = services.plan_create(
        acting_user=dermatologist.user,
        concern=concern,
        params=params(),
        answers=answers,
        acknowledged={"C21"},
    )
    answer = plan.screenings.get().answers.get(rule__code="C21")
    assert answer.answer and answer.acknowledged


def test_a_departure_from_the_protocol_needs_a_reason(
    dermatologist: Persona, concern: factories.SkinConcern, clinic_open: None
) -> None:
    with pytest.raises(InvalidInput, match="8 sessions is outside the protocol's 2–6"):
        services.plan_create(
            acting_user=dermatologist.user,
            concern=concern,
            params=params(sessions=8),
            answers=all_no(),
        )
    plan = services.plan_create(
        acting_user=dermatologist.user,
        concern=concern,
        params=params(sessions=8, departure_reason="Severe photoageing; slow responder."),
        answers=all_no(),
    )
    assert plan.planned_sessions == 8
    assert "Severe photoageing" in plan.departure_reason
    assert "outside the protocol's 2–6" in plan.departure_reason


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"interval_days": 6}, "interval_days"),
        ({"depth_mm": Decimal("3.5")}, "depth_mm"),
        ({"depth_mm": Decimal("0.1")}, "depth_mm"),
        ({"sessions": 0}, "sessions"),
        ({"sessions": 10_000}, "sessions"),
        ({"start_date": dt.date(2027, 2, 1)}, "start_date"),
    ],
)
def test_hard_limits_hold_even_with_a_reason(
    dermatologist: Persona,
    concern: factories.SkinConcern,
    clinic_open: None,
    override: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(InvalidInput) as error:
        services.plan_create(
            acting_user=dermatologist.user,
            concern=concern,
            params=params(departure_reason="Because.", **override),
            answers=all_no(),
        )
    assert field in error.value.fields
    assert counts() == (0, 0, 0)


def test_an_archived_patient_cannot_be_planned_for(
    dermatologist: Persona, concern: factories.SkinConcern, clinic_open: None
) -> None:
    Patient.objects.filter(pk=concern.patient_id).update(status="archived")
    with pytest.raises(Conflict, match="archived"):
        services.plan_create(
            acting_user=dermatologist.user, concern=concern, params=params(), answers=all_no()
        )


def test_a_protocol_for_another_indication_is_refused(
    dermatologist: Persona, concern: factories.SkinConcern, clinic_open: None
) -> None:
    with pytest.raises(InvalidInput, match="IND-11 is a protocol for Melasma"):
        services.plan_create(
            acting_user=dermatologist.user,
            concern=concern,
            params=params("IND-11"),
            answers=all_no(),
        )


def test_a_clinic_with_no_opening_hours_cannot_schedule(
    dermatologist: Persona, concern: factories.SkinConcern
) -> None:
    with pytest.raises(InvalidInput, match="no open day"):
        services.plan_create(
            acting_user=dermatologist.user, concern=concern, params=params(), answers=all_no()
        )
    assert counts() == (0, 0, 0)


@pytest.fixture
def active_plan(dermatologist: Persona, concern: factories.SkinConcern, clinic_open: None):
    return services.plan_create(
        acting_user=dermatologist.user,
        concern=concern,
        params=params(),
        answers={**all_no(), "C21": True},
        acknowledged={"C21"},
    )


def test_rescreen_with_nothing_changed_carries_the_answers_over(
    front_desk: Persona, active_plan: TreatmentPlan
) -> None:
    session = active_plan.sessions.get(number=1)
    screening = screening_services.screening_rescreen(
        acting_user=front_desk.user, session=session, changed=False
    )
    assert screening.kind == Screening.Kind.PRE_SESSION
    assert screening.session == session
    assert screening.result == Screening.Result.CLEAR
    assert screening.answers.get(rule__code="C21").acknowledged
    assert screening.answers.count() == len(all_no())  # C25 is for melasma only


def test_a_new_absolute_contraindication_at_rescreen_is_recorded_as_blocked(
    front_desk: Persona, active_plan: TreatmentPlan
) -> None:
    session = active_plan.sessions.get(number=2)
    screening = screening_services.screening_rescreen(
        acting_user=front_desk.user,
        session=session,
        changed=True,
        answers={**all_no(), "C08": True},
    )
    assert screening.result == Screening.Result.BLOCKED
    assert active_plan.approved_by is not None
    with pytest.raises(ContraindicationBlocked):
        screening_services.screening_override(
            acting_user=active_plan.approved_by, screening=screening, reason="Try anyway"
        )


def test_a_relative_contraindication_at_rescreen_waits_for_a_dermatologist(
    front_desk: Persona, active_plan: TreatmentPlan
) -> None:
    session = active_plan.sessions.get(number=2)
    answers = {**all_no(), "C10": True}
    with pytest.raises(NotAllowed):
        screening_services.screening_rescreen(
            acting_user=front_desk.user,
            session=session,
            changed=True,
            answers=answers,
            override_reason="Front desk says fine",
        )
    screening = screening_services.screening_rescreen(
        acting_user=front_desk.user, session=session, changed=True, answers=answers
    )
    assert screening.result == Screening.Result.NEEDS_OVERRIDE
    assert screening.override_by is None
    with pytest.raises(NotAllowed):
        screening_services.screening_override(
            acting_user=front_desk.user, screening=screening, reason="x"
        )
    assert active_plan.approved_by is not None
    screening_services.screening_override(
        acting_user=active_plan.approved_by, screening=screening, reason="Cleared by GP."
    )
    screening.refresh_from_db()
    assert screening.override_reason == "Cleared by GP."


def test_a_screening_is_valid_for_the_configured_days(
    active_plan: TreatmentPlan, settings: Settings
) -> None:
    screening = active_plan.screenings.get()  # performed Wednesday 24 February 2027
    assert screening_selectors.screening_is_current(screening, on=dt.date(2027, 2, 24))
    assert screening_selectors.screening_is_current(screening, on=dt.date(2027, 3, 25))  # day 30
    assert not screening_selectors.screening_is_current(screening, on=dt.date(2027, 3, 26))
    settings.SCREENING_VALID_DAYS = 10
    assert screening_selectors.screening_is_current(screening, on=dt.date(2027, 3, 5))
    assert not screening_selectors.screening_is_current(screening, on=dt.date(2027, 3, 6))
