"""The visit itself: check-in with the re-screen, no-show, and the record of what was done."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from clinic.errors import Conflict, ContraindicationBlocked, InvalidInput
from clinic.text import checked_text
from evidence.models import RuleSeverity
from treatments import clinicians
from treatments.booking.selectors import clinic_calendar, session_lock
from treatments.booking.services import change_status, close_plan_if_done
from treatments.models import (
    SESSION_RECORD_FIELDS,
    STATUS_REASON_MAX_LENGTH,
    Screening,
    SessionAmendment,
    TreatmentSession,
)
from treatments.rules import record as record_rules
from treatments.rules import roles, session_status
from treatments.rules import screening as screening_rules
from treatments.screening.selectors import latest_screening_for_session
from treatments.screening.services import (
    screening_override,
    screening_rescreen,
    screening_rescreen_blocked,
)
from treatments.visit.selectors import record_problems_of, session_on_the_day_problem


def _require_today(session: TreatmentSession, what: str) -> None:
    if problem := session_on_the_day_problem(session, what):
        raise Conflict(problem)


@transaction.atomic
def session_no_show(*, acting_user: User, session: TreatmentSession) -> TreatmentSession:
    clinicians.require(acting_user, roles.BOOK_PERM, "record no-shows")
    session = session_lock(session)
    _require_today(session, "marked as a no-show")
    arrival = session.arrival_at
    if arrival is not None and timezone.now() < arrival:
        raise Conflict(
            f"The patient is due at {timezone.localtime(arrival):%H:%M}; a no-show "
            "is recorded after that."
        )
    change_status(session, TreatmentSession.Status.NO_SHOW, acting_user)
    close_plan_if_done(session.plan_id)
    return session


@dataclass(frozen=True)
class CheckIn:
    session: TreatmentSession
    screening: Screening

    @property
    def awaiting_override(self) -> bool:
        return screening_rules.awaiting_override(
            self.screening.result, overridden=self.screening.override_by_id is not None
        )


@transaction.atomic
def session_check_in(
    *,
    acting_user: User,
    session: TreatmentSession,
    changed: bool,
    answers: Mapping[str, bool] | None = None,
    acknowledged: Collection[str] = (),
    override_reason: str = "",
) -> CheckIn:
    """Check in after the re-screen. A new absolute contraindication blocks the session (and
    that is saved); a relative one lets the patient in but waits for a dermatologist's override
    before the procedure can be recorded."""
    clinicians.require(acting_user, roles.BOOK_PERM, "check patients in")
    session = session_lock(session)
    _require_today(session, "checked in")
    screening = screening_rescreen(
        acting_user=acting_user,
        session=session,
        changed=changed,
        answers=answers,
        acknowledged=acknowledged,
        override_reason=override_reason,
    )
    if screening.result == Screening.Result.BLOCKED:
        # The rules that blocked are those that applied as absolute, exceptions weighed.
        codes = "; ".join(
            answer.rule.label
            for answer in screening.answers.select_related("rule").filter(
                answer=True, severity_applied=RuleSeverity.ABSOLUTE
            )
        )
        reason = f"Contraindication at check-in: {codes}"[:STATUS_REASON_MAX_LENGTH]
        change_status(session, TreatmentSession.Status.BLOCKED, acting_user, reason=reason)
        close_plan_if_done(session.plan_id)
    else:
        change_status(session, TreatmentSession.Status.CHECKED_IN, acting_user)
    return CheckIn(session=session, screening=screening)


@dataclass(frozen=True)
class Rescreen:
    """A blocked session's re-screen: the screening saved, and the session planned again
    (`reopened`) or still blocked, with why (`still_blocked`)."""

    session: TreatmentSession
    screening: Screening
    still_blocked: str | None

    @property
    def reopened(self) -> bool:
        return self.still_blocked is None


def _reopen(session: TreatmentSession, acting_user: User) -> None:
    """Planned again, to be booked like any planned session: the old slot (its day has gone)
    is released, and the target moves to today or later. The block stays on record in the
    session's screenings and its change history."""
    session.target_date = session_status.reopened_target(
        session.target_date, timezone.localdate(), clinic_calendar()
    )
    session.starts_at = session.ends_at = None
    session.practitioner = session.room = None
    change_status(session, TreatmentSession.Status.PLANNED, acting_user)
    session.save(
        update_fields=["target_date", "starts_at", "ends_at", "practitioner", "room", "updated_at"]
    )


@transaction.atomic
def session_rescreen(
    *,
    acting_user: User,
    session: TreatmentSession,
    answers: Mapping[str, bool],
    acknowledged: Collection[str] = (),
    override_reason: str = "",
) -> Rescreen:
    """Re-screen a blocked session once the contraindication has cleared. Clear (or a relative
    contraindication a dermatologist overrides now, in writing): the session is planned again,
    to be booked within the series' spacing. Otherwise it stays blocked, the re-screen on
    record; a relative one waits for a dermatologist (`session_reopen`)."""
    clinicians.require(acting_user, roles.SCREEN_PERM, "re-screen patients")
    session = session_lock(session)
    screening = screening_rescreen_blocked(
        acting_user=acting_user,
        session=session,
        answers=answers,
        acknowledged=acknowledged,
        override_reason=override_reason,
    )
    refusal = session_status.reopen_refusal(
        screening.result, overridden=screening.override_by_id is not None
    )
    if refusal is None:
        _reopen(session, acting_user)
    return Rescreen(session=session, screening=screening, still_blocked=refusal)


@transaction.atomic
def session_reopen(
    *, acting_user: User, session: TreatmentSession, override_reason: str = ""
) -> Rescreen:
    """A dermatologist reopens a blocked session whose re-screen found a relative
    contraindication: the written override (given here, or already on the re-screen) and the
    reopening are one write."""
    clinicians.require_overrider(acting_user)
    session = session_lock(session)
    if session.status != TreatmentSession.Status.BLOCKED:
        raise Conflict(
            f"Only a blocked session is reopened; this one is "
            f"{session.get_status_display().lower()}."
        )
    screening = latest_screening_for_session(session)
    if screening is not None and screening_rules.awaiting_override(
        screening.result, overridden=screening.override_by_id is not None
    ):
        screening = screening_override(
            acting_user=acting_user, screening=screening, reason=override_reason
        )
    refusal = session_status.reopen_refusal(
        screening.result if screening else None,
        overridden=screening is not None and screening.override_by_id is not None,
    )
    if refusal or screening is None:
        raise Conflict(refusal or "This session has no screening.")
    _reopen(session, acting_user)
    return Rescreen(session=session, screening=screening, still_blocked=None)


@transaction.atomic
def session_record(
    *,
    acting_user: User,
    session: TreatmentSession,
    override_reason: str = "",
    **values: Any,
) -> TreatmentSession:
    """What was done. A relative contraindication found at check-in needs a dermatologist's
    override first, which may be given here (`override_reason`): both are saved, or neither.
    Completing the last open session completes the plan."""
    clinicians.require_recorder(acting_user)  # the permission and an active dermatologist
    unknown = sorted(set(values) - set(SESSION_RECORD_FIELDS))
    if unknown:
        raise InvalidInput(f"Unknown field(s): {', '.join(unknown)}.")
    session = session_lock(session)
    if session.status != TreatmentSession.Status.CHECKED_IN:
        raise Conflict("Check the patient in (with the re-screen) before recording.")
    screening = latest_screening_for_session(session)
    if screening is None:
        raise Conflict("This session has no re-screen; check the patient in first.")
    overridden = screening.override_by_id is not None
    if override_reason.strip() and screening_rules.awaiting_override(
        screening.result, overridden=overridden
    ):
        screening_override(acting_user=acting_user, screening=screening, reason=override_reason)
        overridden = True
    if screening_rules.awaiting_override(screening.result, overridden=overridden):
        raise ContraindicationBlocked(
            "A relative contraindication found at check-in awaits a dermatologist's override."
        )
    for name, value in values.items():
        setattr(session, name, value)
    session.status = TreatmentSession.Status.COMPLETED
    session.status_changed_by, session.status_changed_at = acting_user, timezone.now()
    _refuse_problems(session)
    session.save()
    close_plan_if_done(session.plan_id)
    return session


def _refuse_problems(
    session: TreatmentSession, extra: Mapping[str, list[str]] | None = None
) -> None:
    errors = {**(extra or {}), **record_problems_of(session)}
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)


def _as_stored(name: str, value: Any) -> Any:
    """A value as the database keeps it (1.5 mm is 1.50), so an amendment's old and new values
    read alike."""
    field = TreatmentSession._meta.get_field(name)
    if isinstance(value, Decimal) and isinstance(field, models.DecimalField):
        return value.quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


@transaction.atomic
def session_amend(
    *, acting_user: User, session: TreatmentSession, reason: str, **changes: Any
) -> SessionAmendment:
    """Correct a completed session's record: the changed values and the reason, kept as an
    amendment (each field's old and new value) with the record updated in the same
    transaction. Validated as the record is; refused, it changes nothing."""
    clinicians.require_recorder(acting_user)
    unknown = sorted(set(changes) - set(SESSION_RECORD_FIELDS))
    if unknown:
        raise InvalidInput(f"Unknown field(s): {', '.join(unknown)}.")
    reason = checked_text(reason, field="reason")
    session = session_lock(session)
    if session.status != TreatmentSession.Status.COMPLETED:
        raise Conflict(
            "Only a completed session's record is amended; this one is "
            f"{session.get_status_display().lower()}."
        )
    before = {name: getattr(session, name) for name in SESSION_RECORD_FIELDS}
    changed = [
        name for name in SESSION_RECORD_FIELDS if name in changes and changes[name] != before[name]
    ]
    for name in changed:
        setattr(session, name, changes[name])
    refusal = record_rules.amendment_errors(reason=reason)
    if not changed:
        raise InvalidInput(record_rules.NOTHING_CHANGED, fields=refusal)
    _refuse_problems(session, refusal)
    session.save(update_fields=[*changed, "updated_at"])
    return SessionAmendment.objects.create(
        session=session,
        amended_by=acting_user,
        amended_at=timezone.now(),
        reason=reason,
        changes=[
            {
                "field": name,
                "old": _as_stored(name, before[name]),
                "new": _as_stored(name, getattr(session, name)),
            }
            for name in changed
        ],
    )
