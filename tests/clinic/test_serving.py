"""make serve's gunicorn settings: the connection budget is checked before anything starts."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _load(monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "DB_POOL_MAX_SIZE", "APP_SERVERS"):
        # set, then delete: monkeypatch then restores the variable as it was (usually unset)
        # after the test, whatever the config module's setdefault() writes meanwhile.
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import clinic.gunicorn_conf as conf

    return importlib.reload(conf)


def test_the_pool_is_one_connection_per_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _load(monkeypatch, GUNICORN_WORKERS="4", GUNICORN_THREADS="3")
    assert (conf.workers, conf.threads, conf.worker_class) == (4, 3, "gthread")
    assert os.environ["DB_POOL_MAX_SIZE"] == "3"


def test_gunicorn_leaves_long_addresses_to_the_app_which_answers_them_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gunicorn's own limit would answer an HTML 414 (0 is no limit): the app's 414 answers."""
    assert _load(monkeypatch).limit_request_line == 0


@pytest.mark.postgres
def test_a_server_that_could_exhaust_postgresql_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = connection.settings_dict
    url = (
        f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    )
    monkeypatch.setenv("DATABASE_URL", url)
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
    fits = _load(monkeypatch, GUNICORN_WORKERS="2", GUNICORN_THREADS="2", APP_SERVERS="2")
    fits.on_starting(None)  # 8 connections: starts
    too_many = _load(monkeypatch, GUNICORN_WORKERS=str(limit), GUNICORN_THREADS="2")
    with pytest.raises(SystemExit, match="over PostgreSQL's max_connections"):
        too_many.on_starting(None)
