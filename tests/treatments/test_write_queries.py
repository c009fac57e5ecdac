"""Writes run a fixed number of queries, through the API as the clinic uses it.

Before the rules layer (commit 76e785f), the same requests ran: book 25, move 25, check-in 22,
record 42, plan create 25. Each now includes the two INSERTs of its response's access-log row
(the record it returns names the patient), and one for the session's second-factor device
(django-otp's middleware). Booking and moving read the consultations that hold the same
practitioners and rooms too (one query each: book 26, move 26).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from tests import factories
from tests.conftest import Persona, all_no
from treatments.models import TreatmentPlan, TreatmentSession

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def post(client: Client, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data, default=str), content_type="application/json")


@pytest.fixture
def monday_series(
    dermatologist: Persona,
    front_desk: Persona,
    wrinkles_plan: TreatmentPlan,
    time_machine: time_machine.TimeMachineFixture,
) -> TreatmentSession:
    time_machine.move_to(dt.datetime(2027, 2, 24, 8, tzinfo=dt.UTC), tick=False)
    for client in (dermatologist, front_desk):
        client.force_login(client.user)
    return wrinkles_plan.sessions.get(number=1)


def test_a_series_is_booked_moved_checked_in_and_recorded_in_fixed_queries(
    dermatologist: Persona,
    front_desk: Persona,
    monday_series: TreatmentSession,
    time_machine: time_machine.TimeMachineFixture,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    session = monday_series
    practitioner = dermatologist.user.practitioner
    room = factories.RoomFactory(name="Room 1")
    slot = {
        "starts_at": dt.datetime(2027, 3, 1, 10, tzinfo=LONDON).isoformat(),
        "practitioner": str(practitioner.public_id),
        "room": str(room.public_id),
    }
    with django_assert_num_queries(26):
        booked = post(front_desk, f"/api/sessions/{session.public_id}/book/", slot)
    assert booked.status_code == 200, booked.content
    slot["starts_at"] = dt.datetime(2027, 2, 26, 14, tzinfo=LONDON).isoformat()
    with django_assert_num_queries(26):
        moved = post(front_desk, f"/api/sessions/{session.public_id}/reschedule/", slot)
    assert moved.status_code == 200, moved.content
    time_machine.move_to(dt.datetime(2027, 2, 26, 13, 45, tzinfo=LONDON), tick=False)
    for client in (dermatologist, front_desk):
        client.force_login(client.user)
    answers = all_no()  # outside the count: the test's own reads
    # 20: the rules the plan asks read their indication scope (C25) in one prefetch.
    with django_assert_num_queries(20):
        checked_in = post(
            front_desk,
            f"/api/sessions/{session.public_id}/check-in/",
            {"changed": True, "answers": answers},
        )
    assert checked_in.status_code == 200, checked_in.content
    with django_assert_num_queries(42):
        recorded = post(
            dermatologist, f"/api/sessions/{session.public_id}/record/", {"depth_used_mm": "1.0"}
        )
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["status"] == "completed"


def test_a_plan_is_created_in_fixed_queries(
    dermatologist: Client,
    monday_series: TreatmentSession,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    concern = factories.SkinConcernFactory(
        indication=monday_series.plan.concern.indication, body_area="neck"
    )
    body = {
        "concern": str(concern.public_id),
        "protocol": "IND-01",
        "sessions": 4,
        "interval_days": 30,
        "depth_mm": "1.0",
        "start_date": "2027-04-01",
        "answers": all_no(),
    }
    # 26: the rules the plan asks read their indication scope (C25) in one prefetch.
    with django_assert_num_queries(26):
        created = post(dermatologist, "/api/plans/", body)
    assert created.status_code == 201, created.content
    assert len(created.json()["sessions"]) == 4
