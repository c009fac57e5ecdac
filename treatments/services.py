"""Planning a series and screening for contraindications.

Every write takes the acting user, checks the rules that span models, and saves in one
transaction; a refused request saves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from clinic.errors import (
    Conflict,
    ContraindicationBlocked,
    InvalidInput,
    NotAllowed,
    OverrideRequired,
)
from clinic.models import Practitioner
from clinic.text import checked_text, is_meaningful
from evidence.models import ContraindicationRule, Protocol
from patients.models import Patient, SkinConcern
from treatments import screening as screening_rules
from treatments.models import (
    PLAN_DEPTH_MAX_MM,
    PLAN_DEPTH_MIN_MM,
    Screening,
    ScreeningAnswer,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.scheduling import MIN_INTERVAL_DAYS, SchedulingError, series_dates
from treatments.selectors import clinic_calendar, latest_screening, rules_for_modality

#: Sanity limits on what a person can type; protocols sit far inside them.
MAX_SESSIONS = 60
MAX_INTERVAL_DAYS = 365
#: How far ahead a series may start.
MAX_START_AHEAD_DAYS = 366


@dataclass(frozen=True)
class PlanParameters:
    protocol: Protocol
    sessions: int
    interval_days: int
    depth_mm: Decimal
    start_date: dt.date
    departure_reason: str = ""


def _decimal(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def plan_departures(params: PlanParameters) -> list[str]:
    """How the parameters depart from the protocol's evidence-informed ranges."""
    protocol = params.protocol
    if protocol.physician_defined:
        return [f"{protocol.code} has no evidence-based default: the numbers are the physician's."]
    departures = []
    if not protocol.sessions_min <= params.sessions <= protocol.sessions_max:
        departures.append(
            f"{params.sessions} sessions is outside the protocol's "
            f"{protocol.sessions_min}–{protocol.sessions_max}."
        )
    if not protocol.interval_min_days <= params.interval_days <= protocol.interval_max_days:
        departures.append(
            f"An interval of {params.interval_days} days is outside the protocol's "
            f"{protocol.interval_min_days}–{protocol.interval_max_days} days."
        )
    if not protocol.depth_min_mm <= params.depth_mm <= protocol.depth_max_mm:
        departures.append(
            f"A depth of {params.depth_mm.normalize()} mm is outside the protocol's "
            f"{protocol.depth_range_text}."
        )
    return departures


def plan_parameter_errors(params: PlanParameters, *, today: dt.date) -> dict[str, list[str]]:
    """Hard limits, then departures without a written reason. Empty when the plan may go on."""
    errors: dict[str, list[str]] = {}
    if not 1 <= params.sessions <= MAX_SESSIONS:
        errors["sessions"] = [f"A series has between 1 and {MAX_SESSIONS} sessions."]
    if params.interval_days < MIN_INTERVAL_DAYS:
        errors["interval_days"] = [
            f"Sessions on the same area must be at least {MIN_INTERVAL_DAYS} days apart."
        ]
    elif params.interval_days > MAX_INTERVAL_DAYS:
        errors["interval_days"] = [f"An interval over {MAX_INTERVAL_DAYS} days is not a series."]
    if not PLAN_DEPTH_MIN_MM <= params.depth_mm <= PLAN_DEPTH_MAX_MM:
        errors["depth_mm"] = [
            f"Needle depth must lie between {PLAN_DEPTH_MIN_MM} and {PLAN_DEPTH_MAX_MM} mm."
        ]
    if params.start_date < today:
        errors["start_date"] = ["The first session cannot be in the past."]
    elif params.start_date > today + dt.timedelta(days=MAX_START_AHEAD_DAYS):
        errors["start_date"] = ["The first session must be within a year."]
    if not errors and plan_departures(params) and not is_meaningful(params.departure_reason):
        errors["departure_reason"] = [
            "Write why this plan departs from the protocol: " + " ".join(plan_departures(params))
        ]
    return errors


def plan_parameters_from(data: Mapping[str, Any]) -> PlanParameters:
    """plan_parameters() from a form's or a serializer's cleaned data."""
    return plan_parameters(
        protocol=data["protocol"],
        sessions=data["sessions"],
        interval_days=data["interval_days"],
        depth_mm=data["depth_mm"],
        start_date=data["start_date"],
        departure_reason=data.get("departure_reason", ""),
    )


def plan_parameters(
    *,
    protocol: Protocol,
    sessions: object,
    interval_days: object,
    depth_mm: object,
    start_date: dt.date,
    departure_reason: str = "",
) -> PlanParameters:
    """Parse and check what a person typed; raise InvalidInput naming each bad field."""
    errors: dict[str, list[str]] = {}
    parsed: dict[str, object] = {}
    for name, value in (("sessions", sessions), ("interval_days", interval_days)):
        try:
            parsed[name] = int(str(value))
        except (TypeError, ValueError):
            errors[name] = ["Enter a whole number."]
    depth = _decimal(depth_mm)
    if depth is None:
        errors["depth_mm"] = ["Enter the needle depth in millimetres, e.g. 1.5."]
    if errors:
        raise InvalidInput("Some plan values are not numbers.", fields=errors)
    params = PlanParameters(
        protocol=protocol,
        sessions=parsed["sessions"],
        interval_days=parsed["interval_days"],
        depth_mm=depth,
        start_date=start_date,
        departure_reason=departure_reason or "",
    )
    errors = plan_parameter_errors(params, today=timezone.localdate())
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    return params


def plan_schedule_preview(params: PlanParameters) -> list[dt.date]:
    try:
        return series_dates(
            params.start_date, params.sessions, params.interval_days, clinic_calendar()
        )
    except SchedulingError as error:
        raise InvalidInput(str(error), fields={"start_date": [str(error)]}) from None


def _check_answers(rules: list[ContraindicationRule], answers: Mapping[str, bool]) -> None:
    missing, unknown = screening_rules.missing_and_unknown(rules, answers)
    fields = {}
    if missing:
        fields["answers"] = [f"Answer every screening question; missing: {', '.join(missing)}."]
    if unknown:
        fields.setdefault("answers", []).append(
            f"These are not questions for this plan: {', '.join(unknown)}."
        )
    if fields:
        raise InvalidInput(fields["answers"][0], fields=fields)


def _require_acknowledged(
    outcome: screening_rules.ScreeningOutcome, acknowledged: Collection[str]
) -> None:
    """Flags are shown and acknowledged: a 'yes' to one without acknowledgement is refused."""
    unacknowledged = [hit.rule.code for hit in outcome.flags if hit.rule.code not in acknowledged]
    if unacknowledged:
        raise InvalidInput(
            f"Acknowledge the warnings first: {', '.join(unacknowledged)}.",
            fields={"acknowledged": [f"Acknowledge {', '.join(unacknowledged)}."]},
            details=outcome,
        )


def screening_assess(
    *,
    rules: list[ContraindicationRule],
    answers: Mapping[str, bool],
    indication_id: int,
    acknowledged: Collection[str],
    override_reason: str,
    acting_user: AbstractBaseUser,
    require_override: bool = True,
) -> screening_rules.ScreeningOutcome:
    """Evaluate answers and enforce what each severity demands; raise when it is not met."""
    _check_answers(rules, answers)
    outcome = screening_rules.evaluate(rules, answers, indication_id=indication_id)
    if outcome.blocking:
        raise ContraindicationBlocked(
            "An absolute contraindication blocks this: "
            + "; ".join(f"{hit.rule.code} {hit.rule.condition}" for hit in outcome.blocking),
            details=outcome,
        )
    _require_acknowledged(outcome, acknowledged)
    if outcome.needing_override and require_override:
        codes = ", ".join(hit.rule.code for hit in outcome.needing_override)
        if not _is_dermatologist(acting_user):
            raise NotAllowed(
                f"{codes} needs a dermatologist's override; your role cannot give it.",
                details=outcome,
            )
        if not is_meaningful(override_reason):
            raise OverrideRequired(
                f"{codes} needs a dermatologist's override: write the reason.",
                details=outcome,
            )
    return outcome


def _is_dermatologist(user: AbstractBaseUser) -> bool:
    """Clinical overrides need the permission and an active dermatologist practitioner."""
    return (
        user.has_perm("treatments.override_screening")
        and Practitioner.objects.filter(
            user_id=user.pk, is_dermatologist=True, active=True
        ).exists()
    )


def is_overrider(user: AbstractBaseUser) -> bool:
    return _is_dermatologist(user)


def _overrider(user: AbstractBaseUser) -> None:
    if not _is_dermatologist(user):
        raise NotAllowed("Only a dermatologist can override a relative contraindication.")


def _save_screening(
    *,
    outcome: screening_rules.ScreeningOutcome,
    rules: list[ContraindicationRule],
    answers: Mapping[str, bool],
    acknowledged: Collection[str],
    acting_user: AbstractBaseUser,
    patient: Patient,
    plan: TreatmentPlan,
    session: TreatmentSession | None,
    kind: str,
    override_reason: str,
    notes: str = "",
) -> Screening:
    now = timezone.now()
    overridden = bool(outcome.needing_override and override_reason.strip()) and (
        _is_dermatologist(acting_user)
    )
    applied = {hit.rule.code: hit.severity for hit in outcome.hits}
    screening = Screening.objects.create(
        patient=patient,
        plan=plan,
        session=session,
        kind=kind,
        performed_by=acting_user,
        performed_at=now,
        result=outcome.result,
        notes=notes,
        override_by=acting_user if overridden else None,
        override_reason=override_reason.strip() if overridden else "",
        overridden_at=now if overridden else None,
    )
    ScreeningAnswer.objects.bulk_create(
        ScreeningAnswer(
            screening=screening,
            rule=rule,
            answer=bool(answers[rule.code]),
            severity_applied=applied.get(rule.code, ""),
            acknowledged=rule.code in acknowledged and bool(answers[rule.code]),
        )
        for rule in rules
    )
    return screening


def _check_area_floor(patient: Patient, concern: SkinConcern, dates: list[dt.date]) -> None:
    """No new session within 7 days of another session on the same area of this patient,
    whichever plan it belongs to (DOMAIN.md I1)."""
    others = (
        TreatmentSession.objects.filter(
            plan__patient=patient,
            plan__concern__body_area=concern.body_area,
            plan__status=TreatmentPlan.Status.ACTIVE,
        )
        .exclude(status=TreatmentSession.Status.CANCELLED)
        .values_list("number", "target_date", "starts_at", "plan__protocol__code")
    )
    zone = timezone.get_current_timezone()
    for number, target, starts_at, code in others:
        day = starts_at.astimezone(zone).date() if starts_at else target
        for new in dates:
            if abs((new - day).days) < MIN_INTERVAL_DAYS:
                raise Conflict(
                    f"A session on {new:%d %b %Y} would be within {MIN_INTERVAL_DAYS} days of "
                    f"session {number} of {code} on {day:%d %b %Y} on the same area.",
                    fields={"start_date": ["Too close to another plan's session on this area."]},
                )


def is_planner(user: AbstractBaseUser) -> bool:
    """Whether the user may plan: the permissions and an active dermatologist record."""
    try:
        _dermatologist_of(user)
    except NotAllowed:
        return False
    return True


def _dermatologist_of(user: AbstractBaseUser) -> Practitioner:
    if not (
        user.has_perm("treatments.add_treatmentplan")
        and user.has_perm("treatments.approve_treatmentplan")
    ):
        raise NotAllowed("Only a dermatologist can plan a treatment series.")
    practitioner = Practitioner.objects.filter(
        user=user, is_dermatologist=True, active=True
    ).first()
    if practitioner is None:
        raise NotAllowed("Your account is not linked to an active dermatologist.")
    return practitioner


@transaction.atomic
def plan_create(
    *,
    acting_user: AbstractBaseUser,
    concern: SkinConcern,
    params: PlanParameters,
    answers: Mapping[str, bool],
    acknowledged: Collection[str] = (),
    override_reason: str = "",
) -> TreatmentPlan:
    """Screen, then create an active plan with its sessions' target dates.

    An absolute contraindication, a missing answer or an un-overridden relative one raises
    and nothing is saved.
    """
    responsible = _dermatologist_of(acting_user)
    concern = SkinConcern.objects.select_related("patient", "indication").get(pk=concern.pk)
    patient = Patient.objects.select_for_update().get(pk=concern.patient_id)
    if patient.status != Patient.Status.ACTIVE:
        raise InvalidInput("This patient is archived; restore the record before planning.")
    if concern.status != SkinConcern.Status.ACTIVE:
        raise InvalidInput("This concern is not active.")
    protocol = params.protocol
    if protocol.indication_id != concern.indication_id:
        raise InvalidInput(
            f"{protocol.code} is a protocol for {protocol.indication}, not {concern.indication}.",
            fields={"protocol": ["Choose a protocol for this concern's indication."]},
        )
    errors = plan_parameter_errors(params, today=timezone.localdate())
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    rules = rules_for_modality(protocol.modality)
    outcome = screening_assess(
        rules=rules,
        answers=answers,
        indication_id=concern.indication_id,
        acknowledged=acknowledged,
        override_reason=override_reason,
        acting_user=acting_user,
    )
    if TreatmentPlan.objects.filter(concern=concern, status=TreatmentPlan.Status.ACTIVE).exists():
        raise Conflict(
            "This concern already has an active plan; complete or cancel it first.",
            fields={"concern": ["Already has an active plan."]},
        )
    dates = plan_schedule_preview(params)
    _check_area_floor(patient, concern, dates)
    now = timezone.now()
    plan = TreatmentPlan.objects.create(
        patient=patient,
        concern=concern,
        protocol=protocol,
        modality=protocol.modality,
        planned_sessions=params.sessions,
        interval_days=params.interval_days,
        needle_depth_mm=params.depth_mm,
        responsible_dermatologist=responsible,
        status=TreatmentPlan.Status.ACTIVE,
        # The reason in the dermatologist's words, then what it departs from, for the record.
        departure_reason="\n".join(
            part for part in (params.departure_reason.strip(), *plan_departures(params)) if part
        ),
        approved_by=acting_user,
        approved_at=now,
        created_by=acting_user,
    )
    _save_screening(
        outcome=outcome,
        rules=rules,
        answers=answers,
        acknowledged=acknowledged,
        acting_user=acting_user,
        patient=patient,
        plan=plan,
        session=None,
        kind=Screening.Kind.PLAN,
        override_reason=override_reason,
    )
    TreatmentSession.objects.bulk_create(
        TreatmentSession(plan=plan, number=number, target_date=day, area=concern.body_area)
        for number, day in enumerate(dates, start=1)
    )
    return plan


def screening_is_current(screening: Screening, *, on: dt.date | None = None) -> bool:
    return screening_rules.is_current(
        screening.performed_at,
        screening.result,
        on=on or timezone.localdate(),
        valid_days=settings.SCREENING_VALID_DAYS,
        zone=timezone.get_current_timezone(),
    )


@transaction.atomic
def screening_rescreen(
    *,
    acting_user: AbstractBaseUser,
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
    """
    if not acting_user.has_perm("treatments.add_screening"):
        raise NotAllowed("Your role cannot record screenings.")
    session = TreatmentSession.objects.select_related("plan__concern", "plan__patient").get(
        pk=session.pk
    )
    plan = session.plan
    if plan.status != TreatmentPlan.Status.ACTIVE:
        raise InvalidInput("This plan is not active.")
    if plan.patient.status != Patient.Status.ACTIVE:
        raise InvalidInput("This patient's record is archived.")
    if session.status not in (TreatmentSession.Status.PLANNED, TreatmentSession.Status.BOOKED):
        raise InvalidInput(
            f"A {session.get_status_display().lower()} session is not screened again."
        )
    rules = rules_for_modality(plan.modality)
    if changed:
        if answers is None:
            raise InvalidInput(
                "Something changed: answer every screening question again.",
                fields={"answers": ["Answer every screening question."]},
            )
        given = dict(answers)
    else:
        previous = latest_screening(plan)
        if previous is None:
            raise InvalidInput("This plan has no screening to carry over; screen in full.")
        if not screening_is_current(previous):
            raise InvalidInput(
                f"The last screening ({previous.performed_at:%d %b %Y}) has expired: "
                "screen in full.",
                fields={"changed": ["Screen in full: the last screening has expired."]},
            )
        given = {answer.rule.code: answer.answer for answer in previous.answers.all()}
        acknowledged = {
            answer.rule.code for answer in previous.answers.all() if answer.acknowledged
        } | set(acknowledged)
        for rule in rules:  # a rule added to the knowledge base since: ask it
            if rule.code not in given:
                raise InvalidInput(
                    f"A screening question was added since ({rule.code}): screen in full.",
                    fields={"answers": [f"Answer {rule.code}."]},
                )
    _check_answers(rules, given)
    outcome = screening_rules.evaluate(rules, given, indication_id=plan.concern.indication_id)
    _require_acknowledged(outcome, acknowledged)
    if outcome.needing_override and override_reason.strip():
        _overrider(acting_user)
    return _save_screening(
        outcome=outcome,
        rules=rules,
        answers=given,
        acknowledged=acknowledged,
        acting_user=acting_user,
        patient=plan.patient,
        plan=plan,
        session=session,
        kind=Screening.Kind.PRE_SESSION,
        override_reason=override_reason,
        notes=notes,
    )


@transaction.atomic
def screening_override(
    *, acting_user: AbstractBaseUser, screening: Screening, reason: str
) -> Screening:
    """A dermatologist accepts a relative contraindication, in writing."""
    _overrider(acting_user)
    screening = Screening.objects.select_for_update().get(pk=screening.pk)
    if screening.result == Screening.Result.BLOCKED:
        raise ContraindicationBlocked("An absolute contraindication cannot be overridden.")
    if screening.result != Screening.Result.NEEDS_OVERRIDE:
        raise InvalidInput("This screening needs no override.")
    if screening.override_by_id:
        raise InvalidInput("This screening was already overridden.")
    reason = checked_text(reason, field="reason")
    if not is_meaningful(reason):
        raise InvalidInput("Write the reason for the override.", fields={"reason": ["Required."]})
    screening.override_by = acting_user
    screening.override_reason = reason
    screening.overridden_at = timezone.now()
    screening.save(update_fields=["override_by", "override_reason", "overridden_at"])
    return screening
