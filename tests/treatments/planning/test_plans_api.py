"""/api/plans/ and /api/screenings/: plan with screening, preview, re-screen, override."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client

from evidence.models import Indication
from tests import factories
from tests.api_helpers import assert_error, post
from tests.conftest import Persona, all_no
from treatments.models import Screening, TreatmentPlan, TreatmentSession

pytestmark = pytest.mark.django_db
URL = "/api/plans/"


@pytest.fixture(autouse=True)
def today(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2027, 2, 24, 9, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def concern(clinic_open: None) -> factories.SkinConcern:
    return factories.SkinConcernFactory(indication=Indication.objects.get(slug="wrinkles"))


def request_for(of: factories.SkinConcern, **changes: object) -> dict:
    return {
        "concern": str(of.public_id),
        "protocol": "IND-01",
        "sessions": 4,
        "interval_days": 30,
        "depth_mm": "1.0",
        "start_date": "2027-03-01",
        "answers": all_no(),
        **changes,
    }


def nothing_saved() -> bool:
    return not (
        TreatmentPlan.objects.exists()
        or Screening.objects.exists()
        or TreatmentSession.objects.exists()
    )


def test_a_dermatologist_plans_a_wrinkles_series(dermatologist: Client, concern) -> None:
    response = post(dermatologist, URL, request_for(concern))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "active"
    assert body["protocol"] == "IND-01"
    assert body["study"]["citation"] == "Ablon 2018"
    assert [s["target_date"] for s in body["sessions"]] == [
        "2027-03-01",
        "2027-03-31",
        "2027-04-30",
        "2027-05-31",
    ]
    assert body["patient"] == str(concern.patient.public_id)


def test_an_absolute_contraindication_is_a_409_naming_the_rule_and_saves_nothing(
    dermatologist: Client, concern
) -> None:
    response = post(dermatologist, URL, request_for(concern, answers={**all_no(), "C06": True}))
    body = assert_error(response, 409, "contraindication_blocked")
    rule = body["rules"][0]
    assert rule["code"] == "C06"
    assert rule["severity"] == "absolute"
    assert "refer" in rule["action"].lower()
    assert rule["study"]
    assert nothing_saved()


def test_a_relative_contraindication_without_override_is_a_409(
    dermatologist: Client, concern
) -> None:
    response = post(dermatologist, URL, request_for(concern, answers={**all_no(), "C10": True}))
    assert_error(response, 409, "override_required")
    assert nothing_saved()
    response = post(
        dermatologist,
        URL,
        request_for(
            concern, answers={**all_no(), "C10": True}, override_reason="Cleared by oncologist."
        ),
    )
    assert response.status_code == 201


def test_front_desk_cannot_plan(front_desk: Client, concern) -> None:
    assert_error(post(front_desk, URL, request_for(concern)), 403, "permission_denied")
    assert nothing_saved()


def test_another_patients_concern_is_refused(dermatologist: Client, concern) -> None:
    other = factories.PatientFactory()
    response = post(dermatologist, URL, request_for(concern, patient=str(other.public_id)))
    assert_error(response, 400, "invalid", "concern")
    assert nothing_saved()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_date": "2027-02-30"}, "start_date"),
        ({"start_date": "9999-12-31"}, "start_date"),
        ({"protocol": "IND-99"}, "protocol"),
        ({"interval_days": 3}, "interval_days"),
        ({"depth_mm": "9.99"}, "depth_mm"),
        ({"depth_mm": "lots"}, "depth_mm"),
        ({"sessions": -1}, "sessions"),
        ({"concern": "00000000-0000-0000-0000-000000000000"}, "concern"),
        ({"concern": "nope"}, "concern"),
        ({"answers": {"C01": "maybe"}}, "answers"),
        ({"answers": {"C01": False}}, "answers"),
        ({"sessions": 9}, "departure_reason"),
    ],
)
def test_bad_plan_requests_are_400_with_the_field_named(
    dermatologist: Client, concern, changes: dict, field: str
) -> None:
    assert_error(post(dermatologist, URL, request_for(concern, **changes)), 400, "invalid", field)
    assert nothing_saved()


def test_wrong_content_type_is_refused(dermatologist: Client, concern) -> None:
    response = dermatologist.post(URL, data="<xml/>", content_type="application/xml")
    assert response.status_code == 415
    assert nothing_saved()


def test_preview_shows_dates_and_questions_and_saves_nothing(
    dermatologist: Client, concern
) -> None:
    data = request_for(concern, sessions=8, departure_reason="")
    del data["answers"]
    body = post(dermatologist, f"{URL}preview/", {**data, "departure_reason": "why not"}).json()
    assert len(body["dates"]) == 8
    assert body["departures"] == ["8 sessions is outside the protocol's 2–6."]
    codes = [q["code"] for q in body["questions"]]
    assert "C01" in codes and "C18" not in codes
    assert nothing_saved()


def test_plans_list_runs_a_fixed_number_of_queries(
    dermatologist: Client, django_assert_max_num_queries: Callable
) -> None:
    factories.TreatmentPlanFactory.create_batch(5)
    with django_assert_max_num_queries(9):  # two write the access log
        assert dermatologist.get(URL).json()["count"] == 5
    factories.TreatmentPlanFactory.create_batch(45)
    with django_assert_max_num_queries(9):  # two write the access log
        assert dermatologist.get(URL).json()["count"] == 50


def test_plans_are_filtered_by_patient(dermatologist: Client) -> None:
    plan = factories.TreatmentPlanFactory()
    factories.TreatmentPlanFactory()
    body = dermatologist.get(URL, {"patient": str(plan.patient.public_id)}).json()
    assert [p["id"] for p in body["results"]] == [str(plan.public_id)]
    assert_error(dermatologist.get(URL, {"patient": "x"}), 404, "not_found")


@pytest.fixture
def planned(dermatologist: Client, concern) -> dict:
    return post(dermatologist, URL, request_for(concern)).json()


def test_front_desk_rescreens_before_a_session(front_desk: Client, planned: dict) -> None:
    session = planned["sessions"][1]["id"]
    response = post(front_desk, "/api/screenings/rescreen/", {"session": session, "changed": False})
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "pre_session"
    assert response.json()["result"] == "clear"


def test_a_pending_override_is_given_by_a_dermatologist_only(
    front_desk: Client, dermatologist: Client, planned: dict
) -> None:
    screening = post(
        front_desk,
        "/api/screenings/rescreen/",
        {
            "session": planned["sessions"][1]["id"],
            "changed": True,
            "answers": {**all_no(), "C03": True},
        },
    ).json()
    assert screening["result"] == "needs_override"
    url = f"/api/screenings/{screening['id']}/override/"
    assert_error(post(front_desk, url, {"reason": "ok"}), 403, "not_allowed")
    response = post(dermatologist, url, {"reason": "Valaciclovir prophylaxis started."})
    assert response.status_code == 200
    assert response.json()["override_reason"] == "Valaciclovir prophylaxis started."
    assert_error(post(dermatologist, url, {"reason": "again"}), 409, "conflict")


def test_screenings_list_runs_a_fixed_number_of_queries(
    dermatologist: Client, django_assert_max_num_queries: Callable
) -> None:
    for _ in range(5):
        factories.ScreeningAnswerFactory()
    with django_assert_max_num_queries(12):  # two write the access log
        assert dermatologist.get("/api/screenings/").json()["count"] == 5
    for _ in range(45):
        factories.ScreeningAnswerFactory()
    with django_assert_max_num_queries(12):
        assert dermatologist.get("/api/screenings/").json()["count"] == 50


def test_a_second_active_plan_for_the_same_concern_is_a_409(dermatologist: Client, concern) -> None:
    assert post(dermatologist, URL, request_for(concern)).status_code == 201
    assert_error(
        post(dermatologist, URL, request_for(concern, start_date="2027-03-03")), 409, "conflict"
    )
    assert TreatmentPlan.objects.count() == 1


def test_another_plan_on_the_same_area_keeps_the_7_day_floor(
    dermatologist: Client, concern
) -> None:
    post(dermatologist, URL, request_for(concern))
    scars = factories.SkinConcernFactory(
        patient=concern.patient,
        body_area=concern.body_area,
        indication=Indication.objects.get(slug="atrophic-acne-scars"),
    )
    body = assert_error(
        post(
            dermatologist,
            URL,
            request_for(
                scars,
                protocol="IND-03",
                sessions=3,
                interval_days=28,
                start_date="2027-03-04",
            ),
        ),
        409,
        "conflict",
    )
    assert "within 7 days of session 1 of IND-01" in body["detail"]


@pytest.mark.parametrize("answer", ["off", "0", 0, 1, "yes", None])
def test_screening_answers_must_be_true_or_false(
    dermatologist: Client, concern, answer: object
) -> None:
    assert_error(
        post(dermatologist, URL, request_for(concern, answers={**all_no(), "C01": answer})),
        400,
        "invalid",
        "answers",
    )
    assert nothing_saved()


def test_a_nested_field_error_reads_as_a_sentence(dermatologist: Client, concern) -> None:
    body = assert_error(
        post(dermatologist, URL, request_for(concern, answers={"C01": "x"})), 400, "invalid"
    )
    assert not body["detail"].startswith("{")


def test_an_invisible_departure_reason_is_no_reason(dermatologist: Client, concern) -> None:
    assert_error(
        post(
            dermatologist, URL, request_for(concern, sessions=9, departure_reason="\u200b \u200b")
        ),
        400,
        "invalid",
        "departure_reason",
    )


def test_rescreen_flags_must_be_acknowledged(
    front_desk: Client, dermatologist: Client, planned: dict
) -> None:
    session = planned["sessions"][1]["id"]
    answers = {**all_no(), "C26": True}
    body = assert_error(
        post(
            front_desk,
            "/api/screenings/rescreen/",
            {"session": session, "changed": True, "answers": answers},
        ),
        400,
        "invalid",
        "acknowledged",
    )
    assert "C26" in body["detail"]
    response = post(
        front_desk,
        "/api/screenings/rescreen/",
        {
            "session": session,
            "changed": True,
            "answers": answers,
            "acknowledged": ["C26"],
        },
    )
    assert response.status_code == 201
    # The answers are clinical: the front desk records them but reads back only the result.
    assert "answers" not in response.json() and response.json()["result"]
    saved = dermatologist.get(f"/api/screenings/{response.json()['id']}/").json()
    c26 = next(a for a in saved["answers"] if a["rule"] == "C26")
    assert c26["acknowledged"] and c26["severity"] == "flag" and c26["action"]


def test_an_expired_screening_is_not_carried_over(
    front_desk: Persona, planned: dict, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(dt.datetime(2027, 3, 30, 9, tzinfo=dt.UTC), tick=False)
    front_desk.force_login(front_desk.user)
    body = assert_error(
        post(
            front_desk,
            "/api/screenings/rescreen/",
            {"session": planned["sessions"][1]["id"], "changed": False},
        ),
        409,
        "conflict",
    )
    assert "has expired" in body["detail"]


def test_the_applied_severity_shows_the_keloid_exception(
    dermatologist: Client, clinic_open: None
) -> None:
    scar = factories.SkinConcernFactory(
        indication=Indication.objects.get(slug="hypertrophic-scars")
    )
    response = post(
        dermatologist,
        URL,
        {
            **request_for(scar, protocol="IND-05", sessions=3, interval_days=28),
            "answers": {**all_no(), "C09": True},
            "override_reason": "Scar is the indication.",
        },
    )
    assert response.status_code == 201, response.content
    screening = dermatologist.get("/api/screenings/").json()["results"][0]
    c09 = next(a for a in screening["answers"] if a["rule"] == "C09")
    assert c09["severity"] == "relative"
    assert "test spot" in c09["action"].lower()


def test_a_clinic_admin_without_a_dermatologist_record_cannot_plan(
    clinic_admin: Client, concern
) -> None:
    assert_error(post(clinic_admin, URL, request_for(concern)), 403, "not_allowed")
    data = request_for(concern)
    del data["answers"]
    assert_error(post(clinic_admin, f"{URL}preview/", data), 403, "not_allowed")


def test_an_inactive_concern_cannot_be_planned(dermatologist: Client, concern) -> None:
    SkinConcern = type(concern)
    SkinConcern.objects.filter(pk=concern.pk).update(status="resolved")
    assert_error(post(dermatologist, URL, request_for(concern)), 409, "conflict")
    assert nothing_saved()
