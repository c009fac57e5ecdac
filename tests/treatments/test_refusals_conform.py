"""A refusal because of a session's state is a 409 in the one error shape, exactly as the
schema documents it for that operation (the fuzzer's own validator reads the schema)."""

from __future__ import annotations

import pytest

from tests.api_helpers import assert_conforms, assert_error, post
from tests.conftest import Persona, all_no
from tests.treatments.series import first
from treatments.booking import services as sessions
from treatments.models import TreatmentPlan, TreatmentSession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]
CHECK_IN = "/api/sessions/{public_id}/check-in/"
AVAILABILITY = "/api/sessions/{public_id}/availability/"


def test_availability_of_a_cancelled_session_is_a_documented_409(
    front_desk: Persona, plan: TreatmentPlan
) -> None:
    session = first(plan)
    sessions.session_cancel(acting_user=front_desk.user, session=session, reason="Moved away")
    response = front_desk.get(AVAILABILITY.format(public_id=session.public_id))
    assert_error(response, 409, "conflict")
    assert_conforms(response, "GET", AVAILABILITY)


def test_checking_in_a_session_not_booked_is_a_documented_409_without_a_session(
    front_desk: Persona, plan: TreatmentPlan
) -> None:
    url = CHECK_IN.format(public_id=first(plan).public_id)
    response = post(front_desk, url, {"changed": False})
    body = assert_error(response, 409, "conflict")
    assert "session" not in body
    assert_conforms(response, "POST", CHECK_IN)


def test_a_blocked_check_in_is_a_documented_409_with_the_session(
    front_desk: Persona, booked_today: TreatmentSession
) -> None:
    front_desk.force_login(front_desk.user)  # the clock moved past the idle limit
    response = post(
        front_desk,
        CHECK_IN.format(public_id=booked_today.public_id),
        {"changed": True, "answers": {**all_no(), "C01": True}},
    )
    body = assert_error(response, 409, "contraindication_blocked")
    assert body["session"]["status"] == "blocked"
    assert_conforms(response, "POST", CHECK_IN)
