"""seed_demo: a usable demo, the same after a second run, never in production."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from clinic import roles, two_factor
from clinic.demo import DEMO_LOGINS
from clinic.models import Closure, OpeningHours, Practitioner, Room
from evidence.models import Indication
from patients.models import Patient, SkinConcern
from treatments.models import Screening, TreatmentPlan, TreatmentSession

pytestmark = pytest.mark.django_db

MODELS = (
    User,
    Practitioner,
    Room,
    OpeningHours,
    Closure,
    Patient,
    SkinConcern,
    TreatmentPlan,
    TreatmentSession,
    Screening,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@override_settings(DEBUG=True)
def test_it_creates_a_demo_clinic() -> None:
    output = seed()
    assert User.objects.filter(groups__name=roles.DERMATOLOGIST).exists()
    assert User.objects.filter(groups__name=roles.FRONT_DESK).exists()
    assert User.objects.filter(groups__name=roles.CLINIC_ADMIN).exists()
    assert Practitioner.objects.count() == 3
    assert Room.objects.count() == 3
    hours = {(h.weekday, h.opens.hour, h.closes.hour) for h in OpeningHours.objects.all()}
    assert hours == {(d, 9, 18) for d in range(5)} | {(5, 9, 13)}
    assert Closure.objects.count() == 1
    assert Patient.objects.count() == 50
    assert set(SkinConcern.objects.values_list("indication", flat=True)) == set(
        Indication.objects.values_list("pk", flat=True)
    )
    assert TreatmentPlan.objects.filter(status="active").count() >= 3
    for concern in SkinConcern.objects.exclude(baseline_grade="").select_related("grading_scale"):
        assert concern.grading_scale is not None
        assert concern.grading_scale.grade_error(concern.baseline_grade) is None
        assert concern.grading_scale.code not in {"S08", "S09", "S20"}, "general scale"
    for login in DEMO_LOGINS:
        assert login.password in output


@override_settings(DEBUG=True)
def test_a_second_run_changes_nothing() -> None:
    seed()
    before = counts()
    output = seed()
    assert counts() == before
    assert "nothing changed" in output


@override_settings(DEBUG=True)
def test_the_printed_logins_work() -> None:
    seed()
    for login in DEMO_LOGINS:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": login.username, "password": login.password}
        )
        assert response.status_code == 302, login.username
        home = client.get("/")
        if two_factor.required_for(User.objects.get(username=login.username)):
            # The first sign-in of a two-factor role sets up the authenticator.
            assert home.status_code == 302 and home["Location"].startswith(
                "/accounts/two-factor/setup/"
            )
        else:
            assert home.status_code == 200


@override_settings(DEBUG=False)
def test_it_refuses_to_run_with_debug_off() -> None:
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        seed()
    assert Patient.objects.count() == 0


@override_settings(DEBUG=True)
def test_every_demo_patient_passes_the_checks_a_person_would_meet() -> None:
    # The demo writes rows directly; an edit on the page must not then refuse what it wrote.
    seed()
    for patient in Patient.objects.all():
        before = patient.phone
        patient.full_clean()
        assert patient.phone == before  # already in the stored (E.164) form


def test_on_sqlite_the_history_pages_say_history_needs_postgresql(clinic_admin: Client) -> None:
    from django.db import connection
    from django.urls import reverse

    page = clinic_admin.get(reverse("admin:patients_patientevent_changelist")).content.decode()
    if connection.vendor == "postgresql":
        assert "Change history needs PostgreSQL" not in page
    else:
        assert "Change history needs PostgreSQL" in page


@override_settings(DEBUG=True)
def test_given_names_match_the_recorded_sex() -> None:
    from clinic.demo import GIVEN

    seed()
    patients = list(Patient.objects.filter(email__endswith="@demo.invalid"))
    assert patients
    for patient in patients:
        assert patient.given_name in GIVEN[patient.sex], (patient.given_name, patient.sex)
    assert {p.sex for p in patients} == {"female", "male"}
