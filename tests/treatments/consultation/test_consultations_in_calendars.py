"""Consultations in the same calendars as sessions: the time grids (day and week, per
practitioner and per room, everyone's day), today's list, the worklists, the practitioner's feed
and the consultation's own page, which leads into planning. Each entry says "Consultation" (not
colour alone), links to its page, keeps the grid's free cells right, is on the access log, and
no page's query count grows with the consultations on it."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from evidence.models import Indication
from patients.models import Patient, PatientAccess
from tests import factories
from tests.conftest import Persona
from tests.treatments.series import at, book
from treatments.models import Consultation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series", "clinic_open")]

MONDAY = "2027-03-01"


def consult(
    practitioner: Any, room: Any, when: dt.datetime, **fields: Any
) -> Consultation:
    return factories.ConsultationFactory(
        practitioner=practitioner,
        room=room,
        starts_at=when,
        ends_at=when + dt.timedelta(minutes=30),
        **fields,
    )


def get(client: Client, url: str, **query: str) -> str:
    response = client.get(url, query)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def blocks(page: str) -> list[tuple[str, str, str]]:
    """(class, rowspan, contents) of each block on a grid."""
    return [
        (css, rowspan, body)
        for rowspan, css, body in re.findall(
            r'<td rowspan="(\d+)" class="cell-block ([^"]*)">(.*?)</td>', page, re.S
        )
    ]


def free_times(page: str) -> set[str]:
    links = re.findall(r'<td class="cell-free"><a href="([^"]+)"', page)
    return {
        re.search(r"time=(\d\d)%3A(\d\d)", html_lib.unescape(link)).expand(r"\1:\2")  # type: ignore[union-attr]
        for link in links
    }


@pytest.fixture
def newcomer() -> Patient:
    return factories.PatientFactory(given_name="Ines", family_name="Okafor")


# --- The time grids ---------------------------------------------------------------------------


def test_the_day_grid_shows_a_consultation_labelled_and_linked_beside_a_session(
    front_desk: Persona, plan, practitioner, room, newcomer
) -> None:
    book(front_desk.user, plan, 1, at(MONDAY, "10:00"), practitioner, room)  # 09:30–10:45
    consultation = consult(practitioner, room, at(MONDAY, "11:00"), patient=newcomer)

    page = get(
        front_desk, reverse("calendar", args=["practitioners", practitioner.public_id]), date=MONDAY
    )

    found = blocks(page)
    assert len(found) == 2
    (session_css, session_rows, session_body), (css, rows, body) = found
    assert session_css == "status-booked" and session_rows == "5"
    assert '<em class="block-kind">Session</em>' in session_body
    assert "kind-consultation" in css and rows == "2"  # 11:00–11:30 on the 15-minute grid
    assert '<em class="block-kind">Consultation</em>' in body and "Ines Okafor" in body
    assert reverse("consultation-detail", args=[consultation.public_id]) in body
    assert "11:00–11:30" in body and "Room 1" in body
    # Busy is busy and free is free: neither booking's cells offer a booking.
    free = free_times(page)
    assert not free & {"09:30", "10:00", "10:30", "11:00", "11:15"}
    assert {"09:00", "09:15", "10:45", "11:30"} <= free


def test_week_grids_and_everyones_day_show_it_and_a_cancelled_one_frees_its_time(
    front_desk: Persona, practitioner, room, newcomer
) -> None:
    shown = consult(practitioner, room, at("2027-03-02", "14:00"), patient=newcomer)
    gone = consult(
        practitioner,
        room,
        at("2027-03-02", "15:00"),
        status=Consultation.Status.CANCELLED,
        status_reason="Patient rang",
    )
    link = reverse("consultation-detail", args=[shown.public_id])
    pages = [
        get(front_desk, reverse("calendar", args=[kind, r.public_id]), view="week", date=MONDAY)
        for kind, r in (("practitioners", practitioner), ("rooms", room))
    ] + [
        get(front_desk, reverse("calendar-all", args=[kind]), date="2027-03-02")
        for kind in ("practitioners", "rooms")
    ]
    for page in pages:
        found = [body for css, _, body in blocks(page) if "kind-consultation" in css]
        assert len(found) == 1 and link in found[0]
        assert str(gone.public_id) not in page and gone.patient.full_name not in page
    day = pages[2]
    assert "15:00" in free_times(day) and "14:00" not in free_times(day)


@pytest.mark.parametrize("count", [1, 6])
@pytest.mark.parametrize("view", ["day", "week"])
def test_grids_run_the_same_queries_however_many_consultations(
    front_desk: Persona,
    practitioner,
    room,
    count: int,
    view: str,
    django_assert_num_queries: Callable,
) -> None:
    for n in range(count):
        consult(practitioner, room, at("2027-03-02", f"{9 + n // 2:02}:{30 * (n % 2):02}"))
    factories.BookedSessionFactory(
        practitioner=practitioner,
        room=room,
        starts_at=at("2027-03-02", "15:00"),
        ends_at=at("2027-03-02", "15:45"),
    )
    url = reverse("calendar", args=["practitioners", practitioner.public_id])
    everyone = reverse("calendar-all", args=["rooms"])
    get(front_desk, everyone, date="2027-03-01")  # the clinic's identity into the cache
    with django_assert_num_queries(15):  # the sessions' 14 and the consultations' one
        page = get(front_desk, url, view=view, date="2027-03-02")
    assert page.count("kind-consultation") == count
    with django_assert_num_queries(15):
        page = get(front_desk, everyone, date="2027-03-02")
    assert page.count("kind-consultation") == count


# --- Today's list -----------------------------------------------------------------------------


@pytest.fixture
def the_day(
    front_desk: Persona, plan, practitioner, room, newcomer, time_machine
) -> dict[str, Any]:
    """Monday 1 March, 08:30: a consultation at 09:00, a session at 10:00 (arrive 09:30) and a
    consultation at 11:00 in another room."""
    session = book(front_desk.user, plan, 1, at(MONDAY, "10:00"), practitioner, room)
    early = consult(practitioner, room, at(MONDAY, "09:00"), patient=newcomer)
    late = consult(practitioner, factories.RoomFactory(name="Room 2"), at(MONDAY, "11:00"))
    time_machine.move_to(at(MONDAY, "08:30"), tick=False)
    return {"session": session, "early": early, "late": late}


def rows_of(page: str) -> list[str]:
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", body, re.S)


def test_todays_list_shows_consultations_in_order_of_arrival_labelled(
    front_desk: Persona, the_day: dict[str, Any]
) -> None:
    front_desk.force_login(front_desk.user)  # the clock moved past the idle limit
    page = get(front_desk, reverse("today"))
    rows = rows_of(page)
    assert len(rows) == 3
    early, session, late = rows
    assert "Ines Okafor" in early and "<strong>09:00</strong>" in early
    assert '<span class="tag tag-consultation">Consultation</span>' in early
    assert reverse("consultation-detail", args=[the_day["early"].public_id]) in early
    assert "<strong>09:30</strong>" in session and '<span class="tag">Session</span>' in session
    assert the_day["late"].patient.full_name in late and "Room 2" in late
    # The front desk cancels a consultation from here; seeing the patient is the dermatologist's.
    assert reverse("consultation-cancel", args=[the_day["early"].public_id]) in early
    assert reverse("consultation-attend", args=[the_day["early"].public_id]) not in early
    assert page.count('class="tag tag-consultation"') == 2


def test_the_dermatologist_marks_a_consultation_seen_from_todays_list(
    dermatologist: Persona, the_day: dict[str, Any]
) -> None:
    dermatologist.force_login(dermatologist.user)
    early = the_day["early"]
    page = get(dermatologist, reverse("today"))
    assert reverse("consultation-attend", args=[early.public_id]) in rows_of(page)[0]
    response = dermatologist.post(
        reverse("consultation-attend", args=[early.public_id]), {"from": "today"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("consultation-detail", args=[early.public_id])
    early.refresh_from_db()
    assert early.status == "attended"
    after = rows_of(get(dermatologist, reverse("today")))[0]
    assert "Attended" in after and "Plan the series" in after


def test_the_front_desk_cancels_a_consultation_from_todays_list_and_stays_there(
    front_desk: Persona, the_day: dict[str, Any]
) -> None:
    front_desk.force_login(front_desk.user)
    late = the_day["late"]
    response = front_desk.post(
        reverse("consultation-cancel", args=[late.public_id]),
        {"from": "today", "reason": "Patient rang to cancel"},
    )
    assert response["Location"] == reverse("today") + "?date=2027-03-01"
    late.refresh_from_db()
    assert late.status == "cancelled"
    row = rows_of(get(front_desk, reverse("today")))[2]
    assert "Cancelled" in row and "Patient rang to cancel" in row
    # Without a reason nothing changes, and the list says why.
    early = the_day["early"]
    followed = front_desk.post(
        reverse("consultation-cancel", args=[early.public_id]), {"from": "today"}, follow=True
    )
    assert "Give the reason for cancelling." in followed.content.decode()
    early.refresh_from_db()
    assert early.status == "booked"


@pytest.mark.parametrize("count", [1, 6])
def test_todays_list_runs_the_same_queries_however_many_consultations(
    front_desk: Persona,
    practitioner,
    room,
    count: int,
    django_assert_num_queries: Callable,
) -> None:
    for _ in range(count):
        consult(factories.PractitionerFactory(), factories.RoomFactory(), at(MONDAY, "11:00"))
    factories.BookedSessionFactory(
        practitioner=practitioner,
        room=room,
        starts_at=at(MONDAY, "15:00"),
        ends_at=at(MONDAY, "15:45"),
    )
    get(front_desk, reverse("today"), date=MONDAY)  # the identity cache warms up
    with django_assert_num_queries(12):  # sessions, consultations, may-plan, the log's two
        page = get(front_desk, reverse("today"), date=MONDAY)
    assert page.count('class="tag tag-consultation"') == count


# --- The consultation's page, and on into planning -------------------------------------------


def test_the_consultation_page_says_when_with_whom_and_offers_to_cancel(
    front_desk: Persona, practitioner, room, newcomer
) -> None:
    consultation = consult(
        practitioner, room, at(MONDAY, "11:00"), patient=newcomer, reason="Acne scars"
    )
    page = get(front_desk, reverse("consultation-detail", args=[consultation.public_id]))
    assert "Ines Okafor" in page and "Mon 01 Mar 2027 11:00–11:30" in page
    assert str(practitioner) in page and "Room 1" in page and "Acne scars" in page
    assert reverse("consultation-cancel", args=[consultation.public_id]) in page
    assert reverse("consultation-attend", args=[consultation.public_id]) not in page  # not derm
    assert "Next: plan the series" not in page
    not_one = reverse("consultation-detail", args=[newcomer.public_id])
    assert front_desk.get(not_one).status_code == 404


def test_an_attended_consultation_leads_straight_into_planning_the_patients_concern(
    dermatologist: Persona, practitioner, room, newcomer, time_machine
) -> None:
    consultation = consult(practitioner, room, at(MONDAY, "11:00"), patient=newcomer)
    time_machine.move_to(at(MONDAY, "11:35"), tick=False)
    dermatologist.force_login(dermatologist.user)
    url = reverse("consultation-detail", args=[consultation.public_id])
    before = get(dermatologist, url)
    assert reverse("consultation-attend", args=[consultation.public_id]) in before
    followed = dermatologist.post(
        reverse("consultation-attend", args=[consultation.public_id]), follow=True
    )
    page = followed.content.decode()
    assert followed.redirect_chain[-1][0] == url
    assert "Next: plan the series" in page
    record = reverse("concern-create", args=[newcomer.public_id]) + "?then=plan"
    assert html_lib.escape(record) in page or record in page
    # The concern page keeps the intent, and saving goes straight on to planning it.
    form = get(dermatologist, record)
    assert '<input type="hidden" name="then" value="plan">' in form
    response = dermatologist.post(
        reverse("concern-create", args=[newcomer.public_id]),
        {
            "indication": Indication.objects.get(slug="wrinkles").pk,
            "body_area": "face",
            "then": "plan",
        },
    )
    concern = newcomer.concerns.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "plan-parameters", args=[newcomer.public_id, concern.public_id]
    )
    # Back on the consultation's page, the concern waiting for its plan is one click away.
    again = get(dermatologist, url)
    assert reverse("plan-parameters", args=[newcomer.public_id, concern.public_id]) in again
    assert "Plan a series for Wrinkles" in again


def test_the_consultation_page_runs_a_fixed_number_of_queries(
    dermatologist: Persona,
    practitioner,
    room,
    newcomer,
    time_machine,
    django_assert_num_queries: Callable,
) -> None:
    consultation = consult(
        practitioner,
        room,
        at("2027-02-22", "11:00"),
        patient=newcomer,
        status=Consultation.Status.ATTENDED,
        status_changed_by=dermatologist.user,
    )
    for _ in range(3):
        factories.SkinConcernFactory(patient=newcomer)
    url = reverse("consultation-detail", args=[consultation.public_id])
    get(dermatologist, url)
    with django_assert_num_queries(10):  # the consultation, may-plan, its concerns, the log's two
        page = get(dermatologist, url)
    assert page.count("Plan a series for") == 3


# --- The worklists ----------------------------------------------------------------------------


def test_the_dermatologist_starts_at_the_consultations_to_see(
    dermatologist: Persona, practitioner, room, newcomer, time_machine
) -> None:
    waiting = consult(practitioner, room, at("2027-02-23", "11:00"), patient=newcomer)
    consult(practitioner, room, at("2027-02-23", "12:00"), status=Consultation.Status.ATTENDED)
    consult(practitioner, room, at("2027-02-25", "12:00"))  # tomorrow: not yet
    page = get(dermatologist, reverse("home"))
    assert 'Consultations to see <span class="count">1</span>' in page
    assert reverse("consultation-detail", args=[waiting.public_id]) in page
    listed = get(dermatologist, reverse("worklist", args=["to-see"]))
    assert "Ines Okafor" in listed and "(1)" in listed


def test_the_front_desk_sees_consultation_arrivals_on_its_home_page(
    front_desk: Persona, practitioner, room, newcomer
) -> None:
    arriving = consult(practitioner, room, at("2027-02-24", "11:00"), patient=newcomer)
    factories.BookedSessionFactory(
        practitioner=practitioner,
        room=room,
        starts_at=at("2027-02-24", "14:00"),
        ends_at=at("2027-02-24", "14:45"),
    )
    page = get(front_desk, reverse("home"))
    assert 'Today\'s arrivals <span class="count">2</span>' in page
    card = page[page.index('id="wl-arrivals"') : page.index('id="wl-due"')]
    assert reverse("consultation-detail", args=[arriving.public_id]) in card
    assert card.index("Ines Okafor") < card.index("<strong>13:30</strong>")
    assert "Consultation</span>" in card


# --- The practitioner's feed ------------------------------------------------------------------


def test_the_feed_holds_consultations_by_initials_from_their_start(
    anonymous: Client, front_desk: Persona, plan, practitioner, room, newcomer
) -> None:
    book(front_desk.user, plan, 1, at(MONDAY, "10:00"), practitioner, room)
    held = consult(practitioner, room, at(MONDAY, "11:00"), patient=newcomer)
    consult(
        practitioner,
        room,
        at(MONDAY, "12:00"),
        status=Consultation.Status.CANCELLED,
        status_reason="Rang",
    )
    consult(factories.PractitionerFactory(), room, at(MONDAY, "13:00"))  # someone else's
    before = PatientAccess.objects.count()
    response = anonymous.get(reverse("practitioner-feed", args=[practitioner.calendar_token]))
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 2
    consultation = next(e for e in events if str(e["uid"]).startswith("consultation-"))
    assert str(consultation["uid"]) == f"consultation-{held.public_id}@microneedling-clinic"
    assert str(consultation["summary"]) == f"I.O. {newcomer.mrn} — Consultation"
    assert consultation.decoded("dtstart") == at(MONDAY, "11:00")  # no arrival lead
    assert consultation.decoded("dtend") == at(MONDAY, "11:30")
    assert str(consultation["status"]) == "CONFIRMED"
    assert b"Okafor" not in response.content
    assert PatientAccess.objects.count() == before + 1
    entry = PatientAccess.objects.latest("pk")
    assert set(entry.patients.all()) == {plan.patient, newcomer}


# --- The access log ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("front_desk", "today"),
        ("front_desk", "calendar-day"),
        ("front_desk", "calendar-week"),
        ("front_desk", "calendar-room"),
        ("front_desk", "calendar-all"),
        ("front_desk", "home"),
        ("dermatologist", "home"),
        ("dermatologist", "worklist"),
        ("front_desk", "consultation-detail"),
    ],
)
def test_each_page_showing_a_consultation_names_its_patient_in_the_access_log(
    request: pytest.FixtureRequest,
    persona: str,
    page: str,
    practitioner,
    room,
    newcomer,
    time_machine,
) -> None:
    """The patient has a consultation and nothing else: only it puts them on the page."""
    consultation = consult(practitioner, room, at("2027-02-24", "11:00"), patient=newcomer)
    client: Client = request.getfixturevalue(persona)
    urls = {
        "today": reverse("today"),
        "calendar-day": reverse("calendar", args=["practitioners", practitioner.public_id]),
        "calendar-week": reverse("calendar", args=["practitioners", practitioner.public_id])
        + "?view=week",
        "calendar-room": reverse("calendar", args=["rooms", room.public_id]),
        "calendar-all": reverse("calendar-all", args=["practitioners"]),
        "home": reverse("home"),
        "worklist": reverse("worklist", args=["to-see"]),
        "consultation-detail": reverse("consultation-detail", args=[consultation.public_id]),
    }
    if persona == "dermatologist":  # it waits to be seen once its time has come
        time_machine.move_to(at("2027-02-24", "11:40"), tick=False)
        client.force_login(client.user)  # type: ignore[attr-defined]
    before = PatientAccess.objects.count()
    assert client.get(urls[page]).status_code == 200
    assert PatientAccess.objects.count() == before + 1
    entry = PatientAccess.objects.latest("pk")
    assert newcomer in set(entry.patients.all())
