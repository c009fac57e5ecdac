"""The front desk's pages: book from free slots, today's list, check-in, calendars, iCal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from tests import factories
from tests.conftest import Persona, all_no
from treatments.booking import services as sessions
from treatments.models import TreatmentSession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]
LONDON = ZoneInfo("Europe/London")


def html(response: Any) -> str:
    return response.content.decode()


def book_one(
    client: Client,
    plan,
    room,
    dermatologist: Persona,
    number: int = 1,
    when: str = "2027-03-01T10:00:00+00:00",
):  # noqa: ANN001, ANN201
    session = plan.sessions.get(number=number)
    return client.post(
        reverse("session-book", args=[session.public_id]),
        {
            "starts_at": when,
            "practitioner": dermatologist.user.practitioner.public_id,
            "room": room.public_id,
        },
    )


def test_the_booking_page_offers_slots_and_books_one(
    front_desk: Persona, dermatologist: Persona, plan, room
) -> None:
    session = plan.sessions.get(number=1)
    page = html(front_desk.get(reverse("session-book", args=[session.public_id])))
    assert "Mon 01 Mar" in page and "09:30" in page and "Room 1" in page
    response = book_one(front_desk, plan, room, dermatologist)
    assert response["Location"] == reverse("plan-detail", args=[plan.public_id])
    session.refresh_from_db()
    assert session.status == "booked"
    page = html(front_desk.get(response["Location"]))
    assert "arrive Mon 01 Mar 2027 09:30" in page


def test_a_clash_on_the_page_is_explained_and_saves_nothing(
    front_desk: Client, dermatologist: Persona, plan, room
) -> None:
    factories.BookedSessionFactory(
        practitioner=dermatologist.user.practitioner,
        room=room,
        starts_at=dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 3, 1, 10, 45, tzinfo=dt.UTC),
    )
    response = book_one(front_desk, plan, room, dermatologist)
    page = html(
        front_desk.get(reverse("session-book", args=[plan.sessions.get(number=1).public_id]))
    )
    assert response.status_code == 200 or "is already booked" in page
    assert plan.sessions.get(number=1).status == "planned"


def test_moving_a_session_shows_the_later_dates_before_saving(
    front_desk: Persona, dermatologist: Persona, plan, room
) -> None:
    book_one(front_desk, plan, room, dermatologist)
    page = html(book_one(front_desk, plan, room, dermatologist, when="2027-03-15T10:00:00+00:00"))
    assert "Moving this session moves later ones" in page
    assert "Wed 31 Mar 2027 → <strong>Wed 14 Apr 2027</strong>" in page
    assert plan.sessions.get(number=2).target_date == dt.date(2027, 3, 31)


def test_front_desk_runs_the_day(
    front_desk: Persona,
    dermatologist: Persona,
    plan,
    room,
    time_machine: time_machine.TimeMachineFixture,
    django_assert_max_num_queries: Callable,
) -> None:
    book_one(front_desk, plan, room, dermatologist)
    time_machine.move_to(dt.datetime(2027, 3, 1, 9, 20, tzinfo=dt.UTC), tick=False)
    front_desk.force_login(front_desk.user)
    page = html(front_desk.get(reverse("today")))
    assert "Rosa Marlowe" in page and "09:30" in page and "Check in" in page
    session = plan.sessions.get(number=1)
    page = html(front_desk.get(reverse("session-check-in", args=[session.public_id])))
    assert "Has anything changed since the last screening?" in page
    response = front_desk.post(
        reverse("session-check-in", args=[session.public_id]), {"changed": "no"}
    )
    assert response["Location"] == reverse("today")
    session.refresh_from_db()
    assert session.status == "checked_in"
    for _ in range(30):
        factories.BookedSessionFactory(
            target_date=dt.date(2027, 3, 1),
            starts_at=dt.datetime(2027, 3, 1, 11, tzinfo=dt.UTC),
            ends_at=dt.datetime(2027, 3, 1, 11, 45, tzinfo=dt.UTC),
        )
    with django_assert_max_num_queries(12):  # two write the access log, one reads consultations
        front_desk.get(reverse("today"))


def test_a_changed_answer_at_check_in_blocks_the_session(
    front_desk: Persona,
    dermatologist: Persona,
    plan,
    room,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    book_one(front_desk, plan, room, dermatologist)
    time_machine.move_to(dt.datetime(2027, 3, 1, 9, 20, tzinfo=dt.UTC), tick=False)
    front_desk.force_login(front_desk.user)
    session = plan.sessions.get(number=1)
    url = reverse("session-check-in", args=[session.public_id])
    answers = {f"rule_{code}": "no" for code in all_no()} | {"rule_C08": "yes", "changed": "yes"}
    front_desk.post(url, answers)
    session.refresh_from_db()
    assert session.status == "blocked" and "C08" in session.status_reason


def test_calendars_show_bookings_in_a_fixed_number_of_queries(
    front_desk: Client,
    dermatologist: Persona,
    plan,
    room,
    django_assert_max_num_queries: Callable,
) -> None:
    book_one(front_desk, plan, room, dermatologist)
    practitioner = dermatologist.user.practitioner
    for kind, resource in (("practitioners", practitioner), ("rooms", room)):
        url = reverse("calendar", args=[kind, resource.public_id])
        for view in ("day", "week"):
            page = html(front_desk.get(url, {"view": view, "date": "2027-03-01"}))
            assert "Rosa Marlowe" in page and "arrive 09:30" in page
            assert "week of 01 Mar 2027" in page if view == "week" else "Monday 01 Mar" in page
    for hour in range(11, 17):
        factories.BookedSessionFactory(
            practitioner=practitioner,
            room=factories.RoomFactory(),
            starts_at=dt.datetime(2027, 3, 2, hour, tzinfo=dt.UTC),
            ends_at=dt.datetime(2027, 3, 2, hour, 45, tzinfo=dt.UTC),
        )
    # Three more than a list: opening hours, closures and absences, read once for the grid; and
    # one for the consultations beside the sessions.
    with django_assert_max_num_queries(15):
        front_desk.get(
            reverse("calendar", args=["practitioners", practitioner.public_id]),
            {"view": "week", "date": "2027-03-01"},
        )
    assert (
        front_desk.get(reverse("calendar", args=["desks", practitioner.public_id])).status_code
        == 404
    )


def test_the_printable_schedule_tells_the_patient_when_to_arrive(
    front_desk: Persona, dermatologist: Persona, plan, room
) -> None:
    book_one(front_desk, plan, room, dermatologist)
    page = html(front_desk.get(reverse("plan-print", args=[plan.public_id])))
    assert "Please arrive 30 minutes before each procedure" in page
    assert "09:30" in page and "to be booked" in page


def test_the_plan_ics_has_stable_uids_and_arrival_times(
    front_desk: Persona, dermatologist: Persona, plan, room
) -> None:
    book_one(front_desk, plan, room, dermatologist)
    response = front_desk.get(reverse("plan-ics", args=[plan.public_id]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    session = plan.sessions.get(number=1)
    assert str(event["uid"]) == f"session-{session.public_id}@microneedling-clinic"
    start = event.decoded("dtstart")
    assert start.astimezone(LONDON).strftime("%H:%M") == "09:30"
    assert "arrive 09:30" in str(event["summary"])
    assert list(calendar.walk("VTIMEZONE"))
    # Moving the session keeps the UID, so calendars update the same entry.
    sessions.session_reschedule(
        acting_user=front_desk.user,
        session=session,
        starts_at=dt.datetime(2027, 3, 2, 14, tzinfo=dt.UTC),
        practitioner=dermatologist.user.practitioner,
        room=room,
        shift_later=True,
    )
    moved = Calendar.from_ical(front_desk.get(reverse("plan-ics", args=[plan.public_id])).content)
    assert [str(e["uid"]) for e in moved.walk("VEVENT")] == [str(event["uid"])]


def test_the_practitioner_feed_is_secret_revocable_and_discreet(
    anonymous: Client, front_desk: Client, dermatologist: Persona, plan, room
) -> None:
    book_one(front_desk, plan, room, dermatologist)
    practitioner = dermatologist.user.practitioner
    old = practitioner.calendar_token
    response = anonymous.get(reverse("practitioner-feed", args=[old]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "R.M." in body and "Marlowe" not in body  # initials and MRN only
    assert anonymous.get(reverse("practitioner-feed", args=["x" * 43])).status_code == 404
    dermatologist.post(reverse("practitioner-feed-renew"))
    practitioner.refresh_from_db()
    assert practitioner.calendar_token != old
    assert anonymous.get(reverse("practitioner-feed", args=[old])).status_code == 404


def test_front_desk_cannot_record_a_session(front_desk: Client, plan) -> None:
    session = plan.sessions.get(number=1)
    assert front_desk.get(reverse("session-record", args=[session.public_id])).status_code == 403
    assert TreatmentSession.objects.filter(status="completed").count() == 0


@pytest.mark.parametrize("url", ["/today/?date=9999-12-31", "/today/?date=0001-01-01"])
def test_absurd_dates_on_the_day_list_fall_back_to_today(front_desk: Client, url: str) -> None:
    assert front_desk.get(url).status_code == 200


def test_absurd_dates_on_calendars_and_the_api(front_desk: Client, dermatologist: Persona) -> None:
    practitioner = dermatologist.user.practitioner
    url = reverse("calendar", args=["practitioners", practitioner.public_id])
    for query in ({"date": "9999-12-31"}, {"view": "week", "date": "0001-01-03"}):
        assert front_desk.get(url, query).status_code == 200
    assert front_desk.get("/api/sessions/", {"day": "9999-12-31"}).status_code == 400


def test_a_departed_practitioners_feed_stops(anonymous: Client, dermatologist: Persona) -> None:
    practitioner = dermatologist.user.practitioner
    url = reverse("practitioner-feed", args=[practitioner.calendar_token])
    assert anonymous.get(url).status_code == 200
    dermatologist.user.is_active = False
    dermatologist.user.save()
    assert anonymous.get(url).status_code == 404


def test_check_in_needs_a_plain_yes_or_no(
    front_desk: Persona,
    dermatologist: Persona,
    plan,
    room,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    book_one(front_desk, plan, room, dermatologist)
    time_machine.move_to(dt.datetime(2027, 3, 1, 9, 20, tzinfo=dt.UTC), tick=False)
    front_desk.force_login(front_desk.user)
    session = plan.sessions.get(number=1)
    url = reverse("session-check-in", args=[session.public_id])
    response = front_desk.post(url, {"changed": "no\x00"}, follow=True)
    assert "Answer whether anything changed with yes or no." in html(response)
    session.refresh_from_db()
    assert session.status == "booked"


def test_a_check_in_post_must_answer_in_its_body(
    front_desk: Persona,
    dermatologist: Persona,
    plan,
    room,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    """ "Nothing changed" is a statement the clerk makes on the form; an address carrying
    ?changed=no (a bookmark, a crafted link) must not check anyone in."""
    book_one(front_desk, plan, room, dermatologist)
    time_machine.move_to(dt.datetime(2027, 3, 1, 9, 20, tzinfo=dt.UTC), tick=False)
    front_desk.force_login(front_desk.user)
    session = plan.sessions.get(number=1)
    address = reverse("session-check-in", args=[session.public_id])
    response = front_desk.post(f"{address}?changed=no", {}, follow=True)
    assert "Answer whether anything changed" in html(response)
    session.refresh_from_db()
    assert session.status == "booked"


def test_a_calendar_links_to_every_other_calendar_on_the_same_day(
    front_desk: Client, dermatologist: Persona, room
) -> None:
    other_room = factories.RoomFactory(name="Room 2")
    practitioner = dermatologist.user.practitioner
    page = html(
        front_desk.get(
            reverse("calendar", args=["practitioners", practitioner.public_id]),
            {"date": "2027-03-01"},
        )
    )
    for kind, resource, name in (
        ("practitioners", practitioner, str(practitioner)),
        ("rooms", room, "Room 1"),
        ("rooms", other_room, "Room 2"),
    ):
        address = reverse("calendar", args=[kind, resource.public_id])
        assert f'<a href="{address}?view=day&amp;date=2027-03-01">{name}</a>' in page


def test_the_front_desk_reaches_every_calendar_from_today(
    front_desk: Client, dermatologist: Persona, room
) -> None:
    page = html(front_desk.get(reverse("today"), {"date": "2027-03-01"}))
    for kind, resource in (("practitioners", dermatologist.user.practitioner), ("rooms", room)):
        address = reverse("calendar", args=[kind, resource.public_id])
        assert f'href="{address}?view=day&amp;date=2027-03-01"' in page
