"""Booking a plan's whole series in one step: the preview, and the booking of every unbooked
session or none.

Where each session goes is `treatments.rules.series`; each slot is checked as a single booking
checks it (`services.check_slot`, under `services.lock_all_resources`), so a series and a single
booking refuse the same slots for the same reasons.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from clinic.errors import ClinicError, Conflict, InvalidInput
from clinic.models import Practitioner, Room
from clinic.transactions import contention_is_conflict
from treatments import clinicians
from treatments.booking import services
from treatments.booking.selectors import (
    SESSION_RELATED,
    BookingContext,
    area_sessions,
    booking_context,
    clinic_calendar,
    neighbours_of,
)
from treatments.models import TreatmentPlan, TreatmentSession
from treatments.rules import roles, series, slots, spacing
from treatments.rules.limits import ANAESTHETIC_LEAD
from treatments.rules.series import Candidate, Placement, Unbooked
from treatments.rules.spacing import Neighbour, SchedulingError


@dataclass(frozen=True)
class Choice:
    """The front desk's pick for one session among its alternatives."""

    number: int
    starts_at: dt.datetime
    practitioner: Practitioner
    room: Room


@dataclass
class SeriesPreview:
    """Every unbooked session's proposed slot, or why not and its alternatives, with the names
    of the practitioners and rooms they use (read with the bookings: no further query)."""

    placements: list[Placement]
    sessions: dict[int, TreatmentSession]
    practitioners: dict[int, Practitioner]
    rooms: dict[int, Room]

    @property
    def complete(self) -> bool:
        return all(p.placed for p in self.placements)

    def slot_row(self, candidate: Candidate) -> dict[str, Any]:
        practitioner = self.practitioners[candidate.practitioner_id]
        room = self.rooms[candidate.room_id]
        return {
            "arrival_at": candidate.starts_at - ANAESTHETIC_LEAD,
            "starts_at": candidate.starts_at,
            "ends_at": candidate.ends_at,
            "practitioner": {"id": str(practitioner.public_id), "name": str(practitioner)},
            "room": {"id": str(room.public_id), "name": str(room)},
        }

    def rows(self) -> list[dict[str, Any]]:
        """What the API answers and the page lists: one entry per unbooked session."""
        return [
            {
                "session": str(self.sessions[p.number].public_id),
                "number": p.number,
                "target_date": p.target,
                "slot": self.slot_row(p.slot) if p.slot else None,
                "chosen": p.chosen,
                "problem": p.problem,
                "alternatives": [self.slot_row(c) for c in p.alternatives],
            }
            for p in self.placements
        ]


def _unbooked(sessions: Sequence[TreatmentSession]) -> list[TreatmentSession]:
    return [s for s in sessions if s.status == TreatmentSession.Status.PLANNED]


def _first_slot(starts_at: dt.datetime) -> tuple[dt.date, dt.time]:
    """The first session's day and time of day, refused before any arithmetic if absurd."""
    services.check_when(starts_at)
    local = timezone.localtime(starts_at)
    problem = slots.grid_problem(local, services.GRID.seconds // 60)
    if problem:
        raise InvalidInput(problem, fields={"starts_at": [problem]})
    return local.date(), local.time()


def _resources_usable(context: BookingContext, practitioner: Practitioner, room: Room) -> None:
    if practitioner.pk not in context.practitioners:
        message = f"{practitioner} is not an active practitioner."
        raise InvalidInput(message, fields={"practitioner": [message]})
    if room.pk not in context.rooms:
        why = "has no RF device" if room.active else "is not in use"
        raise InvalidInput(f"{room} {why}.", fields={"room": [f"{room} {why}."]})


def _fixed(plan: TreatmentPlan, unbooked: Sequence[TreatmentSession]) -> list[Neighbour]:
    """The area's sessions that stay where they are: this plan's booked or done ones and the
    patient's other plans'."""
    moving = {s.pk for s in unbooked}
    return neighbours_of(
        s
        for s in area_sessions(patient_id=plan.patient_id, body_area=plan.concern.body_area)
        if s.pk not in moving
    )


def _context(
    plan: TreatmentPlan, windows: Sequence[spacing.Window]
) -> tuple[BookingContext, list[dt.date]]:
    zone = timezone.get_current_timezone()
    days = sorted({day for window in windows for day in window.days()})
    context = booking_context(
        start=dt.datetime.combine(days[0], dt.time.min, tzinfo=zone),
        end=dt.datetime.combine(days[-1], dt.time.max, tzinfo=zone),
        modality=plan.modality,
    )
    return context, days


def _open_unbooked(
    plan: TreatmentPlan, sessions: Sequence[TreatmentSession]
) -> list[TreatmentSession]:
    if plan.status != TreatmentPlan.Status.ACTIVE:
        raise Conflict("This plan is not active; its sessions cannot be booked.")
    unbooked = _unbooked(sessions)
    if not unbooked:
        raise Conflict("Every session of this plan is booked or done: nothing to book.")
    return unbooked


def plan_series_availability(
    *,
    plan: TreatmentPlan,
    starts_at: dt.datetime,
    practitioner: Practitioner,
    room: Room,
    choices: Sequence[Choice] = (),
) -> SeriesPreview:
    """Where each unbooked session would go with the first at `starts_at`: saves nothing.
    `plan` is the row from `plan_get_for_user` (its sessions prefetched)."""
    sessions = list(plan.sessions.all())
    unbooked = _open_unbooked(plan, sessions)
    first_day, wall_time = _first_slot(starts_at)
    windows = {s.number: services.booking_window(s) for s in unbooked}
    problem = spacing.window_problem(unbooked[0].number, windows[unbooked[0].number], first_day)
    if problem:
        raise InvalidInput(problem, fields={"starts_at": [problem]})
    context, days = _context(plan, list(windows.values()))
    _resources_usable(context, practitioner, room)
    zone = timezone.get_current_timezone()
    found = slots.free_slots(
        days=days,
        hours=context.hours,
        calendar=context.calendar,
        duration=services.procedure_duration(unbooked[0]),
        lead=ANAESTHETIC_LEAD,
        grid=services.GRID,
        zone=zone,
        not_before=timezone.now(),
        practitioners=sorted(context.practitioners),
        rooms=sorted(context.rooms),
        practitioner_busy=context.practitioner_unavailable(),
        room_busy=context.room_busy,
        patient_busy=[
            (held.starts_at, held.ends_at)
            for held in context.bookings
            if held.patient_id == plan.patient_id
        ],
    )
    by_day: dict[dt.date, list[slots.FreeSlot]] = defaultdict(list)
    for slot in found:
        by_day[slot.starts_at.astimezone(zone).date()].append(slot)
    duration = services.procedure_duration(unbooked[0])
    placements = series.place_series(
        plan=plan.pk,
        sessions=[Unbooked(s.number, windows[s.number]) for s in unbooked],
        first_day=first_day,
        wall_time=wall_time,
        practitioner=practitioner.pk,
        room=room.pk,
        free=by_day,
        fixed=_fixed(plan, unbooked),
        calendar=context.calendar,
        zone=zone,
        names={
            "p": {pk: str(p) for pk, p in context.practitioners.items()},
            "r": {pk: str(r) for pk, r in context.rooms.items()},
        },
        choices={
            c.number: Candidate(c.starts_at, c.starts_at + duration, c.practitioner.pk, c.room.pk)
            for c in choices
        },
    )
    return SeriesPreview(
        placements=placements,
        sessions={s.number: s for s in unbooked},
        practitioners=context.practitioners,
        rooms=context.rooms,
    )


def _refusal(number: int, at: dt.datetime | None, error: ClinicError) -> ClinicError:
    """The same error, naming the session and its time."""
    when = f" ({timezone.localtime(at):%a %d %b %Y %H:%M})" if at else ""
    return type(error)(
        f"Session {number}{when}: {error.message}",
        fields=error.fields,
        extra={**error.extra, "session": number},
    )


@contention_is_conflict
@transaction.atomic
def plan_book_series(
    *,
    acting_user: User,
    plan: TreatmentPlan,
    starts_at: dt.datetime,
    practitioner: Practitioner,
    room: Room,
    choices: Sequence[Choice] = (),
) -> list[TreatmentSession]:
    """Book every unbooked session of the plan, or none: the first at `starts_at`, each later
    one at the same time of day with the same practitioner and room on its wanted day
    (`series.wanted_day`), except where `choices` say otherwise. Every slot is re-checked
    under the resources' locks; the first refusal names its session and nothing is saved."""
    clinicians.require(acting_user, roles.BOOK_PERM, "book sessions")
    # The series' sessions with their plan, locked as a single booking locks one (the plan
    # row is every series change's turn), read afresh.
    sessions = list(
        TreatmentSession.objects.select_for_update(of=("self", "plan"))
        .select_related(*SESSION_RELATED)
        .filter(plan_id=plan.pk)
        .order_by("number")
    )
    if not sessions:
        raise Conflict("This plan has no sessions.")
    plan = sessions[0].plan
    unbooked = _open_unbooked(plan, sessions)
    first_day, wall_time = _first_slot(starts_at)
    zone = timezone.get_current_timezone()
    picked = {c.number: c for c in choices}
    unknown = sorted(set(picked) - {s.number for s in unbooked})
    if unknown:
        message = f"Session {unknown[0]} is not an unbooked session of this plan."
        raise InvalidInput(message, fields={"choices": [message]})
    windows = {s.number: services.booking_window(s) for s in unbooked}
    shift = (first_day - windows[unbooked[0].number].target).days
    calendar = clinic_calendar()
    wanted: list[tuple[TreatmentSession, dt.datetime, Practitioner, Room]] = []
    for index, session in enumerate(unbooked):
        choice = picked.get(session.number)
        if choice is not None:
            wanted.append((session, choice.starts_at, choice.practitioner, choice.room))
            continue
        day = (
            first_day if index == 0 else series.wanted_day(windows[session.number], shift, calendar)
        )
        try:
            start = spacing.local_start(day, wall_time, zone).at
        except SchedulingError as error:
            raise _refusal(
                session.number, None, InvalidInput(str(error), fields={"starts_at": [str(error)]})
            ) from None
        wanted.append((session, start, practitioner, room))
    services.lock_all_resources(practitioners=[w[2] for w in wanted], rooms=[w[3] for w in wanted])
    context, _ = _context(plan, list(windows.values()))
    fixed = _fixed(plan, unbooked)
    placed: list[Neighbour] = []
    now = timezone.now()
    for session, start, person, place in wanted:
        end = start + services.procedure_duration(session)
        day = timezone.localtime(start).date()
        try:
            services.check_when(start)
            problem = spacing.window_problem(session.number, windows[session.number], day)
            problem = problem or series.spacing_problem(
                plan=plan.pk, number=session.number, day=day, fixed=fixed, placed=placed
            )
            if problem:
                raise InvalidInput(problem, fields={"starts_at": [problem]})
            services.check_slot(
                start=start,
                end=end,
                lead=ANAESTHETIC_LEAD,
                practitioner=person,
                room=place,
                patient_id=plan.patient_id,
                context=context,
            )
        except ClinicError as error:
            raise _refusal(session.number, start, error) from None
        placed.append(Neighbour(plan=plan.pk, number=session.number, day=day))
        session.starts_at, session.ends_at = start, end
        session.practitioner, session.room = person, place
        session.status = TreatmentSession.Status.BOOKED
        session.status_changed_by, session.status_changed_at = acting_user, now
    for session, _, _, _ in wanted:
        try:
            services.save_slot(session, services.SLOT_FIELDS)
        except ClinicError as error:
            raise _refusal(session.number, session.starts_at, error) from None
    return [w[0] for w in wanted]
