"""Transactions as the services use them: a guard for locking reads, and contention between
two writers as a conflict to retry."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection

from clinic.errors import Conflict

P = ParamSpec("P")
R = TypeVar("R")


def inside_transaction(helper: Callable[P, R]) -> Callable[P, R]:
    """For a locking read: called outside `transaction.atomic` it refuses on every database.
    PostgreSQL refuses `select_for_update` there, but SQLite ignores the lock, so without this a
    service that forgot its transaction passes every SQLite test and fails in production."""

    @functools.wraps(helper)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not connection.in_atomic_block:
            raise RuntimeError(f"{helper.__qualname__} must run inside transaction.atomic.")
        return helper(*args, **kwargs)

    return wrapper


def contention_is_conflict(service: Callable[P, R]) -> Callable[P, R]:
    """A deadlock or serialization failure between two clerks is a conflict to retry, not a
    server error."""

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except OperationalError as error:
            code = getattr(getattr(error, "__cause__", None), "sqlstate", None)
            if code in {"40P01", "40001"} or "database is locked" in str(error):
                raise Conflict(
                    "Another booking for this series or slot was being saved at the same "
                    "moment; try again."
                ) from None
            raise

    return wrapper
