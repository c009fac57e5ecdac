"""The cached permission backend: no queries on a warm cache, and no stale permission ever."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from pytest_django import Settings

from clinic import roles
from tests import factories
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached_backend(settings: Settings) -> None:
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "clinic.auth_backends.CachedPermissionsBackend",
    ]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # a new request's user: no per-object cache


def test_a_warm_cache_answers_without_queries(
    django_assert_num_queries: Callable,
) -> None:
    user = factories.UserFactory(groups=[Group.objects.get(name=roles.FRONT_DESK)])
    assert fresh(user).has_perm("patients.view_patient")
    again = fresh(user)
    with django_assert_num_queries(0):
        assert again.has_perm("patients.view_patient")
        assert not again.has_perm("treatments.record_treatmentsession")


def test_every_way_of_changing_permissions_takes_effect_at_once() -> None:
    user = factories.UserFactory()
    group = Group.objects.get(name=roles.DERMATOLOGIST)
    perm = "treatments.record_treatmentsession"
    assert not fresh(user).has_perm(perm)
    user.groups.add(group)
    assert fresh(user).has_perm(perm)
    group.user_set.remove(user)
    assert not fresh(user).has_perm(perm)
    group.user_set.add(user)
    assert fresh(user).has_perm(perm)
    record = Permission.objects.get(codename="record_treatmentsession")
    group.permissions.remove(record)
    assert not fresh(user).has_perm(perm)
    record.group_set.add(group)
    assert fresh(user).has_perm(perm)
    group.user_set.clear()
    assert not fresh(user).has_perm(perm)
    user.user_permissions.add(record)
    assert fresh(user).has_perm(perm)
    record.user_set.remove(user)
    assert not fresh(user).has_perm(perm)
    user.groups.add(group)
    user.is_active = False
    user.save()
    assert not fresh(user).has_perm(perm)


def test_deleting_a_group_takes_its_permissions_away() -> None:
    group = factories.GroupFactory()
    group.permissions.add(Permission.objects.get(codename="view_patient"))
    user = factories.UserFactory(groups=[group])
    assert fresh(user).has_perm("patients.view_patient")
    group.delete()
    assert not fresh(user).has_perm("patients.view_patient")


def test_pages_still_refuse_what_a_role_lacks(front_desk: Persona) -> None:
    assert front_desk.get("/patients/").status_code == 200
    assert front_desk.get("/patients/").status_code == 200  # from the cache
    front_desk.user.groups.clear()
    assert front_desk.get("/patients/").status_code == 403


def test_a_migration_or_a_deleted_permission_starts_afresh() -> None:
    from clinic.auth_backends import forget_everyone

    user = factories.UserFactory(groups=[Group.objects.get(name=roles.FRONT_DESK)])
    assert fresh(user).has_perm("patients.view_patient")
    # A data migration changes the role through historical models: no m2m signal fires.
    Group.permissions.through.objects.filter(
        group__name=roles.FRONT_DESK, permission__codename="view_patient"
    ).delete()
    assert fresh(user).has_perm("patients.view_patient")  # stale until post_migrate
    forget_everyone()
    assert not fresh(user).has_perm("patients.view_patient")
