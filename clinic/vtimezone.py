"""A time zone as RFC 5545 rules: a VTIMEZONE whose observances recur by RRULE, built from the
zone's POSIX rule (the footer of its TZif file), as the major calendar servers write them.

icalendar's own generator lists every past transition as RDATEs and stops at 2037; clients read
rules more reliably and they never run out. Zones whose rule RRULE cannot state (transitions at
24:00 or later, Julian-day rules) fall back to icalendar's generator.
"""

from __future__ import annotations

import calendar as weekdays
import datetime as dt
import importlib.resources
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from icalendar import Timezone

DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # POSIX numbers days from Sunday = 0
NAME = r"(?:<[^>]+>|[A-Za-z]{3,})"
OFFSET = r"[+-]?\d{1,2}(?::\d{2}){0,2}"
RULE = r"M(\d{1,2})\.([1-5])\.([0-6])(?:/(" + OFFSET + r"))?"
POSIX = re.compile(rf"^({NAME})({OFFSET})(?:({NAME})({OFFSET})?,{RULE},{RULE})?$")


class UnsupportedRule(ValueError):
    """The zone's rule has no RRULE form here."""


@dataclass(frozen=True)
class Observance:
    name: str
    offset_from: dt.timedelta
    offset_to: dt.timedelta
    month: int
    week: int  # 1–4, or 5 for the last
    weekday: int  # 0 = Sunday
    at: dt.timedelta  # local time of the change, in the offset before it


def _seconds(text: str) -> dt.timedelta:
    sign = -1 if text.startswith("-") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")] + [0, 0]
    return sign * dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])


def posix_rule(key: str) -> str:
    """The POSIX TZ string at the end of the zone's TZif file, where zoneinfo would read it."""
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / key
        if path.is_file():
            return path.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1].decode()
    data = importlib.resources.files("tzdata.zoneinfo").joinpath(key).read_bytes()
    return data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode()


def observances(rule: str) -> tuple[str, dt.timedelta, list[Observance]]:
    match = POSIX.match(rule)
    if match is None:
        raise UnsupportedRule(f"no RRULE form for the POSIX rule {rule!r}")
    std_name, std, dst_name, dst, *rules = match.groups()
    # POSIX counts hours west of UTC; iCalendar (and everyone else) east.
    standard = -_seconds(std)
    if dst_name is None:
        return std_name.strip("<>"), standard, []
    daylight = -_seconds(dst) if dst else standard + dt.timedelta(hours=1)
    into, back = rules[:4], rules[4:]
    result = []
    for (month, week, day, at), name, before, after in (
        (into, dst_name, standard, daylight),
        (back, std_name, daylight, standard),
    ):
        time = _seconds(at) if at else dt.timedelta(hours=2)
        if not dt.timedelta(0) <= time < dt.timedelta(hours=24):
            raise UnsupportedRule(f"a change at {at} is not a time of day")
        result.append(
            Observance(name.strip("<>"), before, after, int(month), int(week), int(day), time)
        )
    return std_name.strip("<>"), standard, result


def _first_in_1970(item: Observance) -> str:
    """The rule's change in 1970, the conventional first onset (nothing is booked before)."""
    days = [
        day
        for day in range(1, weekdays.monthrange(1970, item.month)[1] + 1)
        if (dt.date(1970, item.month, day).weekday() + 1) % 7 == item.weekday
    ]
    day = days[-1] if item.week == 5 else days[item.week - 1]
    # A floating local time, as a VTIMEZONE's DTSTART is: formatted, never compared.
    onset = dt.datetime.combine(dt.date(1970, item.month, day), dt.time()) + item.at
    return f"{onset:%Y%m%dT%H%M%S}"


def _offset(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def vtimezone(key: str) -> Timezone:
    """The VTIMEZONE for an IANA zone, by rule (or icalendar's own listing where no rule fits)."""
    try:
        name, standard, changes = observances(posix_rule(key))
    except (UnsupportedRule, FileNotFoundError, ModuleNotFoundError):
        return Timezone.from_tzinfo(zoneinfo.ZoneInfo(key))
    lines = ["BEGIN:VTIMEZONE", f"TZID:{key}"]
    if not changes:
        lines += [
            "BEGIN:STANDARD",
            f"TZNAME:{name}",
            f"TZOFFSETFROM:{_offset(standard)}",
            f"TZOFFSETTO:{_offset(standard)}",
            "DTSTART:19700101T000000",
            "END:STANDARD",
        ]
    for change in changes:
        kind = "DAYLIGHT" if change.offset_to > change.offset_from else "STANDARD"
        week = -1 if change.week == 5 else change.week
        lines += [
            f"BEGIN:{kind}",
            f"TZNAME:{change.name}",
            f"TZOFFSETFROM:{_offset(change.offset_from)}",
            f"TZOFFSETTO:{_offset(change.offset_to)}",
            f"DTSTART:{_first_in_1970(change)}",
            f"RRULE:FREQ=YEARLY;BYMONTH={change.month};BYDAY={week}{DAYS[change.weekday]}",
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    component = Timezone.from_ical("\r\n".join(lines) + "\r\n")
    if not isinstance(component, Timezone):
        raise UnsupportedRule(f"{key}: the rules did not parse as a VTIMEZONE")
    return component
