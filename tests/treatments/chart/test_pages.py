"""The pages: patients, the chart, the planning flow, the plan, the evidence browser."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from evidence.models import Indication
from patients.models import Patient, SkinConcern
from tests import factories
from tests.conftest import Persona, all_no
from treatments.models import Screening, TreatmentPlan, TreatmentSession

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2027, 2, 24, 9, tzinfo=dt.UTC), tick=False)


def html(response: Any) -> str:
    return response.content.decode()


# --- Patients --------------------------------------------------------------------------------


def test_the_patient_list_searches_and_pages(front_desk: Client) -> None:
    factories.PatientFactory(family_name="Zebedee", date_of_birth=dt.date(1981, 4, 30))
    factories.PatientFactory.create_batch(30)
    page = html(front_desk.get(reverse("patient-list")))
    assert "31 patients" in page and "Page 1 of 2" in page
    for query in ("zebedee", "30/04/1981"):
        found = html(front_desk.get(reverse("patient-list"), {"q": query}))
        assert "1 patient " in found and "Zebedee" in found


def test_the_patient_list_runs_a_fixed_number_of_queries(
    front_desk: Client, django_assert_max_num_queries: Callable
) -> None:
    factories.PatientFactory.create_batch(5)
    # Two write the access log; one reads the clinic's identity (the header), on a cold cache only.
    with django_assert_max_num_queries(10):
        front_desk.get(reverse("patient-list"))
    factories.PatientFactory.create_batch(45)
    with django_assert_max_num_queries(9):  # two write the access log
        front_desk.get(reverse("patient-list"))


def test_registering_a_patient_shows_errors_next_to_the_fields(front_desk: Client) -> None:
    response = front_desk.post(
        reverse("patient-create"),
        {
            "given_name": "Ann",
            "family_name": "",
            "date_of_birth": "2999-01-01",
            "sex": "female",
        },
    )
    page = html(response)
    assert response.status_code == 200
    assert "This field is required." in page
    assert "cannot be in the future" in page
    assert not Patient.objects.exists()
    response = front_desk.post(
        reverse("patient-create"),
        {
            "given_name": "Ann",
            "family_name": "Lee",
            "date_of_birth": "1980-02-29",
            "sex": "female",
        },
    )
    patient = Patient.objects.get()
    assert response["Location"] == reverse("patient-detail", args=[patient.public_id])


def test_archiving_keeps_the_record(front_desk: Client) -> None:
    patient = factories.PatientFactory()
    front_desk.post(reverse("patient-archive", args=[patient.public_id]))
    patient.refresh_from_db()
    assert patient.status == "archived"
    assert "Archived" in html(front_desk.get(reverse("patient-detail", args=[patient.public_id])))


def test_the_patient_page_shows_concerns_plans_sessions_and_screenings(
    dermatologist: Client,
) -> None:
    plan = factories.TreatmentPlanFactory()
    factories.BookedSessionFactory(plan=plan)
    factories.ScreeningFactory(plan=plan)
    page = html(dermatologist.get(reverse("patient-detail", args=[plan.patient.public_id])))
    for text in (
        "Wrinkles and photoageing",
        "IND-01",
        f"session 1</a> of {plan.planned_sessions}, {plan.protocol.title} (IND-01)",
        "arrive 09:30",
        "Before the plan",
        "Plan a series",
    ):
        assert text in page, text


def test_the_patient_page_runs_a_fixed_number_of_queries(
    dermatologist: Client, django_assert_max_num_queries: Callable
) -> None:
    patient = factories.PatientFactory()

    def grow(n: int) -> None:
        for _ in range(n):
            plan = factories.TreatmentPlanFactory(concern__patient=patient)
            factories.BookedSessionFactory(plan=plan)
            factories.ScreeningFactory(plan=plan)
            factories.ConsultationFactory(patient=patient)
            factories.PlanRefusalFactory(concern=plan.concern)

    grow(5)
    url = reverse("patient-detail", args=[patient.public_id])
    # One reads the clinic's identity, cold cache only; one the patient's consultations; two
    # the plans refused (and their rules).
    with django_assert_max_num_queries(19):
        dermatologist.get(url)
    grow(45)
    with django_assert_max_num_queries(18):
        assert dermatologist.get(url).status_code == 200


def test_front_desk_does_not_see_the_planning_button(front_desk: Client) -> None:
    concern = factories.SkinConcernFactory()
    page = html(front_desk.get(reverse("patient-detail", args=[concern.patient.public_id])))
    assert "Plan a series" not in page


def test_a_dermatologist_records_a_concern_and_bad_grades_are_explained(
    dermatologist: Client,
) -> None:
    patient = factories.PatientFactory()
    url = reverse("concern-create", args=[patient.public_id])
    melasma = Indication.objects.get(slug="melasma")
    from evidence.models import GradingScale

    mmasi = GradingScale.objects.get(code="S10")
    response = dermatologist.post(
        url,
        {
            "indication": melasma.pk,
            "body_area": "face",
            "grading_scale": mmasi.pk,
            "baseline_score": "40",  # a numeric scale's score is typed
        },
    )
    assert "goes up to 24" in html(response)
    assert not SkinConcern.objects.exists()
    dermatologist.post(
        url,
        {
            "indication": melasma.pk,
            "body_area": "face",
            "grading_scale": mmasi.pk,
            "baseline_score": "12",
        },
    )
    assert SkinConcern.objects.get().baseline_grade == "12"


def test_front_desk_cannot_record_concerns(front_desk: Client) -> None:
    patient = factories.PatientFactory()
    assert front_desk.get(reverse("concern-create", args=[patient.public_id])).status_code == 403


# --- Planning flow ---------------------------------------------------------------------------


@pytest.fixture
def concern(clinic_open: None) -> SkinConcern:
    return factories.SkinConcernFactory(indication=Indication.objects.get(slug="wrinkles"))


def urls(concern: SkinConcern) -> dict[str, str]:
    args = [concern.patient.public_id, concern.public_id]
    return {
        step: reverse(f"plan-{step}", args=args) for step in ("parameters", "screening", "confirm")
    }


PARAMS = {
    "sessions": 4,
    "interval_days": 30,
    "depth_mm": "1.0",
    "start_date": "2027-03-01",
    "departure_reason": "",
}


def screening_post(answers: dict[str, bool], **extra: str) -> dict[str, str]:
    return {**{f"rule_{code}": "yes" if yes else "no" for code, yes in answers.items()}, **extra}


def test_a_dermatologist_plans_a_series_step_by_step(
    dermatologist: Client, concern: SkinConcern
) -> None:
    step = urls(concern)
    page = html(dermatologist.get(step["parameters"]))
    assert "IND-01" in page and "IND-02" in page and "Ablon 2018" in page
    assert "needs clinician review" in page
    ind01 = concern.indication.protocols.get(code="IND-01")
    response = dermatologist.post(step["parameters"], {**PARAMS, "protocol": ind01.pk})
    assert response["Location"] == step["screening"]
    page = html(dermatologist.get(step["screening"]))
    assert "C01" in page and "C18" not in page  # RF-only rule left out of a plain MN plan
    response = dermatologist.post(step["screening"], screening_post(all_no()))
    assert response["Location"] == step["confirm"]
    page = html(dermatologist.get(step["confirm"]))
    assert "Monday 01 March 2027" in page and "Monday 31 May 2027" in page
    assert not TreatmentPlan.objects.exists()  # nothing saved before confirming
    response = dermatologist.post(step["confirm"])
    plan = TreatmentPlan.objects.get()
    assert response["Location"] == reverse("plan-detail", args=[plan.public_id])
    assert plan.sessions.count() == 4
    page = html(dermatologist.get(response["Location"]))
    assert "Ablon 2018" in page and "Before the plan" in page


def test_an_absolute_contraindication_blocks_with_rule_action_and_citation(
    dermatologist: Client, concern: SkinConcern
) -> None:
    step = urls(concern)
    ind01 = concern.indication.protocols.get(code="IND-01")
    dermatologist.post(step["parameters"], {**PARAMS, "protocol": ind01.pk})
    response = dermatologist.post(step["screening"], screening_post({**all_no(), "C13": True}))
    page = html(response)
    assert response.status_code == 409
    assert "This plan cannot go ahead" in page
    assert "C13" in page and "biopsy" in page.lower()
    assert not (TreatmentPlan.objects.exists() or Screening.objects.exists())


def test_unanswered_questions_and_missing_overrides_are_explained(
    dermatologist: Client, concern: SkinConcern
) -> None:
    step = urls(concern)
    ind01 = concern.indication.protocols.get(code="IND-01")
    dermatologist.post(step["parameters"], {**PARAMS, "protocol": ind01.pk})
    answers = all_no()
    del answers["C02"]
    assert "Answer this question." in html(
        dermatologist.post(step["screening"], screening_post(answers))
    )
    page = html(dermatologist.post(step["screening"], screening_post({**all_no(), "C07": True})))
    assert "needs a dermatologist&#x27;s override: write the reason" in page


def test_departing_from_the_protocol_needs_a_reason_and_hard_limits_hold(
    dermatologist: Client, concern: SkinConcern
) -> None:
    step = urls(concern)
    ind01 = concern.indication.protocols.get(code="IND-01")
    page = html(
        dermatologist.post(step["parameters"], {**PARAMS, "protocol": ind01.pk, "sessions": 9})
    )
    assert "Write why this plan departs from the protocol" in page
    page = html(
        dermatologist.post(
            step["parameters"],
            {**PARAMS, "protocol": ind01.pk, "interval_days": 5, "departure_reason": "x"},
        )
    )
    assert "greater than or equal to 7" in page
    page = html(
        dermatologist.post(
            step["parameters"], {**PARAMS, "protocol": ind01.pk, "start_date": "2027-02-31"}
        )
    )
    assert "Enter a valid date." in page


def test_front_desk_cannot_plan(front_desk: Client, concern: SkinConcern) -> None:
    for url in urls(concern).values():
        assert front_desk.get(url).status_code == 403


def test_another_patients_concern_is_not_found(dermatologist: Client, concern: SkinConcern) -> None:
    other = factories.PatientFactory()
    url = reverse("plan-parameters", args=[other.public_id, concern.public_id])
    assert dermatologist.get(url).status_code == 404


def test_skipping_ahead_returns_to_the_first_step(
    dermatologist: Client, concern: SkinConcern
) -> None:
    step = urls(concern)
    assert dermatologist.get(step["confirm"])["Location"] == step["parameters"]
    assert not TreatmentSession.objects.exists()


# --- Evidence browser ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [
        ("evidence-indications", []),
        ("evidence-indication", ["wrinkles"]),
        ("evidence-protocol", ["IND-01"]),
        ("evidence-rules", []),
        ("evidence-studies", []),
        ("evidence-study", ["ablon-2018"]),
    ],
)
def test_every_role_reads_the_evidence_pages(
    front_desk: Client, name: str, args: list[str], django_assert_max_num_queries: Callable
) -> None:
    with django_assert_max_num_queries(16):
        response = front_desk.get(reverse(name, args=args))
    assert response.status_code == 200


def test_a_study_page_lists_what_cites_it(front_desk: Client) -> None:
    page = html(front_desk.get(reverse("evidence-study", args=["ablon-2018"])))
    assert "Protocol" in page and "IND-01" in page and "Finding for" in page


def test_the_rules_page_shows_the_keloid_exception(front_desk: Client) -> None:
    page = html(front_desk.get(reverse("evidence-rules")))
    assert "Exception for" in page and "Keloids" in page


def test_evidence_pages_keep_their_query_count_as_studies_grow(
    front_desk: Client, django_assert_max_num_queries: Callable
) -> None:
    indication = Indication.objects.get(slug="wrinkles")
    for _ in range(5):
        factories.FindingFactory(indication=indication)
    url = reverse("evidence-indication", args=["wrinkles"])
    with django_assert_max_num_queries(13):
        front_desk.get(url)
    for _ in range(45):
        factories.FindingFactory(indication=indication)
    with django_assert_max_num_queries(13):
        front_desk.get(url)


def test_the_patient_page_says_when_a_screening_expires(
    dermatologist: Persona, time_machine: time_machine.TimeMachineFixture
) -> None:
    plan = factories.TreatmentPlanFactory()
    factories.ScreeningFactory(plan=plan)  # performed "now": 24 Feb 2027
    url = reverse("patient-detail", args=[plan.patient.public_id])
    page = html(dermatologist.get(url))
    assert "25 Mar 2027" in page and "expired" not in page
    time_machine.move_to(dt.datetime(2027, 4, 1, 9, tzinfo=dt.UTC), tick=False)
    dermatologist.force_login(dermatologist.user)  # the old login session has expired too
    assert "expired: re-screen" in html(dermatologist.get(url))


def test_the_plan_page_runs_a_fixed_number_of_queries(
    dermatologist: Client, django_assert_max_num_queries: Callable
) -> None:
    plan = factories.TreatmentPlanFactory(planned_sessions=60)
    numbers = iter(range(1, 61))

    def grow(n: int) -> None:
        for _ in range(n):
            factories.BookedSessionFactory(plan=plan, number=next(numbers))
            factories.ScreeningAnswerFactory(
                screening=factories.ScreeningFactory(plan=plan), answer=True
            )

    grow(5)
    url = reverse("plan-detail", args=[plan.public_id])
    with django_assert_max_num_queries(13):
        assert dermatologist.get(url).status_code == 200
    grow(45)
    with django_assert_max_num_queries(13):
        page = html(dermatologist.get(url))
    assert page.count("Yes to:") == 50


@pytest.mark.parametrize("name", ["evidence-studies", "evidence-rules", "evidence-indications"])
def test_evidence_lists_keep_their_query_count_as_the_base_grows(
    front_desk: Client, name: str, django_assert_max_num_queries: Callable
) -> None:
    for _ in range(5):
        factories.ContraindicationRuleFactory(study=factories.FindingFactory().study)
    with django_assert_max_num_queries(9):
        front_desk.get(reverse(name))
    for _ in range(45):
        factories.ContraindicationRuleFactory(study=factories.FindingFactory().study)
    with django_assert_max_num_queries(9):
        front_desk.get(reverse(name))


def test_a_stale_draft_is_discarded_with_a_message_not_a_crash(
    dermatologist: Client,
    concern: SkinConcern,
    time_machine: time_machine.TimeMachineFixture,
    settings: Settings,
) -> None:
    # A browser left open overnight and still logged in.
    settings.SESSION_IDLE_MINUTES = settings.SESSION_COOKIE_AGE = 48 * 3600
    step = urls(concern)
    ind01 = concern.indication.protocols.get(code="IND-01")
    dermatologist.post(
        step["parameters"], {**PARAMS, "protocol": ind01.pk, "start_date": "2027-02-24"}
    )
    time_machine.move_to(dt.datetime(2027, 2, 25, 9, tzinfo=dt.UTC), tick=False)
    response = dermatologist.get(step["screening"], follow=True)
    assert response.redirect_chain[-1][0] == step["parameters"]
    assert "The plan draft was discarded: The first session cannot be in the past." in html(
        response
    )


def test_answers_from_another_day_must_be_given_again(
    dermatologist: Client,
    concern: SkinConcern,
    time_machine: time_machine.TimeMachineFixture,
    settings: Settings,
) -> None:
    # A browser left open overnight and still logged in.
    settings.SESSION_IDLE_MINUTES = settings.SESSION_COOKIE_AGE = 48 * 3600
    step = urls(concern)
    ind01 = concern.indication.protocols.get(code="IND-01")
    dermatologist.post(step["parameters"], {**PARAMS, "protocol": ind01.pk})
    dermatologist.post(step["screening"], screening_post(all_no()))
    time_machine.move_to(dt.datetime(2027, 2, 25, 9, tzinfo=dt.UTC), tick=False)
    assert dermatologist.get(step["confirm"])["Location"] == step["screening"]
    assert dermatologist.post(step["confirm"])["Location"] == step["screening"]
    assert not TreatmentPlan.objects.exists()


def test_a_clinic_admin_without_a_dermatologist_record_is_not_offered_planning(
    clinic_admin: Client, concern: SkinConcern
) -> None:
    page = html(clinic_admin.get(reverse("patient-detail", args=[concern.patient.public_id])))
    assert "Plan a series" not in page
    assert clinic_admin.get(urls(concern)["parameters"]).status_code == 403
