"""Helpers for tests that book and run a series (plain functions, no fixtures)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from treatments.booking import services as booking
from treatments.models import TreatmentPlan, TreatmentSession

LONDON = ZoneInfo("Europe/London")


def at(day: str, hhmm: str) -> dt.datetime:
    """A wall-clock time at the clinic."""
    return dt.datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=LONDON)


def first(plan: TreatmentPlan, number: int = 1) -> TreatmentSession:
    return plan.sessions.get(number=number)


def book(
    user: Any, plan: TreatmentPlan, number: int, when: dt.datetime, practitioner: Any, room: Any
) -> TreatmentSession:
    return booking.session_book(
        acting_user=user,
        session=first(plan, number),
        starts_at=when,
        practitioner=practitioner,
        room=room,
    )
