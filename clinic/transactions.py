"""A guard for helpers that write as part of a larger service's transaction."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import connection

P = ParamSpec("P")
R = TypeVar("R")


def inside_transaction(helper: Callable[P, R]) -> Callable[P, R]:
    """The helper writes only inside its caller's `transaction.atomic`: called outside one, it
    refuses instead of committing half a change (autocommit would save each statement alone,
    and `select_for_update` outside a transaction fails on PostgreSQL)."""

    @functools.wraps(helper)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not connection.in_atomic_block:
            raise RuntimeError(f"{helper.__qualname__} must run inside transaction.atomic.")
        return helper(*args, **kwargs)

    return wrapper
