"""A session blocked at check-in is not the end of its series: it is re-screened once the
contraindication clears and booked again within the series' spacing, reopened by a
dermatologist's written override, or cancelled with a reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from clinic.errors import Conflict, InvalidInput, NotAllowed
from evidence.models import ContraindicationRule
from tests.api_helpers import assert_error, post
from tests.conftest import Persona, all_no
from tests.treatments.series import at, first
from treatments.booking import services as booking
from treatments.errors import ShiftsNeeded
from treatments.models import Screening, TreatmentPlan, TreatmentSession
from treatments.screening import services as screening_services
from treatments.screening.selectors import plan_screening_questions
from treatments.visit import services as visit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]

COLD_SORE = "C02"  # an active herpes simplex lesion in or near the area: absolute
RELATIVE = "C04"


def cold_sore_label() -> str:
    return ContraindicationRule.objects.get(code=COLD_SORE).label


@pytest.fixture
def blocked(front_desk: Persona, booked_today: TreatmentSession) -> TreatmentSession:
    """Session 1, blocked at check-in on Monday 1 March by an active cold sore."""
    result = visit.session_check_in(
        acting_user=front_desk.user,
        session=booked_today,
        changed=True,
        answers={**all_no(), COLD_SORE: True},
    )
    assert result.session.status == TreatmentSession.Status.BLOCKED
    return TreatmentSession.objects.get(pk=booked_today.pk)


@pytest.fixture
def a_week_later(
    blocked: TreatmentSession,
    time_machine: time_machine.TimeMachineFixture,
    front_desk: Persona,
    dermatologist: Persona,
) -> TreatmentSession:
    """Monday 8 March, 08:00: the cold sore has healed."""
    time_machine.move_to(at("2027-03-08", "08:00"), tick=False)
    front_desk.force_login(front_desk.user)
    dermatologist.force_login(dermatologist.user)
    return blocked


def rescreen(user: Any, session: TreatmentSession, *yes: str, reason: str = "") -> Any:
    return visit.session_rescreen(
        acting_user=user,
        session=session,
        answers={**all_no(), **dict.fromkeys(yes, True)},
        override_reason=reason,
    )


def asked(session: TreatmentSession, *yes: str) -> dict[str, str]:
    """The re-screen page's answers: each question it asks, no except `yes`."""
    codes = [question.rule.code for question in plan_screening_questions(session.plan).asked]
    return {f"rule_{code}": "yes" if code in yes else "no" for code in codes}


def page(name: str, session: TreatmentSession) -> str:
    return reverse(name, args=[session.public_id])


# --- The services ----------------------------------------------------------------------------


def test_a_clear_rescreen_plans_the_session_again_from_today(
    front_desk: Persona, a_week_later: TreatmentSession
) -> None:
    result = rescreen(front_desk.user, a_week_later)
    assert result.reopened and result.still_blocked is None
    session = TreatmentSession.objects.get(pk=a_week_later.pk)
    assert session.status == TreatmentSession.Status.PLANNED
    assert (session.starts_at, session.practitioner, session.room) == (None, None, None)
    assert session.target_date == dt.date(2027, 3, 8)
    assert session.status_changed_by == front_desk.user
    # The block stays on record: the screening that found the cold sore, and the re-screen.
    assert list(
        Screening.objects.filter(session=session)
        .order_by("performed_at")
        .values_list("result", flat=True)
    ) == ["blocked", "clear"]


def test_a_reopened_session_is_booked_again_keeping_the_series_spacing(
    front_desk: Persona, a_week_later: TreatmentSession, practitioner: Any, room: Any
) -> None:
    rescreen(front_desk.user, a_week_later)
    session = first(a_week_later.plan)
    assert booking.session_availability(session=session, day=dt.date(2027, 3, 9))
    when = at("2027-03-09", "10:00")
    # Session 2 was due on 31 March, 30 days after the first target: now too soon after.
    with pytest.raises(ShiftsNeeded) as shifts:
        booking.session_book(
            acting_user=front_desk.user,
            session=session,
            starts_at=when,
            practitioner=practitioner,
            room=room,
        )
    assert [(s.number, s.new_date) for s in shifts.value.shifts][0] == (2, dt.date(2027, 4, 8))
    booked = booking.session_book(
        acting_user=front_desk.user,
        session=session,
        starts_at=when,
        practitioner=practitioner,
        room=room,
        shift_later=True,
    )
    assert booked.status == TreatmentSession.Status.BOOKED and booked.starts_at == when
    assert first(a_week_later.plan, 2).target_date == dt.date(2027, 4, 8)


def test_a_rescreen_that_still_finds_the_cold_sore_keeps_the_session_blocked(
    front_desk: Persona, a_week_later: TreatmentSession
) -> None:
    result = rescreen(front_desk.user, a_week_later, COLD_SORE)
    assert not result.reopened and "still stands" in (result.still_blocked or "")
    session = TreatmentSession.objects.get(pk=a_week_later.pk)
    assert session.status == TreatmentSession.Status.BLOCKED
    assert Screening.objects.filter(session=session).count() == 2  # on record all the same


def test_a_relative_contraindication_waits_for_the_dermatologists_override(
    front_desk: Persona, dermatologist: Persona, a_week_later: TreatmentSession
) -> None:
    result = rescreen(front_desk.user, a_week_later, RELATIVE)
    assert not result.reopened and "override" in (result.still_blocked or "")
    with pytest.raises(NotAllowed):
        visit.session_reopen(acting_user=front_desk.user, session=a_week_later, override_reason="x")
    with pytest.raises(InvalidInput, match="reason"):
        visit.session_reopen(acting_user=dermatologist.user, session=a_week_later)
    assert first(a_week_later.plan).status == TreatmentSession.Status.BLOCKED
    reopened = visit.session_reopen(
        acting_user=dermatologist.user,
        session=a_week_later,
        override_reason="Acne quiet; avoid active lesions.",
    )
    assert reopened.session.status == TreatmentSession.Status.PLANNED
    screening = Screening.objects.get(pk=result.screening.pk)
    assert screening.override_by == dermatologist.user
    assert screening.override_reason == "Acne quiet; avoid active lesions."


def test_a_dermatologist_overrides_while_rescreening_and_the_session_reopens(
    dermatologist: Persona, a_week_later: TreatmentSession
) -> None:
    result = rescreen(dermatologist.user, a_week_later, RELATIVE, reason="Benefit outweighs.")
    assert result.reopened
    assert result.screening.override_by == dermatologist.user


def test_a_front_desk_cannot_override_while_rescreening(
    front_desk: Persona, a_week_later: TreatmentSession
) -> None:
    with pytest.raises(NotAllowed):
        rescreen(front_desk.user, a_week_later, RELATIVE, reason="I think it is fine.")
    assert Screening.objects.filter(session=a_week_later).count() == 1


def test_a_blocked_session_is_cancelled_with_a_reason(
    front_desk: Persona, a_week_later: TreatmentSession
) -> None:
    with pytest.raises(InvalidInput):
        booking.session_cancel(acting_user=front_desk.user, session=a_week_later, reason=" ")
    cancelled = booking.session_cancel(
        acting_user=front_desk.user, session=a_week_later, reason="Patient stops the series"
    )
    assert cancelled.status == TreatmentSession.Status.CANCELLED
    assert cancelled.status_reason == "Patient stops the series"
    assert TreatmentPlan.objects.get(pk=a_week_later.plan_id).status == "active"  # 3 to go


def test_a_blocked_session_is_not_booked_checked_in_or_rescreened_the_old_way(
    front_desk: Persona, a_week_later: TreatmentSession, practitioner: Any, room: Any
) -> None:
    with pytest.raises(Conflict, match="only a planned session"):
        booking.session_book(
            acting_user=front_desk.user,
            session=a_week_later,
            starts_at=at("2027-03-09", "10:00"),
            practitioner=practitioner,
            room=room,
        )
    with pytest.raises(Conflict, match="its own page"):
        screening_services.screening_rescreen(
            acting_user=front_desk.user, session=a_week_later, changed=False
        )
    with pytest.raises(Conflict, match="cannot become checked in"):
        booking.change_status(a_week_later, TreatmentSession.Status.CHECKED_IN, front_desk.user)


def test_only_a_blocked_session_is_rescreened_to_reopen_it(
    front_desk: Persona, dermatologist: Persona, booked_today: TreatmentSession
) -> None:
    with pytest.raises(Conflict, match="Only a blocked session"):
        rescreen(front_desk.user, booked_today)
    with pytest.raises(Conflict, match="Only a blocked session"):
        visit.session_reopen(acting_user=dermatologist.user, session=booked_today)


# --- The pages -------------------------------------------------------------------------------


def test_the_session_page_says_what_blocked_it_who_and_when_and_offers_the_way_on(
    front_desk: Persona, blocked: TreatmentSession
) -> None:
    front_desk.force_login(front_desk.user)
    text = front_desk.get(page("session-detail", blocked)).content.decode()
    assert f"Contraindication at check-in: {cold_sore_label()}" in text
    name = front_desk.user.get_full_name() or front_desk.user.get_username()
    assert f"Found at check-in on 01 Mar 2027 09:25 by {name}" in text
    assert page("session-rescreen", blocked) in text
    assert page("session-cancel", blocked) in text
    assert page("session-reopen", blocked) not in text  # nothing awaits an override


def test_the_plan_page_shows_the_block_and_its_actions(
    front_desk: Persona, blocked: TreatmentSession
) -> None:
    front_desk.force_login(front_desk.user)
    text = front_desk.get(reverse("plan-detail", args=[blocked.plan.public_id])).content.decode()
    assert cold_sore_label() in text and "at check-in 01 Mar 2027 09:25" in text
    assert page("session-rescreen", blocked) in text
    assert page("session-cancel", blocked) in text


def test_the_rescreen_page_reopens_the_session_and_goes_on_to_booking(
    front_desk: Persona, a_week_later: TreatmentSession
) -> None:
    url = page("session-rescreen", a_week_later)
    shown = front_desk.get(url)
    assert shown.status_code == 200 and cold_sore_label() in shown.content.decode()
    refused = front_desk.post(url, {})  # nothing answered
    assert refused.status_code == 200 and "Answer this question." in refused.content.decode()
    assert first(a_week_later.plan).status == TreatmentSession.Status.BLOCKED
    response = front_desk.post(url, asked(a_week_later))
    assert response.status_code == 302 and response["Location"] == page(
        "session-book", a_week_later
    )
    assert first(a_week_later.plan).status == TreatmentSession.Status.PLANNED


def test_the_rescreen_page_keeps_a_still_blocked_session_blocked(
    front_desk: Persona, a_week_later: TreatmentSession
) -> None:
    response = front_desk.post(
        page("session-rescreen", a_week_later), asked(a_week_later, COLD_SORE), follow=True
    )
    assert "Still blocked." in response.content.decode()
    assert first(a_week_later.plan).status == TreatmentSession.Status.BLOCKED


def test_the_rescreen_page_of_a_session_not_blocked_sends_to_its_page(
    front_desk: Persona, booked_today: TreatmentSession
) -> None:
    front_desk.force_login(front_desk.user)
    response = front_desk.get(page("session-rescreen", booked_today))
    assert response.status_code == 302
    assert response["Location"] == page("session-detail", booked_today)


def test_the_dermatologist_overrides_on_the_session_page_and_it_says_who_when_why(
    front_desk: Persona, dermatologist: Persona, a_week_later: TreatmentSession
) -> None:
    rescreen(front_desk.user, a_week_later, RELATIVE)
    url = page("session-detail", a_week_later)
    text = dermatologist.get(url).content.decode()
    assert page("session-reopen", a_week_later) in text
    assert "Needs dermatologist override" in text  # it does, until given
    assert page("session-reopen", a_week_later) not in front_desk.get(url).content.decode()
    assert front_desk.post(page("session-reopen", a_week_later), {}).status_code == 403
    response = dermatologist.post(
        page("session-reopen", a_week_later),
        {"override_reason": "Acne quiet; avoid active lesions."},
        follow=True,
    )
    text = response.content.decode()
    assert "can be booked again" in text
    assert "Needs dermatologist override" not in text
    name = dermatologist.user.get_full_name() or dermatologist.user.get_username()
    assert f"Overridden by {name} on 08 Mar 2027 08:00" in text
    assert "Acne quiet; avoid active lesions." in text
    assert first(a_week_later.plan).status == TreatmentSession.Status.PLANNED


def test_an_override_without_a_reason_is_refused_on_the_page(
    front_desk: Persona, dermatologist: Persona, a_week_later: TreatmentSession
) -> None:
    rescreen(front_desk.user, a_week_later, RELATIVE)
    response = dermatologist.post(
        page("session-reopen", a_week_later), {"override_reason": " "}, follow=True
    )
    assert "Write the reason for the override." in response.content.decode()
    assert first(a_week_later.plan).status == TreatmentSession.Status.BLOCKED


# --- The API ---------------------------------------------------------------------------------


def api(session: TreatmentSession, action: str) -> str:
    return f"/api/sessions/{session.public_id}/{action}/"


def test_the_api_rescreens_a_blocked_session_and_it_can_be_booked(
    front_desk: Persona, a_week_later: TreatmentSession
) -> None:
    assert_error(post(front_desk, api(a_week_later, "rescreen"), {}), 400, "invalid", "answers")
    response = post(front_desk, api(a_week_later, "rescreen"), {"answers": all_no()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "planned" and body["reopened"] is True
    assert body["still_blocked"] == "" and body["screening_result"] == "clear"
    assert body["target_date"] == "2027-03-08"
    slots = front_desk.get(api(a_week_later, "availability") + "?day=2027-03-09")
    assert slots.status_code == 200 and slots.json()


def test_the_api_keeps_a_still_blocked_session_blocked(
    front_desk: Persona, a_week_later: TreatmentSession
) -> None:
    response = post(
        front_desk, api(a_week_later, "rescreen"), {"answers": {**all_no(), COLD_SORE: True}}
    )
    assert response.status_code == 200
    assert response.json()["reopened"] is False and response.json()["status"] == "blocked"


def test_the_api_reopens_with_a_dermatologists_override_only(
    front_desk: Persona, dermatologist: Persona, a_week_later: TreatmentSession
) -> None:
    rescreen(front_desk.user, a_week_later, RELATIVE)
    assert_error(post(front_desk, api(a_week_later, "reopen"), {}), 403, "not_allowed")
    assert_error(
        post(dermatologist, api(a_week_later, "reopen"), {"override_reason": ""}), 400, "invalid"
    )
    response = post(dermatologist, api(a_week_later, "reopen"), {"override_reason": "Agreed."})
    assert response.status_code == 200 and response.json()["status"] == "planned"


def test_the_api_refuses_to_rescreen_a_session_that_is_not_blocked(
    front_desk: Persona, booked_today: TreatmentSession
) -> None:
    front_desk.force_login(front_desk.user)
    response = post(front_desk, api(booked_today, "rescreen"), {"answers": all_no()})
    assert_error(response, 409, "conflict")


def test_the_api_cancels_a_blocked_session(
    front_desk: Persona, a_week_later: TreatmentSession
) -> None:
    response = post(front_desk, api(a_week_later, "cancel"), {"reason": "Series stopped"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


# --- Queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["dermatologist", "front_desk"])
def test_the_session_page_of_a_blocked_session_runs_the_same_queries_for_one_rescreen_or_many(
    request: pytest.FixtureRequest,
    front_desk: Persona,
    a_week_later: TreatmentSession,
    django_assert_num_queries: Any,
    role: str,
) -> None:
    client: Persona = request.getfixturevalue(role)
    url = page("session-detail", a_week_later)
    client.get(url)  # reads the clinic's identity into the cache, once
    for n in range(4):
        rescreen(front_desk.user, a_week_later, COLD_SORE)
        if n in (0, 3):
            with django_assert_num_queries(BLOCKED_SESSION_PAGE_QUERIES[role]):
                assert client.get(url).status_code == 200


BLOCKED_SESSION_PAGE_QUERIES = {"dermatologist": 11, "front_desk": 9}


def test_the_plan_page_runs_the_same_queries_for_one_blocked_session_or_more(
    front_desk: Persona,
    a_week_later: TreatmentSession,
    django_assert_num_queries: Any,
) -> None:
    url = reverse("plan-detail", args=[a_week_later.plan.public_id])
    front_desk.get(url)  # the clinic's identity, cold cache
    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        assert front_desk.get(url).status_code == 200
    # Two more blocked (as the data would hold them) and re-screened: the same queries.
    starts, ends = a_week_later.starts_at, a_week_later.ends_at
    assert starts is not None and ends is not None
    for number in (2, 3):
        other = first(a_week_later.plan, number)
        TreatmentSession.objects.filter(pk=other.pk).update(
            status=TreatmentSession.Status.BLOCKED,
            status_reason=f"Contraindication at check-in: {cold_sore_label()}",
            # Each at its own hour: PostgreSQL's exclusion constraints keep a slot to one.
            starts_at=starts + dt.timedelta(hours=number),
            ends_at=ends + dt.timedelta(hours=number),
            practitioner=a_week_later.practitioner,
            room=a_week_later.room,
        )
        rescreen(front_desk.user, TreatmentSession.objects.get(pk=other.pk), COLD_SORE)
    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        assert front_desk.get(url).status_code == 200


PLAN_PAGE_QUERIES = 11  # with the viewer's clinician record (may they change the schedule?)
