"""Reads for booking: one session for a user, the clinic calendar, what a booking decision
needs, and the calendars."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from clinic.ids import parse_public_id
from clinic.models import Closure, OpeningHours, Practitioner, PractitionerAbsence, Room
from clinic.transactions import inside_transaction
from evidence.models import Modality
from treatments.models import Consultation, TreatmentPlan, TreatmentSession
from treatments.rules.spacing import ClinicCalendar, Neighbour


def clinic_calendar(open_weekdays: Iterable[int] | None = None) -> ClinicCalendar:
    """Open weekdays and closures, two queries however far ahead we plan (one, when the caller
    has read the opening hours already)."""
    if open_weekdays is None:
        open_weekdays = OpeningHours.objects.values_list("weekday", flat=True).distinct()
    return ClinicCalendar.build(
        open_weekdays, Closure.objects.values_list("start_date", "end_date")
    )


def opening_hours() -> dict[int, list[tuple[dt.time, dt.time]]]:
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in OpeningHours.objects.order_by("weekday", "opens").values_list(
        "weekday", "opens", "closes"
    ):
        hours.setdefault(weekday, []).append((opens, closes))
    return hours


#: Bookings begin and end on the same day (see rules.slots.opening_problem).
MAX_BOOKING_LENGTH = dt.timedelta(days=1)


@dataclass(frozen=True)
class Held:
    """A booking as the slot checks see it: who and what it holds, and when. Plain tuples from
    the database, not model instances: a busy window holds over a thousand."""

    pk: int
    practitioner_id: int
    room_id: int
    patient_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    #: "session" or "consultation": both hold a practitioner, a room and the patient's time.
    kind: str = "session"


#: Held's fields as the database returns them.
HeldRow = tuple[int, int, int, int, dt.datetime, dt.datetime]


@dataclass
class BookingContext:
    """Everything a booking decision needs for a stretch of days, in a fixed number of queries."""

    hours: dict[int, list[tuple[dt.time, dt.time]]]
    calendar: ClinicCalendar
    practitioners: dict[int, Practitioner]
    rooms: dict[int, Room]
    practitioner_busy: dict[int, list[tuple[dt.datetime, dt.datetime]]]
    room_busy: dict[int, list[tuple[dt.datetime, dt.datetime]]]
    absences: dict[int, list[tuple[dt.datetime, dt.datetime, str]]]
    bookings: list[Held]

    def practitioner_unavailable(self) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
        """Bookings and absences together."""
        merged = {key: list(value) for key, value in self.practitioner_busy.items()}
        for practitioner, spans in self.absences.items():
            merged.setdefault(practitioner, []).extend((s, e) for s, e, _ in spans)
        return merged


def booking_context(
    *,
    start: dt.datetime,
    end: dt.datetime,
    modality: str | None,
    exclude_session: int | None = None,
    exclude_consultation: int | None = None,
) -> BookingContext:
    """What a booking between `start` and `end` must respect: sessions and consultations alike
    hold their practitioner, room and patient. `modality` None: any active room will do."""
    rooms = Room.objects.filter(active=True)
    if modality == Modality.RF_MICRONEEDLING:
        rooms = rooms.filter(has_rf_device=True)
    # A booking starts and ends on one day, so nothing that starts over a day before the
    # window reaches into it: the lower bound turns an open-ended scan of every earlier
    # booking into a short range on the starts_at index.
    held = TreatmentSession.objects.filter(
        starts_at__gt=start - MAX_BOOKING_LENGTH, starts_at__lt=end, ends_at__gt=start
    ).exclude(status=TreatmentSession.Status.CANCELLED)
    if exclude_session is not None:
        held = held.exclude(pk=exclude_session)
    bookings = [
        # A booked session holds a practitioner, a room and its times (the model's constraints).
        Held(*cast(HeldRow, row))
        for row in held.order_by().values_list(
            "pk", "practitioner_id", "room_id", "plan__patient_id", "starts_at", "ends_at"
        )
    ]
    consultations = Consultation.objects.filter(
        starts_at__gt=start - MAX_BOOKING_LENGTH,
        starts_at__lt=end,
        ends_at__gt=start,
        status__in=Consultation.SLOT_STATUSES,
    )
    if exclude_consultation is not None:
        consultations = consultations.exclude(pk=exclude_consultation)
    bookings += [
        Held(*row, kind="consultation")
        for row in consultations.order_by().values_list(
            "pk", "practitioner_id", "room_id", "patient_id", "starts_at", "ends_at"
        )
    ]
    practitioner_busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    room_busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for booking in bookings:
        practitioner_busy.setdefault(booking.practitioner_id, []).append(
            (booking.starts_at, booking.ends_at)
        )
        room_busy.setdefault(booking.room_id, []).append((booking.starts_at, booking.ends_at))
    absences: dict[int, list[tuple[dt.datetime, dt.datetime, str]]] = {}
    for absence in PractitionerAbsence.objects.filter(starts_at__lt=end, ends_at__gt=start):
        absences.setdefault(absence.practitioner_id, []).append(
            (absence.starts_at, absence.ends_at, absence.reason)
        )
    hours = opening_hours()
    return BookingContext(
        hours=hours,
        calendar=clinic_calendar(hours.keys()),
        practitioners={p.pk: p for p in Practitioner.objects.filter(active=True)},
        rooms={r.pk: r for r in rooms},
        practitioner_busy=practitioner_busy,
        room_busy=room_busy,
        absences=absences,
        bookings=bookings,
    )


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of a day in the clinic's zone (23 or 25 hours long on DST days)."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


#: What the calendars, today's list and the iCal feeds show of a booking. A full clinic's day
#: is 150 bookings of seven joined rows each; loading only these columns halves the page's time.
CALENDAR_FIELDS = (
    "public_id",
    "number",
    "status",
    "status_reason",
    "target_date",
    "starts_at",
    "ends_at",
    "updated_at",
    "plan__public_id",
    "plan__planned_sessions",
    "plan__patient__public_id",
    "plan__patient__given_name",
    "plan__patient__family_name",
    "plan__patient__mrn",
    "plan__protocol__code",
    "plan__protocol__title",  # the plain label beside the code
    "practitioner__public_id",
    "practitioner__is_dermatologist",
    "practitioner__user__first_name",
    "practitioner__user__last_name",
    "practitioner__user__username",
    "room__public_id",
    "room__name",
)


def sessions_between(
    first: dt.date,
    last: dt.date,
    *,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
) -> list[TreatmentSession]:
    """Bookings from `first` to `last` (inclusive), one query however many there are."""
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    sessions = TreatmentSession.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if practitioner is not None:
        sessions = sessions.filter(practitioner=practitioner)
    if room is not None:
        sessions = sessions.filter(room=room)
    return list(
        sessions.select_related("plan__patient", "plan__protocol", "practitioner__user", "room")
        .only(*CALENDAR_FIELDS)
        .order_by("starts_at", "pk")
    )


def sessions_for_day(day: dt.date) -> list[TreatmentSession]:
    return sessions_between(day, day)


#: What the calendars, today's list, the worklists and the feeds show of a consultation.
CONSULTATION_CALENDAR_FIELDS = (
    "public_id",
    "status",
    "status_reason",
    "reason",
    "starts_at",
    "ends_at",
    "created_at",
    "status_changed_at",
    "patient__public_id",
    "patient__given_name",
    "patient__family_name",
    "patient__mrn",
    "practitioner__public_id",
    "practitioner__is_dermatologist",
    "practitioner__user__first_name",
    "practitioner__user__last_name",
    "practitioner__user__username",
    "room__public_id",
    "room__name",
)


def consultations_between(
    first: dt.date,
    last: dt.date,
    *,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
    holding_only: bool = True,
) -> list[Consultation]:
    """Consultations from `first` to `last` (inclusive), one query however many there are.
    `holding_only`: those holding their time (booked, attended or a no-show; a cancelled one
    frees its dermatologist and room), as a grid shows them."""
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    consultations = Consultation.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if holding_only:
        consultations = consultations.filter(status__in=Consultation.SLOT_STATUSES)
    if practitioner is not None:
        consultations = consultations.filter(practitioner=practitioner)
    if room is not None:
        consultations = consultations.filter(room=room)
    return list(
        consultations.select_related("patient", "practitioner__user", "room")
        .only(*CONSULTATION_CALENDAR_FIELDS)
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class Arrival:
    """Someone arriving: for a session (30 minutes before the procedure, for the cream) or for
    a consultation (at its start). Exactly one of the two is set."""

    arrive_at: dt.datetime
    session: TreatmentSession | None = None
    consultation: Consultation | None = None

    @property
    def patient_id(self) -> int:
        if self.session is not None:
            return self.session.plan.patient_id
        return cast(Consultation, self.consultation).patient_id


def arrivals_in_order(
    sessions: Iterable[TreatmentSession], consultations: Iterable[Consultation]
) -> list[Arrival]:
    """Sessions and consultations as one list, in order of arrival."""
    arrivals = [
        Arrival(s.arrival_at, session=s) for s in sessions if s.arrival_at is not None
    ] + [Arrival(c.starts_at, consultation=c) for c in consultations]
    return sorted(arrivals, key=lambda a: a.arrive_at)


# --- One session for a user -----------------------------------------------------------------

#: What every page, endpoint and service that works on one session reads with it.
SESSION_RELATED = (
    "plan__patient",
    "plan__protocol",
    "plan__concern__indication",
    "plan__concern__grading_scale",
    "practitioner__user",
    "room",
)


def session_get_for_user(
    user: User | AnonymousUser, public_id: uuid.UUID | str
) -> TreatmentSession:
    """The one way to fetch a session for a user: 404 for a role that may not see sessions
    and for an id that is not one, with everything its pages and services read."""
    if not user.has_perm("treatments.view_treatmentsession"):
        raise Http404("No such session.")
    session = (
        TreatmentSession.objects.select_related(*SESSION_RELATED)
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return session


@inside_transaction
def session_lock(session: TreatmentSession) -> TreatmentSession:
    """Lock the session with its plan, in one statement, and read them afresh: every change to
    a series goes through its plan, so two clerks moving sessions of one plan take turns and
    spacing checks see settled dates. The row returned is the one to change."""
    return (
        TreatmentSession.objects.select_for_update(of=("self", "plan"))
        .select_related(*SESSION_RELATED)
        .get(pk=session.pk)
    )


def session_day(session: TreatmentSession) -> dt.date:
    """The day a session happens: its booking if booked, else its target."""
    if session.starts_at is None:
        return session.target_date
    return timezone.localtime(session.starts_at).date()


def practitioner_by_public_id(raw: object) -> Practitioner | None:
    """The practitioner with this public id (and the user its name comes from), or None for
    anything that is not one: a form that was tampered with or is stale gets a message."""
    try:
        public_id = parse_public_id(str(raw or ""))
    except Http404:
        return None
    return Practitioner.objects.select_related("user").filter(public_id=public_id).first()


def room_by_public_id(raw: object) -> Room | None:
    try:
        public_id = parse_public_id(str(raw or ""))
    except Http404:
        return None
    return Room.objects.filter(public_id=public_id).first()


#: Days a calendar or a list may show; anything else is a typing slip, not a date to compute with.
EARLIEST_DAY, LATEST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
#: The same days for the API's schema, which cannot bound a date but can match its year.
DAY_PATTERN = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"


def parse_day(raw: str | None, default: dt.date) -> dt.date:
    """A day from a page's query string; the default for anything that is not a usable day."""
    try:
        day = dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default
    return day if EARLIEST_DAY <= day <= LATEST_DAY else default


# --- The 7-day floor's neighbours ------------------------------------------------------------


def area_sessions(
    *, patient_id: int, body_area: str, exclude: int | None = None
) -> list[TreatmentSession]:
    """The patient's open sessions on this area in active plans, whichever plan they are in:
    one query serves the 7-day floor, the series' order and the re-spacing of a series."""
    sessions = (
        TreatmentSession.objects.filter(
            plan__patient_id=patient_id,
            plan__concern__body_area=body_area,
            plan__status=TreatmentPlan.Status.ACTIVE,
        )
        .exclude(status=TreatmentSession.Status.CANCELLED)
        .select_related("plan__protocol")
        .order_by("plan_id", "number")
    )
    if exclude is not None:
        sessions = sessions.exclude(pk=exclude)
    return list(sessions)


def neighbours_of(sessions: Iterable[TreatmentSession]) -> list[Neighbour]:
    """Sessions as the spacing rules see them."""
    return [
        Neighbour(plan=s.plan_id, number=s.number, day=session_day(s), label=s.plan.protocol.code)
        for s in sessions
    ]


def calendar_links() -> dict[str, list[tuple[str, str]]]:
    """(name, calendar address) of every active practitioner and room, for the links between
    calendars: one reverse() per kind, not one per resource."""
    marker = "00000000-0000-0000-0000-000000000000"
    links = {}
    for kind, model in (("practitioners", Practitioner), ("rooms", Room)):
        address = reverse("calendar", args=[kind, marker])
        links[kind] = [
            (str(r), address.replace(marker, str(r.public_id)))
            for r in model.objects.filter(active=True)
        ]
    return links


# --- Calendars as time grids ------------------------------------------------------------------


@dataclass
class CalendarData:
    """What a calendar grid shows for a stretch of days, in a fixed number of queries."""

    hours: dict[int, list[tuple[dt.time, dt.time]]]
    closures: list[tuple[dt.date, dt.date, str]]
    absences: dict[int, list[tuple[dt.datetime, dt.datetime, str]]]
    sessions: list[TreatmentSession]
    consultations: list[Consultation]

    def patient_ids(self) -> list[int]:
        """Every patient the calendar names, for the access log."""
        return [s.plan.patient_id for s in self.sessions] + [
            c.patient_id for c in self.consultations
        ]


def calendar_data(
    first: dt.date,
    last: dt.date,
    *,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
) -> CalendarData:
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    absences: dict[int, list[tuple[dt.datetime, dt.datetime, str]]] = {}
    if room is None:
        found = PractitionerAbsence.objects.filter(starts_at__lt=end, ends_at__gt=start)
        if practitioner is not None:
            found = found.filter(practitioner=practitioner)
        for pk, starts_at, ends_at, reason in found.values_list(
            "practitioner_id", "starts_at", "ends_at", "reason"
        ):
            absences.setdefault(pk, []).append((starts_at, ends_at, reason))
    return CalendarData(
        hours=opening_hours(),
        closures=list(
            Closure.objects.filter(start_date__lte=last, end_date__gte=first).values_list(
                "start_date", "end_date", "reason"
            )
        ),
        absences=absences,
        sessions=[
            s
            for s in sessions_between(first, last, practitioner=practitioner, room=room)
            if s.status != TreatmentSession.Status.CANCELLED
        ],
        consultations=consultations_between(first, last, practitioner=practitioner, room=room),
    )


def sessions_due_on(day: dt.date, *, before_days: int, after_days: int) -> list[TreatmentSession]:
    """Unbooked sessions of active plans whose booking window includes `day`: a window runs
    from `before_days` before the target to `after_days` after it."""
    return list(
        TreatmentSession.objects.filter(
            status=TreatmentSession.Status.PLANNED,
            plan__status=TreatmentPlan.Status.ACTIVE,
            target_date__gte=day - dt.timedelta(days=after_days),
            target_date__lte=day + dt.timedelta(days=before_days),
        )
        .select_related("plan__patient", "plan__protocol", "plan__responsible_dermatologist__user")
        .order_by("target_date", "plan__patient__family_name", "pk")
    )
