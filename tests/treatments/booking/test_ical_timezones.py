"""Calendar files read the same in more than one parser: the clinic's zone is written as RFC
5545 rules (RRULE), which icalendar and vobject each turn back into the right offsets, now and
long after 2037."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import vobject
from django.urls import reverse
from icalendar import Calendar

from clinic.vtimezone import vtimezone
from tests.conftest import Persona
from tests.treatments.series import at, book

pytestmark = pytest.mark.django_db
ZONES = ["Europe/London", "Europe/Dublin", "America/New_York", "Australia/Sydney", "Asia/Tokyo"]
INSTANTS = [
    dt.datetime(year, month, day, hour, tzinfo=dt.UTC)
    for year in (2026, 2031, 2045)
    for month, day in ((1, 15), (3, 30), (7, 1), (10, 26), (11, 3))
    for hour in (0, 12)
]


@pytest.mark.parametrize("key", ZONES)
def test_the_rules_give_the_zones_own_offsets_in_icalendar(key: str) -> None:
    component = vtimezone(key)
    text = component.to_ical().decode()
    assert "RDATE" not in text and ("RRULE" in text or key == "Asia/Tokyo")
    parsed = component.to_tz()
    zone = zoneinfo.ZoneInfo(key)
    for instant in INSTANTS:
        assert instant.astimezone(parsed).utcoffset() == instant.astimezone(zone).utcoffset()


@pytest.mark.parametrize("key", ZONES)
def test_the_rules_give_the_zones_own_offsets_in_vobject(key: str) -> None:
    parsed = vobject.readOne(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        + vtimezone(key).to_ical().decode()
        + "END:VCALENDAR\r\n"
    ).vtimezone.gettzinfo()
    zone = zoneinfo.ZoneInfo(key)
    for instant in INSTANTS:
        assert instant.astimezone(parsed).utcoffset() == instant.astimezone(zone).utcoffset()


def test_a_plans_file_reads_the_same_in_both_parsers(
    front_desk: Persona, plan, practitioner, room, before_the_series: None
) -> None:
    # Session 1 in winter time (1 March), session 2 in summer time (31 March, after 28 March).
    book(front_desk.user, plan, 1, at("2027-03-01", "10:00"), practitioner, room)
    book(front_desk.user, plan, 2, at("2027-03-31", "10:00"), practitioner, room)
    front_desk.force_login(front_desk.user)
    body = front_desk.get(reverse("plan-ics", args=[plan.public_id])).content
    expected = [
        dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC),
        dt.datetime(2027, 3, 31, 8, 30, tzinfo=dt.UTC),
    ]

    calendar = Calendar.from_ical(body)
    assert [c.name for c in calendar.subcomponents][0] == "VTIMEZONE"
    starts = sorted(event.decoded("dtstart") for event in calendar.walk("VEVENT"))
    assert [start.astimezone(dt.UTC) for start in starts] == expected

    events = vobject.readOne(body.decode()).vevent_list
    read = sorted((e.dtstart.value for e in events), key=lambda value: value.astimezone(dt.UTC))
    assert [value.astimezone(dt.UTC) for value in read] == expected
    # vobject read the offsets from the file's own rules: winter, then summer time.
    assert [value.tzname() for value in read] == ["GMT", "BST"]
