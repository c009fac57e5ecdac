"""Credentials: hashed, expiring, revocable API tokens, and two-factor sign-in for the roles
that need it, on the pages, the admin and the API."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from pytest_django import Settings

from clinic import roles
from clinic.api_auth import issue_token
from tests import factories
from tests.api_helpers import assert_error, post

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
API = "/api/patients/"


def staff(role: str) -> User:
    user = factories.UserFactory(groups=[Group.objects.get(name=role)], is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def code_for(device: TOTPDevice, *, steps_later: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp() + steps_later * device.step
    return str(totp.token()).zfill(device.digits)


def login_page(client: Client, user: User) -> Any:
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def token_login(user: User, **extra: str) -> Any:
    return post(
        Client(), "/api/auth/token/", {"username": user.username, "password": PASSWORD, **extra}
    )


def authorised(token: str) -> Any:
    return Client().get(API, HTTP_AUTHORIZATION=f"Token {token}")


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


# --- Tokens ----------------------------------------------------------------------------------


def test_a_token_is_shown_once_stored_hashed_and_expires_after_a_working_day(
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    time_machine.move_to(dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC), tick=False)
    desk = staff(roles.FRONT_DESK)
    response = token_login(desk)
    assert response.status_code == 200, response.content
    body = response.json()
    token = body["token"]
    assert token.startswith("mnc_") and body["prefix"] == token[:15]
    stored = AuthToken.objects.get()
    assert token not in {stored.digest, stored.token_key}  # only a digest and a prefix are kept
    assert stored.expiry == dt.datetime(2027, 3, 1, 18, tzinfo=dt.UTC)
    assert authorised(token).status_code == 200
    time_machine.move_to(dt.datetime(2027, 3, 1, 18, 1, tzinfo=dt.UTC), tick=False)
    assert_error(authorised(token), 401, "authentication_failed")


def test_the_lifetime_is_configurable(settings: Settings) -> None:
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": dt.timedelta(hours=2)}
    token, _ = issue_token(staff(roles.FRONT_DESK))
    assert token.expiry is not None
    assert abs(token.expiry - (timezone.now() + dt.timedelta(hours=2))) < dt.timedelta(minutes=1)


def test_owners_list_and_revoke_their_own_tokens_and_no_one_elses() -> None:
    desk, other = staff(roles.FRONT_DESK), staff(roles.FRONT_DESK)
    mine, secret = issue_token(desk)
    theirs, their_secret = issue_token(other)
    listing = Client().get("/api/auth/tokens/", HTTP_AUTHORIZATION=f"Token {secret}").json()
    assert [t["prefix"] for t in listing] == [mine.token_key]
    assert secret not in str(listing)
    refused = Client().delete(
        f"/api/auth/tokens/{theirs.token_key}/", HTTP_AUTHORIZATION=f"Token {secret}"
    )
    assert_error(refused, 404, "not_found")
    assert authorised(their_secret).status_code == 200
    revoked = Client().delete(
        f"/api/auth/tokens/{mine.token_key}/", HTTP_AUTHORIZATION=f"Token {secret}"
    )
    assert revoked.status_code == 204
    assert_error(authorised(secret), 401, "authentication_failed")


@pytest.mark.parametrize("change", ["password", "deactivation"])
def test_a_new_password_or_a_closed_account_revokes_every_token(change: str) -> None:
    desk = staff(roles.FRONT_DESK)
    secrets = [issue_token(desk)[1] for _ in range(2)]
    _, kept = issue_token(staff(roles.FRONT_DESK))  # somebody else's
    if change == "password":
        desk.set_password("another-long-passphrase-26")
    else:
        desk.is_active = False
    desk.save()
    assert not AuthToken.objects.filter(user=desk).exists()
    for secret in secrets:
        assert authorised(secret).status_code == 401
    assert authorised(kept).status_code == 200


def test_saving_a_user_unchanged_keeps_their_tokens() -> None:
    desk = staff(roles.FRONT_DESK)
    _, secret = issue_token(desk)
    desk.first_name = "Dana"
    desk.save()
    assert authorised(secret).status_code == 200


def test_the_tokens_page_shows_a_new_token_once_and_revokes_it() -> None:
    client = Client()
    desk = staff(roles.FRONT_DESK)
    login_page(client, desk)
    made = client.post(reverse("api-token-create")).content.decode()
    secret = re.search(r"mnc_[A-Za-z0-9]+", made)
    assert secret is not None and len(secret.group()) > 20
    page = client.get(reverse("api-tokens")).content.decode()
    assert secret.group() not in page and secret.group()[:15] in page
    assert authorised(secret.group()).status_code == 200
    client.post(reverse("api-token-revoke", args=[secret.group()[:15]]))
    assert authorised(secret.group()).status_code == 401


# --- Two-factor sign-in on the pages and the admin -------------------------------------------


@pytest.mark.parametrize("role", [roles.DERMATOLOGIST, roles.CLINIC_ADMIN])
def test_a_two_factor_role_sets_up_an_authenticator_at_first_sign_in(
    role: str, time_machine: time_machine.TimeMachineFixture
) -> None:
    client, user = Client(), staff(role)
    assert login_page(client, user).status_code == 302
    for place in ("/", "/patients/", "/admin/"):
        response = client.get(place)
        assert response.status_code == 302, place
        assert response["Location"].startswith(reverse("two-factor-setup"))
    assert_error(client.get(API), 403, "two_factor_required")
    setup = client.get(reverse("two-factor-setup")).content.decode()
    qr = setup[setup.index("<svg") : setup.index("</svg>")]
    assert "<script" not in qr and "mnc_" not in qr
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    refused = client.post(reverse("two-factor-setup"), {"code": "000000", "next": "/patients/"})
    assert "does not match" in refused.content.decode()
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=5))  # the wait a wrong code earns
    shown = client.post(
        reverse("two-factor-setup"), {"code": code_for(device), "next": "/patients/"}
    )
    codes = re.findall(r"<code>([a-z0-9]+)</code>", shown.content.decode())
    assert len(codes) == 10
    assert set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    ) == set(codes)
    assert client.get("/patients/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_the_next_sign_in_asks_for_a_code_and_a_recovery_code_works_once(
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    client, user = Client(), staff(roles.DERMATOLOGIST)
    device = confirmed_device(user)
    login_page(client, user)
    response = client.get("/patients/")
    assert response["Location"].startswith(reverse("two-factor-verify"))
    verify = reverse("two-factor-verify")
    wrong = client.post(verify, {"code": "123456"})
    assert "not right" in wrong.content.decode() and client.get("/").status_code == 302
    # django-otp makes a device wait after a wrong code (1 s, then doubling).
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=5))
    right = client.post(verify, {"code": code_for(device), "next": "/patients/"})
    assert right.status_code == 302 and right["Location"] == "/patients/"
    assert client.get("/patients/").status_code == 200

    recovery = StaticToken.objects.create(
        device=StaticDevice.objects.create(user=user, name="Recovery codes"), token="recover1"
    )
    for attempt in (1, 2):
        again = Client()
        login_page(again, user)
        answer = again.post(verify, {"code": recovery.token})
        assert (answer.status_code == 302) is (attempt == 1), attempt


def test_a_code_that_leads_elsewhere_stays_in_the_clinic() -> None:
    client, user = Client(), staff(roles.DERMATOLOGIST)
    device = confirmed_device(user)
    login_page(client, user)
    response = client.post(
        reverse("two-factor-verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_the_front_desk_signs_in_with_a_password_by_default() -> None:
    client = Client()
    login_page(client, staff(roles.FRONT_DESK))
    assert client.get("/").status_code == 200


def test_which_roles_need_two_factors_is_configurable(settings: Settings) -> None:
    settings.TWO_FACTOR_ROLES = [roles.FRONT_DESK]
    derm, desk = Client(), Client()
    login_page(derm, staff(roles.DERMATOLOGIST))
    login_page(desk, staff(roles.FRONT_DESK))
    assert derm.get("/").status_code == 200
    assert desk.get("/").status_code == 302


# --- Two-factor sign-in on the API ------------------------------------------------------------


def test_the_api_issues_a_two_factor_role_a_token_only_with_its_code(
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    derm = staff(roles.DERMATOLOGIST)
    assert_error(token_login(derm), 403, "two_factor_setup_required")
    device = confirmed_device(derm)
    assert_error(token_login(derm), 400, "invalid", "otp")
    assert_error(token_login(derm, otp="999999"), 400, "invalid", "otp")
    assert not AuthToken.objects.exists()
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=5))  # past a wrong code's wait
    response = token_login(derm, otp=code_for(device))
    assert response.status_code == 200, response.content
    assert authorised(response.json()["token"]).status_code == 200
    # The same code again is a replay.
    assert_error(token_login(derm, otp=code_for(device)), 400, "invalid", "otp")


# --- As they run, on PostgreSQL ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_setup_verification_and_tokens_commit_on_postgresql() -> None:
    client, user = Client(), staff(roles.DERMATOLOGIST)
    login_page(client, user)
    client.get(reverse("two-factor-setup"))
    device = TOTPDevice.objects.get(user=user)
    client.post(reverse("two-factor-setup"), {"code": code_for(device)})
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert StaticToken.objects.filter(device__user=user).count() == 10
    made = client.post(reverse("api-token-create")).content.decode()
    secret = re.search(r"mnc_[A-Za-z0-9]+", made)
    assert secret is not None
    client.post(reverse("api-token-revoke", args=[secret.group()[:15]]))
    assert not AuthToken.objects.filter(user=user).exists()
    response = token_login(user, otp=code_for(device, steps_later=1))
    assert response.status_code == 200, response.content
    listed = Client().get(
        "/api/auth/tokens/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}"
    )
    prefix = listed.json()[0]["prefix"]
    gone = Client().delete(
        f"/api/auth/tokens/{prefix}/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}"
    )
    assert gone.status_code == 204 and not AuthToken.objects.exists()
