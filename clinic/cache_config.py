"""The shared cache's configuration, built in one place for settings.py and its tests.

Plain data, importable before Django is set up."""

from __future__ import annotations

from typing import Any


def redis_caches(url: str, *, timeout_seconds: float = 0.5) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "clinic",
            "OPTIONS": {
                # Redis unreachable is a cache miss, not a 500: the app degrades (sessions and
                # lockouts from the database) instead of falling over; /readyz reports it.
                "IGNORE_EXCEPTIONS": True,
                # A Redis that hangs costs a request at most this long per cache call.
                "SOCKET_CONNECT_TIMEOUT": timeout_seconds,
                "SOCKET_TIMEOUT": timeout_seconds,
            },
        }
    }
