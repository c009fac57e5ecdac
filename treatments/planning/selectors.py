"""Reads for plans and their protocols, checked against the requesting user."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from clinic.ids import parse_public_id
from evidence.models import Protocol
from patients.models import SkinConcern
from treatments import clinicians
from treatments.models import PlanRefusal, Screening, TreatmentPlan, TreatmentSession


def protocols_for_concern(concern: SkinConcern) -> list[Protocol]:
    return list(
        Protocol.objects.filter(indication_id=concern.indication_id)
        .select_related("study", "indication")
        .prefetch_related("supporting_studies", "outcome_scales")
        .order_by("modality", "code")
    )


def plans_for_user(user: User | AnonymousUser) -> QuerySet[TreatmentPlan]:
    clinicians.require_to_read(user, "treatments.view_treatmentplan")
    return TreatmentPlan.objects.select_related(
        "patient", "concern__indication", "protocol", "responsible_dermatologist__user"
    )


def plan_get_for_user(user: User | AnonymousUser, public_id: uuid.UUID | str) -> TreatmentPlan:
    try:
        return (
            plans_for_user(user)
            .select_related("protocol__study", "approved_by")
            .prefetch_related(
                Prefetch(
                    "sessions",
                    queryset=TreatmentSession.objects.select_related(
                        "practitioner__user", "room"
                    ).order_by("number"),
                ),
                Prefetch(
                    "screenings",
                    queryset=Screening.objects.select_related("performed_by", "override_by"),
                ),
            )
            .get(public_id=parse_public_id(public_id))
        )
    except TreatmentPlan.DoesNotExist:
        raise Http404("No such plan.") from None


def plan_refusals_for_user(user: User | AnonymousUser) -> QuerySet[PlanRefusal]:
    """Plans refused for an absolute contraindication, newest first, with who refused them and
    the rules that did."""
    clinicians.require_to_read(user, "treatments.view_planrefusal")
    return (
        PlanRefusal.objects.select_related(
            "patient", "concern__indication", "protocol", "refused_by"
        )
        .prefetch_related("rules")
        .order_by("-refused_at", "-pk")
    )
