"""Finding a slot, booking, moving and cancelling a session.

Bookings are checked and locked inside a transaction on every database; on PostgreSQL,
exclusion constraints also make an overlapping booking impossible to save, and that refusal
comes back as the same `Conflict`. The rules themselves (spacing, the window, opening hours and
the arrival lead, free slots) are `treatments.rules`; these services load rows, ask them, and
save the answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.errors import Conflict, InvalidInput
from clinic.models import Practitioner, Room
from clinic.text import checked_text
from clinic.transactions import contention_is_conflict
from treatments import clinicians
from treatments.booking.selectors import (
    BookingContext,
    Held,
    area_sessions,
    booking_context,
    clinic_calendar,
    neighbours_of,
    session_day,
    session_lock,
)
from treatments.errors import ShiftsNeeded
from treatments.models import (
    STATUS_REASON_MAX_LENGTH,
    Consultation,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.rules import roles, session_status, slots, spacing
from treatments.rules.limits import ANAESTHETIC_LEAD, MAX_BOOKING_AHEAD_DAYS
from treatments.rules.series import later_than
from treatments.rules.spacing import (
    ClinicCalendar,
    Neighbour,
    SchedulingError,
    SeriesSession,
    Shift,
)

GRID = dt.timedelta(minutes=settings.SLOT_GRID_MINUTES)
MAX_BOOKING_AHEAD = dt.timedelta(days=MAX_BOOKING_AHEAD_DAYS)


def _zone() -> ZoneInfo:
    return timezone.get_current_timezone()


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def procedure_duration(session: TreatmentSession) -> dt.timedelta:
    area = session.area or session.plan.concern.body_area
    return dt.timedelta(minutes=settings.PROCEDURE_MINUTES.get(area, 45))


def booking_window(session: TreatmentSession) -> spacing.Window:
    return spacing.Window(
        session.target_date, settings.BOOKING_WINDOW_BEFORE_DAYS, settings.BOOKING_WINDOW_AFTER_DAYS
    )


# --- The series and its neighbours, as the spacing rules see them ----------------------------


def _series(session: TreatmentSession, others: list[TreatmentSession]) -> list[SeriesSession]:
    """This series for `spacing.respace`: the session being moved and its open siblings."""
    siblings = [o for o in others if o.plan_id == session.plan_id]
    return [
        SeriesSession(
            number=o.number,
            day=session_day(o),
            movable=o.status in TreatmentSession.OPEN_TO_BOOK,
            booked=o.status == TreatmentSession.Status.BOOKED,
            status=o.get_status_display().lower(),
        )
        for o in [session, *siblings]
    ]


# --- Availability ----------------------------------------------------------------------------


class Availability(list[slots.FreeSlot]):
    """Free slots, with the id and name of every practitioner and room they offer (read with
    the bookings, so a caller needs no further query to show them), the clinic's calendar and
    the days the spacing rules refuse, with why (for a day picker that explains itself)."""

    names: dict[str, dict[int, dict[str, str]]]
    calendar: ClinicCalendar
    refused: dict[dt.date, str]

    def rows(self) -> list[dict[str, Any]]:
        """Each slot with its free practitioners and rooms by id and name: what the API answers
        and the pages list."""
        return [
            {
                "arrival_at": slot.arrival_at,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "practitioners": [self.names["p"][pk] for pk in slot.practitioner_ids],
                "rooms": [self.names["r"][pk] for pk in slot.room_ids],
            }
            for slot in self
        ]


def with_names(
    found: list[slots.FreeSlot],
    context: BookingContext | None,
    refused: dict[dt.date, str] | None = None,
) -> Availability:
    result = Availability(found)
    result.calendar = context.calendar if context else clinic_calendar()
    result.refused = refused or {}
    people = context.practitioners if context else {}
    rooms = context.rooms if context else {}
    result.names = {
        "p": {pk: {"id": str(p.public_id), "name": str(p)} for pk, p in people.items()},
        "r": {pk: {"id": str(r.public_id), "name": str(r)} for pk, r in rooms.items()},
    }
    return result


def session_availability(*, session: TreatmentSession, day: dt.date | None = None) -> Availability:
    """Free slots within the session's window (`BOOKING_WINDOW_BEFORE_DAYS` before its target
    to `BOOKING_WINDOW_AFTER_DAYS` after), or on one `day` of it. `session` is the row from
    `session_get_for_user`."""
    if session.status not in TreatmentSession.OPEN_TO_BOOK:
        raise Conflict(f"A {session.get_status_display().lower()} session cannot be booked.")
    window = booking_window(session)
    if day is not None and day not in window:
        message = (
            f"Choose a day from {window.first:%d %b %Y} to {window.last:%d %b %Y}, the window "
            f"around session {session.number}'s target date."
        )
        raise InvalidInput(message, fields={"day": [message]})
    # Only days the booking would accept: the 7-day floor from the area's other sessions and
    # after the series' earlier ones. Later sessions of the series may move (the booking offers
    # to shift them), so they do not close a day here.
    later = later_than(session.number)
    neighbours = neighbours_of(
        area_sessions(
            patient_id=session.plan.patient_id,
            body_area=session.plan.concern.body_area,
            exclude=session.pk,
        )
    )
    refused: dict[dt.date, str] = {}
    days = []
    for candidate in [day] if day is not None else window.days():
        problem = spacing.neighbour_problem(
            plan=session.plan_id,
            number=session.number,
            day=candidate,
            neighbours=neighbours,
            ignore=later,
        )
        if problem is None:
            days.append(candidate)
        else:
            refused[candidate] = problem
    if not days:
        return with_names([], None, refused)
    zone = _zone()
    context = booking_context(
        start=dt.datetime.combine(days[0], dt.time.min, tzinfo=zone),
        end=dt.datetime.combine(days[-1], dt.time.max, tzinfo=zone),
        modality=session.plan.modality,
        exclude_session=session.pk,
    )
    found = slots.free_slots(
        days=days,
        hours=context.hours,
        calendar=context.calendar,
        duration=procedure_duration(session),
        lead=ANAESTHETIC_LEAD,
        grid=GRID,
        zone=zone,
        not_before=timezone.now(),
        practitioners=sorted(context.practitioners),
        rooms=sorted(context.rooms),
        practitioner_busy=context.practitioner_unavailable(),
        room_busy=context.room_busy,
        patient_busy=[
            (held.starts_at, held.ends_at)
            for held in context.bookings
            if held.patient_id == session.plan.patient_id
        ],
    )
    return with_names(found, context, refused)


# --- Booking and moving ----------------------------------------------------------------------


def clashing(
    context: BookingContext,
    *,
    start: dt.datetime,
    end: dt.datetime,
    practitioner: Practitioner,
    room: Room,
    patient_id: int,
) -> list[tuple[str, Held]]:
    """Who or what is already taken over [start, end): the practitioner, the room or the
    patient, by a session or a consultation, each with the booking that holds it."""
    return [
        (who, held)
        for held in context.bookings
        if slots.overlaps(start, end, held.starts_at, held.ends_at)
        for who, same in (
            (str(practitioner), held.practitioner_id == practitioner.pk),
            (str(room), held.room_id == room.pk),
            ("The patient", held.patient_id == patient_id),
        )
        if same
    ]


def describe_held(found: list[tuple[str, Held]]) -> list[tuple[str, str]]:
    """Each clash in words ("12 Mar 2027 10:00–10:45, session 2 for Rosa Marlowe"), in two
    queries however many."""
    sessions = TreatmentSession.objects.select_related("plan__patient").in_bulk(
        [held.pk for _, held in found if held.kind == "session"]
    )
    consultations = Consultation.objects.select_related("patient").in_bulk(
        [held.pk for _, held in found if held.kind == "consultation"]
    )
    described = []
    for who, held in found:
        start = timezone.localtime(held.starts_at)
        end = timezone.localtime(held.ends_at)
        if held.kind == "session":
            other = sessions[held.pk]
            what = f"session {other.number} for {other.plan.patient.full_name}"
        else:
            what = f"a consultation for {consultations[held.pk].patient.full_name}"
        described.append((who, f"{start:%d %b %Y %H:%M}–{end:%H:%M}, {what}"))
    return described


def check_when(starts_at: dt.datetime) -> None:
    """Refuse absurd times before doing any arithmetic on them (years 1 and 9999 included)."""
    if starts_at.tzinfo is None:
        raise InvalidInput("Give the time with its time zone.", fields={"starts_at": ["No zone."]})
    now = timezone.now()
    if starts_at < now:
        raise InvalidInput("That time has passed.", fields={"starts_at": ["Choose a future time."]})
    if starts_at > now + MAX_BOOKING_AHEAD:
        message = f"Sessions are booked at most {MAX_BOOKING_AHEAD_DAYS} days ahead."
        raise InvalidInput(message, fields={"starts_at": [message]})


def check_slot(
    *,
    start: dt.datetime,
    end: dt.datetime,
    lead: dt.timedelta,
    practitioner: Practitioner,
    room: Room,
    patient_id: int,
    context: BookingContext,
) -> None:
    """Refuse [start, end) for this practitioner, room and patient unless it is on the grid, in
    the future (arrival included), inside opening hours and free of every booking (sessions
    and consultations) and of the practitioner's absences. Sessions and consultations share it."""
    zone = _zone()
    problem = slots.grid_problem(start.astimezone(zone), settings.SLOT_GRID_MINUTES)
    if problem:
        raise InvalidInput(problem, fields={"starts_at": [problem]})
    if start - lead < timezone.now():
        arrives = (
            f" (the patient arrives {slots.minutes(lead)} minutes before the procedure)"
            if lead
            else ""
        )
        raise InvalidInput(
            f"That time has passed{arrives}.",
            fields={"starts_at": ["Choose a time in the future."]},
        )
    if practitioner.pk not in context.practitioners:
        raise InvalidInput(
            "This practitioner is not active.", fields={"practitioner": ["Inactive."]}
        )
    if room.pk not in context.rooms:
        why = "has no RF device" if room.active else "is not in use"
        raise InvalidInput(f"{room} {why}.", fields={"room": [f"{room} {why}."]})
    problem = slots.opening_problem(
        start, end, lead=lead, hours=context.hours, calendar=context.calendar, zone=zone
    )
    if problem:
        raise InvalidInput(problem, fields={"starts_at": [problem]})
    found = clashing(
        context,
        start=start,
        end=end,
        practitioner=practitioner,
        room=room,
        patient_id=patient_id,
    )
    clashes = [f"{who} is already booked {what}" for who, what in describe_held(found)]
    for absent_from, absent_to, reason in context.absences.get(practitioner.pk, ()):
        if slots.overlaps(start, end, absent_from, absent_to):
            clashes.append(
                f"{practitioner} is away {timezone.localtime(absent_from):%d %b %H:%M}–"
                f"{timezone.localtime(absent_to):%d %b %H:%M} ({reason})"
            )
    if clashes:
        raise Conflict("; ".join(clashes) + ".", extra={"conflicts": clashes})


@transaction.atomic(savepoint=False)
def lock_resources(practitioner: Practitioner, room: Room) -> None:
    """Lock the practitioner, then the room: every booking of either, session or consultation,
    queues here. This is what keeps a consultation and a session apart (the exclusion
    constraints hold within each table)."""
    lock_all_resources(practitioners=[practitioner], rooms=[room])


@transaction.atomic(savepoint=False)
def lock_all_resources(*, practitioners: Collection[Practitioner], rooms: Collection[Room]) -> None:
    """Lock every practitioner, then every room, each by id: always in the same order, so two
    clerks (one booking a session, one a whole series across several rooms) cannot deadlock."""
    list(
        Practitioner.objects.select_for_update(of=("self",))
        .filter(pk__in=sorted({p.pk for p in practitioners}))
        .order_by("pk")
        .values("pk")
    )
    list(
        Room.objects.select_for_update()
        .filter(pk__in=sorted({r.pk for r in rooms}))
        .order_by("pk")
        .values("pk")
    )


def _lock_and_context(
    session: TreatmentSession,
    start: dt.datetime,
    end: dt.datetime,
    practitioner: Practitioner,
    room: Room,
) -> BookingContext:
    lock_resources(practitioner, room)  # the plan is already locked
    return booking_context(
        start=start - dt.timedelta(days=1),
        end=end + dt.timedelta(days=1),
        modality=session.plan.modality,
        exclude_session=session.pk,
    )


#: What booking a session writes.
SLOT_FIELDS = [
    "starts_at",
    "ends_at",
    "practitioner",
    "room",
    "status",
    "status_changed_by",
    "status_changed_at",
]


@transaction.atomic(savepoint=False)  # joins the caller's transaction; the save has its own
def save_slot(session: TreatmentSession, fields: list[str]) -> None:
    try:
        with transaction.atomic():
            session.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:
        # The database's own guard (PostgreSQL exclusion constraints) caught a race.
        raise Conflict(
            "Someone booked this practitioner or room at the same time a moment ago; "
            "choose another slot."
        ) from None


@contention_is_conflict
@transaction.atomic
def session_book(
    *,
    acting_user: User,
    session: TreatmentSession,
    starts_at: dt.datetime,
    practitioner: Practitioner,
    room: Room,
    shift_later: bool = False,
) -> TreatmentSession:
    """Book a planned session within its window around the target date."""
    clinicians.require(acting_user, roles.BOOK_PERM, "book sessions")
    session = session_lock(session)
    if session.status != TreatmentSession.Status.PLANNED:
        raise Conflict(
            f"Session {session.number} is {session.get_status_display().lower()}; "
            "only a planned session can be booked (move a booked one instead)."
        )
    check_when(starts_at)
    problem = spacing.window_problem(session.number, booking_window(session), _local_day(starts_at))
    if problem:
        raise InvalidInput(problem, fields={"starts_at": [problem]})
    placed, _ = _place(
        acting_user=acting_user,
        session=session,
        starts_at=starts_at,
        practitioner=practitioner,
        room=room,
        shift_later=shift_later,
    )
    return placed


@contention_is_conflict
@transaction.atomic
def session_reschedule(
    *,
    acting_user: User,
    session: TreatmentSession,
    starts_at: dt.datetime,
    practitioner: Practitioner,
    room: Room,
    shift_later: bool = False,
) -> tuple[TreatmentSession, list[Shift]]:
    """Move a booked (or planned) session; later sessions keep the plan's spacing.

    Without `shift_later`, a move that would crowd later sessions is refused with the shifts it
    needs (`ShiftsNeeded`), so the clerk sees the new dates before anything is saved.
    """
    clinicians.require(acting_user, roles.BOOK_PERM, "move sessions")
    session = session_lock(session)
    if session.status not in TreatmentSession.OPEN_TO_BOOK:
        raise Conflict(f"A {session.get_status_display().lower()} session cannot be moved.")
    check_when(starts_at)
    return _place(
        acting_user=acting_user,
        session=session,
        starts_at=starts_at,
        practitioner=practitioner,
        room=room,
        shift_later=shift_later,
    )


def _refuse_spacing(
    session: TreatmentSession, day: dt.date, neighbours: list[Neighbour], *, ignore: Collection[int]
) -> None:
    problem = spacing.neighbour_problem(
        plan=session.plan_id, number=session.number, day=day, neighbours=neighbours, ignore=ignore
    )
    if problem:
        raise InvalidInput(problem, fields={"starts_at": [problem]})


def _place(
    *,
    acting_user: User,
    session: TreatmentSession,
    starts_at: dt.datetime,
    practitioner: Practitioner,
    room: Room,
    shift_later: bool,
) -> tuple[TreatmentSession, list[Shift]]:
    """The checks and writes that booking and moving share. The plan and session are locked."""
    if session.plan.status != TreatmentPlan.Status.ACTIVE:
        raise Conflict("This plan is not active; its sessions cannot be booked.")
    end = starts_at + procedure_duration(session)
    context = _lock_and_context(session, starts_at, end, practitioner, room)
    check_slot(
        start=starts_at,
        end=end,
        lead=ANAESTHETIC_LEAD,
        practitioner=practitioner,
        room=room,
        patient_id=session.plan.patient_id,
        context=context,
    )
    new_day = _local_day(starts_at)
    others = area_sessions(
        patient_id=session.plan.patient_id,
        body_area=session.plan.concern.body_area,
        exclude=session.pk,
    )
    neighbours = neighbours_of(others)
    # The hard floor and the series' order against what stays put come first; later sessions
    # of this series may still shift, so they are checked once `respace` says where to.
    later = later_than(session.number)
    _refuse_spacing(session, new_day, neighbours, ignore=later)
    try:
        shifts = spacing.respace(
            _series(session, others),
            moved=session.number,
            new_day=new_day,
            interval_days=session.plan.interval_days,
            calendar=context.calendar,
            window=booking_window(session),
        )
    except SchedulingError as error:
        raise InvalidInput(str(error), fields={"starts_at": [str(error)]}) from None
    if shifts and not shift_later:
        raise ShiftsNeeded(shifts)
    _refuse_spacing(session, new_day, neighbours, ignore={shift.number for shift in shifts})
    now = timezone.now()
    for shift in shifts:
        TreatmentSession.objects.filter(plan=session.plan, number=shift.number).update(
            target_date=shift.new_date,
            **(
                {
                    "status": TreatmentSession.Status.PLANNED,
                    "starts_at": None,
                    "ends_at": None,
                    "practitioner": None,
                    "room": None,
                    "status_changed_by": acting_user,
                    "status_changed_at": now,
                }
                if shift.unbooked
                else {}
            ),
            updated_at=now,
        )
    session.starts_at, session.ends_at = starts_at, end
    session.practitioner, session.room = practitioner, room
    session.status = TreatmentSession.Status.BOOKED
    session.status_changed_by, session.status_changed_at = acting_user, now
    save_slot(session, SLOT_FIELDS)
    return session, shifts


# --- Status changes --------------------------------------------------------------------------


@transaction.atomic(savepoint=False)  # joins the caller's transaction; no savepoint
def change_status(
    session: TreatmentSession, status: str, acting_user: User, *, reason: str = ""
) -> None:
    """A session's status, with why, who and when, written alone: the slot and the record of
    what was done stay as they are. Called inside its service's transaction; a change the
    status rules (`rules.session_status`) do not allow is refused."""
    refusal = session_status.change_refusal(session.status, status)
    if refusal:
        raise Conflict(refusal)
    session.status, session.status_reason = status, reason
    session.status_changed_by, session.status_changed_at = acting_user, timezone.now()
    session.save(
        update_fields=[
            "status",
            "status_reason",
            "status_changed_by",
            "status_changed_at",
            "updated_at",
        ]
    )


@transaction.atomic(savepoint=False)  # joins the caller's transaction; no savepoint
def close_plan_if_done(plan_id: int) -> None:
    """A plan with no open session left is over: completed if any session went ahead, else
    cancelled. Run after every change that can close a session, inside its transaction."""
    statuses = set(
        TreatmentSession.objects.filter(plan_id=plan_id).values_list("status", flat=True)
    )
    if statuses & set(TreatmentSession.OPEN_STATUSES):
        return
    if TreatmentSession.Status.COMPLETED in statuses:
        TreatmentPlan.objects.filter(pk=plan_id, status=TreatmentPlan.Status.ACTIVE).update(
            status=TreatmentPlan.Status.COMPLETED, updated_at=timezone.now()
        )
    else:
        TreatmentPlan.objects.filter(pk=plan_id, status=TreatmentPlan.Status.ACTIVE).update(
            status=TreatmentPlan.Status.CANCELLED,
            updated_at=timezone.now(),
            cancellation_reason="No session of the series went ahead.",
        )


@transaction.atomic
def session_cancel(
    *, acting_user: User, session: TreatmentSession, reason: str
) -> TreatmentSession:
    """The record stays, with its reason; the slot is freed. A blocked session is cancelled
    too (given up rather than re-screened): its block stays in its screenings and history."""
    clinicians.require(acting_user, roles.BOOK_PERM, "cancel sessions")
    session = session_lock(session)
    if not session_status.may_change(session.status, TreatmentSession.Status.CANCELLED):
        raise Conflict(f"A {session.get_status_display().lower()} session cannot be cancelled.")
    reason = checked_text(reason, field="reason", max_length=STATUS_REASON_MAX_LENGTH)
    if not reason:
        raise InvalidInput("Give the reason for cancelling.", fields={"reason": ["Required."]})
    change_status(session, TreatmentSession.Status.CANCELLED, acting_user, reason=reason)
    close_plan_if_done(session.plan_id)
    return session


__all__ = [
    "Availability",
    "Shift",
    "booking_window",
    "change_status",
    "close_plan_if_done",
    "procedure_duration",
    "session_availability",
    "session_book",
    "session_cancel",
    "session_reschedule",
]
