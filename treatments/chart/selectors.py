"""The patient's chart: everything on the patient's page, in a fixed number of queries."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from patients.models import Patient, SkinConcern
from treatments.consultation.selectors import still_booked
from treatments.models import (
    Consultation,
    PlanRefusal,
    Screening,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.screening.selectors import screening_is_current, screening_validity_end


def patient_chart(user: User | AnonymousUser, patient: Patient) -> dict:
    """Everything on a patient's page, in a fixed number of queries."""
    concerns = list(
        SkinConcern.objects.filter(patient=patient)
        .select_related("indication", "grading_scale")
        .order_by("-created_at")
    )
    can_see_plans = user.has_perm("treatments.view_treatmentplan")
    plans = (
        list(
            TreatmentPlan.objects.filter(patient=patient)
            .select_related("protocol", "concern__indication", "responsible_dermatologist__user")
            .order_by("-created_at")
        )
        if can_see_plans
        else []
    )
    sessions = (
        list(
            TreatmentSession.objects.filter(plan__patient=patient)
            .select_related("plan__protocol", "practitioner__user", "room")
            .order_by("target_date", "number")
        )
        if user.has_perm("treatments.view_treatmentsession")
        else []
    )
    screenings = (
        list(
            Screening.objects.filter(patient=patient)
            .select_related("plan__protocol", "session", "performed_by", "override_by")
            .order_by("-performed_at")
        )
        if user.has_perm("treatments.view_screening")
        else []
    )
    refusals = (
        list(
            PlanRefusal.objects.filter(patient=patient)
            .select_related("protocol", "concern__indication", "refused_by")
            .prefetch_related("rules")
            .order_by("-refused_at", "-pk")
        )
        if user.has_perm("treatments.view_planrefusal")
        else []
    )
    consultations = (
        list(
            Consultation.objects.filter(patient=patient)
            .select_related("practitioner__user", "room")
            .order_by("-starts_at")
        )
        if user.has_perm("treatments.view_consultation")
        else []
    )
    today = timezone.localdate()
    for consultation in consultations:
        consultation.on_or_before_today = (  # type: ignore[attr-defined]  # for the page
            timezone.localtime(consultation.starts_at).date() <= today
        )
    for screening in screenings:
        screening.valid_until = screening_validity_end(screening)  # type: ignore[attr-defined]  # for the page
        screening.current = screening_is_current(screening, on=today)  # type: ignore[attr-defined]  # for the page
    return {
        "concerns": concerns,
        "plans": plans,
        "refusals": refusals,
        "sessions": sessions,
        "screenings": screenings,
        "consultations": consultations,
        "consultation_booked": any(still_booked(c, today) for c in consultations),
    }
