"""Nothing but the login page, static files and the health check answers without a login."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/", "/admin/", "/admin/patients/patient/", "/admin/evidence/study/"]
)
def test_anonymous_visitors_are_sent_to_log_in(anonymous: Client, url: str) -> None:
    response = anonymous.get(url)
    assert response.status_code == 302
    assert response["Location"].split("?")[0] in {reverse("login"), "/admin/login/"}


def test_the_login_page_is_open(anonymous: Client) -> None:
    response = anonymous.get(reverse("login"))
    assert response.status_code == 200
    assert b"Log in" in response.content


def test_the_health_check_is_open_and_reveals_nothing(anonymous: Client) -> None:
    response = anonymous.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_user_logs_in_sees_the_home_page_and_logs_out(anonymous: Client) -> None:
    factories.UserFactory(username="alice", first_name="Alice", last_name="Jones")
    response = anonymous.post(
        reverse("login"), {"username": "alice", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    home = anonymous.get(reverse("home"))
    assert home.status_code == 200
    assert b"Welcome, Alice Jones" in home.content
    assert anonymous.post(reverse("logout")).status_code == 302
    assert anonymous.get(reverse("home")).status_code == 302


def test_a_wrong_password_gets_a_clear_error(anonymous: Client) -> None:
    factories.UserFactory(username="bob")
    response = anonymous.post(reverse("login"), {"username": "bob", "password": "nope"})
    assert response.status_code == 200
    assert b"enter a correct username and password" in response.content


def test_home_shows_a_dermatologist_the_sections_they_may_see(dermatologist: Client) -> None:
    response = dermatologist.get(reverse("home"))
    assert b"Signed in as Dermatologist" in response.content
    assert b"Screenings awaiting your override" in response.content
    # The administration block is the clinic admin's (the worklists are everyone's start).
    assert reverse("admin:treatments_treatmentplan_changelist").encode() not in response.content


def test_home_shows_the_clinic_admin_the_administration(clinic_admin: Client) -> None:
    response = clinic_admin.get(reverse("home"))
    assert reverse("admin:treatments_treatmentplan_changelist").encode() in response.content
    assert reverse("admin:evidence_study_changelist").encode() in response.content


def test_me_says_who_is_logged_in_and_for_how_long(front_desk: Persona) -> None:
    body = front_desk.get("/accounts/me/").json()
    assert body["username"] == front_desk.user.username
    assert body["roles"] == ["Front desk"]
    assert body["idle_timeout_minutes"] == 15
