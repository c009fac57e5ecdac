"""Reads for consultations: one for a user, every one a user may see, and the concerns an
attended one leads into planning."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from clinic.ids import parse_public_id
from patients.models import Patient, SkinConcern
from treatments.models import Consultation, TreatmentPlan

CONSULTATION_RELATED = ("patient", "practitioner__user", "room", "booked_by", "status_changed_by")
VIEW_PERM = "treatments.view_consultation"


def consultations_for_user(user: User | AnonymousUser) -> QuerySet[Consultation]:
    """Every consultation this user may see (none for a role without the permission), with what
    their pages and representations read."""
    if not user.has_perm(VIEW_PERM):
        return Consultation.objects.none()
    return Consultation.objects.select_related(*CONSULTATION_RELATED)


def consultation_get_for_user(
    user: User | AnonymousUser, public_id: uuid.UUID | str
) -> Consultation:
    """The one way to fetch a consultation for a user: 404 for a role that may not see them
    and for an id that is not one."""
    found = consultations_for_user(user).filter(public_id=parse_public_id(public_id)).first()
    if found is None:
        raise Http404("No such consultation.")
    return found


def concerns_to_plan(patient: Patient) -> list[SkinConcern]:
    """The patient's open concerns with no active plan: what a consultation leads into planning.
    One query."""
    active_plan = TreatmentPlan.objects.filter(
        concern=OuterRef("pk"), status=TreatmentPlan.Status.ACTIVE
    )
    return list(
        SkinConcern.objects.filter(patient=patient, status=SkinConcern.Status.ACTIVE)
        .filter(~Exists(active_plan))
        .select_related("indication")
        .order_by("created_at", "pk")
    )


def still_booked(consultation: Consultation, today: dt.date) -> bool:
    """A booked consultation today or later: while a patient has one, the pages show it rather
    than offer to book another (`consultation_booked_for` asks the same of the database)."""
    return (
        consultation.status == Consultation.Status.BOOKED
        and timezone.localtime(consultation.starts_at).date() >= today
    )


def consultation_booked_for(patient_id: int) -> Consultation | None:
    """The patient's booked consultation today or later, if any (see `still_booked`)."""
    start_of_today = timezone.make_aware(
        dt.datetime.combine(timezone.localdate(), dt.time.min), timezone.get_current_timezone()
    )
    return (
        Consultation.objects.filter(
            patient_id=patient_id,
            status=Consultation.Status.BOOKED,
            starts_at__gte=start_of_today,
        )
        .select_related("practitioner__user", "room")
        .order_by("starts_at")
        .first()
    )
