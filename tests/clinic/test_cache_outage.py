"""With Redis unreachable the clinic keeps working: sessions and lockouts come from the
database, the cache misses instead of raising, and readiness says the cache is down. Tested
against a real Redis server that the test starts and then stops, not a mock."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from clinic.auth_backends import forget_everyone
from clinic.cache_config import redis_caches
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"
REDIS = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A throw-away redis-server on loopback that keeps nothing on disk."""

    def __init__(self, workdir: Path) -> None:
        assert REDIS is not None
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                REDIS,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis(tmp_path: Path, settings: Settings) -> Iterator[RedisServer]:
    if REDIS is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is needed for the cache-outage tests in CI")
        pytest.skip("no redis-server on this machine (apt-get install redis-server)")
    server = RedisServer(tmp_path)
    settings.CACHES = redis_caches(server.url)  # the configuration REDIS_URL gives
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield server
    server.stop()


def test_pages_api_and_logins_keep_working_when_redis_goes_away(redis: RedisServer) -> None:
    from django.contrib.auth.models import Group

    factories.UserFactory(
        username="desk",
        password=PASSWORD,
        groups=[Group.objects.get(name="Front desk")],
        is_staff=True,
    )
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": "desk", "password": PASSWORD}).status_code
        == 302
    )
    assert client.get("/patients/").status_code == 200
    assert Client().get("/readyz").json() == {"status": "ready", "database": "ok", "cache": "ok"}

    redis.stop()

    # The session is read from the database, permissions are recomputed, nothing raises.
    assert client.get("/patients/").status_code == 200
    assert client.get("/api/patients/").status_code == 200
    forget_everyone()  # the post-migrate handler that stopped `make serve` starting
    newcomer = Client()
    answer = newcomer.post("/accounts/login/", {"username": "desk", "password": PASSWORD})
    assert answer.status_code == 302
    assert newcomer.get("/today/").status_code == 200
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "degraded", "database": "ok", "cache": "down"}


def test_lockouts_still_hold_without_redis(redis: RedisServer) -> None:
    factories.UserFactory(username="alice", password=PASSWORD)
    redis.stop()
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
