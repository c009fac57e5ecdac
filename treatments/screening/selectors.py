"""Reads for screenings and their questions, checked against the requesting user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone

from evidence.models import ContraindicationRule, Modality
from patients.models import Patient, SkinConcern
from treatments import clinicians
from treatments.models import Screening, ScreeningAnswer, TreatmentPlan, TreatmentSession
from treatments.rules import screening as screening_rules
from treatments.rules.screening import Questionnaire, RecordFacts


def rules_for_modality(modality: str) -> list[ContraindicationRule]:
    """The screening questions for a plan of this modality, in their display order."""
    applies = ["all", "rf_only"] if modality == Modality.RF_MICRONEEDLING else ["all"]
    return list(
        ContraindicationRule.objects.filter(applies_to__in=applies)
        .select_related("study")
        .prefetch_related("exception_indications", "only_indications")
    )


def screening_questions(
    *,
    patient: Patient,
    concern: SkinConcern,
    modality: str,
    depth_mm: Decimal,
    on: dt.date | None = None,
) -> Questionnaire[ContraindicationRule]:
    """The questions a plan asks, with those the record answers (`rules.screening`)."""
    day = on or timezone.localdate()
    facts = RecordFacts(
        modality=modality,
        indication_id=concern.indication_id,
        depth_mm=depth_mm,
        body_area=concern.body_area,
        skin_type=patient.fitzpatrick_type,
        age=patient.age_on(day),
    )
    return screening_rules.questionnaire(rules_for_modality(modality), facts)


def plan_screening_questions(
    plan: TreatmentPlan, *, on: dt.date | None = None
) -> Questionnaire[ContraindicationRule]:
    """A plan's questions today: the record as it is now (a birthday, a corrected skin type)."""
    return screening_questions(
        patient=plan.patient,
        concern=plan.concern,
        modality=plan.modality,
        depth_mm=plan.needle_depth_mm,
        on=on,
    )


def screenings_for_user(user: User | AnonymousUser) -> QuerySet[Screening]:
    clinicians.require_to_read(user, "treatments.view_screening")
    return Screening.objects.select_related(
        "patient", "plan", "session", "performed_by", "override_by"
    ).prefetch_related("answers__rule__study")


def latest_screening(plan: TreatmentPlan) -> Screening | None:
    return (
        Screening.objects.filter(plan=plan)
        .prefetch_related("answers__rule")
        .order_by("-performed_at", "-pk")
        .first()
    )


def screening_validity_end(screening: Screening) -> dt.date:
    return screening_rules.valid_until(
        timezone.localtime(screening.performed_at).date(), settings.SCREENING_VALID_DAYS
    )


def screening_findings(screenings: list[Screening]) -> dict[int, list]:
    """The 'yes' answers of each screening, with their rules, in one query."""
    found: dict[int, list] = {screening.pk: [] for screening in screenings}
    for answer in ScreeningAnswer.objects.filter(
        screening__in=screenings, answer=True
    ).select_related("rule"):
        found[answer.screening_id].append(answer)
    return found


def latest_screening_for_session(session: TreatmentSession) -> Screening | None:
    return Screening.objects.filter(session=session).order_by("-performed_at", "-pk").first()


def screening_is_current(screening: Screening, *, on: dt.date | None = None) -> bool:
    return screening_rules.is_current(
        screening.performed_at,
        screening.result,
        on=on or timezone.localdate(),
        valid_days=settings.SCREENING_VALID_DAYS,
        zone=timezone.get_current_timezone(),
    )


def override_stands(screening: Screening | None) -> bool:
    """Whether this screening's override would carry to a re-screen where nothing changed."""
    if screening is None or screening.overridden_at is None:
        return False
    return screening_rules.override_carries(
        changed=False,
        previous_result=screening.result,
        overridden_on=timezone.localtime(screening.overridden_at).date(),
        accepted=(),
        needing_now=(),
        on=timezone.localdate(),
        valid_days=settings.SCREENING_VALID_DAYS,
    )
