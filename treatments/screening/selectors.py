"""Reads for screenings and their questions, checked against the requesting user."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone

from evidence.models import ContraindicationRule, Modality
from treatments import clinicians
from treatments.models import Screening, ScreeningAnswer, TreatmentPlan, TreatmentSession
from treatments.rules import screening as screening_rules


def rules_for_modality(modality: str) -> list[ContraindicationRule]:
    """The screening questions for a plan of this modality, in their display order."""
    applies = ["all", "rf_only"] if modality == Modality.RF_MICRONEEDLING else ["all"]
    return list(
        ContraindicationRule.objects.filter(applies_to__in=applies)
        .select_related("study")
        .prefetch_related("exception_indications")
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
