"""Plan parameters and who may decide, on plain stand-ins, without a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from treatments.rules import limits, roles
from treatments.rules.planning import PlanParameters, plan_departures, plan_parameter_errors

TODAY = dt.date(2027, 2, 24)


@dataclass(frozen=True)
class Ranges:
    code: str = "IND-01"
    physician_defined: bool = False
    sessions_min: int | None = 2
    sessions_max: int | None = 6
    interval_min_days: int | None = 28
    interval_max_days: int | None = 30
    depth_min_mm: Decimal | None = Decimal("0.5")
    depth_max_mm: Decimal | None = Decimal("1.5")

    @property
    def depth_range_text(self) -> str:
        return f"{self.depth_min_mm}–{self.depth_max_mm} mm"


DEFAULT = PlanParameters(
    protocol=Ranges(), sessions=4, interval_days=30, depth_mm=Decimal("1.0"), start_date=TODAY
)


def params(**changes: Any) -> PlanParameters[Ranges]:
    return replace(DEFAULT, **changes)


def test_a_plan_inside_the_protocol_needs_nothing_more() -> None:
    assert plan_departures(params()) == []
    assert plan_parameter_errors(params(), today=TODAY) == {}


def test_a_departure_needs_a_written_reason() -> None:
    departed = params(sessions=8)
    assert plan_departures(departed) == ["8 sessions is outside the protocol's 2–6."]
    assert "departure_reason" in plan_parameter_errors(departed, today=TODAY)
    reasoned = params(sessions=8, departure_reason="Severe photoageing; review after six.")
    assert plan_parameter_errors(reasoned, today=TODAY) == {}


def test_the_hard_limits_hold_whatever_the_reason() -> None:
    errors = plan_parameter_errors(
        params(
            interval_days=limits.MIN_INTERVAL_DAYS - 1,
            depth_mm=limits.PLAN_DEPTH_MAX_MM + 1,
            sessions=limits.MAX_SESSIONS + 1,
            start_date=TODAY - dt.timedelta(days=1),
            departure_reason="A reason does not lift a hard limit.",
        ),
        today=TODAY,
    )
    assert set(errors) == {"interval_days", "depth_mm", "sessions", "start_date"}
    assert errors["interval_days"] == [
        f"Sessions on the same area must be at least {limits.MIN_INTERVAL_DAYS} days apart."
    ]


def test_a_physician_defined_protocol_is_always_a_departure() -> None:
    assert plan_departures(params(protocol=Ranges(code="IND-06", physician_defined=True))) == [
        "IND-06 has no evidence-based default: the numbers are the physician's."
    ]


def test_clinical_decisions_need_the_permission_and_an_active_dermatologist() -> None:
    everything = frozenset(
        {*roles.PLAN_PERMS, roles.OVERRIDE_PERM, roles.RECORD_PERM, roles.BOOK_PERM}
    )
    dermatologist = roles.Clinician(perms=everything, active_dermatologist=True)
    admin = roles.Clinician(perms=everything, active_dermatologist=False)
    desk = roles.Clinician(perms=frozenset({roles.BOOK_PERM}), active_dermatologist=False)
    assert roles.may_plan(dermatologist) and roles.may_override(dermatologist)
    assert roles.may_record(dermatologist)
    assert not (roles.may_plan(admin) or roles.may_override(admin) or roles.may_record(admin))
    assert roles.plan_refusal(admin) == roles.NOT_LINKED
    assert roles.plan_refusal(desk) == roles.ONLY_DERMATOLOGISTS_PLAN
