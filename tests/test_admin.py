"""The admin: every page renders for a clinic admin in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evidence.models import Protocol, Study
from patients.models import Patient
from tests import factories
from treatments.models import TreatmentPlan

pytestmark = pytest.mark.django_db

#: Upper bounds; the real test is that 5 and 50 rows cost the same.
MAX_CHANGELIST_QUERIES = 12
MAX_FORM_QUERIES = 30


def _indication_with_finding() -> models.Model:
    return factories.FindingFactory().indication


def _scale() -> models.Model:
    return factories.GradingScaleFactory(indications=[factories.IndicationFactory()])


def _patient() -> models.Model:
    plan = factories.TreatmentPlanFactory()
    return plan.patient


def _plan() -> models.Model:
    plan = factories.TreatmentPlanFactory()
    factories.BookedSessionFactory(plan=plan)
    return plan


MAKERS: dict[type[models.Model], Callable[[], models.Model]] = {
    User: factories.UserFactory,
    Group: factories.GroupFactory,
    Study: factories.StudyFactory,
    factories.Indication: _indication_with_finding,
    factories.Finding: factories.FindingFactory,
    Protocol: factories.ProtocolFactory,
    factories.ContraindicationRule: factories.ContraindicationRuleFactory,
    factories.GradingScale: _scale,
    Patient: _patient,
    factories.SkinConcern: factories.SkinConcernFactory,
    factories.Practitioner: factories.PractitionerFactory,
    factories.Room: factories.RoomFactory,
    factories.OpeningHours: factories.OpeningHoursFactory,
    factories.Closure: factories.ClosureFactory,
    TreatmentPlan: _plan,
    factories.TreatmentSession: factories.BookedSessionFactory,
    factories.Screening: factories.ScreeningFactory,
    factories.ScreeningAnswer: factories.ScreeningAnswerFactory,
}

REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)


def test_every_registered_model_has_a_maker_and_every_project_model_is_registered() -> None:
    assert set(REGISTERED) == set(MAKERS)


def _url(model: type[models.Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_add_and_change_pages_run_a_fixed_number_of_queries(
    clinic_admin: Client, model: type[models.Model], django_assert_max_num_queries: Callable
) -> None:
    make = MAKERS[model]
    made = [make() for _ in range(5)]
    changelist, add = _url(model, "changelist"), _url(model, "add")
    for url in (changelist, add, _url(model, "change", made[-1].pk)):
        clinic_admin.get(url)  # warm per-process caches (content types, site) before counting
    at_5 = {
        "changelist": _queries(clinic_admin, changelist),
        "add": _queries(clinic_admin, add),
        "change": _queries(clinic_admin, _url(model, "change", made[-1].pk)),
    }
    made += [make() for _ in range(45)]
    at_50 = {
        "changelist": _queries(clinic_admin, changelist),
        "add": _queries(clinic_admin, add),
        "change": _queries(clinic_admin, _url(model, "change", made[-1].pk)),
    }
    assert at_50 == at_5
    with django_assert_max_num_queries(MAX_CHANGELIST_QUERIES):
        clinic_admin.get(changelist)
    with django_assert_max_num_queries(MAX_FORM_QUERIES):
        clinic_admin.get(_url(model, "change", made[-1].pk))


def test_study_list_shows_links_and_provenance(clinic_admin: Client) -> None:
    response = clinic_admin.get(_url(Study, "changelist") + "?q=Ablon")
    page = response.content.decode()
    ablon = Study.objects.get(code="ablon-2018")
    assert ablon.title in page
    assert f"[{ablon.provenance}]" in page
    assert ablon.pmc_url in page


def test_a_study_page_lists_what_cites_it(clinic_admin: Client) -> None:
    ablon = Study.objects.get(code="ablon-2018")
    page = clinic_admin.get(_url(Study, "change", ablon.pk)).content.decode()
    assert "Protocol IND-01" in page
    assert "Finding: Wrinkles" in page


def test_studies_are_found_by_doi(clinic_admin: Client) -> None:
    study = Study.objects.exclude(doi="").first()
    page = clinic_admin.get(_url(Study, "changelist"), {"q": study.doi}).content.decode()
    assert "1 result" in page


def test_patients_are_found_by_name_mrn_and_date_of_birth(clinic_admin: Client) -> None:
    target = factories.PatientFactory(family_name="Zebedee", date_of_birth=dt.date(1981, 4, 30))
    factories.PatientFactory.create_batch(3)
    for term in ("Zebedee", target.mrn, "1981-04-30", "30/04/1981"):
        page = clinic_admin.get(_url(Patient, "changelist"), {"q": term}).content.decode()
        assert "1 result" in page, term
        assert target.mrn in page


def test_clinical_records_cannot_be_deleted_in_the_admin(clinic_admin: Client) -> None:
    plan = factories.TreatmentPlanFactory()
    for model, obj in ((Patient, plan.patient), (TreatmentPlan, plan)):
        page = clinic_admin.get(_url(model, "change", obj.pk)).content.decode()
        assert _url(model, "delete", obj.pk) not in page
        assert clinic_admin.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert Patient.objects.filter(pk=plan.patient.pk).exists()


def test_a_bad_protocol_in_the_admin_gets_a_clear_error_and_saves_nothing(
    clinic_admin: Client,
) -> None:
    protocol = Protocol.objects.get(code="IND-01")
    data = {
        "code": "IND-01",
        "title": protocol.title,
        "indication": protocol.indication_id,
        "modality": "mn",
        "default_sessions": 4,
        "sessions_min": 2,
        "sessions_max": 6,
        "default_interval_days": 5,
        "interval_min_days": 5,
        "interval_max_days": 30,
        "depth_min_mm": "0.5",
        "depth_max_mm": "1.5",
        "study": protocol.study_id,
        "provenance": "V",
        "adjuncts": "[]",
        "requires_clinician_review": "on",
    }
    response = clinic_admin.post(_url(Protocol, "change", protocol.pk), data)
    assert response.status_code == 200
    assert "Sessions on the same area are at least 7 days apart." in response.content.decode()
    protocol.refresh_from_db()
    assert protocol.interval_min_days == 28


def test_front_desk_can_view_but_not_change_plans(front_desk: Client) -> None:
    plan = factories.TreatmentPlanFactory()
    assert front_desk.get(_url(TreatmentPlan, "change", plan.pk)).status_code == 200
    response = front_desk.post(_url(TreatmentPlan, "change", plan.pk), {"status": "cancelled"})
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.ACTIVE
