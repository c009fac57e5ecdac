"""A plan's parameters: the hard limits, then the protocol's evidence-informed ranges.

Departures from a protocol's ranges are allowed with a written reason (DOMAIN.md); the hard
limits (`limits`) are never crossed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar
from typing import Protocol as Shape

from clinic.text import is_meaningful
from treatments.rules.limits import (
    MAX_INTERVAL_DAYS,
    MAX_SESSIONS,
    MAX_START_AHEAD_DAYS,
    MIN_INTERVAL_DAYS,
    MIN_SESSIONS,
    PLAN_DEPTH_MAX_MM,
    PLAN_DEPTH_MIN_MM,
)

SESSIONS_MESSAGE = f"A series has between {MIN_SESSIONS} and {MAX_SESSIONS} sessions."
INTERVAL_FLOOR_MESSAGE = (
    f"Sessions on the same area must be at least {MIN_INTERVAL_DAYS} days apart."
)
INTERVAL_CEILING_MESSAGE = f"An interval over {MAX_INTERVAL_DAYS} days is not a series."
DEPTH_MESSAGE = f"Needle depth must lie between {PLAN_DEPTH_MIN_MM} and {PLAN_DEPTH_MAX_MM} mm."


class ProtocolRanges(Shape):
    """What a protocol says about its sessions, interval and depth (the knowledge base's rows)."""

    @property
    def code(self) -> str: ...
    @property
    def physician_defined(self) -> bool: ...
    @property
    def sessions_min(self) -> int | None: ...
    @property
    def sessions_max(self) -> int | None: ...
    @property
    def interval_min_days(self) -> int | None: ...
    @property
    def interval_max_days(self) -> int | None: ...
    @property
    def depth_min_mm(self) -> Decimal | None: ...
    @property
    def depth_max_mm(self) -> Decimal | None: ...

    @property
    def depth_range_text(self) -> str: ...


#: The protocol a plan follows: a ProtocolRanges for the rules, the model row for the services.
#: (No bound: a model's fields are typed too late for mypy's check of a bound.)
P = TypeVar("P", covariant=True)
#: A count or a depth, compared with the protocol's bounds of the same type.
N = TypeVar("N", int, Decimal)


@dataclass(frozen=True)
class PlanParameters(Generic[P]):
    protocol: P
    sessions: int
    interval_days: int
    depth_mm: Decimal
    start_date: dt.date
    departure_reason: str = ""


def _within(value: N, low: N | None, high: N | None) -> bool:
    return low is not None and high is not None and low <= value <= high


def plan_departures(params: PlanParameters[ProtocolRanges]) -> list[str]:
    """How the parameters depart from the protocol's evidence-informed ranges."""
    protocol = params.protocol
    if protocol.physician_defined:
        return [f"{protocol.code} has no evidence-based default: the numbers are the physician's."]
    departures = []
    if not _within(params.sessions, protocol.sessions_min, protocol.sessions_max):
        departures.append(
            f"{params.sessions} sessions is outside the protocol's "
            f"{protocol.sessions_min}–{protocol.sessions_max}."
        )
    if not _within(params.interval_days, protocol.interval_min_days, protocol.interval_max_days):
        departures.append(
            f"An interval of {params.interval_days} days is outside the protocol's "
            f"{protocol.interval_min_days}–{protocol.interval_max_days} days."
        )
    if not _within(params.depth_mm, protocol.depth_min_mm, protocol.depth_max_mm):
        departures.append(
            f"A depth of {params.depth_mm.normalize()} mm is outside the protocol's "
            f"{protocol.depth_range_text}."
        )
    return departures


def plan_parameter_errors(
    params: PlanParameters[ProtocolRanges], *, today: dt.date
) -> dict[str, list[str]]:
    """Hard limits, then departures without a written reason. Empty when the plan may go on."""
    errors: dict[str, list[str]] = {}
    if not MIN_SESSIONS <= params.sessions <= MAX_SESSIONS:
        errors["sessions"] = [SESSIONS_MESSAGE]
    if params.interval_days < MIN_INTERVAL_DAYS:
        errors["interval_days"] = [INTERVAL_FLOOR_MESSAGE]
    elif params.interval_days > MAX_INTERVAL_DAYS:
        errors["interval_days"] = [INTERVAL_CEILING_MESSAGE]
    if not PLAN_DEPTH_MIN_MM <= params.depth_mm <= PLAN_DEPTH_MAX_MM:
        errors["depth_mm"] = [DEPTH_MESSAGE]
    if params.start_date < today:
        errors["start_date"] = ["The first session cannot be in the past."]
    elif params.start_date > today + dt.timedelta(days=MAX_START_AHEAD_DAYS):
        errors["start_date"] = ["The first session must be within a year."]
    if not errors and plan_departures(params) and not is_meaningful(params.departure_reason):
        errors["departure_reason"] = [
            "Write why this plan departs from the protocol: " + " ".join(plan_departures(params))
        ]
    return errors
