"""Check in is offered only where it would be accepted: a booked session, on its day. One rule
(treatments.rules.visit) answers the service, the API, the check-in page and every button."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from tests.api_helpers import assert_error, post
from tests.conftest import Persona
from tests.treatments.series import at, book, first
from treatments.models import TreatmentSession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]


def _words(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _check_in_links(response: Any, session: TreatmentSession) -> int:
    url = reverse("session-check-in", args=[session.public_id])
    return response.content.decode().count(f'href="{url}"')


@pytest.fixture
def booked_ahead(front_desk: Persona, plan: Any, practitioner: Any, room: Any) -> TreatmentSession:
    """Session 1 booked for Monday 1 March 10:00; the clock is Wednesday 24 February."""
    return book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)


def test_a_future_session_offers_no_check_in_on_its_page_or_its_days_list(
    front_desk: Persona, booked_ahead: TreatmentSession
) -> None:
    session_page = front_desk.get(reverse("session-detail", args=[booked_ahead.public_id]))
    assert session_page.status_code == 200
    assert _check_in_links(session_page, booked_ahead) == 0
    day_list = front_desk.get(reverse("today"), {"date": "2027-03-01"})
    assert _check_in_links(day_list, booked_ahead) == 0
    assert "No-show" not in _words(day_list)


def test_the_check_in_page_of_a_future_session_says_why_and_offers_no_check_in(
    front_desk: Persona, booked_ahead: TreatmentSession
) -> None:
    response = front_desk.get(reverse("session-check-in", args=[booked_ahead.public_id]))
    assert response.status_code == 200
    words = _words(response)
    assert "A session is checked in on its day (01 Mar 2027)." in words
    assert "Nothing has changed — check in" not in words
    assert "Something changed" not in words


def test_the_api_refuses_to_check_in_a_future_session_in_the_error_shape(
    front_desk: Persona, booked_ahead: TreatmentSession
) -> None:
    response = post(
        front_desk, f"/api/sessions/{booked_ahead.public_id}/check-in/", {"changed": False}
    )
    body = assert_error(response, 409, "conflict")
    assert body["detail"] == "A session is checked in on its day (01 Mar 2027)."
    assert first(booked_ahead.plan).status == TreatmentSession.Status.BOOKED


def test_on_its_day_the_session_page_and_the_days_list_offer_check_in(
    front_desk: Persona, booked_today: TreatmentSession
) -> None:
    front_desk.force_login(front_desk.user)
    session_page = front_desk.get(reverse("session-detail", args=[booked_today.public_id]))
    assert _check_in_links(session_page, booked_today) == 1
    assert _check_in_links(front_desk.get(reverse("today")), booked_today) == 1
    page = front_desk.get(reverse("session-check-in", args=[booked_today.public_id]))
    assert "Nothing has changed — check in" in _words(page)
