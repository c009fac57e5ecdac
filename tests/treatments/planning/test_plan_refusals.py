"""A plan refused for an absolute contraindication leaves a record: who considered which
protocol for which concern, when, and the rules that refused it; shown on the patient's page,
over the API, in the admin (read-only) and in the change history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from clinic.errors import ContraindicationBlocked, OverrideRequired
from evidence.models import ContraindicationRule, Indication, Protocol
from tests import factories
from tests.api_helpers import assert_error, post
from tests.conftest import Persona, all_no
from treatments.models import PlanRefusal, TreatmentPlan
from treatments.planning import services
from treatments.screening.selectors import screening_questions

pytestmark = pytest.mark.django_db
BLOCKING = "C06"


@pytest.fixture(autouse=True)
def today(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2027, 2, 24, 9, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def concern(clinic_open: None) -> factories.SkinConcern:
    return factories.SkinConcernFactory(indication=Indication.objects.get(slug="wrinkles"))


def params() -> services.PlanParameters[Protocol]:
    return services.PlanParameters(
        protocol=Protocol.objects.get(code="IND-01"),
        sessions=4,
        interval_days=30,
        depth_mm=Decimal("1.0"),
        start_date=dt.date(2027, 3, 1),
    )


def request_for(concern: factories.SkinConcern, **changes: Any) -> dict[str, Any]:
    return {
        "concern": str(concern.public_id),
        "protocol": "IND-01",
        "sessions": 4,
        "interval_days": 30,
        "depth_mm": "1.0",
        "start_date": "2027-03-01",
        "answers": all_no(),
        **changes,
    }


def test_plan_create_records_the_refusal_and_no_plan(
    dermatologist: Persona, concern: factories.SkinConcern
) -> None:
    with pytest.raises(ContraindicationBlocked):
        services.plan_create(
            acting_user=dermatologist.user,
            concern=concern,
            params=params(),
            answers={**all_no(), BLOCKING: True},
        )
    assert not TreatmentPlan.objects.exists()
    refusal = PlanRefusal.objects.get()
    assert (refusal.patient, refusal.concern) == (concern.patient, concern)
    assert refusal.protocol.code == "IND-01"
    assert refusal.refused_by == dermatologist.user
    assert refusal.refused_at == dt.datetime(2027, 2, 24, 9, tzinfo=dt.UTC)
    assert [rule.code for rule in refusal.rules.all()] == [BLOCKING]
    assert BLOCKING in refusal.reason


def test_the_screening_step_records_the_refusal(
    dermatologist: Persona, concern: factories.SkinConcern
) -> None:
    questions = screening_questions(
        patient=concern.patient, concern=concern, modality="mn", depth_mm=Decimal("1.0")
    )
    with pytest.raises(ContraindicationBlocked):
        services.plan_screen(
            acting_user=dermatologist.user,
            concern=concern,
            params=params(),
            questions=questions,
            answers={**all_no(), BLOCKING: True},
        )
    assert [rule.code for rule in PlanRefusal.objects.get().rules.all()] == [BLOCKING]


def test_other_refusals_are_not_recorded_as_a_refused_plan(
    dermatologist: Persona, concern: factories.SkinConcern
) -> None:
    with pytest.raises(OverrideRequired):  # a relative one without its override
        services.plan_create(
            acting_user=dermatologist.user,
            concern=concern,
            params=params(),
            answers={**all_no(), "C04": True},
        )
    assert not PlanRefusal.objects.exists()


def test_the_api_refuses_and_lists_the_refusal(
    dermatologist: Persona, front_desk: Persona, concern: factories.SkinConcern
) -> None:
    response = post(
        dermatologist, "/api/plans/", request_for(concern, answers={**all_no(), BLOCKING: True})
    )
    assert_error(response, 409, "contraindication_blocked")
    listed = dermatologist.get(f"/api/plan-refusals/?patient={concern.patient.public_id}")
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert row["protocol"] == "IND-01" and row["refused_by"] == dermatologist.user.username
    assert row["concern"] == str(concern.public_id)
    assert [rule["code"] for rule in row["rules"]] == [BLOCKING]
    assert row["rules"][0]["in_words"] == ContraindicationRule.objects.get(code=BLOCKING).label
    one = dermatologist.get(f"/api/plan-refusals/{row['id']}/")
    assert one.status_code == 200 and one.json()["id"] == row["id"]
    # The front desk sees that planning was refused, not which contraindication refused it.
    seen = front_desk.get(f"/api/plan-refusals/{row['id']}/").json()
    assert seen["refused_by"] == dermatologist.user.username
    assert "rules" not in seen and "reason" not in seen


def test_the_api_list_is_for_staff_and_filters_by_patient(
    dermatologist: Persona, anonymous: Any, concern: factories.SkinConcern
) -> None:
    factories.PlanRefusalFactory(concern=concern)
    factories.PlanRefusalFactory()
    assert anonymous.get("/api/plan-refusals/").status_code == 401
    listed = dermatologist.get(f"/api/plan-refusals/?patient={concern.patient.public_id}")
    assert [row["patient"] for row in listed.json()["results"]] == [str(concern.patient.public_id)]
    assert dermatologist.get("/api/plan-refusals/").json()["count"] == 2
    assert_error(dermatologist.get("/api/plan-refusals/not-an-id/"), 404, "not_found")


def test_the_planning_page_records_the_refusal_and_the_patient_page_shows_it(
    dermatologist: Persona, front_desk: Persona, concern: factories.SkinConcern
) -> None:
    args = [concern.patient.public_id, concern.public_id]
    response = dermatologist.post(
        reverse("plan-parameters", args=args),
        {
            "protocol": Protocol.objects.get(code="IND-01").pk,
            "sessions": 4,
            "interval_days": 30,
            "depth_mm": "1.0",
            "start_date": "2027-03-01",
        },
    )
    assert response.status_code == 302
    screening = reverse("plan-screening", args=args)
    questions = screening_questions(
        patient=concern.patient, concern=concern, modality="mn", depth_mm=Decimal("1.0")
    )
    answers = {f"rule_{q.rule.code}": "no" for q in questions.asked} | {f"rule_{BLOCKING}": "yes"}
    response = dermatologist.post(screening, answers)
    assert response.status_code == 409
    assert "the refusal is recorded" in response.content.decode()
    refusal = PlanRefusal.objects.get()
    label = ContraindicationRule.objects.get(code=BLOCKING).label
    patient_page = reverse("patient-detail", args=[concern.patient.public_id])
    text = dermatologist.get(patient_page).content.decode()
    assert "Plans refused" in text and label in text
    assert f"{refusal.protocol.label} for {concern.indication.name}" in text
    assert "Wed 24 Feb 2027 09:00" in text
    desk = front_desk.get(patient_page).content.decode()
    assert "Plans refused" in desk and label not in desk


def test_the_admin_shows_a_refusal_read_only(
    clinic_admin: Persona, concern: factories.SkinConcern
) -> None:
    refusal = factories.PlanRefusalFactory(concern=concern)
    page = clinic_admin.get(reverse("admin:treatments_planrefusal_change", args=[refusal.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert clinic_admin.get(reverse("admin:treatments_planrefusal_add")).status_code == 403
    listing = clinic_admin.get(reverse("admin:treatments_planrefusal_changelist"))
    assert listing.status_code == 200 and concern.patient.family_name in listing.content.decode()
