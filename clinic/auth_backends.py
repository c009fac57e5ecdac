"""Permission checks that cost no database query on a warm cache.

Django's ModelBackend reads a user's permissions with two queries on every request that checks
one (the cache it keeps lives on the request's user object). With a shared cache (REDIS_URL),
this backend keeps each user's permission set there. Any change that could alter it deletes the
entry at once: the user's groups or own permissions, a group's permissions, the user row itself
(active, superuser); a deleted permission or a migration starts a new generation of keys.
Bulk writes (QuerySet.update of users, bulk_create on the link tables) send no signal: code
doing them must call forget().
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete

TIMEOUT_SECONDS = 600


GENERATION = "perms:generation"


def _key(user_id: int, generation: int | None) -> str:
    return f"perms:{generation}:{user_id}"


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            key = _key(user_obj.pk, cache.get_or_set(GENERATION, 0, None))
            cached = cache.get(key)
            if cached is None:
                cached = super().get_all_permissions(user_obj)
                cache.set(key, cached, TIMEOUT_SECONDS)
            user_obj._perm_cache = cached
        return user_obj._perm_cache


def forget(user_ids: list[int]) -> None:
    """Drop these users' entries now and again once the change commits: a request reading the
    old rows in between must not leave the old set behind."""
    ids = list(user_ids)

    def drop() -> None:
        generation = cache.get_or_set(GENERATION, 0, None)
        cache.delete_many([_key(pk, generation) for pk in ids])

    drop()
    transaction.on_commit(drop)


def forget_everyone(**kwargs: Any) -> None:
    """For changes that name no user: migrations (which use historical models, so no signal
    above fires), a deleted permission. A new generation makes every old entry unreachable."""
    try:
        cache.incr(GENERATION)
    except ValueError:
        cache.set(GENERATION, 1, None)


def _users_of_groups(group_ids: Any) -> list[int]:
    return list(
        get_user_model().objects.filter(groups__in=list(group_ids)).values_list("pk", flat=True)
    )


def _user_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget([instance.pk])


def _group_deleted(sender: Any, instance: Group, **kwargs: Any) -> None:
    forget(_users_of_groups([instance.pk]))


def _user_links_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    """user.groups / user.user_permissions changed, from either side."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        forget([instance.pk])
    elif action == "pre_clear":  # group.user_set.clear(): whoever is in it now
        forget(list(instance.user_set.values_list("pk", flat=True)))
    else:
        forget(list(pk_set or ()))


def _group_permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    """group.permissions changed, or permission.group_set: every member of the groups."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        forget(_users_of_groups([instance.pk]))
    elif action == "pre_clear":
        forget(_users_of_groups(instance.group_set.values_list("pk", flat=True)))
    else:
        forget(_users_of_groups(pk_set or ()))


def connect_signals() -> None:
    """Called from ClinicConfig.ready: the entries must be dropped whoever changes them."""
    user = get_user_model()
    post_save.connect(_user_changed, sender=user, dispatch_uid="perms.user_saved")
    post_delete.connect(_user_changed, sender=user, dispatch_uid="perms.user_deleted")
    pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="perms.group_deleted")
    post_delete.connect(forget_everyone, sender=Permission, dispatch_uid="perms.permission_gone")
    post_migrate.connect(forget_everyone, dispatch_uid="perms.migrated")
    for through, uid in (
        (user.groups.through, "perms.user_groups"),
        (user.user_permissions.through, "perms.user_permissions"),
    ):
        m2m_changed.connect(_user_links_changed, sender=through, dispatch_uid=uid)
    m2m_changed.connect(
        _group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid="perms.group_permissions",
    )
