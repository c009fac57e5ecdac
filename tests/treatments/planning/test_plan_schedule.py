"""Changing a plan's session count or interval re-plans its unbooked sessions: the service,
the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from clinic.errors import Conflict, InvalidInput, NotAllowed
from patients.models import PatientAccess
from tests.api_helpers import assert_conforms, assert_error, post
from tests.conftest import Persona
from tests.treatments.series import at, book
from treatments.models import TreatmentPlan
from treatments.planning import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]


def rows(plan: TreatmentPlan) -> list[tuple[int, str, dt.date]]:
    return list(plan.sessions.order_by("number").values_list("number", "status", "target_date"))


def test_a_longer_interval_moves_the_unbooked_sessions_and_not_the_booked_one(
    dermatologist: Persona, front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    book(front_desk.user, plan, 1, at("2027-03-01", "15:00"), practitioner, room)
    services.plan_change_schedule(
        acting_user=dermatologist.user,
        plan=plan,
        sessions=4,
        interval_days=35,
        departure_reason="The patient travels for work every month.",
    )
    assert rows(plan) == [
        (1, "booked", dt.date(2027, 3, 1)),
        (2, "planned", dt.date(2027, 4, 5)),
        (3, "planned", dt.date(2027, 5, 10)),
        (4, "planned", dt.date(2027, 6, 14)),
    ]
    assert TreatmentPlan.objects.get(pk=plan.pk).departure_reason.startswith("The patient travels")
    plan.refresh_from_db()
    assert (plan.planned_sessions, plan.interval_days) == (4, 35)


def test_more_sessions_are_created_and_fewer_cancel_the_last_keeping_their_records(
    dermatologist: Persona, plan: TreatmentPlan
) -> None:
    services.plan_change_schedule(
        acting_user=dermatologist.user, plan=plan, sessions=5, interval_days=30
    )
    assert rows(plan)[-1] == (5, "planned", dt.date(2027, 6, 30))
    services.plan_change_schedule(
        acting_user=dermatologist.user,
        plan=plan,
        sessions=3,
        interval_days=30,
    )
    found = rows(plan)
    assert [status for _, status, _ in found] == ["planned"] * 3 + ["cancelled"] * 2
    reason = plan.sessions.get(number=5).status_reason
    assert reason.startswith("The series was shortened to 3 sessions")


def test_shortening_past_a_booked_session_is_refused_and_changes_nothing(
    dermatologist: Persona, front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    book(front_desk.user, plan, 4, at("2027-05-31", "10:00"), practitioner, room)
    before = rows(plan)
    with pytest.raises(Conflict, match="Session 4 is booked"):
        services.plan_change_schedule(
            acting_user=dermatologist.user, plan=plan, sessions=3, interval_days=30
        )
    assert rows(plan) == before


def test_a_longer_interval_that_crowds_a_booked_session_is_refused(
    dermatologist: Persona, front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    book(front_desk.user, plan, 3, at("2027-04-30", "10:00"), practitioner, room)
    with pytest.raises(Conflict, match="Session 2 would be 4 days from session 3"):
        services.plan_change_schedule(
            acting_user=dermatologist.user,
            plan=plan,
            sessions=4,
            interval_days=56,
            departure_reason="Healing is slow for this patient.",
        )
    assert TreatmentPlan.objects.get(pk=plan.pk).interval_days == 30


def test_bad_values_and_no_change_are_refused(dermatologist: Persona, plan: TreatmentPlan) -> None:
    for sessions, interval, field in (
        (4, 30, "sessions"),
        (4, 5, "interval_days"),
        (0, 30, "sessions"),
    ):
        with pytest.raises(InvalidInput) as refused:
            services.plan_change_schedule(
                acting_user=dermatologist.user, plan=plan, sessions=sessions, interval_days=interval
            )
        assert field in refused.value.fields
    # IND-01's range is 2-6 sessions: 8 departs from it and needs a reason.
    with pytest.raises(InvalidInput, match="departs from the protocol"):
        services.plan_change_schedule(
            acting_user=dermatologist.user, plan=plan, sessions=8, interval_days=30
        )


def test_only_a_dermatologist_changes_the_schedule(
    front_desk: Persona, plan: TreatmentPlan
) -> None:
    with pytest.raises(NotAllowed):
        services.plan_change_schedule(
            acting_user=front_desk.user, plan=plan, sessions=5, interval_days=30
        )


def test_the_page_re_plans_and_shows_errors_on_the_form(
    dermatologist: Persona, front_desk: Persona, plan: TreatmentPlan
) -> None:
    address = reverse("plan-schedule", args=[plan.public_id])
    page = dermatologist.get(address)
    assert page.status_code == 200
    assert 'value="4"' in page.content.decode() and 'value="30"' in page.content.decode()
    refused = dermatologist.post(address, {"sessions": "4", "interval_days": "30"})
    assert refused.status_code == 200 and "Unchanged." in refused.content.decode()
    done = dermatologist.post(address, {"sessions": "5", "interval_days": "28"}, follow=True)
    assert "Schedule changed: 4 unbooked session(s) re-planned; 1 added." in done.content.decode()
    assert rows(plan)[1] == (2, "planned", dt.date(2027, 3, 29))
    assert front_desk.get(address).status_code == 403
    # The plan page offers it to the dermatologist only.
    plan_page = reverse("plan-detail", args=[plan.public_id])
    assert address in dermatologist.get(plan_page).content.decode()
    assert address not in front_desk.get(plan_page).content.decode()


def test_the_api_re_plans_and_answers_the_plan(
    dermatologist: Client, front_desk: Client, plan: TreatmentPlan
) -> None:
    address = f"/api/plans/{plan.public_id}/schedule/"
    assert_error(
        post(front_desk, address, {"sessions": 5, "interval_days": 30}), 403, "permission_denied"
    )
    assert_error(
        post(dermatologist, address, {"sessions": "5", "interval_days": 30}),
        400,
        "invalid",
        "sessions",
    )
    response = post(dermatologist, address, {"sessions": 5, "interval_days": 30})
    assert_conforms(response, "post", "/api/plans/{public_id}/schedule/")
    assert response.status_code == 200
    body = response.json()
    assert body["planned_sessions"] == 5 and len(body["sessions"]) == 5
    assert PatientAccess.objects.filter(path__startswith=address).exists()
    shorter = post(dermatologist, address, {"sessions": 2, "interval_days": 30})
    assert shorter.status_code == 200  # three unbooked sessions cancelled, not deleted
    assert [s for _, s, _ in rows(plan)] == ["planned"] * 2 + ["cancelled"] * 3
