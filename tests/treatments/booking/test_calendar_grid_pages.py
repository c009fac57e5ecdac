"""Calendars as time grids: closures, closed days and absences shown as such; booking and
moving from a free cell through the booking page; a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.conftest import Persona
from tests.treatments.series import at, book

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]


def get(client: Client, url: str, **query: str) -> str:
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def free_links(page: str) -> list[str]:
    return [
        html_lib.unescape(link)
        for link in re.findall(r'<td class="cell-free"><a href="([^"]+)"', page)
    ]


def test_a_week_shows_bookings_closures_closed_days_and_absences(
    front_desk: Persona, plan, practitioner, room
) -> None:
    book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    factories.ClosureFactory(
        start_date=dt.date(2027, 3, 3), end_date=dt.date(2027, 3, 3), reason="Training day"
    )
    factories.PractitionerAbsenceFactory(
        practitioner=practitioner,
        starts_at=at("2027-03-02", "14:00"),
        ends_at=at("2027-03-02", "16:00"),
        reason="Dentist",
    )
    url = reverse("calendar", args=["practitioners", practitioner.public_id])
    page = get(front_desk, url, view="week", date="2027-03-01")
    assert "week of 01 Mar 2027" in page
    assert "Clinic closed: Training day" in page and "Closed on Sundays" in page
    assert "Away: Dentist" in page
    block = re.search(
        r'<td rowspan="(\d+)" class="cell-block status-booked">(.*?)</td>', page, re.S
    )
    assert block is not None and block.group(1) == "5"  # 09:30 arrival to 10:45
    assert "Rosa Marlowe" in block.group(2) and "arrive 09:30" in block.group(2)
    session = plan.sessions.get(number=1)
    assert reverse("plan-detail", args=[plan.public_id]) in block.group(2) or str(
        session.public_id
    ) in block.group(2)
    # The room's calendar shows the same booking, and no absence (rooms are not away).
    page = get(
        front_desk,
        reverse("calendar", args=["rooms", room.public_id]),
        view="week",
        date="2027-03-01",
    )
    assert "Rosa Marlowe" in page and "Away: Dentist" not in page


def test_every_practitioner_has_a_column_on_the_day_grid(
    front_desk: Persona, plan, practitioner, room
) -> None:
    book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    factories.PractitionerFactory(user__first_name="Ines", user__last_name="Zorn")
    page = get(front_desk, reverse("calendar-all", args=["practitioners"]), date="2027-03-01")
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert str(practitioner) in header and "Dr Ines Zorn" in header
    assert "Rosa Marlowe" in page
    assert all(link.startswith(reverse("calendar-book-here")) for link in free_links(page))
    sunday = get(front_desk, reverse("calendar-all", args=["rooms"]), date="2027-03-07")
    assert "Closed on Sundays" in sunday and free_links(sunday) == []
    assert front_desk.get(reverse("calendar-all", args=["desks"])).status_code == 404


def test_a_free_cell_books_a_due_session_there(
    front_desk: Persona, plan, practitioner, room
) -> None:
    page = get(front_desk, reverse("calendar-all", args=["rooms"]), date="2027-03-01")
    link = next(link for link in free_links(page) if "time=14%3A00" in link)
    picker = get(front_desk, link)
    assert "Book Monday 01 Mar 2027 at 14:00" in picker
    # Session 1 (due 1 March) is due then; session 2 (31 March) is not.
    rows = re.findall(r'<a class="button" href="([^"]+)">Book here</a>', picker)
    assert len(rows) == 1 and "Rosa Marlowe" in picker
    booking = get(front_desk, html_lib.unescape(rows[0]))
    marked = booking[booking.index('<tr class="asked">') :]
    assert "14:00" in marked[: marked.index("</tr>")] and "Room 1" in marked
    response = front_desk.post(
        reverse("session-book", args=[plan.sessions.get(number=1).public_id]),
        {
            "starts_at": "2027-03-01T14:00:00+00:00",
            "practitioner": practitioner.public_id,
            "room": room.public_id,
        },
    )
    assert response.status_code == 302
    assert plan.sessions.get(number=1).starts_at == at("2027-03-01", "14:00")


def test_a_free_cell_moves_the_session_in_hand_there(
    front_desk: Persona, plan, practitioner, room
) -> None:
    session = book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    booking = get(front_desk, reverse("session-book", args=[session.public_id]))
    calendar_link = re.search(r'href="([^"]+)">Choose in the calendar', booking)
    assert calendar_link is not None
    page = get(front_desk, html_lib.unescape(calendar_link.group(1)))
    assert "Choosing a time for <strong>session 1 of 4</strong>" in page
    moves = [link for link in free_links(page) if "time=15%3A00" in link]
    assert moves and moves[0].startswith(reverse("session-book", args=[session.public_id]))
    booking = get(front_desk, moves[0])
    assert "Move here" in booking and '<tr class="asked">' in booking
    response = front_desk.post(
        reverse("session-book", args=[session.public_id]),
        {
            "starts_at": "2027-03-01T15:00:00+00:00",
            "practitioner": practitioner.public_id,
            "room": room.public_id,
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == at("2027-03-01", "15:00")


def test_a_time_taken_meanwhile_is_said_on_the_booking_page(
    front_desk: Persona, plan, practitioner, room
) -> None:
    session = plan.sessions.get(number=1)
    factories.BookedSessionFactory(  # the only practitioner and the only room
        practitioner=practitioner,
        room=room,
        starts_at=at("2027-03-01", "14:00"),
        ends_at=at("2027-03-01", "14:45"),
    )
    page = get(
        front_desk,
        reverse("session-book", args=[session.public_id]),
        day="2027-03-01",
        time="14:00",
    )
    assert "14:00 is not free for this session on this day" in page


@pytest.mark.parametrize("view", ["day", "week"])
def test_calendar_grids_run_a_fixed_number_of_queries(
    front_desk: Persona,
    plan,
    practitioner,
    room,
    view: str,
    django_assert_num_queries: Callable,
) -> None:
    url = reverse("calendar", args=["practitioners", practitioner.public_id])
    everyone = reverse("calendar-all", args=["rooms"])
    for hour in range(9, 17):
        factories.BookedSessionFactory(
            practitioner=practitioner,
            room=factories.RoomFactory(),
            starts_at=at("2027-03-02", f"{hour:02}:00"),
            ends_at=at("2027-03-02", f"{hour:02}:45"),
        )
        factories.PractitionerAbsenceFactory(
            practitioner=practitioner,
            starts_at=at("2027-03-03", f"{hour:02}:00"),
            ends_at=at("2027-03-03", f"{hour:02}:30"),
        )
    factories.ClosureFactory(start_date=dt.date(2027, 3, 4), end_date=dt.date(2027, 3, 4))
    get(front_desk, everyone, date="2027-03-01")  # reads the clinic's identity into the cache
    # 15: the consultations are one query beside the sessions' (see test_calendar_consultations).
    with django_assert_num_queries(15):
        page = get(front_desk, url, view=view, date="2027-03-02")
    assert page.count("cell-block") == 8
    with django_assert_num_queries(15):
        get(front_desk, everyone, date="2027-03-02")
