"""One family of domain errors. Services raise them; the API maps them to one JSON shape and
the pages show them as form errors. None of them is ever a 500."""

from __future__ import annotations

from typing import Any


class ClinicError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        #: What lies behind the refusal, as JSON for the API's error body (the rules that
        #: fired, the bookings it clashes with, the shifts a move needs).
        self.extra = extra or {}


class InvalidInput(ClinicError):
    """The request is incomplete or contradicts a rule; nothing was saved."""


class NotAllowed(ClinicError):
    status = 403
    code = "not_allowed"


class Conflict(ClinicError):
    """The request is well formed, and the clinic's state refuses it: the record is cancelled,
    archived or not due today, or the booking clashes with another. 409, not 400: the same
    request can be right another time."""

    status = 409
    code = "conflict"


class ContraindicationBlocked(Conflict):
    """An absolute contraindication is present: the plan or session cannot go ahead."""

    code = "contraindication_blocked"


class OverrideRequired(Conflict):
    """A relative contraindication is present and no dermatologist has overridden it."""

    code = "override_required"
