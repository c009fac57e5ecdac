"""The limits pages state, from their one home, for every template."""

from __future__ import annotations

from django.http import HttpRequest

from treatments.rules.limits import ANAESTHETIC_LEAD_MINUTES, MIN_INTERVAL_DAYS


def clinic_limits(request: HttpRequest) -> dict[str, int]:
    return {
        "arrival_lead_minutes": ANAESTHETIC_LEAD_MINUTES,
        "min_interval_days": MIN_INTERVAL_DAYS,
    }
