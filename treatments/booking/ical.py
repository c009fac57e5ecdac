"""iCalendar (RFC 5545) files: a plan for the patient, a feed for each practitioner.

Events are in the clinic's time zone (with its VTIMEZONE, written as RRULE rules), UIDs are
stable per session (and per consultation) so a moved session updates the same calendar entry,
and every event shows the arrival time.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from clinic.identity import ClinicIdentity
from clinic.vtimezone import vtimezone
from treatments.models import Consultation, TreatmentSession

PRODID = "-//Microneedling clinic//Treatment planning//EN"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def _add_clinic_zone(calendar: Calendar) -> None:
    """The clinic's zone as rules (RRULE), first in the file, as calendar servers write it."""
    calendar.subcomponents.insert(0, vtimezone(timezone.get_current_timezone_name()))


def _uid(session: TreatmentSession) -> str:
    return f"session-{session.public_id}@microneedling-clinic"


def _location(session: TreatmentSession, clinic: ClinicIdentity) -> str:
    """Where to go, as a map app reads it: the clinic, its address, then the room."""
    return ", ".join([clinic.name, *clinic.address_lines, str(session.room)])


def _event(
    session: TreatmentSession, summary: str, description: str, *, clinic: ClinicIdentity
) -> Event:
    arrival, ends = session.arrival_at, session.ends_at
    if arrival is None or ends is None:
        raise ValueError(f"{session} is not booked: it has no calendar event.")
    zone = timezone.get_current_timezone()
    event = Event()
    event.add("uid", _uid(session))
    event.add("dtstamp", session.updated_at)
    event.add("dtstart", arrival.astimezone(zone))
    event.add("dtend", ends.astimezone(zone))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", _location(session, clinic))
    gone = session.status in {
        TreatmentSession.Status.CANCELLED,
        TreatmentSession.Status.NO_SHOW,
        TreatmentSession.Status.BLOCKED,
    }
    event.add("status", "CANCELLED" if gone else "CONFIRMED")
    return event


def plan_ics(
    sessions: Iterable[TreatmentSession], *, title: str, clinic: ClinicIdentity
) -> bytes:
    """The patient's booked sessions; each event starts at arrival, 30 minutes early."""
    calendar = _calendar(title)
    for session in sessions:
        if session.starts_at is None or session.status == TreatmentSession.Status.CANCELLED:
            continue
        procedure = timezone.localtime(session.starts_at)
        arrive = timezone.localtime(session.arrival_at)
        calendar.add_component(
            _event(
                session,
                f"{title}: session {session.number} — arrive {arrive:%H:%M}",
                f"Arrive at {arrive:%H:%M} for the numbing cream; the procedure starts at "
                f"{procedure:%H:%M} with {session.practitioner}."
                + (f"\nTo change or ask: {clinic.contact_line}." if clinic.contact_line else ""),
                clinic=clinic,
            )
        )
    _add_clinic_zone(calendar)
    return calendar.to_ical()


def _consultation_event(consultation: Consultation, *, clinic: ClinicIdentity) -> Event:
    """A consultation in the practitioner's feed: from its start (no cream, no arrival lead),
    said to be a consultation in its summary, the patient by initials and MRN only."""
    patient = consultation.patient
    initials = f"{patient.given_name[:1]}.{patient.family_name[:1]}."
    zone = timezone.get_current_timezone()
    starts, ends = consultation.starts_at.astimezone(zone), consultation.ends_at.astimezone(zone)
    event = Event()
    event.add("uid", f"consultation-{consultation.public_id}@microneedling-clinic")
    event.add("dtstamp", consultation.status_changed_at or consultation.created_at)
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", f"{initials} {patient.mrn} — Consultation")
    event.add(
        "description",
        f"Consultation {starts:%H:%M}–{ends:%H:%M} in {consultation.room} (a first meeting, "
        f"before any plan). Status: {consultation.get_status_display()}.",
    )
    event.add("location", ", ".join([clinic.name, *clinic.address_lines, str(consultation.room)]))
    gone = consultation.status in {Consultation.Status.CANCELLED, Consultation.Status.NO_SHOW}
    event.add("status", "CANCELLED" if gone else "CONFIRMED")
    return event


def practitioner_ics(
    sessions: Iterable[TreatmentSession],
    *,
    name: str,
    clinic: ClinicIdentity,
    consultations: Iterable[Consultation] = (),
) -> bytes:
    """A practitioner's bookings, sessions and consultations. Patients appear by initials and
    MRN only: calendar apps and their providers are outside the clinic's records."""
    calendar = _calendar(f"Clinic — {name}")
    for session in sessions:
        patient = session.plan.patient
        initials = f"{patient.given_name[:1]}.{patient.family_name[:1]}."
        procedure = timezone.localtime(session.starts_at)
        calendar.add_component(
            _event(
                session,
                f"{initials} {patient.mrn} — {session.plan.protocol.code} #{session.number}",
                f"Patient arrives {timezone.localtime(session.arrival_at):%H:%M}; procedure "
                f"{procedure:%H:%M}–{timezone.localtime(session.ends_at):%H:%M} in {session.room}. "
                f"Status: {session.get_status_display()}.",
                clinic=clinic,
            )
        )
    for consultation in consultations:
        calendar.add_component(_consultation_event(consultation, clinic=clinic))
    _add_clinic_zone(calendar)
    return calendar.to_ical()
