"""The admin: every page renders for a clinic admin in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import connection, models
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from clinic.api_auth import issue_token
from clinic.models import ClinicProfile
from evidence.models import Protocol, Study
from patients.models import Patient, PatientAccess
from tests import factories
from tests.conftest import Persona
from treatments.models import TreatmentPlan

pytestmark = pytest.mark.django_db

#: Upper bounds; the real test is that 5 and 50 rows cost the same.
MAX_CHANGELIST_QUERIES = 15  # two write the access log, one reads the second factor
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


def _token() -> models.Model:
    return issue_token(factories.UserFactory())[0]


def _axes(model: type[models.Model], **extra: object) -> Callable[[], models.Model]:
    counter = iter(range(1, 10_000))

    def make() -> models.Model:
        return model._default_manager.create(
            username=f"guess{next(counter)}",
            ip_address="192.0.2.7",
            user_agent="curl",
            http_accept="*/*",
            path_info="/accounts/login/",
            **extra,
        )

    return make


def _history(label: str, make_tracked: Callable[[], models.Model]) -> Callable[[], models.Model]:
    """A history row for a new tracked record: PostgreSQL's triggers write it; on SQLite, which
    has none, the test writes the same row itself."""
    event_model = django_apps.get_model(label)

    def make() -> models.Model:
        tracked = make_tracked()
        event = event_model.objects.filter(pgh_obj_id=tracked.pk).order_by("-pgh_id").first()
        if event is None:
            event = event_model.objects.create(
                pgh_obj_id=tracked.pk,
                pgh_label="insert",
                **{
                    f.attname: getattr(tracked, f.attname)
                    for f in event_model._meta.concrete_fields
                    if not f.name.startswith("pgh_")
                },
            )
        return event

    return make


MAKERS: dict[type[models.Model], Callable[[], models.Model]] = {
    User: factories.UserFactory.create,
    AuthToken: _token,
    TOTPDevice: lambda: TOTPDevice.objects.create(user=factories.UserFactory(), name="Phone"),
    StaticDevice: lambda: StaticDevice.objects.create(user=factories.UserFactory(), name="Codes"),
    AccessAttempt: _axes(AccessAttempt, get_data="", post_data="", failures_since_start=1),
    AccessFailureLog: _axes(AccessFailureLog),
    AccessLog: _axes(AccessLog),
    Group: factories.GroupFactory.create,
    Study: factories.StudyFactory.create,
    factories.Indication: _indication_with_finding,
    factories.Finding: factories.FindingFactory.create,
    Protocol: factories.ProtocolFactory.create,
    factories.ContraindicationRule: factories.ContraindicationRuleFactory.create,
    factories.GradingScale: _scale,
    Patient: _patient,
    PatientAccess: lambda: factories.PatientAccessFactory(),
    factories.SkinConcern: factories.SkinConcernFactory.create,
    factories.Practitioner: factories.PractitionerFactory.create,
    factories.PractitionerAbsence: factories.PractitionerAbsenceFactory.create,
    factories.Room: factories.RoomFactory.create,
    factories.OpeningHours: factories.OpeningHoursFactory.create,
    factories.Closure: factories.ClosureFactory.create,
    TreatmentPlan: _plan,
    factories.TreatmentSession: factories.BookedSessionFactory.create,
    factories.Screening: factories.ScreeningFactory.create,
    factories.ScreeningAnswer: factories.ScreeningAnswerFactory.create,
    factories.Consultation: factories.ConsultationFactory.create,
    factories.PlanRefusal: factories.PlanRefusalFactory.create,
    **{
        django_apps.get_model(label): _history(label, make)
        for label, make in (
            ("patients.PatientEvent", factories.PatientFactory.create),
            ("patients.SkinConcernEvent", factories.SkinConcernFactory.create),
            ("treatments.TreatmentPlanEvent", factories.TreatmentPlanFactory.create),
            ("treatments.TreatmentSessionEvent", factories.BookedSessionFactory.create),
            ("treatments.ScreeningEvent", factories.ScreeningFactory.create),
            ("treatments.ScreeningAnswerEvent", factories.ScreeningAnswerFactory.create),
            ("treatments.ConsultationEvent", factories.ConsultationFactory.create),
            ("treatments.PlanRefusalEvent", factories.PlanRefusalFactory.create),
        )
    },
}

REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)
#: One-row models have no list to grow; tests/clinic/test_identity.py covers the profile's admin.
SINGLETONS = {ClinicProfile}


def test_every_registered_model_has_a_maker_and_every_project_model_is_registered() -> None:
    assert set(REGISTERED) == set(MAKERS) | SINGLETONS


def _url(model: type[models.Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _can_add(client: Persona, model: type[models.Model]) -> bool:
    request = RequestFactory().get("/")
    request.user = client.user
    return admin.site._registry[model].has_add_permission(request)


@pytest.mark.parametrize(
    "model", [m for m in REGISTERED if m not in SINGLETONS], ids=lambda m: m._meta.label
)
def test_changelist_add_and_change_pages_run_a_fixed_number_of_queries(
    clinic_admin: Persona, model: type[models.Model], django_assert_max_num_queries: Callable
) -> None:
    make = MAKERS[model]
    made = [make() for _ in range(5)]
    pages = {"changelist": _url(model, "changelist")}
    if _can_add(clinic_admin, model):
        pages["add"] = _url(model, "add")
    else:  # records only a workflow may create
        assert clinic_admin.get(_url(model, "add")).status_code == 403

    def measure() -> dict[str, int]:
        counts = {name: _queries(clinic_admin, url) for name, url in pages.items()}
        counts["change"] = _queries(clinic_admin, _url(model, "change", made[-1].pk))
        return counts

    measure()  # warm per-process caches (content types, site) before counting
    at_5 = measure()
    made += [make() for _ in range(45)]
    at_50 = measure()
    assert at_50 == at_5
    with django_assert_max_num_queries(MAX_CHANGELIST_QUERIES):
        clinic_admin.get(pages["changelist"])
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
    assert study is not None
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


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        (
            Patient,
            {
                "given_name": "Ann",
                "family_name": "Lee",
                "date_of_birth": "2999-01-01",
                "sex": "female",
                "status": "active",
            },
            "cannot be in the future",
        ),
        (
            Patient,
            {
                "given_name": "",
                "family_name": "Lee",
                "date_of_birth": "1990-01-01",
                "sex": "female",
                "status": "active",
            },
            "This field is required",
        ),
        (
            factories.Closure,
            {"start_date": "2030-05-02", "end_date": "2030-05-01", "reason": "Works"},
            "The last closed day is before the first.",
        ),
        (
            factories.OpeningHours,
            {"weekday": 0, "opens": "18:00", "closes": "09:00"},
            "Closing time must be after opening time.",
        ),
    ],
    ids=["future-birth", "no-name", "closure-backwards", "hours-backwards"],
)
def test_bad_input_in_an_admin_form_is_explained_and_saves_nothing(
    clinic_admin: Client, model: type[models.Model], data: dict[str, object], message: str
) -> None:
    before = model._default_manager.count()
    response = clinic_admin.post(
        _url(model, "add"),
        {
            **data,
            # Empty inline management forms for the patient page.
            **{
                f"{prefix}-{key}": value
                for prefix in ("concerns", "plans")
                for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
            },
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert model._default_manager.count() == before


def test_opening_hours_that_overlap_are_refused_by_name(clinic_admin: Client) -> None:
    factories.OpeningHoursFactory(weekday=2, opens=dt.time(9), closes=dt.time(18))
    response = clinic_admin.post(
        _url(factories.OpeningHours, "add"), {"weekday": 2, "opens": "17:00", "closes": "19:00"}
    )
    assert "These hours overlap Wednesday 09:00–18:00" in response.content.decode()


@pytest.mark.parametrize(
    "model",
    [factories.Screening, TreatmentPlan, factories.TreatmentSession, factories.PlanRefusal],
)
def test_workflow_records_are_read_only_in_the_admin(
    clinic_admin: Client, model: type[models.Model]
) -> None:
    obj = MAKERS[model]()
    url = _url(model, "change", obj.pk)
    assert clinic_admin.get(url).status_code == 200
    assert clinic_admin.post(url, {"status": "cancelled", "result": "blocked"}).status_code == 403
    assert clinic_admin.get(_url(model, "add")).status_code == 403


def test_front_desk_cannot_change_a_session_in_the_admin(front_desk: Client) -> None:
    session = factories.BookedSessionFactory()
    other_plan = factories.TreatmentPlanFactory()
    url = _url(factories.TreatmentSession, "change", session.pk)
    response = front_desk.post(
        url, {"plan": other_plan.pk, "number": 1, "status": "completed", "depth_used_mm": "2.5"}
    )
    assert response.status_code == 403
    session.refresh_from_db()
    assert (session.plan_id, session.status, session.depth_used_mm) != (
        other_plan.pk,
        "completed",
        Decimal("2.5"),
    )


def test_a_clinic_admin_cannot_make_themselves_superuser(clinic_admin: Persona) -> None:
    me = clinic_admin.user
    page = clinic_admin.get(_url(User, "change", me.pk)).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="groups"' not in page
    clinic_admin.post(
        _url(User, "change", me.pk),
        {
            "username": me.username,
            "is_superuser": "on",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00",
        },
    )
    me.refresh_from_db()
    assert not me.is_superuser


def test_the_dermatologist_flag_needs_the_dermatologist_role(clinic_admin: Client) -> None:
    clerk = factories.UserFactory()
    response = clinic_admin.post(
        _url(factories.Practitioner, "add"),
        {
            "user": clerk.pk,
            "is_dermatologist": "on",
            "active": "on",
        },
    )
    assert "Give this user the Dermatologist role first." in response.content.decode()
    assert not factories.Practitioner.objects.filter(user=clerk).exists()


def test_front_desk_cannot_edit_skin_type_in_the_admin(front_desk: Client) -> None:
    patient = factories.PatientFactory(fitzpatrick_type=2)
    page = front_desk.get(_url(Patient, "change", patient.pk)).content.decode()
    assert 'name="fitzpatrick_type"' not in page
    assert 'name="family_name"' in page


@pytest.mark.parametrize("parent", ["patient", "plan", "indication"])
def test_change_pages_with_inlines_keep_their_query_count_as_children_grow(
    clinic_admin: Client, parent: str
) -> None:
    if parent == "patient":
        patient = factories.PatientFactory()

        def grow(n: int) -> None:
            for _ in range(n):
                factories.TreatmentPlanFactory(concern__patient=patient)

        url = _url(Patient, "change", patient.pk)
    elif parent == "plan":
        plan = factories.TreatmentPlanFactory()
        numbers = iter(range(1, 100))

        def grow(n: int) -> None:
            for _ in range(n):
                factories.BookedSessionFactory(plan=plan, number=next(numbers))

        url = _url(TreatmentPlan, "change", plan.pk)
    else:
        indication = factories.IndicationFactory()

        def grow(n: int) -> None:
            for _ in range(n):
                factories.FindingFactory(indication=indication)
                factories.ProtocolFactory(indication=indication)

        url = _url(factories.Indication, "change", indication.pk)
    grow(5)
    clinic_admin.get(url)
    at_5 = _queries(clinic_admin, url)
    grow(45)
    assert _queries(clinic_admin, url) == at_5


def test_credentials_are_listed_and_revoked_but_never_made_or_read_in_the_admin(
    clinic_admin: Persona,
) -> None:
    owner = factories.UserFactory()
    token, secret = issue_token(owner)
    device = TOTPDevice.objects.create(user=owner, name="Phone")
    for model, obj in ((AuthToken, token), (TOTPDevice, device)):
        assert clinic_admin.get(_url(model, "add")).status_code == 403
        page = clinic_admin.get(_url(model, "change", obj.pk)).content.decode()
        assert owner.username in page
        assert "Save" not in page  # read-only
    listing = clinic_admin.get(_url(AuthToken, "changelist")).content.decode()
    # The digest (a one-way hash) keys the row's address; it is shown nowhere, the token never.
    assert token.token_key in listing and secret not in listing and "field-digest" not in listing
    device_page = clinic_admin.get(_url(TOTPDevice, "change", device.pk)).content.decode()
    assert device.key not in device_page  # the authenticator's secret
    clinic_admin.post(_url(AuthToken, "delete", token.pk), {"post": "yes"})
    assert not AuthToken.objects.filter(pk=token.pk).exists()
