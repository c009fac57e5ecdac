"""The three staff roles. The groups and their permissions are created by migrations
(`clinic/migrations/*_roles*`); this module names them for code that asks who someone is."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

DERMATOLOGIST = "Dermatologist"
FRONT_DESK = "Front desk"
CLINIC_ADMIN = "Clinic admin"
ROLES = (DERMATOLOGIST, FRONT_DESK, CLINIC_ADMIN)


def roles_of(user: User | AnonymousUser) -> list[str]:
    if not user.is_authenticated:
        return []
    return sorted(group.name for group in user.groups.all() if group.name in ROLES)
