"""The booking page: one day of the window at a time, each free time once, the plan's own
dermatologist first."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.conftest import Persona
from treatments.models import TreatmentPlan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]


def page(client: Client, session, **query: str) -> str:  # noqa: ANN001
    response = client.get(reverse("session-book", args=[session.public_id]), query)
    assert response.status_code == 200
    return response.content.decode()


def options(html: str, name: str) -> list[list[str]]:
    """The option labels of every select called `name`, in order."""
    return [
        re.findall(r"<option value=\"[^\"]+\">([^<]+)</option>", select)
        for select in re.findall(rf'<select [^>]*name="{name}".*?</select>', html, re.S)
    ]


def test_it_shows_one_day_with_each_free_time_once(front_desk: Client, plan, room) -> None:
    factories.RoomFactory(name="Room 2")
    html = page(front_desk, plan.sessions.get(number=1))
    assert "Monday 01 Mar 2027" in html  # the target day opens first
    starts = re.findall(r'name="starts_at" value="([^"]+)"', html)
    assert len(starts) == len(set(starts)) == 32  # 09:30 to 17:15, not 32 rows per room
    assert all(s.startswith("2027-03-01") for s in starts)
    assert options(html, "room")[0] == ["Room 1", "Room 2"]  # both rooms, at every time


def test_the_day_picker_says_which_days_are_closed(front_desk: Client, plan, room) -> None:
    factories.ClosureFactory(
        start_date=dt.date(2027, 3, 2), end_date=dt.date(2027, 3, 2), reason="Training"
    )
    html = page(front_desk, plan.sessions.get(number=1))
    picker = html[html.index('class="day-picker"') : html.index("</nav>", html.index("day-picker"))]
    # Friday 26 Feb to Monday 8 Mar: the whole window, Sundays and the closure included.
    assert picker.count("<li ") == 11
    assert picker.count("Closed on Sundays") == 2 and "Clinic closed" in picker
    assert 'href="?day=2027-03-02"' not in picker and 'href="?day=2027-03-03"' in picker
    closed = page(front_desk, plan.sessions.get(number=1), day="2027-03-02")
    assert "Tuesday 02 Mar 2027" in closed and "Clinic closed: choose another day" in closed
    assert 'name="starts_at"' not in closed


def test_it_prefers_the_plans_dermatologist(
    front_desk: Client, dermatologist: Persona, plan: TreatmentPlan, room
) -> None:
    own = factories.PractitionerFactory(user__first_name="Ines", user__last_name="Zorn")
    TreatmentPlan.objects.filter(pk=plan.pk).update(responsible_dermatologist=own)
    session = plan.sessions.get(number=1)
    html = page(front_desk, session)
    assert all(choice[0] == "Dr Ines Zorn" for choice in options(html, "practitioner"))
    assert "Dr Ines Zorn, the plan's dermatologist, is free at 32 of these times" in html
    # Busy 10:00–10:45: times overlapping it offer the other practitioner first and says why.
    factories.BookedSessionFactory(
        practitioner=own,
        starts_at=dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 3, 1, 10, 45, tzinfo=dt.UTC),
    )
    html = page(front_desk, session)
    firsts = [choice[0] for choice in options(html, "practitioner")]
    assert firsts.count("Dr Ines Zorn") == 32 - 5  # 09:30 to 10:30 overlap the booking
    assert "(Dr Ines Zorn busy)" in html
    assert str(dermatologist.user.practitioner) in firsts


def test_it_books_with_the_practitioner_and_room_chosen(
    front_desk: Client, dermatologist: Persona, plan, room
) -> None:
    other_room = factories.RoomFactory(name="Room 2")
    session = plan.sessions.get(number=1)
    response = front_desk.post(
        reverse("session-book", args=[session.public_id]),
        {
            "starts_at": "2027-03-01T11:15:00+00:00",
            "practitioner": dermatologist.user.practitioner.public_id,
            "room": other_room.public_id,
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "booked" and session.room == other_room


def test_a_time_asked_for_is_marked_with_its_choices(
    front_desk: Client, dermatologist: Persona, plan, room
) -> None:
    """What a calendar's free cell links to: that day, that time, that practitioner and room."""
    other_room = factories.RoomFactory(name="Room 2")
    html = page(
        front_desk,
        plan.sessions.get(number=1),
        day="2027-03-03",
        time="14:00",
        room=str(other_room.public_id),
    )
    assert "Wednesday 03 Mar 2027" in html
    marked = html[html.index('<tr class="asked">') :]
    assert marked.index("14:00") < marked.index("</tr>")
    assert options(marked, "room")[0] == ["Room 2", "Room 1"]


def test_the_booking_page_runs_a_fixed_number_of_queries(
    front_desk: Client, plan, room, django_assert_num_queries: Callable
) -> None:
    session = plan.sessions.get(number=1)
    page(front_desk, session)  # reads the clinic's identity into the cache, once
    with CaptureQueriesContext(connection) as few:
        page(front_desk, session)
    for hour in range(9, 17):
        for _ in range(3):
            factories.BookedSessionFactory(
                practitioner=factories.PractitionerFactory(),
                room=factories.RoomFactory(),
                starts_at=dt.datetime(2027, 3, 2, hour, tzinfo=dt.UTC),
                ends_at=dt.datetime(2027, 3, 2, hour, 45, tzinfo=dt.UTC),
            )
    with django_assert_num_queries(len(few.captured_queries)):
        page(front_desk, session)
    assert len(few.captured_queries) <= 16
