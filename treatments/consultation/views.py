"""The front desk books a consultation for a patient with no plan yet; the dermatologist marks
it attended and goes on to the concern and its plan. Thin: one service or selector each."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.errors import ClinicError
from clinic.staff import StaffHttpRequest
from patients.access_log import shown
from patients.selectors import patient_get_for_user
from treatments import clinicians
from treatments.booking.selectors import parse_day, practitioner_by_public_id, room_by_public_id
from treatments.consultation import services
from treatments.consultation.selectors import (
    VIEW_PERM,
    concerns_to_plan,
    consultation_booked_for,
    consultation_get_for_user,
)
from treatments.models import Consultation
from treatments.rules import slots
from treatments.rules.limits import CONSULTATION_DAYS_AHEAD

FIRST_FREE = "first"


def _slot_choice(
    request: StaffHttpRequest, availability: services.Availability
) -> dict[str, Any] | None:
    """The chosen time with its dermatologist and room: the row's own choices (named by the
    time), else the plain fields, else "first free" resolved from the slot."""
    raw = request.POST.get("starts_at", "")
    try:
        starts_at = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    slot = next((s for s in availability if s.starts_at == starts_at), None)
    names = availability.names
    chosen = {}
    for kind, key, free in (("practitioner", "p", "practitioner_ids"), ("room", "r", "room_ids")):
        wanted = request.POST.get(f"{kind}-{raw}") or request.POST.get(kind)
        if wanted and wanted != FIRST_FREE:
            chosen[kind] = wanted
        elif slot is not None:
            chosen[kind] = names[key][getattr(slot, free)[0]]["id"]
        else:
            return None
    return {"starts_at": starts_at, **chosen}


@require_http_methods(["GET", "POST"])
@permission_required(services.BOOK_PERM, raise_exception=True)
def consultation_book(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    """One day at a time from today, as the session booking page: a day picker that never
    offers a past day, the day's free times each with its free dermatologists and rooms."""
    patient = patient_get_for_user(request.user, public_id)
    shown(patient)
    today = timezone.localdate()
    window = [today + dt.timedelta(days=n) for n in range(CONSULTATION_DAYS_AHEAD + 1)]
    booked = consultation_booked_for(patient.pk)
    availability = services.consultation_availability(
        patient=patient, day=window[0], last=window[-1]
    )
    if request.method == "POST" and booked is None:
        choice = _slot_choice(request, availability) or {}
        practitioner = practitioner_by_public_id(choice.get("practitioner"))
        room = room_by_public_id(choice.get("room"))
        if not choice or practitioner is None or room is None:
            messages.error(request, "Choose a time from the list.")
        else:
            try:
                made = services.consultation_book(
                    acting_user=request.user,
                    patient=patient,
                    starts_at=choice["starts_at"],
                    practitioner=practitioner,
                    room=room,
                    reason=request.POST.get("reason", ""),
                )
            except ClinicError as error:
                messages.error(request, error.message)
            else:
                local = timezone.localtime(made.starts_at)
                messages.success(
                    request,
                    f"Consultation booked {local:%A %d %b %Y %H:%M} with {practitioner}, {room}.",
                )
                return redirect(reverse("patient-detail", args=[patient.public_id]))
    elif request.method == "POST":
        messages.error(request, "This patient already has a consultation booked.")
    by_day: dict[dt.date, list[slots.FreeSlot]] = defaultdict(list)
    for slot in availability:
        by_day[timezone.localtime(slot.starts_at).date()].append(slot)
    days = slots.booking_days(
        days=window,
        calendar=availability.calendar,
        free_times={day: len(found) for day, found in by_day.items()},
        refused={},
        today=today,
    )
    asked = parse_day(request.POST.get("day") or request.GET.get("day"), dt.date.min)
    chosen = slots.first_choice(days, asked, today)
    names = availability.names
    rows = [
        {
            "time": offered,
            "practitioners": [names["p"][pk] for pk in offered.practitioner_ids],
            "rooms": [names["r"][pk] for pk in offered.room_ids],
        }
        for offered in slots.offered_times(
            by_day.get(chosen, []), preferred_practitioner=None, preferred_room=None
        )
    ]
    index = window.index(chosen)  # the window's own day: asked for, nearest free, or today
    return render(
        request,
        "treatments/consultation_book.html",
        {
            "patient": patient,
            "booked": booked,
            "days": days,
            "chosen": chosen,
            "day_state": days[index],
            "previous_day": days[index - 1].day if index else None,
            "next_day": days[index + 1].day if index + 1 < len(days) else None,
            "rows": rows,
            "picker_label": f"Days from today to {window[-1]:%d %b %Y}",
            "minutes": services.consultation_duration().seconds // 60,
        },
    )


@require_POST
@permission_required(services.CHANGE_PERM, raise_exception=True)
def consultation_cancel(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    consultation = consultation_get_for_user(request.user, public_id)
    shown(consultation.patient)
    try:
        services.consultation_cancel(
            acting_user=request.user,
            consultation=consultation,
            reason=request.POST.get("reason", ""),
        )
    except ClinicError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Consultation cancelled.")
    return _back(request, consultation)


@require_POST
@permission_required(services.CHANGE_PERM, raise_exception=True)
def consultation_attend(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    consultation = consultation_get_for_user(request.user, public_id)
    shown(consultation.patient)
    try:
        services.consultation_attend(acting_user=request.user, consultation=consultation)
    except ClinicError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, "Consultation attended. Record the skin concern, then plan its series."
        )
        # Its page leads on into planning: the concern, then its series.
        return redirect("consultation-detail", public_id=consultation.public_id)
    return _back(request, consultation)


def _back(request: StaffHttpRequest, consultation: Consultation) -> HttpResponse:
    """Back where the form was: today's list (on the consultation's day), its own page, or
    the patient's page. A fixed choice, never an address from the request."""
    came_from = request.POST.get("from")
    if came_from == "today":
        day = timezone.localtime(consultation.starts_at).date()
        return redirect(reverse("today") + f"?date={day.isoformat()}")
    if came_from == "consultation":
        return redirect("consultation-detail", public_id=consultation.public_id)
    return redirect(reverse("patient-detail", args=[consultation.patient.public_id]))


@require_GET
@permission_required(VIEW_PERM, raise_exception=True)
def consultation_detail(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    """One consultation: when, with whom, its status; attend or cancel it; once attended, on
    into planning the patient's concern."""
    consultation = consultation_get_for_user(request.user, public_id)
    shown(consultation.patient)
    can_plan = clinicians.may_plan(request.user)
    attended = consultation.status == Consultation.Status.ATTENDED
    return render(
        request,
        "treatments/consultation_detail.html",
        {
            "consultation": consultation,
            "patient": consultation.patient,
            "can_plan": can_plan,
            "may_attend": can_plan
            and consultation.status == Consultation.Status.BOOKED
            and timezone.localtime(consultation.starts_at).date() <= timezone.localdate(),
            "to_plan": concerns_to_plan(consultation.patient) if can_plan and attended else [],
        },
    )
