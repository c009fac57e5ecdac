"""Check-in weighs each rule as it applies to the plan (its exceptions included), and a move
is held to the one re-spacing rule the property tests check."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from evidence.models import ContraindicationRule, Indication, Protocol
from tests import factories
from tests.conftest import Persona, all_no
from treatments.booking import services as booking
from treatments.models import TreatmentPlan, TreatmentSession
from treatments.planning import services as planning
from treatments.visit import services as visit

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def test_a_blocked_session_names_only_the_rules_that_applied_as_absolute(
    dermatologist: Persona,
    front_desk: Persona,
    clinic_open: None,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    # C09 (keloid tendency) is absolute in general but relative for a scar indication: for a
    # hypertrophic-scar plan it cannot be what blocks a session.
    time_machine.move_to(dt.datetime(2027, 2, 24, 8, tzinfo=dt.UTC), tick=False)
    concern = factories.SkinConcernFactory(
        indication=Indication.objects.get(slug="hypertrophic-scars")
    )
    answers = all_no() | {"C09": True}
    plan = planning.plan_create(
        acting_user=dermatologist.user,
        concern=concern,
        params=planning.PlanParameters(
            protocol=Protocol.objects.get(code="IND-05"),
            sessions=3,
            interval_days=30,
            depth_mm=Decimal("1.0"),
            start_date=dt.date(2027, 3, 1),
        ),
        answers=answers,
        override_reason="Test spot healed well; silicone gel between sessions.",
    )
    first = plan.sessions.get(number=1)
    booking.session_book(
        acting_user=front_desk.user,
        session=first,
        starts_at=dt.datetime(2027, 3, 1, 10, tzinfo=LONDON),
        practitioner=dermatologist.user.practitioner,
        room=factories.RoomFactory(),
    )
    time_machine.move_to(dt.datetime(2027, 3, 1, 9, 35, tzinfo=LONDON), tick=False)
    result = visit.session_check_in(
        acting_user=front_desk.user,
        session=first,
        changed=True,
        answers=answers | {"C06": True},
    )
    assert result.session.status == TreatmentSession.Status.BLOCKED
    assert result.session.status_reason == (
        "Contraindication at check-in: " + ContraindicationRule.objects.get(code="C06").label
    )


def test_moving_a_session_closer_than_the_interval_outside_its_window_is_refused(
    front_desk: Persona,
    dermatologist: Persona,
    wrinkles_plan: TreatmentPlan,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    # Session 2 of a 30-day plan, moved to 10 days after session 1: the property-tested
    # re-spacing refuses it, and so does the API that runs it.
    time_machine.move_to(dt.datetime(2027, 2, 24, 8, tzinfo=dt.UTC), tick=False)
    front_desk.force_login(front_desk.user)
    practitioner = dermatologist.user.practitioner
    room = factories.RoomFactory()
    booking.session_book(
        acting_user=front_desk.user,
        session=wrinkles_plan.sessions.get(number=1),
        starts_at=dt.datetime(2027, 3, 1, 10, tzinfo=LONDON),
        practitioner=practitioner,
        room=room,
    )
    second = wrinkles_plan.sessions.get(number=2)
    response = front_desk.post(
        f"/api/sessions/{second.public_id}/reschedule/",
        data=json.dumps(
            {
                "starts_at": dt.datetime(2027, 3, 11, 10, tzinfo=LONDON).isoformat(),
                "practitioner": str(practitioner.public_id),
                "room": str(room.public_id),
                "shift_later": True,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "needs at least 30" in response.json()["detail"]
    second.refresh_from_db()
    assert second.status == TreatmentSession.Status.PLANNED and second.starts_at is None
