"""Planning a series: parameters, the schedule preview, and the plan itself.

Every write takes the acting user, checks the rules that span models, and saves in one
transaction; a refused request saves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from clinic.errors import (
    Conflict,
    InvalidInput,
)
from evidence.models import Protocol
from patients.models import Patient, SkinConcern
from treatments import clinicians
from treatments.booking.selectors import (
    area_sessions,
    clinic_calendar,
    neighbours_of,
    session_day,
)
from treatments.errors import ScreeningBlocked
from treatments.models import (
    PlanRefusal,
    Screening,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.rules.planning import PlanParameters, plan_departures, plan_parameter_errors
from treatments.rules.screening import Override, ScreeningOutcome
from treatments.rules.series import Replan, replan
from treatments.rules.spacing import SchedulingError, SeriesSession, floor_problem, series_dates
from treatments.screening.selectors import screening_questions
from treatments.screening.services import Questions, screening_assess, screening_record

__all__ = [
    "PlanParameters",
    "plan_change_schedule",
    "plan_create",
    "plan_departures",
    "plan_parameters",
    "plan_parameters_from",
    "plan_refusal_record",
    "plan_schedule_preview",
    "plan_screen",
]


def _decimal(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def plan_parameters_from(data: Mapping[str, Any]) -> PlanParameters[Protocol]:
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
) -> PlanParameters[Protocol]:
    """Parse and check what a person typed; raise InvalidInput naming each bad field."""
    errors: dict[str, list[str]] = {}
    parsed: dict[str, int] = {}
    for name, value in (("sessions", sessions), ("interval_days", interval_days)):
        try:
            parsed[name] = int(str(value))
        except (TypeError, ValueError):
            errors[name] = ["Enter a whole number."]
    depth = _decimal(depth_mm)
    if depth is None:
        errors["depth_mm"] = ["Enter the needle depth in millimetres, e.g. 1.5."]
    if errors or depth is None:  # depth is None only with an error for it
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


def plan_schedule_preview(params: PlanParameters[Protocol]) -> list[dt.date]:
    try:
        return series_dates(
            params.start_date, params.sessions, params.interval_days, clinic_calendar()
        )
    except SchedulingError as error:
        raise InvalidInput(str(error), fields={"start_date": [str(error)]}) from None


@transaction.atomic
def plan_refusal_record(
    *,
    acting_user: User,
    concern: SkinConcern,
    protocol: Protocol,
    outcome: ScreeningOutcome,
    message: str,
) -> PlanRefusal:
    """Record that planning was refused for an absolute contraindication: who, which protocol
    for which concern, when, and the rules that blocked it."""
    refusal = PlanRefusal.objects.create(
        patient_id=concern.patient_id,
        concern=concern,
        protocol=protocol,
        refused_by=acting_user,
        refused_at=timezone.now(),
        reason=message[: PlanRefusal._meta.get_field("reason").max_length],
    )
    refusal.rules.set([hit.rule for hit in outcome.blocking])  # type: ignore[misc]
    return refusal


def _record_refusal(
    error: ScreeningBlocked, *, acting_user: User, concern: SkinConcern, protocol: Protocol
) -> None:
    """The refusal, recorded in a transaction of its own: the attempt's is rolled back."""
    plan_refusal_record(
        acting_user=acting_user,
        concern=concern,
        protocol=protocol,
        outcome=error.outcome,
        message=error.message,
    )


def plan_screen(
    *,
    acting_user: User,
    concern: SkinConcern,
    params: PlanParameters[Protocol],
    questions: Questions,
    answers: Mapping[str, bool],
    acknowledged: Collection[str] = (),
    override_reason: str = "",
) -> tuple[ScreeningOutcome, Override]:
    """The planning screening (`screening_assess`) before the plan is confirmed: saves nothing,
    unless an absolute contraindication refuses the plan, which is recorded (`PlanRefusal`)."""
    clinicians.require_planner(acting_user)
    try:
        return screening_assess(
            questions=questions,
            answers=answers,
            indication_id=concern.indication_id,
            acknowledged=acknowledged,
            override_reason=override_reason,
            acting_user=acting_user,
        )
    except ScreeningBlocked as error:
        _record_refusal(error, acting_user=acting_user, concern=concern, protocol=params.protocol)
        raise


def plan_create(
    *,
    acting_user: User,
    concern: SkinConcern,
    params: PlanParameters[Protocol],
    answers: Mapping[str, bool],
    acknowledged: Collection[str] = (),
    override_reason: str = "",
) -> TreatmentPlan:
    """Screen, then create an active plan with its sessions' target dates.

    An absolute contraindication, a missing answer or an un-overridden relative one raises
    and nothing of the plan is saved; an absolute one is recorded as a `PlanRefusal`.
    Not atomic itself: the plan is (`_plan_create`), and a refusal is kept although the
    attempt is rolled back.
    """
    try:
        return _plan_create(
            acting_user=acting_user,
            concern=concern,
            params=params,
            answers=answers,
            acknowledged=acknowledged,
            override_reason=override_reason,
        )
    except ScreeningBlocked as error:
        _record_refusal(error, acting_user=acting_user, concern=concern, protocol=params.protocol)
        raise


@transaction.atomic
def _plan_create(
    *,
    acting_user: User,
    concern: SkinConcern,
    params: PlanParameters[Protocol],
    answers: Mapping[str, bool],
    acknowledged: Collection[str],
    override_reason: str,
) -> TreatmentPlan:
    responsible = clinicians.require_planner(acting_user)
    # Planning takes turns per patient: the area's other plans cannot change underneath.
    patient = Patient.objects.select_for_update().get(pk=concern.patient_id)
    if patient.status != Patient.Status.ACTIVE:
        raise Conflict("This patient is archived; restore the record before planning.")
    if concern.status != SkinConcern.Status.ACTIVE:
        raise Conflict("This concern is not active.")
    protocol = params.protocol
    if protocol.indication_id != concern.indication_id:
        raise InvalidInput(
            f"{protocol.code} is a protocol for {protocol.indication}, not {concern.indication}.",
            fields={"protocol": ["Choose a protocol for this concern's indication."]},
        )
    errors = plan_parameter_errors(params, today=timezone.localdate())
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    questions = screening_questions(
        patient=patient, concern=concern, modality=protocol.modality, depth_mm=params.depth_mm
    )
    outcome, decision = screening_assess(
        questions=questions,
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
    problem = floor_problem(
        dates, neighbours_of(area_sessions(patient_id=patient.pk, body_area=concern.body_area))
    )
    if problem:
        raise Conflict(
            problem, fields={"start_date": ["Too close to another plan's session on this area."]}
        )
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
    screening_record(
        acting_user=acting_user,
        plan=plan,
        kind=Screening.Kind.PLAN,
        questions=questions,
        answers=answers,
        outcome=outcome,
        decision=decision,
        acknowledged=acknowledged,
        override_reason=override_reason,
    )
    TreatmentSession.objects.bulk_create(
        TreatmentSession(plan=plan, number=number, target_date=day, area=concern.body_area)
        for number, day in enumerate(dates, start=1)
    )
    return plan


@transaction.atomic
def plan_change_schedule(
    *,
    acting_user: User,
    plan: TreatmentPlan,
    sessions: object,
    interval_days: object,
    departure_reason: str = "",
) -> Replan:
    """Change a plan's session count or interval: its unbooked sessions get new target dates
    from the schedule rule, added sessions are created and surplus unbooked ones cancelled
    (their records stay); booked and done sessions do not move, and the change is refused if
    the rest would break the spacing against them. A dermatologist's decision, like planning."""
    clinicians.require_planner(acting_user)
    rows = list(
        TreatmentSession.objects.select_for_update(of=("self", "plan"))
        .select_related("plan__protocol", "plan__concern")
        .filter(plan_id=plan.pk)
        .order_by("number")
    )
    if not rows:
        raise Conflict("This plan has no sessions.")
    plan = rows[0].plan
    if plan.status != TreatmentPlan.Status.ACTIVE:
        raise Conflict("Only an active plan's schedule can change.")
    params = plan_parameters(
        protocol=plan.protocol,
        sessions=sessions,
        interval_days=interval_days,
        depth_mm=plan.needle_depth_mm,
        start_date=timezone.localdate(),  # the start is not changing; the check needs a date
        departure_reason=departure_reason,
    )
    if (params.sessions, params.interval_days) == (plan.planned_sessions, plan.interval_days):
        raise InvalidInput(
            "Nothing changed: give a new number of sessions or a new interval.",
            fields={"sessions": ["Unchanged."], "interval_days": ["Unchanged."]},
        )
    live = [s for s in rows if s.status != TreatmentSession.Status.CANCELLED]
    others = neighbours_of(
        s
        for s in area_sessions(patient_id=plan.patient_id, body_area=plan.concern.body_area)
        if s.plan_id != plan.pk
    )
    try:
        change = replan(
            [
                SeriesSession(
                    number=s.number,
                    day=session_day(s),
                    movable=s.status == TreatmentSession.Status.PLANNED,
                    booked=s.status == TreatmentSession.Status.BOOKED,
                    status=s.get_status_display().lower(),
                )
                for s in live
            ],
            plan=plan.pk,
            planned=plan.planned_sessions,
            highest_number=rows[-1].number,
            sessions=params.sessions,
            interval_days=params.interval_days,
            calendar=clinic_calendar(),
            others=others,
        )
    except SchedulingError as error:
        field = "sessions" if params.sessions != plan.planned_sessions else "interval_days"
        raise Conflict(str(error), fields={field: [str(error)]}) from None
    now = timezone.now()
    moved = [s for s in live if s.number in change.targets]
    for session in moved:
        session.target_date = change.targets[session.number]
    TreatmentSession.objects.bulk_update(moved, ["target_date"])
    reason = (
        f"The series was shortened to {params.sessions} sessions by "
        f"{acting_user.get_full_name() or acting_user.get_username()}."
    )
    TreatmentSession.objects.filter(plan=plan, number__in=change.cancelled).update(
        status=TreatmentSession.Status.CANCELLED,
        status_reason=reason,
        status_changed_by=acting_user,
        status_changed_at=now,
        updated_at=now,
    )
    TreatmentSession.objects.bulk_create(
        TreatmentSession(plan=plan, number=number, target_date=day, area=plan.concern.body_area)
        for number, day in change.added
    )
    plan.planned_sessions, plan.interval_days = params.sessions, params.interval_days
    departures = plan_departures(params)
    if departures:
        plan.departure_reason = "\n".join(
            part for part in (params.departure_reason.strip(), *departures) if part
        )
    plan.save(update_fields=["planned_sessions", "interval_days", "departure_reason", "updated_at"])
    return change
