"""The database itself refuses invalid rows, whatever code writes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests import factories

pytestmark = pytest.mark.django_db


def rejected(factory: type, **fields: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"default_sessions": 0, "sessions_min": 0},
        {"default_interval_days": 5, "interval_min_days": 5},
        {"depth_min_mm": Decimal("0")},
        {"depth_min_mm": Decimal("1.6"), "depth_max_mm": Decimal("1.5")},
        {"depth_max_mm": Decimal("3.5")},
        {"default_sessions": 7},  # above sessions_max
        {"modality": "lsr"},  # short enough for the column: the CHECK must catch it
        {"provenance": "Q"},
        {"default_sessions": None},  # defaults are required unless physician-defined
    ],
    ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()),
)
def test_it_rejects_an_invalid_protocol(fields: dict[str, object]) -> None:
    rejected(factories.ProtocolFactory, **fields)


def test_it_accepts_a_physician_defined_protocol_without_numbers() -> None:
    protocol = factories.ProtocolFactory(
        physician_defined=True,
        **dict.fromkeys(
            [
                "default_sessions",
                "sessions_min",
                "sessions_max",
                "default_interval_days",
                "interval_min_days",
                "interval_max_days",
                "depth_min_mm",
                "depth_max_mm",
            ]
        ),
    )
    assert protocol.pk is not None


def test_it_rejects_a_duplicate_doi_but_allows_many_blank_ones() -> None:
    factories.StudyFactory(doi="10.1000/one")
    rejected(factories.StudyFactory, doi="10.1000/one")
    factories.StudyFactory(doi="")
    factories.StudyFactory(doi="")


def test_it_rejects_a_doi_given_as_a_url() -> None:
    rejected(factories.StudyFactory, doi="https://doi.org/10.1000/x")


def test_it_rejects_an_unknown_rule_severity() -> None:
    rejected(factories.ContraindicationRuleFactory, severity="sometimes")


def test_it_rejects_a_fitzpatrick_type_outside_i_to_vi() -> None:
    rejected(factories.PatientFactory, fitzpatrick_type=7)


def test_it_rejects_a_patient_without_a_name() -> None:
    rejected(factories.PatientFactory, family_name="")


def test_it_rejects_an_implausible_date_of_birth() -> None:
    rejected(factories.PatientFactory, date_of_birth=dt.date(1850, 1, 1))


def test_it_rejects_an_unknown_body_area() -> None:
    rejected(factories.SkinConcernFactory, body_area="elbow")


@pytest.mark.parametrize(
    "fields",
    [
        {"interval_days": 6},
        {"planned_sessions": 0},
        {"needle_depth_mm": Decimal("0.1")},
        {"needle_depth_mm": Decimal("3.5")},
        {"status": "active", "approved_by": None},
        {"status": "cancelled", "cancellation_reason": ""},
    ],
    ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()),
)
def test_it_rejects_an_invalid_plan(fields: dict[str, object]) -> None:
    rejected(factories.TreatmentPlanFactory, **fields)


def test_it_rejects_two_sessions_with_the_same_number_in_a_plan() -> None:
    session = factories.TreatmentSessionFactory()
    rejected(factories.TreatmentSessionFactory, plan=session.plan, number=1)


def test_it_rejects_a_booking_that_ends_before_it_starts() -> None:
    session = factories.BookedSessionFactory.build()
    assert session.starts_at is not None
    rejected(
        factories.BookedSessionFactory,
        ends_at=session.starts_at - dt.timedelta(minutes=1),
    )


def test_it_rejects_a_booked_session_without_a_room() -> None:
    rejected(factories.BookedSessionFactory, room=None)


def test_it_rejects_a_pain_score_over_ten() -> None:
    rejected(factories.TreatmentSessionFactory, pain_score=11)


def test_it_rejects_a_cancelled_session_without_a_reason() -> None:
    rejected(factories.TreatmentSessionFactory, status="cancelled", status_reason="")


def test_it_rejects_a_screening_for_neither_plan_nor_session() -> None:
    plan = factories.TreatmentPlanFactory()
    rejected(
        factories.ScreeningFactory, plan=None, patient=plan.patient, performed_by=plan.approved_by
    )


def test_it_rejects_an_override_without_a_reason() -> None:
    plan = factories.TreatmentPlanFactory()
    rejected(
        factories.ScreeningFactory,
        plan=plan,
        result="needs_override",
        override_by=plan.approved_by,
        override_reason="",
        overridden_at=plan.approved_at,
    )


def test_it_rejects_overriding_a_blocked_screening() -> None:
    plan = factories.TreatmentPlanFactory()
    rejected(
        factories.ScreeningFactory,
        plan=plan,
        result="blocked",
        override_by=plan.approved_by,
        override_reason="I know best",
        overridden_at=plan.approved_at,
    )


def test_it_rejects_two_answers_to_the_same_rule_in_a_screening() -> None:
    answer = factories.ScreeningAnswerFactory()
    rejected(factories.ScreeningAnswerFactory, screening=answer.screening, rule=answer.rule)


def test_it_rejects_opening_hours_that_close_before_they_open() -> None:
    rejected(factories.OpeningHoursFactory, opens=dt.time(18), closes=dt.time(9))


def test_it_rejects_a_closure_that_ends_before_it_starts() -> None:
    rejected(factories.ClosureFactory, start_date=dt.date(2030, 1, 5), end_date=dt.date(2030, 1, 4))


def test_a_booking_with_a_start_but_no_end_is_rejected() -> None:
    rejected(factories.BookedSessionFactory, ends_at=None)


def test_a_draft_plan_can_be_cancelled_before_approval() -> None:
    plan = factories.TreatmentPlanFactory(
        status="cancelled",
        approved_by=None,
        approved_at=None,
        cancellation_reason="Patient declined.",
    )
    assert plan.pk is not None


def test_a_pre_session_screening_needs_its_session() -> None:
    plan = factories.TreatmentPlanFactory()
    rejected(factories.ScreeningFactory, plan=plan, kind="pre_session", session=None)


def test_only_a_relative_contraindication_can_be_overridden() -> None:
    plan = factories.TreatmentPlanFactory()
    rejected(
        factories.ScreeningFactory,
        plan=plan,
        result="clear",
        override_by=plan.approved_by,
        override_reason="Why not",
        overridden_at=plan.approved_at,
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"default_interval_days": 3},
        {"sessions_max": 0},
        {"default_sessions": 0},
    ],
)
def test_a_physician_defined_protocol_still_refuses_impossible_values(
    fields: dict[str, object],
) -> None:
    rejected(
        factories.ProtocolFactory,
        physician_defined=True,
        **{
            **dict.fromkeys(
                [
                    "default_sessions",
                    "sessions_min",
                    "sessions_max",
                    "default_interval_days",
                    "interval_min_days",
                    "interval_max_days",
                ]
            ),
            **fields,
        },
    )


def test_a_patient_with_history_cannot_be_deleted_even_by_code() -> None:
    from django.db.models import ProtectedError

    plan = factories.TreatmentPlanFactory()
    factories.TreatmentSessionFactory(plan=plan)
    for record in (plan.patient, plan.concern, plan):
        with pytest.raises(ProtectedError), transaction.atomic():
            record.delete()
    assert type(plan.patient).objects.filter(pk=plan.patient.pk).exists()
