"""Who is acting: the one place that reads a user's clinical standing for the rules.

`treatments.rules.roles` decides from the facts; this module reads them (permissions from the
user's cached permission set, the practitioner record in one query) and raises the domain
error the rule names.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth import models as auth
from django.core.exceptions import PermissionDenied

from clinic.errors import NotAllowed
from clinic.models import Practitioner
from treatments.rules import roles

User = auth.User | auth.AnonymousUser


def dermatologist_of(user: User) -> Practitioner | None:
    """The user's active dermatologist practitioner record, or None."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_dermatologist_of", False)
    if cached is not False:
        return cast("Practitioner | None", cached)  # set below, on this very object
    practitioner = Practitioner.objects.filter(
        user_id=user.pk, is_dermatologist=True, active=True
    ).first()
    # One look-up per request: the pages ask "may this user plan / override?" several times.
    user._dermatologist_of = practitioner  # type: ignore[attr-defined]  # a per-request memo
    return practitioner


def clinician_of(user: User) -> roles.Clinician:
    if not user.is_authenticated:
        return roles.Clinician(perms=frozenset(), active_dermatologist=False)
    return roles.Clinician(
        perms=frozenset(user.get_all_permissions()),
        active_dermatologist=dermatologist_of(user) is not None,
    )


def may_plan(user: User) -> bool:
    return roles.may_plan(clinician_of(user))


def may_override(user: User) -> bool:
    return roles.may_override(clinician_of(user))


def may_record(user: User) -> bool:
    return roles.may_record(clinician_of(user))


def require_planner(user: User) -> Practitioner:
    """The dermatologist who plans (and so approves) a series, or NotAllowed."""
    refusal = roles.plan_refusal(clinician_of(user))
    practitioner = dermatologist_of(user)
    if refusal or practitioner is None:
        raise NotAllowed(refusal or roles.NOT_LINKED)
    return practitioner


def require_overrider(user: User) -> None:
    if not may_override(user):
        raise NotAllowed(roles.ONLY_DERMATOLOGISTS_OVERRIDE)


def require_recorder(user: User) -> None:
    if not may_record(user):
        raise NotAllowed(roles.ONLY_DERMATOLOGISTS_RECORD)


def require(user: User, perm: str, what: str) -> None:
    """A service's door: the role's permission, as a domain error."""
    if not user.has_perm(perm):
        raise NotAllowed(f"Your role does not allow you to {what}.")


def require_to_read(user: User, perm: str) -> None:
    """A selector's door: 403 for a role that may not read this at all."""
    if not user.has_perm(perm):
        raise PermissionDenied
