"""Domain errors that carry more than a message, with typed fields: pages and the API match on
the class, never on the shape of what it carries."""

from __future__ import annotations

from clinic.errors import Conflict, ContraindicationBlocked
from treatments.rules.screening import ScreeningOutcome
from treatments.rules.spacing import Shift


def rules_extra(outcome: ScreeningOutcome) -> dict[str, object]:
    """The rules behind a screening refusal, with their action and citation, for the API."""
    return {
        "rules": [
            {
                "code": hit.rule.code,
                "condition": hit.rule.condition,
                "severity": hit.severity,
                "action": hit.action,
                "exception_applied": hit.exception_applied,
                "study": hit.rule.study.short_citation,
                "doi": hit.rule.study.doi,
            }
            for hit in outcome.hits
        ]
    }


class ScreeningBlocked(ContraindicationBlocked):
    """An absolute contraindication blocks the plan: the page shows the rules that fired."""

    def __init__(self, message: str, *, outcome: ScreeningOutcome) -> None:
        super().__init__(message, extra=rules_extra(outcome))
        self.outcome = outcome


class ShiftsNeeded(Conflict):
    """A move crowds later sessions: these shifts keep the plan's interval, once confirmed."""

    def __init__(self, shifts: list[Shift]) -> None:
        super().__init__(
            "This date crowds the later sessions: "
            + "; ".join(
                f"session {s.number} {s.old_date:%d %b} → {s.new_date:%d %b %Y}"
                + (" (booking released)" if s.unbooked else "")
                for s in shifts
            )
            + ". Confirm shifting them.",
            extra={
                "shifts": [
                    {
                        "number": s.number,
                        "old_date": s.old_date.isoformat(),
                        "new_date": s.new_date.isoformat(),
                        "booking_released": s.unbooked,
                    }
                    for s in shifts
                ]
            },
        )
        self.shifts = shifts
