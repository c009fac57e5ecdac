"""A session's life: find a slot, book, move, cancel, no-show, check in, record.

Bookings are checked and locked inside a transaction on every database; on PostgreSQL,
exclusion constraints also make an overlapping booking impossible to save, and that refusal
comes back as the same `Conflict`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from clinic.errors import Conflict, ContraindicationBlocked, InvalidInput, NotAllowed
from clinic.models import Practitioner, Room
from clinic.text import checked_text
from treatments import booking
from treatments.models import (
    ANAESTHETIC_LEAD,
    SESSION_RECORD_FIELDS,
    STATUS_REASON_MAX_LENGTH,
    Screening,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.scheduling import MIN_INTERVAL_DAYS, ClinicCalendar
from treatments.selectors import BookingContext, booking_context, clinic_calendar
from treatments.services import screening_rescreen

GRID = dt.timedelta(minutes=settings.SLOT_GRID_MINUTES)


def _zone() -> dt.tzinfo:
    return timezone.get_current_timezone()


def _require(user: AbstractBaseUser, perm: str, what: str) -> None:
    if not user.has_perm(perm):
        raise NotAllowed(f"Your role does not allow you to {what}.")


def procedure_duration(session: TreatmentSession) -> dt.timedelta:
    area = session.area or session.plan.concern.body_area
    return dt.timedelta(minutes=settings.PROCEDURE_MINUTES.get(area, 45))


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def session_day(session: TreatmentSession) -> dt.date:
    """The day a session happens: its booking if booked, else its target."""
    return _local_day(session.starts_at) if session.starts_at else session.target_date


# --- Availability ----------------------------------------------------------------------------


class Availability(list[booking.FreeSlot]):
    """Free slots, with the id and name of every practitioner and room they offer (read with
    the bookings, so a caller needs no further query to show them)."""

    names: dict[str, dict[int, dict[str, str]]]


def _named(slots: list[booking.FreeSlot], context: BookingContext | None) -> Availability:
    result = Availability(slots)
    people = context.practitioners if context else {}
    rooms = context.rooms if context else {}
    result.names = {
        "p": {pk: {"id": str(p.public_id), "name": str(p)} for pk, p in people.items()},
        "r": {pk: {"id": str(r.public_id), "name": str(r)} for pk, r in rooms.items()},
    }
    return result


def session_availability(*, session: TreatmentSession, day: dt.date | None = None) -> Availability:
    """Free slots within the session's window (target −3/+7 days by default), or on one `day`
    of it."""
    session = TreatmentSession.objects.select_related("plan__concern").get(pk=session.pk)
    if session.status not in (TreatmentSession.Status.PLANNED, TreatmentSession.Status.BOOKED):
        raise InvalidInput(f"A {session.get_status_display().lower()} session cannot be booked.")
    # Only days the booking would accept: 7 days from the area's other sessions and after the
    # series' earlier ones. Later sessions of the series may move (the booking offers to shift
    # them), so they do not close a day here.
    window = booking.window_days(
        session.target_date,
        settings.BOOKING_WINDOW_BEFORE_DAYS,
        settings.BOOKING_WINDOW_AFTER_DAYS,
    )
    if day is not None and day not in window:
        message = (
            f"Choose a day from {window[0]:%d %b %Y} to {window[-1]:%d %b %Y}, the window "
            f"around session {session.number}'s target date."
        )
        raise InvalidInput(message, fields={"day": [message]})
    later = range(session.number + 1, session.plan.planned_sessions + 1)
    neighbours = _same_area(session)
    days = [
        candidate
        for candidate in ([day] if day is not None else window)
        if _spacing_problem(session, candidate, neighbours, ignore=later) is None
    ]
    zone = _zone()
    if not days:
        return _named([], None)
    start = dt.datetime.combine(days[0], dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(days[-1], dt.time.max, tzinfo=zone)
    context = booking_context(
        start=start, end=end, modality=session.plan.modality, exclude_session=session.pk
    )
    slots = booking.free_slots(
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
    return _named(slots, context)


# --- Booking ---------------------------------------------------------------------------------


def _describe(other: TreatmentSession) -> str:
    start = timezone.localtime(other.starts_at)
    end = timezone.localtime(other.ends_at)
    return (
        f"{start:%d %b %Y %H:%M}–{end:%H:%M}, session {other.number} for "
        f"{other.plan.patient.full_name}"
    )


def _check_slot(
    *,
    session: TreatmentSession,
    start: dt.datetime,
    end: dt.datetime,
    practitioner: Practitioner,
    room: Room,
    context: BookingContext,
) -> None:
    zone = _zone()
    if start.tzinfo is None:
        raise InvalidInput("Give the time with its time zone.", fields={"starts_at": ["No zone."]})
    local = start.astimezone(zone)
    if local.second or local.microsecond or local.minute % settings.SLOT_GRID_MINUTES:
        raise InvalidInput(
            f"Appointments start on the {settings.SLOT_GRID_MINUTES}-minute grid.",
            fields={
                "starts_at": [f"Choose a time on the {settings.SLOT_GRID_MINUTES}-minute grid."]
            },
        )
    if start - ANAESTHETIC_LEAD < timezone.now():
        raise InvalidInput(
            "That time has passed (the patient arrives 30 minutes before the procedure).",
            fields={"starts_at": ["Choose a time in the future."]},
        )
    if practitioner.pk not in context.practitioners:
        raise InvalidInput(
            "This practitioner is not active.", fields={"practitioner": ["Inactive."]}
        )
    if room.pk not in context.rooms:
        why = "has no RF device" if room.active else "is not in use"
        raise InvalidInput(f"{room} {why}.", fields={"room": [f"{room} {why}."]})
    problem = booking.opening_problem(
        start,
        end,
        lead=ANAESTHETIC_LEAD,
        hours=context.hours,
        calendar=context.calendar,
        zone=zone,
    )
    if problem:
        raise InvalidInput(problem, fields={"starts_at": [problem]})
    found = [
        (who, held.pk)
        for held in context.bookings
        if booking.overlaps(start, end, held.starts_at, held.ends_at)
        for who, same in (
            (str(practitioner), held.practitioner_id == practitioner.pk),
            (str(room), held.room_id == room.pk),
            ("The patient", held.patient_id == session.plan.patient_id),
        )
        if same
    ]
    others = TreatmentSession.objects.select_related("plan__patient").in_bulk(
        [pk for _, pk in found]
    )
    clashes = [f"{who} is already booked {_describe(others[pk])}" for who, pk in found]
    for absent_from, absent_to, reason in context.absences.get(practitioner.pk, ()):
        if booking.overlaps(start, end, absent_from, absent_to):
            clashes.append(
                f"{practitioner} is away {timezone.localtime(absent_from):%d %b %H:%M}–"
                f"{timezone.localtime(absent_to):%d %b %H:%M} ({reason})"
            )
    if clashes:
        raise Conflict("; ".join(clashes) + ".", details=clashes)


def _same_area(session: TreatmentSession) -> list[TreatmentSession]:
    """The patient's other sessions on this area in active plans: the 7-day neighbours."""
    return list(
        TreatmentSession.objects.filter(
            plan__patient_id=session.plan.patient_id,
            plan__concern__body_area=session.plan.concern.body_area,
            plan__status=TreatmentPlan.Status.ACTIVE,
        )
        .exclude(pk=session.pk)
        .exclude(status=TreatmentSession.Status.CANCELLED)
        .select_related("plan__protocol")
    )


def _spacing_problem(
    session: TreatmentSession,
    day: dt.date,
    neighbours: list[TreatmentSession],
    *,
    ignore: Collection[int] = (),
) -> InvalidInput | None:
    for other in neighbours:
        if other.plan_id == session.plan_id and other.number in ignore:
            continue  # moves to its shifted date, checked by reschedule_shifts
        other_day = session_day(other)
        gap = abs((other_day - day).days)
        if gap < MIN_INTERVAL_DAYS:
            which = (
                f"session {other.number}"
                if other.plan_id == session.plan_id
                else f"session {other.number} of {other.plan.protocol.code}"
            )
            return InvalidInput(
                f"Session {session.number} would be {gap} days from {which} "
                f"({other_day:%d %b %Y}); sessions on the same area are at least "
                f"{MIN_INTERVAL_DAYS} days apart.",
                fields={"starts_at": [f"At least {MIN_INTERVAL_DAYS} days from the neighbours."]},
            )
        if other.plan_id == session.plan_id and (
            (other.number < session.number and other_day > day)
            or (other.number > session.number and other_day < day)
        ):
            return InvalidInput(
                f"Session {session.number} cannot come "
                f"{'before' if other.number < session.number else 'after'} session "
                f"{other.number} ({other_day:%d %b %Y}).",
                fields={"starts_at": ["Keep the sessions in order."]},
            )
    return None


def _check_spacing(
    session: TreatmentSession, day: dt.date, *, ignore: Collection[int] = ()
) -> None:
    """Never within 7 days of another session on the same area — of this series (whichever
    are cancelled in between) or of the patient's other plans — and the series keeps its order."""
    problem = _spacing_problem(session, day, _same_area(session), ignore=ignore)
    if problem is not None:
        raise problem


def _lock_and_context(
    session: TreatmentSession,
    start: dt.datetime,
    end: dt.datetime,
    practitioner: Practitioner,
    room: Room,
) -> BookingContext:
    # Lock the practitioner, then the room (the plan is already locked): concurrent bookings of
    # either queue here, always in the same order so two clerks cannot deadlock.
    list(
        Practitioner.objects.select_for_update(of=("self",))
        .order_by()
        .filter(pk=practitioner.pk)
        .values("pk")
    )
    list(Room.objects.select_for_update().order_by().filter(pk=room.pk).values("pk"))
    return booking_context(
        start=start - dt.timedelta(days=1),
        end=end + dt.timedelta(days=1),
        modality=session.plan.modality,
        exclude_session=session.pk,
    )


def _save_slot(session: TreatmentSession, fields: list[str]) -> None:
    try:
        with transaction.atomic():
            session.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:
        # The database's own guard (PostgreSQL exclusion constraints) caught a race.
        raise Conflict(
            "Someone booked this practitioner or room at the same time a moment ago; "
            "choose another slot."
        ) from None


#: How far ahead a session may be booked.
MAX_BOOKING_AHEAD = dt.timedelta(days=2 * 366)


def _check_when(starts_at: dt.datetime) -> None:
    """Refuse absurd times before doing any arithmetic on them (years 1 and 9999 included)."""
    if starts_at.tzinfo is None:
        raise InvalidInput("Give the time with its time zone.", fields={"starts_at": ["No zone."]})
    now = timezone.now()
    if starts_at < now:
        raise InvalidInput("That time has passed.", fields={"starts_at": ["Choose a future time."]})
    if starts_at > now + MAX_BOOKING_AHEAD:
        raise InvalidInput(
            "Sessions are booked at most two years ahead.",
            fields={"starts_at": ["Choose a time within the next two years."]},
        )


def _locked_session(session: TreatmentSession) -> TreatmentSession:
    """Lock the plan, then the session: every change to a series goes through its plan, so
    two clerks moving sessions of one plan take turns and spacing checks see settled dates."""
    plan_id = TreatmentSession.objects.filter(pk=session.pk).values_list("plan_id", flat=True)
    list(TreatmentPlan.objects.select_for_update().order_by().filter(pk__in=plan_id).values("pk"))
    return (
        TreatmentSession.objects.select_for_update(of=("self",))
        .select_related("plan__concern", "plan__patient")
        .get(pk=session.pk)
    )


def contention_is_conflict(service: Callable[..., Any]) -> Callable[..., Any]:
    """A deadlock or serialization failure between two clerks is a conflict to retry, not a
    server error."""

    @functools.wraps(service)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return service(*args, **kwargs)
        except OperationalError as error:
            code = getattr(getattr(error, "__cause__", None), "sqlstate", None)
            if code in {"40P01", "40001"} or "database is locked" in str(error):
                raise Conflict(
                    "Another booking for this series or slot was being saved at the same "
                    "moment; try again."
                ) from None
            raise

    return wrapper


def _window_problem(session: TreatmentSession, day: dt.date) -> str | None:
    first = session.target_date - dt.timedelta(days=settings.BOOKING_WINDOW_BEFORE_DAYS)
    last = session.target_date + dt.timedelta(days=settings.BOOKING_WINDOW_AFTER_DAYS)
    if first <= day <= last:
        return None
    return (
        f"Session {session.number} is due {session.target_date:%d %b %Y}: book it between "
        f"{first:%d %b} and {last:%d %b %Y}, or move it to shift the series."
    )


@contention_is_conflict
@transaction.atomic
def session_book(
    *,
    acting_user: AbstractBaseUser,
    session: TreatmentSession,
    starts_at: dt.datetime,
    practitioner: Practitioner,
    room: Room,
    shift_later: bool = False,
) -> TreatmentSession:
    """Book a planned session within its window (target −3/+7 days by default)."""
    _require(acting_user, "treatments.change_treatmentsession", "book sessions")
    session = _locked_session(session)
    if session.status != TreatmentSession.Status.PLANNED:
        raise InvalidInput(
            f"Session {session.number} is {session.get_status_display().lower()}; "
            "only a planned session can be booked (move a booked one instead)."
        )
    _check_when(starts_at)
    problem = _window_problem(session, _local_day(starts_at))
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


@dataclass(frozen=True)
class Shift:
    number: int
    old_date: dt.date
    new_date: dt.date
    unbooked: bool


def reschedule_shifts(
    session: TreatmentSession, new_day: dt.date, calendar: ClinicCalendar | None = None
) -> list[Shift]:
    """How later sessions must move so each stays at least the plan's interval after the
    one before it; booked ones that must move lose their booking and need rebooking."""
    calendar = calendar or clinic_calendar()
    interval = session.plan.interval_days
    later = (
        TreatmentSession.objects.filter(plan=session.plan, number__gt=session.number)
        .exclude(status__in=[TreatmentSession.Status.CANCELLED])
        .order_by("number")
    )
    shifts, previous = [], new_day
    for other in later:
        current = session_day(other)
        earliest = calendar.next_open_day(previous + dt.timedelta(days=interval))
        if current < earliest:
            if other.status not in (
                TreatmentSession.Status.PLANNED,
                TreatmentSession.Status.BOOKED,
            ):
                raise InvalidInput(
                    f"Session {other.number} is {other.get_status_display().lower()} and "
                    "cannot move; choose an earlier date."
                )
            shifts.append(
                Shift(
                    other.number, current, earliest, other.status == TreatmentSession.Status.BOOKED
                )
            )
            previous = earliest
        else:
            previous = current
    return shifts


@contention_is_conflict
@transaction.atomic
def session_reschedule(
    *,
    acting_user: AbstractBaseUser,
    session: TreatmentSession,
    starts_at: dt.datetime,
    practitioner: Practitioner,
    room: Room,
    shift_later: bool = False,
) -> tuple[TreatmentSession, list[Shift]]:
    """Move a booked (or planned) session; later sessions keep the plan's spacing.

    Without `shift_later`, a move that would crowd later sessions is refused with the shifts it
    needs, so the clerk sees the new dates before anything is saved.
    """
    _require(acting_user, "treatments.change_treatmentsession", "move sessions")
    session = _locked_session(session)
    if session.status not in (TreatmentSession.Status.PLANNED, TreatmentSession.Status.BOOKED):
        raise InvalidInput(f"A {session.get_status_display().lower()} session cannot be moved.")
    _check_when(starts_at)
    return _place(
        acting_user=acting_user,
        session=session,
        starts_at=starts_at,
        practitioner=practitioner,
        room=room,
        shift_later=shift_later,
    )


def _place(
    *,
    acting_user: AbstractBaseUser,
    session: TreatmentSession,
    starts_at: dt.datetime,
    practitioner: Practitioner,
    room: Room,
    shift_later: bool,
) -> tuple[TreatmentSession, list[Shift]]:
    """The checks and writes that booking and moving share. The plan and session are locked."""
    if session.plan.status != TreatmentPlan.Status.ACTIVE:
        raise InvalidInput("This plan is not active; its sessions cannot be booked.")
    end = starts_at + procedure_duration(session)
    context = _lock_and_context(session, starts_at, end, practitioner, room)
    _check_slot(
        session=session,
        start=starts_at,
        end=end,
        practitioner=practitioner,
        room=room,
        context=context,
    )
    new_day = _local_day(starts_at)
    shifts = reschedule_shifts(session, new_day, context.calendar)
    if shifts and not shift_later:
        raise Conflict(
            "This date crowds the later sessions: "
            + "; ".join(
                f"session {s.number} {s.old_date:%d %b} → {s.new_date:%d %b %Y}"
                + (" (booking released)" if s.unbooked else "")
                for s in shifts
            )
            + ". Confirm shifting them.",
            details=shifts,
        )
    shifted = {shift.number for shift in shifts}
    _check_spacing(session, new_day, ignore=shifted)
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
    _save_slot(
        session,
        [
            "starts_at",
            "ends_at",
            "practitioner",
            "room",
            "status",
            "status_changed_by",
            "status_changed_at",
        ],
    )
    return session, shifts


@transaction.atomic
def session_cancel(
    *, acting_user: AbstractBaseUser, session: TreatmentSession, reason: str
) -> TreatmentSession:
    """The record stays, with its reason; the slot is freed."""
    _require(acting_user, "treatments.change_treatmentsession", "cancel sessions")
    session = _locked_session(session)
    if session.status not in (TreatmentSession.Status.PLANNED, TreatmentSession.Status.BOOKED):
        raise InvalidInput(f"A {session.get_status_display().lower()} session cannot be cancelled.")
    reason = checked_text(reason, field="reason", max_length=STATUS_REASON_MAX_LENGTH)
    if not reason:
        raise InvalidInput("Give the reason for cancelling.", fields={"reason": ["Required."]})
    _change_status(session, TreatmentSession.Status.CANCELLED, acting_user, reason=reason)
    close_plan_if_done(session.plan_id)
    return session


OPEN_STATUSES = (
    TreatmentSession.Status.PLANNED,
    TreatmentSession.Status.BOOKED,
    TreatmentSession.Status.CHECKED_IN,
)


def close_plan_if_done(plan_id: int) -> None:
    """A plan with no open session left is over: completed if any session went ahead, else
    cancelled. Run after every change that can close a session."""
    statuses = set(
        TreatmentSession.objects.filter(plan_id=plan_id).values_list("status", flat=True)
    )
    if statuses & set(OPEN_STATUSES):
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


def _require_today(session: TreatmentSession, what: str) -> None:
    if session.status != TreatmentSession.Status.BOOKED:
        raise InvalidInput(
            f"Only a booked session can be {what}; this one is "
            f"{session.get_status_display().lower()}."
        )
    if _local_day(session.starts_at) != timezone.localdate():
        raise InvalidInput(f"A session is {what} on its day ({session_day(session):%d %b %Y}).")


@transaction.atomic
def _change_status(
    session: TreatmentSession, status: str, acting_user: AbstractBaseUser, *, reason: str = ""
) -> None:
    """A session's status, with why, who and when, written alone: the slot and the record of
    what was done stay as they are."""
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


def session_no_show(
    *, acting_user: AbstractBaseUser, session: TreatmentSession
) -> TreatmentSession:
    _require(acting_user, "treatments.change_treatmentsession", "record no-shows")
    session = _locked_session(session)
    _require_today(session, "marked as a no-show")
    if timezone.now() < session.arrival_at:
        raise InvalidInput(
            f"The patient is due at {timezone.localtime(session.arrival_at):%H:%M}; a no-show "
            "is recorded after that."
        )
    _change_status(session, TreatmentSession.Status.NO_SHOW, acting_user)
    close_plan_if_done(session.plan_id)
    return session


@dataclass(frozen=True)
class CheckIn:
    session: TreatmentSession
    screening: Screening

    @property
    def awaiting_override(self) -> bool:
        return (
            self.screening.result == Screening.Result.NEEDS_OVERRIDE
            and self.screening.override_by_id is None
        )


@transaction.atomic
def session_check_in(
    *,
    acting_user: AbstractBaseUser,
    session: TreatmentSession,
    changed: bool,
    answers: Mapping[str, bool] | None = None,
    acknowledged: Collection[str] = (),
    override_reason: str = "",
) -> CheckIn:
    """Check in after the re-screen. A new absolute contraindication blocks the session (and
    that is saved); a relative one lets the patient in but waits for a dermatologist's override
    before the procedure can be recorded."""
    _require(acting_user, "treatments.change_treatmentsession", "check patients in")
    session = _locked_session(session)
    _require_today(session, "checked in")
    screening = screening_rescreen(
        acting_user=acting_user,
        session=session,
        changed=changed,
        answers=answers,
        acknowledged=acknowledged,
        override_reason=override_reason,
    )
    if screening.result == Screening.Result.BLOCKED:
        codes = ", ".join(
            a.rule.code
            for a in screening.answers.select_related("rule").filter(answer=True)
            if a.rule.severity == "absolute"
        )
        reason = f"Contraindication at check-in: {codes}"[:STATUS_REASON_MAX_LENGTH]
        _change_status(session, TreatmentSession.Status.BLOCKED, acting_user, reason=reason)
    else:
        _change_status(session, TreatmentSession.Status.CHECKED_IN, acting_user)
    if session.status == TreatmentSession.Status.BLOCKED:
        close_plan_if_done(session.plan_id)
    return CheckIn(session=session, screening=screening)


@transaction.atomic
def session_record(
    *, acting_user: AbstractBaseUser, session: TreatmentSession, **values: Any
) -> TreatmentSession:
    """What was done. Completing the last open session completes the plan."""
    _require(acting_user, "treatments.record_treatmentsession", "record sessions")
    if not Practitioner.objects.filter(
        user_id=acting_user.pk, is_dermatologist=True, active=True
    ).exists():
        raise NotAllowed("Only a dermatologist records what was done at a session.")
    unknown = sorted(set(values) - set(SESSION_RECORD_FIELDS))
    if unknown:
        raise InvalidInput(f"Unknown field(s): {', '.join(unknown)}.")
    session = _locked_session(session)
    if session.status != TreatmentSession.Status.CHECKED_IN:
        raise InvalidInput("Check the patient in (with the re-screen) before recording.")
    screening = latest_screening_for_session(session)
    if screening is None:
        raise InvalidInput("This session has no re-screen; check the patient in first.")
    if screening.result == Screening.Result.NEEDS_OVERRIDE and screening.override_by_id is None:
        raise ContraindicationBlocked(
            "A relative contraindication found at check-in awaits a dermatologist's override."
        )
    for name, value in values.items():
        setattr(session, name, value)
    applied = session.anaesthetic_applied_at
    if applied is not None and not (
        _local_day(applied) == _local_day(session.starts_at) and applied <= timezone.now()
    ):
        raise InvalidInput(
            "The anaesthetic was applied on the day of the session, and not in the future.",
            fields={"anaesthetic_applied_at": ["Give the time it was applied today."]},
        )
    if session.depth_used_mm is None:
        raise InvalidInput("Record the depth used.", fields={"depth_used_mm": ["Required."]})
    concern = session.plan.concern
    if session.outcome_grade and concern.grading_scale_id:
        problem = concern.grading_scale.grade_error(session.outcome_grade)
        if problem:
            raise InvalidInput(problem, fields={"outcome_grade": [problem]})
    session.status = TreatmentSession.Status.COMPLETED
    session.status_changed_by, session.status_changed_at = acting_user, timezone.now()
    try:
        session.full_clean()
    except ValidationError as error:
        fields = {k: list(v) for k, v in error.message_dict.items()}
        raise InvalidInput(next(iter(fields.values()))[0], fields=fields) from None
    session.save()
    close_plan_if_done(session.plan_id)
    return session


def latest_screening_for_session(session: TreatmentSession) -> Screening | None:
    return Screening.objects.filter(session=session).order_by("-performed_at", "-pk").first()
