"""Login protection, idle sessions, security headers and production settings."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests import factories
from tests.conftest import Persona

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-staple"


def login(client: Client, url: str, password: str) -> Any:
    return client.post(url, {"username": "alice", "password": password}, REMOTE_ADDR="203.0.113.5")


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_repeated_wrong_passwords_lock_the_login(url: str) -> None:
    factories.UserFactory(username="alice", is_staff=True)
    client = Client()
    for _ in range(4):
        assert login(client, url, "wrong").status_code == 200
    assert login(client, url, "wrong").status_code == 429  # the fifth failure locks
    response = login(client, url, PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    assert "_auth_user_id" not in client.session


def test_a_right_password_before_the_limit_resets_the_count() -> None:
    factories.UserFactory(username="alice")
    client = Client()
    for _ in range(4):
        login(client, "/accounts/login/", "wrong")
    assert login(client, "/accounts/login/", PASSWORD).status_code == 302


def test_the_api_token_endpoint_is_locked_out_too() -> None:
    factories.UserFactory(username="alice")
    client = Client()
    first = client.post(
        "/api/auth/token/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assert "token" in first.json()
    for _ in range(5):
        client.post(
            "/api/auth/token/",
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="203.0.113.5",
        )
    response = client.post(
        "/api/auth/token/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="203.0.113.5"
    )
    assert response.status_code in (400, 403, 429)
    assert "token" not in response.json()


def test_an_idle_session_ends_after_the_configured_minutes(
    dermatologist: Persona, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC), tick=False)
    dermatologist.force_login(dermatologist.user)
    assert dermatologist.get("/").status_code == 200
    time_machine.move_to(dt.datetime(2027, 1, 4, 9, 14, tzinfo=dt.UTC), tick=False)
    assert dermatologist.get("/").status_code == 200  # activity renews the idle clock
    time_machine.move_to(dt.datetime(2027, 1, 4, 9, 28, tzinfo=dt.UTC), tick=False)
    assert dermatologist.get("/").status_code == 200
    time_machine.move_to(dt.datetime(2027, 1, 4, 9, 44, tzinfo=dt.UTC), tick=False)
    response = dermatologist.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", ["/", "/admin/", "/patients/", "/api/docs/"])
def test_pages_carry_a_content_security_policy(clinic_admin: Client, url: str) -> None:
    response = clinic_admin.get(url)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_our_templates_have_no_inline_script() -> None:
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=", text):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def _production(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}},
        "DEBUG": "0",
        "SECRET_KEY": "prod-test-9fQ2xLm7Vb4Nc8Zt1Rk6Hw3Yp5Jd0Gs2Ue7Ai4Oq9Ty",
        "ALLOWED_HOSTS": "clinic.example.org",
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deployment_checklist_passes_with_production_settings() -> None:
    result = _production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_force_https_behind_a_proxy() -> None:
    result = _production(
        "-c",
        (
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS)"
        ),
    )
    assert result.stdout.strip() == (
        "True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https') ['https://clinic.example.org']"
    ), result.stderr
