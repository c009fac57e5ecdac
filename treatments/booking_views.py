"""The front desk's pages: find a slot and book, move, the day's arrivals, check-in, calendars.

Thin: each view calls one service or selector; refusals come back as messages on the page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.errors import ClinicError, Conflict
from clinic.ids import parse_public_id
from clinic.models import Practitioner, Room, new_calendar_token
from patients.access_log import record_access
from patients.models import PatientAccess
from treatments import ical, selectors, session_services
from treatments.forms import ScreeningForm, SessionRecordForm
from treatments.models import ANAESTHETIC_LEAD, SESSION_RECORD_FIELDS, Screening, TreatmentSession
from treatments.services import screening_override

BOOKING_PERM = "treatments.change_treatmentsession"


def _session(request: HttpRequest, public_id: str) -> TreatmentSession:
    if not request.user.has_perm("treatments.view_treatmentsession"):
        raise Http404
    session = (
        TreatmentSession.objects.select_related(
            "plan__patient",
            "plan__protocol",
            "plan__concern__indication",
            "practitioner__user",
            "room",
        )
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return session


#: Days a calendar may show; anything else is a typing slip, not a date to compute with.
EARLIEST_DAY, LATEST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _by_public_id(model: type, raw: str | None) -> Any:
    """The row with this public id, or None for anything that is not one (a form was tampered
    with or is stale: the page says so instead of a 404)."""
    try:
        return model.objects.filter(public_id=parse_public_id(raw or "")).first()
    except Http404:
        return None


def _parse_day(raw: str | None, default: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default
    return day if EARLIEST_DAY <= day <= LATEST_DAY else default


@require_http_methods(["GET", "POST"])
@permission_required(BOOKING_PERM, raise_exception=True)
def session_booking(request: HttpRequest, public_id: str) -> HttpResponse:
    """Book a planned session, or move a booked one, choosing from the free slots."""
    session = _session(request, public_id)
    if request.method == "GET":
        record_access(request, session.plan.patient, PatientAccess.Channel.PAGE)
    shifts = None
    if request.method == "POST":
        practitioner = _by_public_id(Practitioner, request.POST.get("practitioner"))
        room = _by_public_id(Room, request.POST.get("room"))
        try:
            starts_at = dt.datetime.fromisoformat(request.POST.get("starts_at", ""))
        except ValueError:
            starts_at = None
        if practitioner is None or room is None or starts_at is None:
            messages.error(request, "Choose a slot from the list.")
        else:
            try:
                if session.status == TreatmentSession.Status.BOOKED:
                    session_services.session_reschedule(
                        acting_user=request.user,
                        session=session,
                        starts_at=starts_at,
                        practitioner=practitioner,
                        room=room,
                        shift_later=request.POST.get("shift_later") == "1",
                    )
                else:
                    session_services.session_book(
                        acting_user=request.user,
                        session=session,
                        starts_at=starts_at,
                        practitioner=practitioner,
                        room=room,
                        shift_later=request.POST.get("shift_later") == "1",
                    )
            except Conflict as error:
                if (
                    isinstance(error.details, list)
                    and error.details
                    and hasattr(error.details[0], "new_date")
                ):
                    shifts = {
                        "items": error.details,
                        "starts_at": starts_at,
                        "practitioner": practitioner,
                        "room": room,
                    }
                else:
                    messages.error(request, error.message)
            except ClinicError as error:
                messages.error(request, error.message)
            else:
                local = timezone.localtime(starts_at)
                messages.success(
                    request,
                    f"Session {session.number} booked {local:%A %d %b %Y}: arrive "
                    f"{local - ANAESTHETIC_LEAD:%H:%M}, procedure {local:%H:%M}, "
                    f"{practitioner}, {room}.",
                )
                return redirect("plan-detail", public_id=session.plan.public_id)
    slots: list[Any] = []
    names: dict[str, dict[int, dict[str, str]]] = {"p": {}, "r": {}}
    try:
        slots = session_services.session_availability(session=session)
        names = slots.names
    except ClinicError as error:
        messages.error(request, error.message)
    by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for slot in slots:
        by_day[timezone.localtime(slot.starts_at).date()].append(
            {
                "slot": slot,
                "room": names["r"][slot.room_ids[0]],
                "practitioners": [names["p"][pk] for pk in slot.practitioner_ids],
            }
        )
    days = sorted(by_day)
    # Open on the target date, or the nearest day that has a free slot.
    chosen = _parse_day(request.GET.get("day"), session.target_date)
    if chosen not in by_day and days:
        chosen = min(days, key=lambda d: (abs((d - session.target_date).days), d))
    return render(
        request,
        "treatments/session_booking.html",
        {
            "session": session,
            "days": [(d, len(by_day[d])) for d in days],
            "chosen": chosen,
            "rows": by_day.get(chosen, []),
            "shifts": shifts,
            "window": (settings.BOOKING_WINDOW_BEFORE_DAYS, settings.BOOKING_WINDOW_AFTER_DAYS),
        },
    )


@require_POST
@permission_required(BOOKING_PERM, raise_exception=True)
def session_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    session = _session(request, public_id)
    try:
        session_services.session_cancel(
            acting_user=request.user, session=session, reason=request.POST.get("reason", "")
        )
    except ClinicError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Session {session.number} cancelled; its slot is free.")
    return redirect("plan-detail", public_id=session.plan.public_id)


@require_POST
@permission_required(BOOKING_PERM, raise_exception=True)
def session_no_show(request: HttpRequest, public_id: str) -> HttpResponse:
    session = _session(request, public_id)
    try:
        session_services.session_no_show(acting_user=request.user, session=session)
    except ClinicError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{session.plan.patient.full_name} recorded as a no-show.")
    return redirect("today")


@require_GET
@permission_required("treatments.view_treatmentsession", raise_exception=True)
def today(request: HttpRequest) -> HttpResponse:
    """The front desk's day: arrivals in order, with check-in and no-show."""
    day = _parse_day(request.GET.get("date"), timezone.localdate())
    sessions = selectors.sessions_for_day(day)
    return render(
        request,
        "treatments/today.html",
        {
            "day": day,
            "sessions": sessions,
            "is_today": day == timezone.localdate(),
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "switch_to": _calendars(),
            "view": "day",
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(BOOKING_PERM, raise_exception=True)
def session_check_in(request: HttpRequest, public_id: str) -> HttpResponse:
    session = _session(request, public_id)
    if request.method == "GET":
        record_access(request, session.plan.patient, PatientAccess.Channel.PAGE)
    rules = selectors.rules_for_modality(session.plan.modality)
    # A POST answers in its body only: "?changed=no" in an address must not check anyone in.
    answer = (request.POST if request.method == "POST" else request.GET).get("changed") or ""
    # Checking in is a statement that nothing changed: a POST must say so, never by default.
    if answer not in ({"yes", "no"} if request.method == "POST" else {"", "yes", "no"}):
        messages.error(request, "Answer whether anything changed with yes or no.")
        return redirect("session-check-in", public_id=public_id)
    changed = answer == "yes"
    form = ScreeningForm(
        request.POST if changed and "rule_C01" in request.POST else None, rules=rules
    )
    if request.method == "POST" and (not changed or form.is_valid()):
        try:
            result = session_services.session_check_in(
                acting_user=request.user,
                session=session,
                changed=changed,
                answers=form.answers() if changed else None,
                acknowledged=form.acknowledged() if changed else (),
                override_reason=form.cleaned_data.get("override_reason", "") if changed else "",
            )
        except ClinicError as error:
            messages.error(request, error.message)
        else:
            if result.session.status == TreatmentSession.Status.BLOCKED:
                messages.error(
                    request,
                    f"Session blocked: {result.session.status_reason}. "
                    "The patient cannot be treated today; tell the dermatologist.",
                )
            elif result.awaiting_override:
                messages.warning(
                    request,
                    "Checked in. A relative contraindication awaits a "
                    "dermatologist's override before the procedure.",
                )
            else:
                messages.success(request, f"{session.plan.patient.full_name} checked in.")
            return redirect("today")
    return render(
        request,
        "treatments/session_check_in.html",
        {
            "session": session,
            "changed": changed,
            "form": form,
            "last": selectors.latest_screening(session.plan),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("treatments.record_treatmentsession", raise_exception=True)
def session_record(request: HttpRequest, public_id: str) -> HttpResponse:
    session = _session(request, public_id)
    if request.method == "GET":
        record_access(request, session.plan.patient, PatientAccess.Channel.PAGE)
    pending = Screening.objects.filter(session=session).order_by("-performed_at", "-pk").first()
    form = SessionRecordForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        try:
            if (
                pending
                and pending.result == Screening.Result.NEEDS_OVERRIDE
                and (not pending.override_by_id and request.POST.get("override_reason", "").strip())
            ):
                screening_override(
                    acting_user=request.user,
                    screening=pending,
                    reason=request.POST["override_reason"],
                )
            session_services.session_record(
                acting_user=request.user,
                session=session,
                **{name: form.cleaned_data[name] for name in SESSION_RECORD_FIELDS},
            )
        except ClinicError as error:
            for field, errors in (error.fields or {None: [error.message]}).items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"Session {session.number} recorded.")
            return redirect("plan-detail", public_id=session.plan.public_id)
    return render(
        request,
        "treatments/session_record.html",
        {
            "session": session,
            "form": form,
            "pending": pending,
        },
    )


def _calendars() -> dict[str, list[tuple[str, str]]]:
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


@require_GET
@permission_required("treatments.view_treatmentsession", raise_exception=True)
def calendar(request: HttpRequest, kind: str, public_id: str) -> HttpResponse:
    """Day or week view of one practitioner's or one room's bookings."""
    model = {"practitioners": Practitioner, "rooms": Room}.get(kind)
    if model is None:
        raise Http404
    resource = model.objects.filter(public_id=parse_public_id(public_id)).first()
    if resource is None:
        raise Http404
    view = "week" if request.GET.get("view") == "week" else "day"
    day = _parse_day(request.GET.get("date"), timezone.localdate())
    first = day - dt.timedelta(days=day.weekday()) if view == "week" else day
    days = [first + dt.timedelta(days=n) for n in range(7 if view == "week" else 1)]
    sessions = selectors.sessions_between(days[0], days[-1], **{kind[:-1]: resource})
    columns = {
        d: [s for s in sessions if timezone.localtime(s.starts_at).date() == d] for d in days
    }
    step = dt.timedelta(days=7 if view == "week" else 1)
    return render(
        request,
        "treatments/calendar.html",
        {
            "resource": resource,
            "kind": kind,
            "view": view,
            "day": day,
            "columns": columns,
            "first_day": days[0],
            "previous": day - step,
            "next": day + step,
            "switch_to": _calendars(),
        },
    )


@require_GET
def plan_ics(request: HttpRequest, public_id: str) -> HttpResponse:
    plan = selectors.plan_get_for_user(request.user, public_id)
    record_access(request, plan.patient, PatientAccess.Channel.EXPORT)
    body = ical.plan_ics(plan.sessions.all(), title=plan.protocol.title)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.public_id}.ics"'
    return response


@require_GET
@login_not_required
def practitioner_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A practitioner's subscribed calendar. The secret token is the credential: calendar apps
    cannot log in. Renewing the token revokes every old subscription."""
    practitioner = Practitioner.objects.filter(
        calendar_token=token, active=True, user__is_active=True
    ).first()
    if practitioner is None or len(token) < 20:
        raise Http404
    today = timezone.localdate()
    sessions = [
        s
        for s in selectors.sessions_between(
            today - dt.timedelta(days=30),
            today + session_services.MAX_BOOKING_AHEAD,
            practitioner=practitioner,
        )
        if s.status != TreatmentSession.Status.CANCELLED
    ]
    response = HttpResponse(
        ical.practitioner_ics(sessions, name=str(practitioner)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def practitioner_feed_renew(request: HttpRequest) -> HttpResponse:
    practitioner = Practitioner.objects.filter(user=request.user).first()
    if practitioner is None:
        raise Http404
    practitioner.calendar_token = new_calendar_token()
    practitioner.save(update_fields=["calendar_token"])
    messages.success(request, "New calendar address made; the old one no longer works.")
    return redirect("home")
