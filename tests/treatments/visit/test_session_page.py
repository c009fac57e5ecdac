"""A session's record read back on its own page, corrected only by amendments with a reason;
the record form showing every problem on one submit and the scale's grades as choices."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from clinic.errors import Conflict, InvalidInput, NotAllowed
from evidence.models import GradingScale
from patients.models import AccessedPatient
from tests.api_helpers import assert_error, post
from tests.conftest import Persona, all_no
from tests.treatments.series import at
from treatments.models import SessionAmendment, TreatmentSession
from treatments.rules import record as record_rules
from treatments.visit import services as visit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]

RECORD = {
    "depth_used_mm": "1.25",
    "area": "face",
    "device": "Dermapen 4",
    "needle_cartridge": "16-pin nano",
    "cartridge_lot": "LOT-2027-0301",
    "anaesthetic_applied_at": "2027-03-01T09:20",
    "pain_score": "3",
    "adverse_events": "Pinpoint bleeding, settled in minutes",
    "notes": "Tolerated well; continue at this depth",
    "outcome_grade": "3",
}


@pytest.fixture
def graded(booked_today: TreatmentSession) -> TreatmentSession:
    """Rosa's wrinkles graded on the Lemperle scale (named grades 0–5)."""
    concern = booked_today.plan.concern
    concern.grading_scale = GradingScale.objects.get(code="S06")
    concern.baseline_grade = "4"
    concern.save()
    return TreatmentSession.objects.get(pk=booked_today.pk)


@pytest.fixture
def checked_in(front_desk: Persona, dermatologist: Persona, graded: TreatmentSession) -> Any:
    dermatologist.force_login(dermatologist.user)  # the clock moved past the idle logout
    front_desk.force_login(front_desk.user)
    visit.session_check_in(acting_user=front_desk.user, session=graded, changed=False)
    return graded


@pytest.fixture
def recorded(dermatologist: Persona, checked_in: TreatmentSession) -> TreatmentSession:
    return visit.session_record(
        acting_user=dermatologist.user,
        session=checked_in,
        depth_used_mm=Decimal("1.25"),
        area="face",
        device="Dermapen 4",
        needle_cartridge="16-pin nano",
        cartridge_lot="LOT-2027-0301",
        pain_score=3,
        notes="Tolerated well",
        outcome_grade="3",
    )


def page_of(session: TreatmentSession) -> str:
    return reverse("session-detail", args=[session.public_id])


def text(response: Any) -> str:
    """The page's words, tags removed and spaces folded: what a reader sees."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- Recorded, then read back ------------------------------------------------------------------


def test_what_is_recorded_on_the_record_page_is_read_back_on_the_session_page(
    dermatologist: Persona, checked_in: TreatmentSession
) -> None:
    response = dermatologist.post(
        reverse("session-record", args=[checked_in.public_id]), RECORD, follow=True
    )
    assert response.redirect_chain[-1][0] == page_of(checked_in)
    shown = text(response)
    for expected in (
        "Depth used 1.25 mm",
        "Area Face",
        "Device Dermapen 4",
        "Needle cartridge 16-pin nano",
        "Cartridge lot LOT-2027-0301",
        "Anaesthetic applied 01 Mar 2027 09:20",
        "Pain 3 of 10",
        "Outcome Grade 3 (Lemperle wrinkle assessment scale)",
        "Pinpoint bleeding, settled in minutes",
        "Tolerated well; continue at this depth",
        f"Recorded by {dermatologist.user.get_full_name()}, 01 Mar 2027 09:25",
        "Completed",
        "Screening Clear",
    ):
        assert expected in shown, expected
    saved = TreatmentSession.objects.get(pk=checked_in.pk)
    assert (saved.needle_cartridge, saved.cartridge_lot) == ("16-pin nano", "LOT-2027-0301")


def test_the_front_desk_sees_the_booking_and_screening_but_not_the_record(
    front_desk: Persona, recorded: TreatmentSession
) -> None:
    response = front_desk.get(page_of(recorded))
    assert response.status_code == 200
    shown = text(response)
    assert "Completed" in shown and "Screening Clear" in shown
    assert str(recorded.practitioner) in shown and str(recorded.room) in shown
    for clinical in ("1.25 mm", "Dermapen", "16-pin", "LOT-2027", "Tolerated", "Recorded by"):
        assert clinical not in shown, clinical
    html = response.content.decode()
    assert 'id="record-heading"' not in html and 'name="reason"' not in html  # nor the form


def test_the_session_page_is_on_the_access_log(
    front_desk: Persona, recorded: TreatmentSession
) -> None:
    front_desk.get(page_of(recorded))
    assert AccessedPatient.objects.filter(patient=recorded.plan.patient).count() == 1


def test_the_plan_patient_and_todays_pages_link_to_the_session(
    front_desk: Persona, recorded: TreatmentSession
) -> None:
    link = f'href="{page_of(recorded)}"'
    plan, patient, room = recorded.plan, recorded.plan.patient, recorded.room
    assert room is not None
    for url in (
        reverse("plan-detail", args=[plan.public_id]),
        reverse("patient-detail", args=[patient.public_id]),
        reverse("today"),
        reverse("calendar", args=["rooms", room.public_id]) + "?date=2027-03-01",
    ):
        assert link in front_desk.get(url).content.decode(), url


# --- The record form -----------------------------------------------------------------------------


def test_the_outcome_grade_is_a_choice_of_the_concerns_scale(
    dermatologist: Persona, checked_in: TreatmentSession
) -> None:
    html = dermatologist.get(reverse("session-record", args=[checked_in.public_id])).content
    select = re.search(r'<select name="outcome_grade".*?</select>', html.decode(), re.S)
    assert select is not None
    assert re.findall(r'value="([^"]*)"', select.group()) == ["", "0", "1", "2", "3", "4", "5"]
    assert ">Grade 5 (most severe)<" in select.group()


def test_the_record_form_shows_every_problem_on_one_submit_and_saves_nothing(
    dermatologist: Persona, front_desk: Persona, graded: TreatmentSession
) -> None:
    dermatologist.force_login(dermatologist.user)
    visit.session_check_in(
        acting_user=front_desk.user, session=graded, changed=True, answers={**all_no(), "C04": True}
    )
    response = dermatologist.post(
        reverse("session-record", args=[graded.public_id]),
        {
            **RECORD,
            "depth_used_mm": "",
            "anaesthetic_applied_at": "2027-02-28T09:20",
            "pain_score": "11",
            "outcome_grade": "9",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {
        "depth_used_mm",
        "anaesthetic_applied_at",
        "pain_score",
        "outcome_grade",
        "override_reason",
    }
    assert TreatmentSession.objects.get(pk=graded.pk).status == TreatmentSession.Status.CHECKED_IN


def test_the_api_refuses_a_grade_off_the_scale_with_every_other_problem(
    dermatologist: Persona, checked_in: TreatmentSession
) -> None:
    response = post(
        dermatologist,
        f"/api/sessions/{checked_in.public_id}/record/",
        {"depth_used_mm": "3.5", "outcome_grade": "Moderate"},
    )
    body = assert_error(response, 400, "invalid", "outcome_grade", "depth_used_mm")
    assert "choose one of 0, 1, 2, 3, 4, 5" in body["fields"]["outcome_grade"][0]
    assert TreatmentSession.objects.get(pk=checked_in.pk).status == "checked_in"


def test_a_completed_sessions_record_page_sends_the_user_to_the_session_page(
    dermatologist: Persona, recorded: TreatmentSession
) -> None:
    url = reverse("session-record", args=[recorded.public_id])
    assert dermatologist.get(url)["Location"] == page_of(recorded)
    response = dermatologist.post(url, {**RECORD, "depth_used_mm": "2.0"})
    assert response["Location"] == page_of(recorded)
    assert TreatmentSession.objects.get(pk=recorded.pk).depth_used_mm == Decimal("1.25")


# --- Amendments ---------------------------------------------------------------------------------


def amend_form(dermatologist: Persona, session: TreatmentSession) -> dict[str, str]:
    """The amend form as the page renders it: the record's current values."""
    form = dermatologist.get(page_of(session)).context["form"]
    return {
        name: "" if value is None else str(value)
        for name, value in ((f.html_name, f.value()) for f in form)
    } | {"anaesthetic_applied_at": ""}


def test_an_amendment_keeps_the_reason_and_each_fields_old_and_new_value(
    dermatologist: Persona, recorded: TreatmentSession
) -> None:
    values = amend_form(dermatologist, recorded)
    response = dermatologist.post(
        page_of(recorded),
        values
        | {"depth_used_mm": "1.5", "outcome_grade": "2", "reason": "Misread the dial and grade."},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == page_of(recorded)
    amendment = SessionAmendment.objects.get(session=recorded)
    assert amendment.amended_by == dermatologist.user
    assert amendment.reason == "Misread the dial and grade."
    assert amendment.changes == [
        {"field": "depth_used_mm", "old": "1.25", "new": "1.50"},
        {"field": "outcome_grade", "old": "3", "new": "2"},
    ]
    saved = TreatmentSession.objects.get(pk=recorded.pk)
    assert (saved.depth_used_mm, saved.outcome_grade) == (Decimal("1.5"), "2")
    shown = text(response)
    assert "Misread the dial and grade." in shown
    assert "Depth used 1.25 mm 1.5 mm" in shown  # field, was, now
    assert "Outcome Grade 3 (Lemperle wrinkle assessment scale) Grade 2 (Lemperle" in shown


def test_amendments_are_listed_in_order(
    dermatologist: Persona, recorded: TreatmentSession, time_machine: Any
) -> None:
    for minutes, depth in ((30, Decimal("1.5")), (45, Decimal("1.0"))):
        time_machine.move_to(at("2027-03-01", "10:00") + dt.timedelta(minutes=minutes))
        visit.session_amend(
            acting_user=dermatologist.user,
            session=recorded,
            reason=f"Correction at {minutes} minutes",
            depth_used_mm=depth,
        )
    dermatologist.force_login(dermatologist.user)
    shown = text(dermatologist.get(page_of(recorded)))
    assert shown.index("Correction at 30 minutes") < shown.index("Correction at 45 minutes")
    assert "1.25 mm 1.5 mm" in shown and "1.5 mm 1 mm" in shown


def test_a_refused_amendment_shows_every_problem_and_changes_nothing(
    dermatologist: Persona, recorded: TreatmentSession
) -> None:
    values = amend_form(dermatologist, recorded)
    response = dermatologist.post(
        page_of(recorded), values | {"depth_used_mm": "3.5", "pain_score": "12", "reason": " "}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"depth_used_mm", "pain_score", "reason"}
    assert not SessionAmendment.objects.exists()
    assert TreatmentSession.objects.get(pk=recorded.pk).depth_used_mm == Decimal("1.25")
    # The page shows the record as saved, not the refused values.
    assert "Depth used 1.25 mm" in text(response)


def test_an_amendment_that_changes_nothing_is_refused(
    dermatologist: Persona, recorded: TreatmentSession
) -> None:
    values = amend_form(dermatologist, recorded)
    response = dermatologist.post(page_of(recorded), values | {"reason": "Checking again."})
    assert record_rules.NOTHING_CHANGED in response.context["form"].non_field_errors()
    assert not SessionAmendment.objects.exists()


def test_the_front_desk_cannot_amend(front_desk: Persona, recorded: TreatmentSession) -> None:
    response = front_desk.post(page_of(recorded), {"depth_used_mm": "2.0", "reason": "Typo fix"})
    assert response.status_code == 403
    with pytest.raises(NotAllowed):
        visit.session_amend(
            acting_user=front_desk.user, session=recorded, reason="Typo fix", depth_used_mm=None
        )
    assert not SessionAmendment.objects.exists()


def test_only_a_completed_record_is_amended(
    dermatologist: Persona, checked_in: TreatmentSession
) -> None:
    with pytest.raises(Conflict, match="Only a completed"):
        visit.session_amend(
            acting_user=dermatologist.user,
            session=checked_in,
            reason="Too early",
            depth_used_mm=Decimal("1.0"),
        )


def test_an_amendment_is_validated_as_the_record_is(
    dermatologist: Persona, recorded: TreatmentSession
) -> None:
    with pytest.raises(InvalidInput) as error:
        visit.session_amend(
            acting_user=dermatologist.user,
            session=recorded,
            reason="Graded on the wrong scale",
            outcome_grade="7",
            anaesthetic_applied_at=at("2027-03-02", "09:00"),
        )
    assert set(error.value.fields) == {"outcome_grade", "anaesthetic_applied_at"}
    assert not SessionAmendment.objects.exists()


# --- The API --------------------------------------------------------------------------------------


def test_the_api_amends_and_the_sessions_detail_lists_its_amendments_for_clinicians(
    dermatologist: Persona, front_desk: Persona, recorded: TreatmentSession
) -> None:
    url = f"/api/sessions/{recorded.public_id}/"
    response = post(
        dermatologist,
        url + "amend/",
        {"cartridge_lot": "LOT-2027-0302", "reason": "Lot number from the second pack."},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cartridge_lot"] == "LOT-2027-0302"
    assert body["amendments"] == [
        {
            "amended_by": dermatologist.user.get_username(),
            "amended_at": body["amendments"][0]["amended_at"],
            "reason": "Lot number from the second pack.",
            "changes": [{"field": "cartridge_lot", "old": "LOT-2027-0301", "new": "LOT-2027-0302"}],
        }
    ]
    assert dermatologist.get(url).json()["amendments"] == body["amendments"]
    desk = front_desk.get(url).json()
    assert "amendments" not in desk and "cartridge_lot" not in desk
    assert (
        "amendments" not in dermatologist.get("/api/sessions/?day=2027-03-01").json()["results"][0]
    )


def test_the_api_refuses_an_amendment_whole(
    dermatologist: Persona, recorded: TreatmentSession, checked_in: TreatmentSession
) -> None:
    url = f"/api/sessions/{recorded.public_id}/amend/"
    assert_error(post(dermatologist, url, {"depth_used_mm": "1.5"}), 400, "invalid", "reason")
    body = assert_error(
        post(dermatologist, url, {"depth_used_mm": "4.0", "outcome_grade": "x", "reason": "ok"}),
        400,
        "invalid",
        "depth_used_mm",
        "outcome_grade",
        "reason",
    )
    assert body["fields"]["reason"] == [record_rules.REASON_REQUIRED]
    assert_error(post(dermatologist, url, {"reason": "Nothing, really."}), 400, "invalid")
    assert_error(
        post(dermatologist, url, {"override_reason": "x", "reason": "Why not"}), 400, "invalid"
    )
    assert not SessionAmendment.objects.exists()
    assert TreatmentSession.objects.get(pk=recorded.pk).depth_used_mm == Decimal("1.25")


def test_the_api_refuses_to_amend_a_session_not_yet_recorded(
    dermatologist: Persona, checked_in: TreatmentSession
) -> None:
    response = post(
        dermatologist,
        f"/api/sessions/{checked_in.public_id}/amend/",
        {"depth_used_mm": "1.5", "reason": "Too early to amend"},
    )
    assert_error(response, 409, "conflict")


# --- Fixed queries --------------------------------------------------------------------------------


#: Login and permissions, the session with its plan, patient, concern, scale, practitioner and
#: room, its screening and who screened, who recorded, the amendments with their authors (one
#: query however many), and the access log's two INSERTs. The front desk's page reads neither
#: the record's author nor the amendments.
#: The session's screenings come with who screened and who overrode (one query, joined).
SESSION_PAGE_QUERIES = {"dermatologist": 12, "front_desk": 9}


@pytest.mark.parametrize("role", ["dermatologist", "front_desk"])
def test_the_session_page_runs_the_same_queries_for_one_amendment_and_many(
    request: pytest.FixtureRequest,
    recorded: TreatmentSession,
    dermatologist: Persona,
    django_assert_num_queries: Any,
    role: str,
) -> None:
    client: Persona = request.getfixturevalue(role)
    client.force_login(client.user)
    client.get(page_of(recorded))  # reads the clinic's identity into the cache, once
    for n in range(1, 9):
        visit.session_amend(
            acting_user=dermatologist.user,
            session=recorded,
            reason=f"Correction {n}",
            notes=f"Note {n}",
        )
        if n in (1, 8):
            with django_assert_num_queries(SESSION_PAGE_QUERIES[role]):
                assert client.get(page_of(recorded)).status_code == 200
