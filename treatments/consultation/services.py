"""Consultations: a first meeting with a dermatologist, before any plan.

Booked into the same practitioners, rooms and hours as sessions, and checked by the same
`check_slot` against sessions and consultations alike, under the same locks (the practitioner,
then the room): the booking services keep the two kinds apart, and on PostgreSQL exclusion
constraints keep consultations apart from each other. No anaesthetic cream, so no arrival lead.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.errors import Conflict, InvalidInput
from clinic.models import Practitioner, Room
from clinic.text import checked_text
from clinic.transactions import contention_is_conflict
from patients.models import Patient
from treatments import clinicians
from treatments.booking.selectors import booking_context, day_bounds
from treatments.booking.services import (
    GRID,
    Availability,
    check_slot,
    check_when,
    lock_resources,
    with_names,
)
from treatments.models import STATUS_REASON_MAX_LENGTH, Consultation
from treatments.rules import slots

BOOK_PERM = "treatments.add_consultation"
CHANGE_PERM = "treatments.change_consultation"
NO_LEAD = dt.timedelta(0)


def consultation_duration() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CONSULTATION_MINUTES)


def consultation_availability(
    *, patient: Patient, day: dt.date, last: dt.date | None = None
) -> Availability:
    """The times on `day` (through `last`, for the page's day picker) when a dermatologist and
    a room are free for a consultation and the patient is booked nowhere else."""
    last = last or day
    start, _ = day_bounds(day)
    _, end = day_bounds(last)
    context = booking_context(start=start, end=end, modality=None)
    dermatologists = sorted(pk for pk, p in context.practitioners.items() if p.is_dermatologist)
    found = slots.free_slots(
        days=[day + dt.timedelta(days=n) for n in range((last - day).days + 1)],
        hours=context.hours,
        calendar=context.calendar,
        duration=consultation_duration(),
        lead=NO_LEAD,
        grid=GRID,
        zone=timezone.get_current_timezone(),
        not_before=timezone.now(),
        practitioners=dermatologists,
        rooms=sorted(context.rooms),
        practitioner_busy=context.practitioner_unavailable(),
        room_busy=context.room_busy,
        patient_busy=[
            (held.starts_at, held.ends_at)
            for held in context.bookings
            if held.patient_id == patient.pk
        ],
    )
    return with_names(found, context)


@contention_is_conflict
@transaction.atomic
def consultation_book(
    *,
    acting_user: User,
    patient: Patient,
    starts_at: dt.datetime,
    practitioner: Practitioner,
    room: Room,
    reason: str = "",
) -> Consultation:
    """Book a consultation with a dermatologist; no plan is needed."""
    clinicians.require(acting_user, BOOK_PERM, "book consultations")
    # The patient's own diary takes turns too: two clerks cannot book them twice at once.
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.status != Patient.Status.ACTIVE:
        raise Conflict("This patient is archived; restore the record before booking.")
    if not practitioner.is_dermatologist:
        message = "A consultation is with a dermatologist."
        raise InvalidInput(message, fields={"practitioner": [message]})
    reason = checked_text(reason, field="reason", max_length=STATUS_REASON_MAX_LENGTH)
    check_when(starts_at)
    end = starts_at + consultation_duration()
    lock_resources(practitioner, room)
    context = booking_context(
        start=starts_at - dt.timedelta(days=1), end=end + dt.timedelta(days=1), modality=None
    )
    check_slot(
        start=starts_at,
        end=end,
        lead=NO_LEAD,
        practitioner=practitioner,
        room=room,
        patient_id=patient.pk,
        context=context,
    )
    try:
        with transaction.atomic():
            return Consultation.objects.create(
                patient=patient,
                practitioner=practitioner,
                room=room,
                starts_at=starts_at,
                ends_at=end,
                reason=reason,
                booked_by=acting_user,
            )
    except IntegrityError:
        # PostgreSQL's exclusion constraints caught a race between two consultations.
        raise Conflict(
            "Someone booked this dermatologist or room at the same time a moment ago; "
            "choose another time."
        ) from None


def _lock(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("patient", "practitioner__user", "room", "booked_by")
        .get(pk=consultation.pk)
    )


@transaction.atomic
def consultation_cancel(
    *, acting_user: User, consultation: Consultation, reason: str
) -> Consultation:
    """Cancel a booked consultation; the record stays with its reason, the slot is freed."""
    clinicians.require(acting_user, CHANGE_PERM, "cancel consultations")
    reason = checked_text(reason, field="reason", max_length=STATUS_REASON_MAX_LENGTH)
    if not reason:
        raise InvalidInput("Give the reason for cancelling.", fields={"reason": ["Required."]})
    consultation = _lock(consultation)
    if consultation.status != Consultation.Status.BOOKED:
        raise Conflict(
            f"This consultation is {consultation.get_status_display().lower()}; only a booked "
            "one can be cancelled."
        )
    return _change_status(acting_user, consultation, Consultation.Status.CANCELLED, reason)


@transaction.atomic
def consultation_attend(*, acting_user: User, consultation: Consultation) -> Consultation:
    """The dermatologist has seen the patient: the consultation is attended, and planning
    (the concern, then its plan) follows from the patient's page."""
    clinicians.require_planner(acting_user)
    consultation = _lock(consultation)
    if consultation.status != Consultation.Status.BOOKED:
        raise Conflict(
            f"This consultation is {consultation.get_status_display().lower()}; only a booked "
            "one can be marked attended."
        )
    if timezone.localtime(consultation.starts_at).date() > timezone.localdate():
        raise Conflict("A consultation is attended on its day, not before.")
    return _change_status(acting_user, consultation, Consultation.Status.ATTENDED, "")


def _change_status(
    acting_user: User, consultation: Consultation, status: str, reason: str
) -> Consultation:
    consultation.status = status
    consultation.status_reason = reason
    consultation.status_changed_by = acting_user
    consultation.status_changed_at = timezone.now()
    consultation.save(
        update_fields=["status", "status_reason", "status_changed_by", "status_changed_at"]
    )
    return consultation
