"""Rows that belong on a worklist, made with the factories: one call, one item."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from evidence.models import RuleSeverity
from patients.models import Patient, SkinConcern
from tests import factories
from treatments.models import Consultation, Screening, TreatmentPlan, TreatmentSession

#: Wednesday 24 February 2027, 08:00 UTC (08:00 in London): "today" in these tests.
NOW = dt.datetime(2027, 2, 24, 8, tzinfo=dt.UTC)
TODAY = dt.date(2027, 2, 24)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def session_on(day: dt.date, hour: int = 10, **fields: Any) -> TreatmentSession:
    starts = at(day, hour)
    return factories.BookedSessionFactory(
        target_date=day, starts_at=starts, ends_at=starts + dt.timedelta(minutes=45), **fields
    )


def awaiting_at_check_in(day: dt.date = TODAY, **fields: Any) -> Screening:
    session = session_on(day, status=TreatmentSession.Status.CHECKED_IN, **fields)
    screening = factories.ScreeningFactory(
        plan=session.plan,
        session=session,
        kind=Screening.Kind.PRE_SESSION,
        result=Screening.Result.NEEDS_OVERRIDE,
        performed_at=at(day, 9),
    )
    factories.ScreeningAnswerFactory(
        screening=screening,
        answer=True,
        severity_applied=RuleSeverity.RELATIVE,
        rule__condition="Isotretinoin in the last 6 months",
    )
    return screening


def awaiting_at_planning(**fields: Any) -> Screening:
    return factories.ScreeningFactory(
        result=Screening.Result.NEEDS_OVERRIDE,
        performed_at=at(TODAY - dt.timedelta(days=2), 9),
        **fields,
    )


def override(screening: Screening) -> None:
    screening.override_by = screening.performed_by
    screening.override_reason = "Stopped a year ago; reviewed."
    screening.overridden_at = timezone.now()
    screening.save()


def concern_without_plan(**fields: Any) -> SkinConcern:
    return factories.SkinConcernFactory(**fields)


def checked_in(day: dt.date = TODAY, hour: int = 10) -> TreatmentSession:
    return session_on(day, hour, status=TreatmentSession.Status.CHECKED_IN)


def arrival(day: dt.date = TODAY, hour: int = 10, **fields: Any) -> TreatmentSession:
    return session_on(day, hour, **fields)


def planned(target: dt.date, **fields: Any) -> TreatmentSession:
    return factories.TreatmentSessionFactory(target_date=target, **fields)


def new_patient(**fields: Any) -> Patient:
    return factories.PatientFactory(**fields)


def plan_for(patient: Patient, **fields: Any) -> TreatmentPlan:
    return factories.TreatmentPlanFactory(concern__patient=patient, **fields)


def consultation(day: dt.date = TODAY, hour: int = 10, **fields: Any) -> Consultation:
    """A booked 30-minute consultation (a new patient, a practitioner and a room of its own)."""
    starts = at(day, hour, fields.pop("minute", 0))
    return factories.ConsultationFactory(
        starts_at=starts, ends_at=starts + dt.timedelta(minutes=30), **fields
    )
