"""Every read of a patient's record leaves an access-log row: who, when, which, where from."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from patients.models import PatientAccess
from tests import factories
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(clinic_open: None) -> factories.TreatmentPlan:
    plan = factories.TreatmentPlanFactory()
    factories.BookedSessionFactory(
        plan=plan,
        starts_at=dt.datetime(2031, 3, 3, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2031, 3, 3, 10, 45, tzinfo=dt.UTC),
    )
    factories.ScreeningFactory(plan=plan)
    return plan


def reads(plan: factories.TreatmentPlan) -> list[tuple[str, str]]:
    patient, session = plan.patient, plan.sessions.get()
    screening = plan.screenings.get()
    return [
        (reverse("patient-detail", args=[patient.public_id]), "page"),
        (reverse("patient-edit", args=[patient.public_id]), "page"),
        (reverse("plan-detail", args=[plan.public_id]), "page"),
        (reverse("plan-print", args=[plan.public_id]), "export"),
        (reverse("plan-ics", args=[plan.public_id]), "export"),
        (reverse("session-check-in", args=[session.public_id]), "page"),
        (reverse("session-book", args=[session.public_id]), "page"),
        (f"/api/patients/{patient.public_id}/", "api"),
        (f"/api/patients/{patient.public_id}/concerns/", "api"),
        (f"/api/plans/{plan.public_id}/", "api"),
        (f"/api/screenings/{screening.public_id}/", "api"),
        (f"/api/sessions/{session.public_id}/", "api"),
    ]


def test_each_read_of_a_record_is_logged(front_desk: Persona, plan) -> None:
    for url, channel in reads(plan):
        before = PatientAccess.objects.count()
        response = front_desk.get(url, REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="Tablet 3")
        assert response.status_code == 200, url
        assert PatientAccess.objects.count() == before + 1, url
        entry = PatientAccess.objects.order_by("-pk").first()
        assert entry is not None
        assert (entry.patient, entry.user, entry.channel) == (
            plan.patient,
            front_desk.user,
            channel,
        )
        assert entry.path == url and entry.ip_address == "198.51.100.23"
        assert entry.user_agent == "Tablet 3"


def test_a_refused_read_is_not_a_read(anonymous: Client, plan) -> None:
    anonymous.get(reverse("patient-detail", args=[plan.patient.public_id]))
    anonymous.get(f"/api/patients/{plan.patient.public_id}/")
    assert not PatientAccess.objects.exists()


def test_clinic_admins_browse_the_log_and_nobody_edits_it(
    clinic_admin: Client, front_desk: Client, plan
) -> None:
    front_desk.get(reverse("patient-detail", args=[plan.patient.public_id]))
    entry = PatientAccess.objects.get()
    changelist = reverse("admin:patients_patientaccess_changelist")
    assert plan.patient.mrn in clinic_admin.get(changelist).content.decode()
    change = reverse("admin:patients_patientaccess_change", args=[entry.pk])
    assert clinic_admin.post(change, {"path": "/forged/"}).status_code == 403
    delete = reverse("admin:patients_patientaccess_delete", args=[entry.pk])
    assert clinic_admin.post(delete, {"post": "yes"}).status_code == 403
    assert front_desk.get(changelist).status_code == 403
    entry.refresh_from_db()
    assert entry.path != "/forged/"
