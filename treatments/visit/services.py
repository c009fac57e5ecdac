"""The visit itself: check-in with the re-screen, no-show, and the record of what was done."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.errors import Conflict, ContraindicationBlocked, InvalidInput
from evidence.models import RuleSeverity
from treatments import clinicians
from treatments.booking.selectors import session_day, session_lock
from treatments.booking.services import change_status, close_plan_if_done
from treatments.models import (
    SESSION_RECORD_FIELDS,
    STATUS_REASON_MAX_LENGTH,
    Screening,
    TreatmentSession,
)
from treatments.rules import roles
from treatments.rules import screening as screening_rules
from treatments.screening.selectors import latest_screening_for_session
from treatments.screening.services import screening_override, screening_rescreen


def _require_today(session: TreatmentSession, what: str) -> None:
    if session.status != TreatmentSession.Status.BOOKED:
        raise Conflict(
            f"Only a booked session can be {what}; this one is "
            f"{session.get_status_display().lower()}."
        )
    if session_day(session) != timezone.localdate():
        raise Conflict(f"A session is {what} on its day ({session_day(session):%d %b %Y}).")


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
        codes = ", ".join(
            answer.rule.code
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
    applied = session.anaesthetic_applied_at
    if applied is not None and not (
        timezone.localtime(applied).date() == session_day(session) and applied <= timezone.now()
    ):
        raise InvalidInput(
            "The anaesthetic was applied on the day of the session, and not in the future.",
            fields={"anaesthetic_applied_at": ["Give the time it was applied today."]},
        )
    if session.depth_used_mm is None:
        raise InvalidInput("Record the depth used.", fields={"depth_used_mm": ["Required."]})
    concern = session.plan.concern
    if (
        session.outcome_grade
        and concern.grading_scale_id
        and (scale := concern.grading_scale) is not None
    ):
        problem = scale.grade_error(session.outcome_grade)
        if problem:
            raise InvalidInput(problem, fields={"outcome_grade": [problem]})
    session.status = TreatmentSession.Status.COMPLETED
    session.status_changed_by, session.status_changed_at = acting_user, timezone.now()
    try:
        session.full_clean()
    except ValidationError as error:
        fields = {k: list(v) for k, v in error.message_dict.items()}
        raise InvalidInput(next(iter(fields.values()))[0], fields=fields) from None
    session.save()
    close_plan_if_done(session.plan_id)
    return session
