"""What the treatment tests share: the week before Rosa Marlowe's wrinkles series starts, the
series itself, a room and its dermatologist."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests import factories
from tests.conftest import Persona
from tests.treatments.series import at, book
from treatments.models import TreatmentPlan, TreatmentSession


@pytest.fixture
def before_the_series(time_machine: time_machine.TimeMachineFixture) -> None:
    """Wednesday 24 February 2027, 08:00 UTC: the series starts on Monday 1 March."""
    time_machine.move_to(dt.datetime(2027, 2, 24, 8, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def plan(wrinkles_plan: TreatmentPlan) -> TreatmentPlan:
    return wrinkles_plan


@pytest.fixture
def practitioner(dermatologist: Persona) -> factories.Practitioner:
    return dermatologist.user.practitioner


@pytest.fixture
def room() -> factories.Room:
    return factories.RoomFactory(name="Room 1")


@pytest.fixture
def booked_today(
    front_desk: Persona,
    plan: TreatmentPlan,
    practitioner: factories.Practitioner,
    room: factories.Room,
    time_machine: time_machine.TimeMachineFixture,
) -> TreatmentSession:
    """Session 1 booked for Monday 1 March at 10:00; the clock is then 09:25 that morning."""
    session = book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    time_machine.move_to(at("2027-03-01", "09:25"), tick=False)
    return session
