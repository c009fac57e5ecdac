"""The demo's plans and visits, made by the clinic's own services as they happened.

The services refuse the past (nothing is booked for yesterday, a patient is checked in on the
day), so each step is replayed at its own moment with time-machine's clock (a development
dependency, like the demo itself): the plan screened and approved a week before its first
session, the series booked, each patient checked in on arrival and the session recorded at
its end. Every rule, lock and record a clinic's day goes through holds for the demo too: no
double booking, the spacing floor, the re-screen, the record's checks, the plan closed when
its last session is recorded, and the change history of each write.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from clinic.demo_day import Stage
from clinic.models import Practitioner, Room
from evidence.models import GradingScale, Protocol
from patients.models import SkinConcern
from treatments.booking import services as booking
from treatments.consultation import services as consultations
from treatments.models import Consultation, TreatmentPlan, TreatmentSession
from treatments.planning import services as planning
from treatments.rules import screening as screening_rules
from treatments.rules.limits import ANAESTHETIC_LEAD
from treatments.rules.screening import LABELLED_MAX_DEPTH_MM
from treatments.screening.selectors import (
    latest_screening,
    screening_is_current,
    screening_questions,
)
from treatments.visit import services as visits

#: The plan is screened and approved this long before its first session.
PLANNED_AHEAD = dt.timedelta(days=7)

#: What the demo records at a plain microneedling session.
DEVICE = "Dermapen 4"
CARTRIDGE = "Dermapen 4 16-pin cartridge"
PAIN = (3, 4, 3, 2, 3, 2)
NOTES = (
    "Tolerated well; even pinpoint bleeding at the planned depth.",
    "Less erythema than last time; patient pleased with the texture.",
    "Visible improvement since the first session; aftercare reviewed.",
    "Good response; photographs taken for the review at 90 days.",
)
ADVERSE = ("Expected erythema and mild oedema, settled before leaving.", "", "")


class DemoDataError(Exception):
    pass


@dataclass(frozen=True)
class Lane:
    """A dermatologist and the room they work in."""

    user: User
    practitioner: Practitioner
    room: Room


@dataclass
class Visit:
    """One session of a demo plan and how far it got: recorded, checked in, or only booked
    (None: left planned, for the front desk to book)."""

    starts_at: dt.datetime | None
    stage: Stage = Stage.TO_ARRIVE


#: A plan's screening answers and the flags acknowledged.
Screening = tuple[dict[str, bool], list[str]]


@dataclass
class DemoPlan:
    concern: SkinConcern
    protocol: Protocol
    screening: Screening
    sessions: int
    interval: int
    lane: Lane
    start_date: dt.date
    visits: list[Visit] = field(default_factory=list)


def _at(moment: dt.datetime | None) -> AbstractContextManager[object]:
    """The clock at `moment` (None: the real clock)."""
    if moment is None or moment >= timezone.now():
        return nullcontext()
    try:
        import time_machine  # a development dependency, installed by `make install`
    except ImportError:  # pragma: no cover - only without the dev extras
        raise DemoDataError(
            "seed_demo replays past visits with time-machine: pip install -e '.[dev]'."
        ) from None
    return time_machine.travel(moment, tick=False)


def screening_for(concern: SkinConcern, protocol: Protocol, depth: Decimal) -> Screening | None:
    """'No' to every question the record does not answer, and the flags the record's own
    answers raise, acknowledged; None when those answers need an override or block (the demo
    plans only what a dermatologist would plan without one)."""
    questions = screening_questions(
        patient=concern.patient, concern=concern, modality=protocol.modality, depth_mm=depth
    )
    answers = {question.rule.code: False for question in questions.asked}
    completed = screening_rules.completed_answers(questions, answers)
    outcome = screening_rules.evaluate(
        questions.rules, completed.answers, indication_id=concern.indication_id
    )
    if completed.errors or outcome.blocking or outcome.needing_override:
        return None
    return answers, [hit.rule.code for hit in outcome.flags]


def depth_for(protocol: Protocol) -> Decimal:
    """The protocol's deepest, up to the 1.5 mm plain microneedling is labelled for."""
    return min(protocol.depth_max_mm or LABELLED_MAX_DEPTH_MM, LABELLED_MAX_DEPTH_MM)


def grades(scale: GradingScale | None, baseline: str, count: int) -> list[str]:
    """Outcome grades on the concern's own scale, improving a little session by session from
    the baseline (never past the scale's best)."""
    if scale is None or not baseline:
        return [""] * count
    if scale.kind == GradingScale.Kind.LEVELS:
        values = scale.level_values()
        start = values.index(baseline)
        return [values[max(0, start - (n + 1) // 2)] for n in range(count)]
    low = int(scale.range_min or 0)
    high = int(baseline)
    return [str(max(low, high - (n + 1) * max(1, (high - low) // 5))) for n in range(count)]


def replay(plan: DemoPlan, *, desk: User) -> TreatmentPlan:
    """Create the plan and run its visits through the services, each at its own time."""
    depth = depth_for(plan.protocol)
    answers, flags = plan.screening
    planned_at = dt.datetime.combine(
        plan.start_date - PLANNED_AHEAD, dt.time(9), tzinfo=timezone.get_current_timezone()
    )
    with _at(planned_at):
        created = planning.plan_create(
            acting_user=plan.lane.user,
            concern=plan.concern,
            params=planning.plan_parameters(
                protocol=plan.protocol,
                sessions=plan.sessions,
                interval_days=plan.interval,
                depth_mm=depth,
                start_date=plan.start_date,
            ),
            answers=answers,
            acknowledged=flags,
        )
        sessions = {s.number: s for s in created.sessions.all()}
        # The front desk books the series the day it is planned.
        for number, visit in enumerate(plan.visits, start=1):
            if visit.starts_at is not None:
                sessions[number] = booking.session_book(
                    acting_user=desk,
                    session=sessions[number],
                    starts_at=visit.starts_at,
                    practitioner=plan.lane.practitioner,
                    room=plan.lane.room,
                    shift_later=True,
                )
    scale = plan.concern.grading_scale
    outcome = grades(scale, plan.concern.baseline_grade, len(plan.visits))
    for number, visit in enumerate(plan.visits, start=1):
        if visit.starts_at is None or visit.stage is Stage.TO_ARRIVE:
            continue
        session = TreatmentSession.objects.select_related("plan__patient", "plan__concern").get(
            pk=sessions[number].pk
        )
        arrival = visit.starts_at - ANAESTHETIC_LEAD
        with _at(arrival):
            previous = latest_screening(session.plan)
            current = previous is not None and screening_is_current(previous)
            visits.session_check_in(
                acting_user=desk,
                session=session,
                changed=not current,  # past its validity, the patient is screened in full
                answers=None if current else answers,
                acknowledged=flags,
            )
        if visit.stage is not Stage.COMPLETED:
            continue
        if session.ends_at is None:
            raise DemoDataError(f"Session {number} of {plan.concern} was not booked.")
        with _at(session.ends_at):
            visits.session_record(
                acting_user=plan.lane.user,
                session=session,
                depth_used_mm=depth,
                area=plan.concern.body_area,
                device=DEVICE,
                needle_cartridge=CARTRIDGE,
                cartridge_lot=f"DP4-{visit.starts_at:%y%m}-{plan.concern.patient_id:03d}",
                anaesthetic_applied_at=arrival,
                pain_score=PAIN[(number - 1) % len(PAIN)],
                adverse_events=ADVERSE[(number - 1) % len(ADVERSE)],
                notes=NOTES[(number - 1) % len(NOTES)],
                outcome_grade=outcome[number - 1],
            )
    created.refresh_from_db()
    return created


def book_consultation(
    *, concern: SkinConcern, starts_at: dt.datetime, lane: Lane, desk: User, booked_at: dt.datetime
) -> Consultation:
    with _at(booked_at):
        return consultations.consultation_book(
            acting_user=desk,
            patient=concern.patient,
            starts_at=starts_at,
            practitioner=lane.practitioner,
            room=lane.room,
            reason="New patient: wants to discuss treatment options.",
        )
