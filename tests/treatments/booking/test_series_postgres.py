"""Booking a whole series as it really runs on PostgreSQL: through its page and its API without
the test's transaction, and two clerks booking overlapping series at the same moment."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connections
from django.urls import reverse

from clinic.errors import ClinicError
from evidence.models import Indication, Protocol
from tests import factories
from tests.api_helpers import assert_error, post
from tests.conftest import Persona, all_no
from tests.treatments.series import at
from treatments.booking import series
from treatments.models import TreatmentPlan, TreatmentSession
from treatments.planning import services as planning

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("before_the_series"),
]
SESSION_EVENTS = apps.get_model("treatments", "TreatmentSessionEvent")


def statuses(plan: TreatmentPlan) -> list[str]:
    return list(plan.sessions.order_by("number").values_list("status", flat=True))


def another_plan(dermatologist: Persona) -> TreatmentPlan:
    """A second patient's series on Rosa's dates."""
    return planning.plan_create(
        acting_user=dermatologist.user,
        concern=factories.SkinConcernFactory(indication=Indication.objects.get(slug="wrinkles")),
        params=planning.PlanParameters(
            protocol=Protocol.objects.get(code="IND-01"),
            sessions=4,
            interval_days=30,
            depth_mm=Decimal("1.0"),
            start_date=dt.date(2027, 3, 1),
        ),
        answers=all_no(),
    )


@pytest.mark.parametrize("channel", ["page", "api"])
def test_a_series_books_through_its_page_and_api_and_a_refusal_saves_nothing(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room, channel: str
) -> None:
    blocker = factories.BookedSessionFactory(
        practitioner=practitioner, room=room, starts_at=at("2027-04-30", "10:00")
    )
    events = SESSION_EVENTS.objects.count()
    wanted = {
        "day": "2027-03-01",
        "time": "10:00",
        "starts_at": "2027-03-01T10:00:00+00:00",
        "practitioner": str(practitioner.public_id),
        "room": str(room.public_id),
    }
    page = reverse("plan-book-series", args=[plan.public_id])
    api = f"/api/plans/{plan.public_id}/book-series/"
    if channel == "page":
        refused = front_desk.post(page, {**wanted, "action": "book"})
        assert "Session 3 (Fri 30 Apr 2027 10:00)" in refused.content.decode()
    else:
        body = assert_error(post(front_desk, api, wanted), 409, "conflict")
        assert body["session"] == 3
    assert statuses(plan) == ["planned"] * 4
    assert SESSION_EVENTS.objects.count() == events  # no history either: nothing happened
    TreatmentSession.objects.filter(pk=blocker.pk).update(
        status="cancelled", status_reason="The patient moved away."
    )
    if channel == "page":
        done = front_desk.post(page, {**wanted, "action": "book"})
        assert done.status_code == 302
    else:
        assert post(front_desk, api, wanted).status_code == 200
    rows = list(plan.sessions.order_by("number"))
    assert [s.status for s in rows] == ["booked"] * 4
    assert {s.status_changed_by_id for s in rows} == {front_desk.user.pk}
    # Each booking is in the history, with who did it (the request's context).
    mine = SESSION_EVENTS.objects.filter(pgh_obj__plan=plan, status="booked")
    assert mine.count() == 4


def test_two_clerks_booking_overlapping_series_at_once_one_wins_whole(
    front_desk: Persona, dermatologist: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    other = another_plan(dermatologist)
    clerk_two = factories.UserFactory(groups=front_desk.user.groups.all())
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def clerk(index: int) -> None:
        try:
            barrier.wait()
            series.plan_book_series(
                acting_user=front_desk.user if index == 0 else clerk_two,
                plan=plan if index == 0 else other,
                starts_at=at("2027-03-01", "10:00"),
                practitioner=practitioner,
                room=room,
            )
            outcomes[index] = "ok"
        except ClinicError as error:
            outcomes[index] = f"refused: {error.message}"
        except Exception as error:  # noqa: BLE001 - any other failure is what we look for
            outcomes[index] = f"error: {error!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(o.split(":")[0] for o in outcomes.values()) == ["ok", "refused"], outcomes
    winner, loser = (plan, other) if outcomes[0] == "ok" else (other, plan)
    assert statuses(winner) == ["booked"] * 4
    assert statuses(loser) == ["planned"] * 4  # not half-booked
    held = sorted(
        (start, end)
        for start, end in TreatmentSession.objects.values_list("starts_at", "ends_at")
        if start is not None and end is not None
    )
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(held, held[1:], strict=False))


@pytest.mark.parametrize("channel", ["page", "api"])
def test_a_schedule_change_through_its_page_and_api(
    dermatologist: Persona, plan: TreatmentPlan, channel: str
) -> None:
    events = SESSION_EVENTS.objects.count()
    page = reverse("plan-schedule", args=[plan.public_id])
    api = f"/api/plans/{plan.public_id}/schedule/"
    bad = {"sessions": 4, "interval_days": 5}
    if channel == "page":
        assert dermatologist.post(page, bad).status_code == 200
    else:
        assert_error(post(dermatologist, api, bad), 400, "invalid", "interval_days")
    assert SESSION_EVENTS.objects.count() == events
    good = {"sessions": 5, "interval_days": 28}
    if channel == "page":
        assert dermatologist.post(page, good).status_code == 302
    else:
        assert post(dermatologist, api, good).status_code == 200
    targets = list(plan.sessions.order_by("number").values_list("target_date", flat=True))
    assert targets == [
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 29),
        dt.date(2027, 4, 26),
        dt.date(2027, 5, 24),
        dt.date(2027, 6, 21),
    ]
    assert TreatmentPlan.objects.get(pk=plan.pk).planned_sessions == 5
