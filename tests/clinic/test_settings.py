"""Settings come from the environment and fail loudly in production without secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from clinic.settings import database_settings

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "development-only-Gk2PqX9vLr7TzW3mYc8NbJ5hFs1dAe6uQo4iRt0"


def start_django(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "CLINIC_TIME_ZONE"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "clinic.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_starts_in_development_without_any_variables() -> None:
    assert start_django().stdout.strip() == "started"


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY and ALLOWED_HOSTS"),
        ({"DEBUG": "0", "SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS must be set"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "clinic.example"}, "SECRET_KEY must be set"),
    ],
)
def test_it_refuses_to_start_in_production_without_secrets(
    env: dict[str, str], missing: str
) -> None:
    result = start_django(**env)
    assert result.returncode != 0
    assert missing in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_it_refuses_a_short_secret_key_in_production() -> None:
    result = start_django(DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="clinic.example")
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_it_starts_in_production_with_secrets() -> None:
    result = start_django(DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="clinic.example")
    assert result.stdout.strip() == "started", result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CLINIC_TIME_ZONE": "Mars/Olympus"}, "is not an IANA time zone"),
        ({"DEBUG": "perhaps"}, "DEBUG must be one of"),
    ],
)
def test_it_explains_a_bad_value(env: dict[str, str], message: str) -> None:
    result = start_django(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_time_zone_and_aware_datetimes() -> None:
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == settings.CLINIC_TIME_ZONE


def test_login_is_required_by_middleware() -> None:
    assert "clinic.middleware.PageLoginRequiredMiddleware" in settings.MIDDLEWARE


def test_sqlite_takes_the_write_lock_when_a_transaction_starts() -> None:
    config = database_settings(None)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"].endswith("db.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_postgres_url_gets_persistent_checked_connections() -> None:
    config = database_settings("postgres://clinic:secret@db.internal:5432/clinic")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["NAME"], config["USER"]) == ("db.internal", "clinic", "clinic")
    assert config["CONN_MAX_AGE"] == 600
    assert config["CONN_HEALTH_CHECKS"] is True


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_keeps_connections_open_between_requests() -> None:
    assert connection.vendor == "postgresql"
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_holds_the_named_check_constraints() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'c' AND conname = ANY(%s)",
            [
                [
                    "protocol_interval_at_least_7_days_and_ordered",
                    "plan_interval_min_7_days",
                    "session_booked_has_slot",
                    "patient_fitzpatrick_i_to_vi",
                ]
            ],
        )
        assert len(cursor.fetchall()) == 4
