"""Reading a session's record back: its values as a reader sees them, and its amendments."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from evidence.scales import grade_label
from patients.models import BodyArea
from treatments.booking.selectors import session_day
from treatments.models import (
    SESSION_RECORD_FIELDS,
    Screening,
    SessionAmendment,
    TreatmentSession,
)
from treatments.rules import record as record_rules
from treatments.rules import session_status
from treatments.rules import visit as visit_rules
from treatments.rules.limits import PAIN_SCORE_MAX
from treatments.rules.screening import awaiting_override

EMPTY = "—"


def session_on_the_day_problem(session: TreatmentSession, what: str = "checked in") -> str | None:
    """Why `session` cannot be checked in (or marked a no-show) now, or None: the one rule, for
    the services, the check-in page and every Check in button."""
    return visit_rules.on_the_day_problem(
        status=session.status,
        status_label=session.get_status_display(),
        day=session_day(session),
        today=timezone.localdate(),
        what=what,
    )


def _when(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%d %b %Y %H:%M}"


def shown_value(session: TreatmentSession, field: str, value: Any) -> str:
    """A record's value as the session page and its amendments show it. Amendments keep their
    values as JSON (numbers and times as text), so both forms are read here."""
    if value is None or value == "":
        return EMPTY
    concern = session.plan.concern
    if field == "depth_used_mm":
        try:
            return f"{Decimal(str(value)).normalize()} mm"
        except InvalidOperation:
            return str(value)
    if field == "anaesthetic_applied_at":
        moment = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
        return _when(moment) if moment is not None else str(value)
    if field == "pain_score":
        return f"{value} of {PAIN_SCORE_MAX}"
    if field == "area":
        return str(dict(BodyArea.choices).get(value, value))
    if field == "outcome_grade":
        return grade_label(concern.grading_scale if concern.grading_scale_id else None, value)
    return str(value)


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Amendment:
    amended_by: User
    amended_at: dt.datetime
    reason: str
    changes: list[Change]


LABELS = {
    "depth_used_mm": "Depth used",
    "needle_cartridge": "Needle cartridge",
    "cartridge_lot": "Cartridge lot",
    "anaesthetic_applied_at": "Anaesthetic applied",
    "pain_score": "Pain",
    "outcome_grade": "Outcome",
}


def field_label(field: str) -> str:
    model_field = TreatmentSession._meta.get_field(field)
    return LABELS.get(field) or str(getattr(model_field, "verbose_name", field)).capitalize()


def session_amendments(session: TreatmentSession) -> list[Amendment]:
    """The session's amendments, oldest first, in one query however many there are."""
    rows = SessionAmendment.objects.filter(session=session).select_related("amended_by")
    return [
        Amendment(
            amended_by=row.amended_by,
            amended_at=row.amended_at,
            reason=row.reason,
            changes=[
                Change(
                    label=field_label(change["field"]),
                    old=shown_value(session, change["field"], change["old"]),
                    new=shown_value(session, change["field"], change["new"]),
                )
                for change in row.changes
            ],
        )
        for row in rows.order_by("amended_at", "pk")
    ]


def session_record_rows(session: TreatmentSession) -> list[tuple[str, str]]:
    """What was done, field by field, as the session page lists it."""
    return [
        (field_label(name), shown_value(session, name, getattr(session, name)))
        for name in SESSION_RECORD_FIELDS
        if name not in ("adverse_events", "notes")
    ]


def record_problems(
    *, session: TreatmentSession, values: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Every problem the record would have with these values, all at once (the forms show
    them on one submit); the session itself is left as it was."""
    candidate = copy.copy(session)
    for name, value in values.items():
        setattr(candidate, name, value)
    return record_problems_of(candidate)


def record_problems_of(session: TreatmentSession) -> dict[str, list[str]]:
    """Every problem of the record as the session now holds it."""
    concern = session.plan.concern
    scale = concern.grading_scale if concern.grading_scale_id else None
    errors = record_rules.record_errors(
        depth_used_mm=session.depth_used_mm,
        anaesthetic_applied_at=session.anaesthetic_applied_at,
        outcome_grade=session.outcome_grade,
        session_day=session_day(session),
        now=timezone.now(),
        zone=timezone.get_current_timezone(),
        grade_error=scale.grade_error if scale is not None else None,
    )
    try:
        session.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            # The rule's message says it better than a validator's ("less than or equal to").
            errors.setdefault(name, list(messages))
    return errors


def session_screenings(session: TreatmentSession) -> list[Screening]:
    """The session's own screenings (at check-in, and re-screens after a block), newest first,
    with who screened and who overrode, in one query."""
    return list(
        Screening.objects.filter(session=session)
        .select_related("performed_by", "override_by")
        .order_by("-performed_at", "-pk")
    )


@dataclass(frozen=True)
class Block:
    """A blocked session as its pages show it: the rule that blocked it (in words, from the
    rules' labels), the screening that did (who, when), the latest re-screen since, why it is
    still blocked, and what may be done (`rules.session_status.actions`)."""

    reason: str
    blocked_by: Screening | None
    latest: Screening | None
    still_blocked: str | None
    awaiting_override: bool
    actions: frozenset[str]

    @property
    def rescreened(self) -> bool:
        return self.latest is not None and self.latest is not self.blocked_by


def session_block(
    session: TreatmentSession, *, screenings: list[Screening] | None = None
) -> Block | None:
    """The block of a blocked session, from its screenings (newest first: read here unless the
    caller has them, e.g. the plan page, which reads all the plan's at once); None otherwise."""
    if session.status != TreatmentSession.Status.BLOCKED:
        return None
    mine = [
        screening
        for screening in (screenings if screenings is not None else session_screenings(session))
        if screening.session_id == session.pk
    ]
    blocked_at = session.status_changed_at
    blocked_by = next(
        (
            screening
            for screening in mine
            if screening.result == Screening.Result.BLOCKED
            and (blocked_at is None or screening.performed_at <= blocked_at)
        ),
        None,
    )
    latest = mine[0] if mine else None
    overridden = latest is not None and latest.override_by_id is not None
    return Block(
        reason=session.status_reason,
        blocked_by=blocked_by,
        latest=latest,
        still_blocked=session_status.reopen_refusal(
            latest.result if latest else None, overridden=overridden
        ),
        awaiting_override=latest is not None
        and awaiting_override(latest.result, overridden=overridden),
        actions=session_status.actions(session.status),
    )
