"""The visit: check-in with the re-screen, no-show, and the record of what was done."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from clinic.errors import Conflict, ContraindicationBlocked, InvalidInput, NotAllowed
from evidence.models import ContraindicationRule
from tests.conftest import Persona, all_no
from tests.treatments.series import at, book, first
from treatments.booking import services as sessions
from treatments.models import Screening, TreatmentPlan
from treatments.screening import services as screening_services
from treatments.visit import services as visit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]


# --- The day itself --------------------------------------------------------------------------


def test_check_in_only_on_the_day(front_desk: Persona, plan, practitioner, room) -> None:
    book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    with pytest.raises(Conflict, match="on its day"):
        visit.session_check_in(acting_user=front_desk.user, session=first(plan), changed=False)


def test_check_in_after_a_clear_rescreen(front_desk: Persona, booked_today) -> None:
    result = visit.session_check_in(
        acting_user=front_desk.user, session=booked_today, changed=False
    )
    assert result.session.status == "checked_in"
    assert result.screening.kind == "pre_session" and result.screening.session == booked_today


def test_a_new_absolute_contraindication_blocks_the_session_and_is_recorded(
    front_desk: Persona, booked_today
) -> None:
    result = visit.session_check_in(
        acting_user=front_desk.user,
        session=booked_today,
        changed=True,
        answers={**all_no(), "C01": True},
    )
    booked_today.refresh_from_db()
    assert booked_today.status == "blocked"
    assert booked_today.status_reason == (
        "Contraindication at check-in: " + ContraindicationRule.objects.get(code="C01").label
    )
    assert booked_today.status_changed_by == front_desk.user
    assert result.screening.result == "blocked"


def test_a_relative_contraindication_waits_for_a_dermatologist_before_the_procedure(
    front_desk: Persona, dermatologist: Persona, booked_today
) -> None:
    result = visit.session_check_in(
        acting_user=front_desk.user,
        session=booked_today,
        changed=True,
        answers={**all_no(), "C04": True},
    )
    assert result.awaiting_override and result.session.status == "checked_in"
    with pytest.raises(ContraindicationBlocked, match="awaits a dermatologist"):
        visit.session_record(
            acting_user=dermatologist.user, session=booked_today, depth_used_mm=Decimal("1.0")
        )
    screening_services.screening_override(
        acting_user=dermatologist.user,
        screening=result.screening,
        reason="Acne controlled; avoid pustules.",
    )
    recorded = visit.session_record(
        acting_user=dermatologist.user,
        session=booked_today,
        depth_used_mm=Decimal("1.0"),
        pain_score=3,
        adverse_events="Mild erythema",
        area="face",
    )
    assert recorded.status == "completed" and recorded.pain_score == 3


def test_front_desk_cannot_record_the_procedure(front_desk: Persona, booked_today) -> None:
    visit.session_check_in(acting_user=front_desk.user, session=booked_today, changed=False)
    with pytest.raises(NotAllowed):
        visit.session_record(
            acting_user=front_desk.user, session=booked_today, depth_used_mm=Decimal("1.0")
        )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"depth_used_mm": Decimal("4.0")}, "depth_used_mm"),
        ({"depth_used_mm": Decimal("1.0"), "pain_score": 11}, "pain_score"),
        ({}, "depth_used_mm"),
    ],
)
def test_impossible_session_records_are_refused(
    front_desk: Persona, dermatologist: Persona, booked_today, values: dict, field: str
) -> None:
    visit.session_check_in(acting_user=front_desk.user, session=booked_today, changed=False)
    with pytest.raises(InvalidInput) as error:
        visit.session_record(acting_user=dermatologist.user, session=booked_today, **values)
    assert field in error.value.fields
    booked_today.refresh_from_db()
    assert booked_today.status == "checked_in"


def test_completing_the_last_open_session_completes_the_plan(
    front_desk: Persona, dermatologist: Persona, plan: TreatmentPlan, booked_today
) -> None:
    for number in (2, 3, 4):
        sessions.session_cancel(
            acting_user=front_desk.user, session=first(plan, number), reason="Patient moved away"
        )
    visit.session_check_in(acting_user=front_desk.user, session=booked_today, changed=False)
    visit.session_record(
        acting_user=dermatologist.user, session=booked_today, depth_used_mm=Decimal("1.0")
    )
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.COMPLETED


def test_a_no_show_is_recorded_after_the_arrival_time(
    front_desk: Persona, booked_today, time_machine: time_machine.TimeMachineFixture
) -> None:
    with pytest.raises(Conflict, match="due at 09:30"):
        visit.session_no_show(acting_user=front_desk.user, session=booked_today)
    time_machine.move_to(at("2027-03-01", "09:50"), tick=False)
    session = visit.session_no_show(acting_user=front_desk.user, session=booked_today)
    assert session.status == "no_show"
    with pytest.raises(Conflict):
        visit.session_no_show(acting_user=front_desk.user, session=booked_today)


def test_only_a_dermatologist_records_a_procedure(
    front_desk: Persona, clinic_admin: Persona, booked_today
) -> None:
    visit.session_check_in(acting_user=front_desk.user, session=booked_today, changed=False)
    with pytest.raises(NotAllowed, match="Only a dermatologist"):
        visit.session_record(
            acting_user=clinic_admin.user, session=booked_today, depth_used_mm=Decimal("1.0")
        )


def test_the_anaesthetic_time_must_be_that_morning(
    front_desk: Persona, dermatologist: Persona, booked_today
) -> None:
    visit.session_check_in(acting_user=front_desk.user, session=booked_today, changed=False)
    with pytest.raises(InvalidInput) as error:
        visit.session_record(
            acting_user=dermatologist.user,
            session=booked_today,
            depth_used_mm=Decimal("1.0"),
            anaesthetic_applied_at=dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
        )
    assert "anaesthetic_applied_at" in error.value.fields
    recorded = visit.session_record(
        acting_user=dermatologist.user,
        session=booked_today,
        depth_used_mm=Decimal("1.0"),
        anaesthetic_applied_at=at("2027-03-01", "09:20"),
    )
    assert recorded.status == "completed"


def test_a_screening_is_saved_with_every_check_in(front_desk: Persona, booked_today) -> None:
    before = Screening.objects.count()
    visit.session_check_in(acting_user=front_desk.user, session=booked_today, changed=False)
    assert Screening.objects.count() == before + 1
