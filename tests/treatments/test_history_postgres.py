"""Change history of clinical records, kept by PostgreSQL triggers (django-pghistory): who, when,
what changed, through which request — bulk and raw updates included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from patients.models import Patient, SkinConcern
from tests import factories
from tests.api_helpers import post
from tests.conftest import Persona, all_no
from treatments.models import TreatmentSession

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
PatientEvent = apps.get_model("patients", "PatientEvent")
SessionEvent = apps.get_model("treatments", "TreatmentSessionEvent")
PlanEvent = apps.get_model("treatments", "TreatmentPlanEvent")
ConcernEvent = apps.get_model("patients", "SkinConcernEvent")


def test_an_api_change_records_who_what_and_which_request(front_desk: Persona) -> None:
    patient = factories.PatientFactory(phone="01")
    response = front_desk.patch(
        f"/api/patients/{patient.public_id}/",
        data='{"phone": "020 7946 0111"}',
        content_type="application/json",
        REMOTE_ADDR="198.51.100.40",
    )
    assert response.status_code == 200
    event = PatientEvent.objects.filter(pgh_obj_id=patient.pk, pgh_label="update").get()
    assert event.phone == "+442079460111"  # stored in E.164
    assert event.pgh_context.metadata == {
        "user": front_desk.user.pk,
        "url": f"/api/patients/{patient.public_id}/",
        "ip": "198.51.100.40",
        "method": "PATCH",
    }
    assert PatientEvent.objects.filter(pgh_obj_id=patient.pk, pgh_label="insert").exists()


def test_planning_through_the_api_is_on_record(dermatologist: Persona, clinic_open: None) -> None:
    concern = factories.SkinConcernFactory()
    start = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = post(
        dermatologist,
        "/api/plans/",
        {
            "concern": str(concern.public_id),
            "protocol": "IND-01",
            "sessions": 4,
            "interval_days": 30,
            "depth_mm": "1.0",
            "start_date": start,
            "answers": all_no(),
        },
    )
    assert response.status_code == 201, response.content
    insert = PlanEvent.objects.get(pgh_label="insert")
    assert insert.pgh_context.metadata["user"] == dermatologist.user.pk
    assert SessionEvent.objects.filter(pgh_label="insert").count() == 4


def test_bulk_and_raw_updates_are_captured_too() -> None:
    plan = factories.TreatmentPlanFactory()
    for number in (1, 2, 3):
        factories.TreatmentSessionFactory(plan=plan, number=number)
    TreatmentSession.objects.filter(plan=plan).update(notes="bulk edit")
    assert SessionEvent.objects.filter(pgh_label="update", notes="bulk edit").count() == 3
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE patients_patient SET phone = %s WHERE id = %s", ["raw sql", plan.patient_id]
        )
    assert PatientEvent.objects.filter(pgh_obj_id=plan.patient_id, phone="raw sql").exists()


def test_a_deletion_is_on_record() -> None:
    concern = factories.SkinConcernFactory()
    pk = concern.pk
    SkinConcern.objects.filter(pk=pk).delete()
    assert ConcernEvent.objects.filter(pgh_obj_id=pk, pgh_label="delete").exists()
    assert Patient.objects.filter(pk=concern.patient_id).exists()
