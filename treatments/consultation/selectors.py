"""Reads for consultations: one for a user, a patient's, and the free times on a day."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404

from clinic.ids import parse_public_id
from treatments.models import Consultation

CONSULTATION_RELATED = ("patient", "practitioner__user", "room", "booked_by")
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
