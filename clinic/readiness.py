"""What a server depends on, checked for a load balancer's readiness probe.

The database is required: without it nothing works, so the server is not ready. The cache is
not: with Redis unreachable, sessions come from the database, lockouts are in the database, and
permission sets and rate limits miss (django-redis `IGNORE_EXCEPTIONS`), so a server without it
is degraded, still ready; every server shares one Redis, so taking them all out would only
turn a slowdown into an outage.
"""

from __future__ import annotations

from typing import Literal

from django.core.cache import cache
from django.db import DatabaseError, connection

Status = Literal["ok", "down", "local"]


def database_status() -> Status:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "down"
    return "ok"


def cache_status() -> Status:
    """Ask the Redis server itself: the cache API hides its errors by design."""
    client = getattr(cache, "client", None)
    if client is None:
        return "local"  # a per-process memory cache: nothing to reach
    try:
        client.get_client(write=True).ping()
    except Exception:  # noqa: BLE001 - any failure to reach Redis means "down"
        return "down"
    return "ok"


def readiness() -> tuple[bool, dict[str, Status]]:
    checks = {"database": database_status(), "cache": cache_status()}
    return checks["database"] == "ok", checks
