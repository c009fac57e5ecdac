"""Screening for contraindications: before the plan, at check-in, and the override.

What the answers mean and what each result demands is `treatments.rules.screening`; these
services load the questions, ask the rules, and save the answer with who gave it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from clinic.errors import (
    ClinicError,
    Conflict,
    ContraindicationBlocked,
    InvalidInput,
    NotAllowed,
    OverrideRequired,
)
from clinic.text import checked_text, is_meaningful
from evidence.models import ContraindicationRule, RuleSeverity
from treatments import clinicians
from treatments.errors import ScreeningBlocked, rules_extra
from treatments.models import Screening, ScreeningAnswer, TreatmentPlan, TreatmentSession
from treatments.rules import roles, session_status
from treatments.rules import screening as rules
from treatments.rules.screening import Override, Questionnaire, ScreeningOutcome
from treatments.screening.selectors import (
    latest_screening,
    plan_screening_questions,
    screening_is_current,
)

Questions = Questionnaire[ContraindicationRule]


def _completed_answers(*, questions: Questions, answers: Mapping[str, bool]) -> dict[str, bool]:
    """The answers given, completed with the record's; refused when one contradicts the record
    or an asked question is unanswered."""
    completed = rules.completed_answers(questions, answers)
    if completed.errors:
        raise InvalidInput(" ".join(completed.errors), fields={"answers": completed.errors})
    return completed.answers


def screening_evaluate(
    *,
    questions: Questions,
    answers: Mapping[str, bool],
    indication_id: int,
    acknowledged: Collection[str],
) -> ScreeningOutcome:
    """Every question answered (the record answering its own), flags acknowledged; then what
    the answers mean."""
    answers = _completed_answers(questions=questions, answers=answers)
    outcome = rules.evaluate(questions.rules, answers, indication_id=indication_id)
    pending = rules.unacknowledged(outcome, acknowledged)
    if pending:
        raise InvalidInput(
            f"Acknowledge the warnings first: {', '.join(pending)}.",
            fields={"acknowledged": [f"Acknowledge {', '.join(pending)}."]},
            extra=rules_extra(outcome),
        )
    return outcome


def _override_error(decision: Override, outcome: ScreeningOutcome) -> ClinicError | None:
    codes = "; ".join(f"{hit.rule.condition} ({hit.rule.code})" for hit in outcome.needing_override)
    if decision is Override.ROLE_CANNOT_GIVE:
        return NotAllowed(
            f"{codes} needs a dermatologist's override; your role cannot give it.",
            extra=rules_extra(outcome),
        )
    if decision is Override.REASON_MISSING:
        return OverrideRequired(
            f"{codes} needs a dermatologist's override: write the reason.",
            extra=rules_extra(outcome),
        )
    return None


def screening_assess(
    *,
    questions: Questions,
    answers: Mapping[str, bool],
    indication_id: int,
    acknowledged: Collection[str],
    override_reason: str,
    acting_user: User,
    required_now: bool = True,
) -> tuple[ScreeningOutcome, Override]:
    """Evaluate the answers and enforce what the result demands of the acting user: an
    absolute contraindication blocks; a relative one needs a dermatologist's written override
    now (planning) or later (`required_now=False`, at check-in)."""
    outcome = screening_evaluate(
        questions=questions, answers=answers, indication_id=indication_id, acknowledged=acknowledged
    )
    if outcome.blocking:
        raise ScreeningBlocked(
            rules.blocking_message(outcome),
            outcome=outcome,
        )
    decision = rules.override_decision(
        outcome.result,
        reason_given=is_meaningful(override_reason),
        may_override=clinicians.may_override(acting_user),
        required_now=required_now,
    )
    error = _override_error(decision, outcome)
    if error:
        raise error
    return outcome, decision


def _save_screening(
    *,
    outcome: ScreeningOutcome,
    decision: Override,
    questions: Questions,
    answers: Mapping[str, bool],
    acknowledged: Collection[str],
    acting_user: User,
    plan: TreatmentPlan,
    session: TreatmentSession | None,
    kind: str,
    override_reason: str,
    notes: str = "",
    carried_from: Screening | None = None,
) -> Screening:
    now = timezone.now()
    overridden = decision is Override.GIVEN
    override = {
        "override_by_id": acting_user.pk if overridden else None,
        "override_reason": override_reason.strip() if overridden else "",
        "overridden_at": now if overridden else None,
    }
    if carried_from is not None:  # who gave it, when and why: not the person re-screening
        override = {
            "override_by_id": carried_from.override_by_id,
            "override_reason": carried_from.override_reason,
            "overridden_at": carried_from.overridden_at,
        }
    answers = rules.completed_answers(questions, answers).answers
    derived = {
        question.rule.code: question.derived.because
        for question in questions.from_record
        if question.derived is not None
    }
    screening = Screening.objects.create(
        patient_id=plan.patient_id,
        plan=plan,
        session=session,
        kind=kind,
        performed_by=acting_user,
        performed_at=now,
        result=outcome.result,
        notes=notes,
        **override,
    )
    ScreeningAnswer.objects.bulk_create(
        ScreeningAnswer(
            screening=screening,
            rule=rule,
            answer=bool(answers[rule.code]),
            severity_applied=outcome.applied_severity(rule.code),
            acknowledged=rule.code in acknowledged and bool(answers[rule.code]),
            note=f"From the record: {derived[rule.code]}" if rule.code in derived else "",
        )
        for rule in questions.rules
    )
    return screening


@transaction.atomic(savepoint=False)  # joins the caller's transaction; no savepoint
def screening_record(
    *,
    acting_user: User,
    plan: TreatmentPlan,
    kind: str,
    questions: Questions,
    answers: Mapping[str, bool],
    outcome: ScreeningOutcome,
    decision: Override,
    acknowledged: Collection[str] = (),
    override_reason: str = "",
    session: TreatmentSession | None = None,
    notes: str = "",
) -> Screening:
    """Save an assessed screening (`screening_assess`) with its answers, as part of the
    caller's transaction (planning saves the plan, its screening and its sessions at once)."""
    return _save_screening(
        outcome=outcome,
        decision=decision,
        questions=questions,
        answers=answers,
        acknowledged=acknowledged,
        acting_user=acting_user,
        plan=plan,
        session=session,
        kind=kind,
        override_reason=override_reason,
        notes=notes,
    )


def _carried_over(
    previous: Screening | None, questions: Questions, acknowledged: Collection[str]
) -> tuple[dict[str, bool], set[str]]:
    """Nothing changed: the last screening's answers to today's questions, if it still stands
    and asked everything asked now. The record answers its own questions afresh (a birthday,
    a corrected skin type), so those are not carried."""
    if previous is None:
        raise Conflict("This plan has no screening to carry over; screen in full.")
    if not screening_is_current(previous):
        raise Conflict(
            f"The last screening ({previous.performed_at:%d %b %Y}) has expired: screen in full.",
            fields={"changed": ["Screen in full: the last screening has expired."]},
        )
    asked = {question.rule.code for question in questions.asked}
    given = {
        answer.rule.code: answer.answer
        for answer in previous.answers.all()
        if answer.rule.code in asked
    }
    carried = {answer.rule.code for answer in previous.answers.all() if answer.acknowledged}
    for code in sorted(asked - set(given)):  # a rule added to the knowledge base since: ask it
        raise Conflict(
            f"A screening question was added since ({code}): screen in full.",
            fields={"answers": [f"Answer {code}."]},
        )
    return given, carried | set(acknowledged)


def _override_carried(
    previous: Screening | None, *, changed: bool, outcome: ScreeningOutcome
) -> Screening | None:
    """The earlier screening whose override still stands for these answers, if one does."""
    if previous is None or previous.overridden_at is None:
        return None
    accepted = {
        answer.rule.code
        for answer in previous.answers.all()
        if answer.severity_applied == RuleSeverity.RELATIVE
    }
    carries = rules.override_carries(
        changed=changed,
        previous_result=previous.result,
        overridden_on=timezone.localtime(previous.overridden_at).date(),
        accepted=accepted,
        needing_now=[hit.rule.code for hit in outcome.needing_override],
        on=timezone.localdate(),
        valid_days=settings.SCREENING_VALID_DAYS,
    )
    return previous if carries else None


@transaction.atomic
def screening_rescreen(
    *,
    acting_user: User,
    session: TreatmentSession,
    changed: bool,
    answers: Mapping[str, bool] | None = None,
    acknowledged: Collection[str] = (),
    override_reason: str = "",
    notes: str = "",
) -> Screening:
    """The short re-screen before a session: "anything changed since the last screening?"

    Nothing changed: the last screening's answers are carried over and re-evaluated. Something
    changed: every question is answered again. The result is saved whatever it is, so a new
    absolute contraindication is on record and blocks the session; a relative one waits for a
    dermatologist's override unless the acting user gives it now.

    `session` is the row its caller fetched (and, at check-in, locked) with its plan, concern
    and patient.
    """
    if session.status == TreatmentSession.Status.BLOCKED:
        raise Conflict(
            "A blocked session is re-screened on its own page (it reopens if the "
            "contraindication has cleared): POST /api/sessions/{id}/rescreen/."
        )
    return _rescreen(
        acting_user=acting_user,
        session=session,
        changed=changed,
        answers=answers,
        acknowledged=acknowledged,
        override_reason=override_reason,
        notes=notes,
    )


@transaction.atomic(savepoint=False)  # joins the caller's transaction; no savepoint
def screening_rescreen_blocked(
    *,
    acting_user: User,
    session: TreatmentSession,
    answers: Mapping[str, bool],
    acknowledged: Collection[str] = (),
    override_reason: str = "",
    notes: str = "",
) -> Screening:
    """A blocked session's re-screen, in full (the last screening is the one that blocked it,
    so nothing carries over), saved whatever it finds. Its caller
    (`visit.services.session_rescreen`) reopens the session if it is clear."""
    if session.status != TreatmentSession.Status.BLOCKED:
        raise Conflict("Only a blocked session is re-screened to reopen it.")
    return _rescreen(
        acting_user=acting_user,
        session=session,
        changed=True,
        answers=answers,
        acknowledged=acknowledged,
        override_reason=override_reason,
        notes=notes,
    )


def _rescreen(
    *,
    acting_user: User,
    session: TreatmentSession,
    changed: bool,
    answers: Mapping[str, bool] | None,
    acknowledged: Collection[str],
    override_reason: str,
    notes: str,
) -> Screening:
    clinicians.require(acting_user, roles.SCREEN_PERM, "record screenings")
    plan = session.plan
    if plan.status != TreatmentPlan.Status.ACTIVE:
        raise Conflict("This plan is not active.")
    if plan.patient.status != plan.patient.Status.ACTIVE:
        raise Conflict("This patient's record is archived.")
    if session.status not in session_status.RESCREENABLE:
        raise Conflict(
            f"A {session.get_status_display().lower()} session is not screened again."
        )
    questions = plan_screening_questions(plan)
    # Only "nothing changed" reads the last screening: its answers and its override carry.
    previous = None if changed else latest_screening(plan)
    if changed:
        if answers is None:
            raise InvalidInput(
                "Something changed: answer every screening question again.",
                fields={"answers": ["Answer every screening question."]},
            )
        given, acknowledged = dict(answers), set(acknowledged)
    else:
        given, acknowledged = _carried_over(previous, questions, acknowledged)
    outcome = screening_evaluate(
        questions=questions,
        answers=given,
        indication_id=plan.concern.indication_id,
        acknowledged=acknowledged,
    )
    carried_from = _override_carried(previous, changed=changed, outcome=outcome)
    decision = rules.override_decision(
        outcome.result,
        reason_given=carried_from is not None or is_meaningful(override_reason),
        may_override=carried_from is not None or clinicians.may_override(acting_user),
        required_now=False,
    )
    if decision is Override.ROLE_CANNOT_GIVE:
        raise NotAllowed(roles.ONLY_DERMATOLOGISTS_OVERRIDE)
    return _save_screening(
        outcome=outcome,
        decision=decision,
        questions=questions,
        answers=given,
        acknowledged=acknowledged,
        acting_user=acting_user,
        plan=plan,
        session=session,
        kind=Screening.Kind.PRE_SESSION,
        override_reason=override_reason,
        notes=notes,
        carried_from=carried_from,
    )


@transaction.atomic
def screening_override(*, acting_user: User, screening: Screening, reason: str) -> Screening:
    """A dermatologist accepts a relative contraindication, in writing."""
    clinicians.require_overrider(acting_user)
    screening = Screening.objects.select_for_update().get(pk=screening.pk)
    refusal = rules.override_refusal(screening.result, overridden=bool(screening.override_by_id))
    if refusal:
        error = ContraindicationBlocked if screening.result == Screening.Result.BLOCKED else None
        raise (error or Conflict)(refusal)
    reason = checked_text(reason, field="reason")
    if not is_meaningful(reason):
        raise InvalidInput("Write the reason for the override.", fields={"reason": ["Required."]})
    screening.override_by = acting_user
    screening.override_reason = reason
    screening.overridden_at = timezone.now()
    screening.save(update_fields=["override_by", "override_reason", "overridden_at"])
    return screening
