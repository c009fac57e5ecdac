"""Personas, the knowledge base, and the PostgreSQL marker's rules."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, connections
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import DjangoDbBlocker, Settings

from clinic import roles, two_factor
from evidence.loader import load_knowledge
from tests import factories

if TYPE_CHECKING:
    from treatments.models import TreatmentPlan

POSTGRES_SKIPPED: list[str] = []


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if item.get_closest_marker("postgres")]
    if on_postgres() or not marked:
        return
    if os.environ.get("REQUIRE_POSTGRES"):
        raise pytest.UsageError(
            "REQUIRE_POSTGRES is set but DATABASE_URL does not point at PostgreSQL."
        )
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in marked:
        item.add_marker(skip)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "postgres" in report.keywords and on_postgres():
        POSTGRES_SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if POSTGRES_SKIPPED and os.environ.get("REQUIRE_POSTGRES"):
        print("\nPostgreSQL-only tests were skipped on PostgreSQL:", *POSTGRES_SKIPPED, sep="\n  ")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """Every test starts from a database holding the whole knowledge base."""
    with django_db_blocker.unblock():
        load_knowledge()
        # Transactional tests with serialized_rollback restore this state, knowledge included.
        for alias in connections:
            db = connections[alias]
            db._test_serialized_contents = (  # type: ignore[attr-defined]  # Django's private attr
                db.creation.serialize_db_to_string()
            )


class Persona(Client):
    """A test client logged in as `user`, one of the clinic's roles, with the second factor
    given where the role needs one (the two-factor tests sign in without it)."""

    def __init__(self, user: User) -> None:
        super().__init__()
        self.user = user
        self.force_login(user)

    def force_login(self, user: Any, backend: str | None = None) -> None:
        super().force_login(user, backend)
        if two_factor.required_for(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            device = device or TOTPDevice.objects.create(user=user, name="Test phone")
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


def _client_for(role: str, **practitioner: bool) -> Persona:
    user = factories.UserFactory(groups=[Group.objects.get(name=role)], is_staff=True)
    if practitioner:
        factories.PractitionerFactory(user=user, **practitioner)
    return Persona(user)


@pytest.fixture
def dermatologist(db: None) -> Persona:
    return _client_for(roles.DERMATOLOGIST, is_dermatologist=True)


@pytest.fixture
def front_desk(db: None) -> Persona:
    return _client_for(roles.FRONT_DESK)


@pytest.fixture
def clinic_admin(db: None) -> Persona:
    return _client_for(roles.CLINIC_ADMIN)


@pytest.fixture
def anonymous(db: None) -> Client:
    return Client()


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Rate limits and cached permissions count in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Settings) -> None:
    """PBKDF2's deliberate slowness buys nothing in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clinic_open(db: None) -> None:
    """Opening hours Mon–Fri 09:00–18:00 and Sat 09:00–13:00, as in the demo clinic."""
    import datetime as dt

    for weekday in range(6):
        factories.OpeningHoursFactory(
            weekday=weekday, opens=dt.time(9), closes=dt.time(13 if weekday == 5 else 18)
        )


def all_no(modality: str = "mn", indication: str = "wrinkles") -> dict[str, bool]:
    """'No' to every question a plan of this modality and indication asks (those the record
    answers included: a 'no' that agrees with the record is accepted)."""
    from evidence.models import Indication
    from treatments.rules.screening import applies
    from treatments.screening.selectors import rules_for_modality

    indication_id = Indication.objects.get(slug=indication).pk
    return {
        rule.code: False
        for rule in rules_for_modality(modality)
        if applies(rule, modality=modality, indication_id=indication_id)
    }


@pytest.fixture
def wrinkles_plan(dermatologist: Persona, clinic_open: None) -> TreatmentPlan:
    """Rosa Marlowe's active IND-01 plan: 4 sessions 30 days apart from Monday 1 March 2027
    (tests using it freeze today before that)."""
    import datetime as dt
    from decimal import Decimal

    from evidence.models import Indication, Protocol
    from treatments.planning import services

    concern = factories.SkinConcernFactory(
        indication=Indication.objects.get(slug="wrinkles"),
        patient__given_name="Rosa",
        patient__family_name="Marlowe",
    )
    return services.plan_create(
        acting_user=dermatologist.user,
        concern=concern,
        params=services.PlanParameters(
            protocol=Protocol.objects.get(code="IND-01"),
            sessions=4,
            interval_days=30,
            depth_mm=Decimal("1.0"),
            start_date=dt.date(2027, 3, 1),
        ),
        answers=all_no(),
    )
