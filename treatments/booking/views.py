"""The front desk's booking pages: find a slot and book, move, cancel; calendars and iCal.

Thin: each view calls one service or selector; refusals come back as messages on the page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.errors import ClinicError
from clinic.identity import clinic_identity
from clinic.ids import parse_public_id
from clinic.models import Practitioner, Room, new_calendar_token
from clinic.staff import StaffHttpRequest
from evidence.models import Modality
from patients.access_log import Channel, shown
from treatments.booking import ical, selectors
from treatments.booking import series as booking_series
from treatments.booking import services as session_services
from treatments.booking.selectors import (
    calendar_links,
    parse_day,
    practitioner_by_public_id,
    room_by_public_id,
    session_get_for_user,
)
from treatments.errors import ShiftsNeeded
from treatments.models import Consultation, TreatmentPlan, TreatmentSession
from treatments.planning.selectors import plan_get_for_user
from treatments.rules import calendar_grid, slots
from treatments.rules.limits import ANAESTHETIC_LEAD
from treatments.rules.roles import BOOK_PERM as BOOKING_PERM
from treatments.rules.spacing import SchedulingError, local_start


@require_http_methods(["GET", "POST"])
@permission_required(BOOKING_PERM, raise_exception=True)
def session_booking(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    """Book a planned session, or move a booked one, choosing from the free slots."""
    session = session_get_for_user(request.user, public_id)
    shown(session.plan.patient)
    shifts = None
    if request.method == "POST":
        practitioner = practitioner_by_public_id(request.POST.get("practitioner"))
        room = room_by_public_id(request.POST.get("room"))
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
            except ShiftsNeeded as error:
                shifts = {
                    "items": error.shifts,
                    "starts_at": starts_at,
                    "practitioner": practitioner,
                    "room": room,
                }
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
    return render(
        request, "treatments/session_booking.html", _booking_page(request, session, shifts)
    )


def _booking_page(
    request: StaffHttpRequest, session: TreatmentSession, shifts: dict[str, Any] | None
) -> dict[str, Any]:
    """One day of the session's window at a time: each free time once, the plan's own
    dermatologist (then the session's current practitioner and room) chosen by default."""
    window = session_services.booking_window(session)
    try:
        found = session_services.session_availability(session=session)
    except ClinicError as error:
        messages.error(request, error.message)
        found = None
    by_day: dict[dt.date, list[slots.FreeSlot]] = defaultdict(list)
    for slot in found or ():
        by_day[timezone.localtime(slot.starts_at).date()].append(slot)
    days = (
        slots.booking_days(
            days=window.days(),
            calendar=found.calendar,
            free_times={day: len(free) for day, free in by_day.items()},
            refused=found.refused,
            today=timezone.localdate(),
        )
        if found is not None
        else []
    )
    chosen = slots.first_choice(
        days, parse_day(request.GET.get("day"), dt.date.min), session.target_date
    )
    preferred = session.plan.responsible_dermatologist_id
    asked_practitioner = request.GET.get("practitioner", "")
    asked_room = request.GET.get("room", "")
    names = found.names if found is not None else {"p": {}, "r": {}}
    by_public_id = {
        kind: {entry["id"]: pk for pk, entry in entries.items()} for kind, entries in names.items()
    }
    times = slots.offered_times(
        by_day.get(chosen, []),
        preferred_practitioner=by_public_id["p"].get(asked_practitioner, preferred),
        preferred_room=by_public_id["r"].get(asked_room, session.room_id),
    )
    asked_time = request.GET.get("time", "")
    rows = [
        {
            "time": offered,
            "practitioners": [names["p"][pk] for pk in offered.practitioner_ids],
            "rooms": [names["r"][pk] for pk in offered.room_ids],
            "asked": f"{timezone.localtime(offered.starts_at):%H:%M}" == asked_time,
        }
        for offered in times
    ]
    day_state = next((d for d in days if d.day == chosen), None)
    index = next((n for n, d in enumerate(days) if d.day == chosen), None)
    return {
        "session": session,
        "days": days,
        "chosen": chosen,
        "day_state": day_state,
        "previous_day": days[index - 1].day if index else None,
        "next_day": days[index + 1].day if index is not None and index + 1 < len(days) else None,
        "rows": rows,
        "asked_time": asked_time,
        "asked_missing": bool(asked_time) and not any(row["asked"] for row in rows),
        "preferred_name": names["p"].get(preferred, {}).get("name"),
        "preferred_free": sum(1 for t in times if t.preferred_free),
        "shifts": shifts,
        "window": window,
        "picker_label": (
            f"Days of the booking window, {window.first:%d %b} to {window.last:%d %b %Y}"
        ),
    }


@require_POST
@permission_required(BOOKING_PERM, raise_exception=True)
def session_cancel(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    session = session_get_for_user(request.user, public_id)
    try:
        session_services.session_cancel(
            acting_user=request.user, session=session, reason=request.POST.get("reason", "")
        )
    except ClinicError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Session {session.number} cancelled; its slot is free.")
    return redirect("plan-detail", public_id=session.plan.public_id)


_RESOURCES: dict[str, type[Practitioner] | type[Room]] = {
    "practitioners": Practitioner,
    "rooms": Room,
}


def _session_link_base() -> tuple[str, bool]:
    """The session page's address with a marker for its id (one reverse() per page, not one per
    block), or the plan's where there is no session page; and whether it is the session's."""
    try:
        return reverse("session-detail", args=[_MARKER]), True
    except NoReverseMatch:
        return reverse("plan-detail", args=[_MARKER]), False


_MARKER = "00000000-0000-0000-0000-000000000000"


def _session_blocks(sessions: list[TreatmentSession], kind: str) -> list[calendar_grid.Block]:
    session_page, own_page = _session_link_base()
    blocks = []
    for s in sessions:
        resource = s.practitioner_id if kind == "practitioners" else s.room_id
        if s.starts_at is None or s.ends_at is None or resource is None:
            continue
        other = s.room if kind == "practitioners" else s.practitioner
        start = timezone.localtime(s.starts_at)
        blocks.append(
            calendar_grid.Block(
                column=(start.date(), resource),
                shown_from=s.starts_at - ANAESTHETIC_LEAD,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                label=s.plan.patient.full_name,
                detail=(
                    f"arrive {timezone.localtime(s.starts_at - ANAESTHETIC_LEAD):%H:%M} · "
                    f"{start:%H:%M}–{timezone.localtime(s.ends_at):%H:%M} · session {s.number} of "
                    f"{s.plan.planned_sessions} · {other}"
                ),
                link=session_page.replace(
                    _MARKER, str(s.public_id if own_page else s.plan.public_id)
                ),
                css=f"status-{s.status}",
                kind="Session",
            )
        )
    return blocks


def _consultation_blocks(
    consultations: list[Consultation], kind: str
) -> list[calendar_grid.Block]:
    """Consultations hold their column from their start: no cream, so no arrival lead."""
    page = reverse("consultation-detail", args=[_MARKER])
    blocks = []
    for c in consultations:
        other = c.room if kind == "practitioners" else c.practitioner
        start, end = timezone.localtime(c.starts_at), timezone.localtime(c.ends_at)
        blocks.append(
            calendar_grid.Block(
                column=(start.date(), c.practitioner_id if kind == "practitioners" else c.room_id),
                shown_from=c.starts_at,
                starts_at=c.starts_at,
                ends_at=c.ends_at,
                label=c.patient.full_name,
                detail=f"{start:%H:%M}–{end:%H:%M} · {c.get_status_display().lower()} · {other}",
                link=page.replace(_MARKER, str(c.public_id)),
                css=f"kind-consultation consultation-{c.status}",
                kind="Consultation",
            )
        )
    return blocks


def _free_links(
    grid: calendar_grid.Grid,
    kind: str,
    resource_ids: dict[int, str],
    moving: TreatmentSession | None,
) -> None:
    """Each free cell in the future links to booking there: the session in hand's booking
    page, or the sessions due that day. The booking page and its services decide."""
    now = timezone.now()
    field = "practitioner" if kind == "practitioners" else "room"
    base = (
        reverse("session-book", args=[moving.public_id])
        if moving is not None
        else reverse("calendar-book-here")
    )
    for row in grid.rows:
        for column, cell in zip(grid.columns, row, strict=True):
            if cell is None or cell.state != "free" or cell.starts_at - ANAESTHETIC_LEAD < now:
                continue
            query = urlencode(
                {
                    "day": cell.starts_at.date().isoformat(),
                    "time": f"{cell.starts_at:%H:%M}",
                    field: resource_ids[column.key[1]],
                }
            )
            cell.link = f"{base}?{query}"


def _moving(request: HttpRequest) -> TreatmentSession | None:
    """The session in hand (`?session=`), when the front desk came to move or book it here."""
    raw = request.GET.get("session")
    if not raw:
        return None
    session = session_get_for_user(request.user, raw)
    return session if session.status in TreatmentSession.OPEN_TO_BOOK else None


@require_GET
@permission_required("treatments.view_treatmentsession", raise_exception=True)
def calendar(request: HttpRequest, kind: str, public_id: str) -> HttpResponse:
    """Day or week of one practitioner or one room, as a time grid (a column per day)."""
    model = _RESOURCES.get(kind)
    if model is None:
        raise Http404
    resource = model.objects.filter(public_id=parse_public_id(public_id)).first()
    if resource is None:
        raise Http404
    view = "week" if request.GET.get("view") == "week" else "day"
    day = parse_day(request.GET.get("date"), timezone.localdate())
    first = day - dt.timedelta(days=day.weekday()) if view == "week" else day
    days = [first + dt.timedelta(days=n) for n in range(7 if view == "week" else 1)]
    if isinstance(resource, Practitioner):
        data = selectors.calendar_data(days[0], days[-1], practitioner=resource)
    else:
        data = selectors.calendar_data(days[0], days[-1], room=resource)
    moving = _moving(request)
    shown(data.patient_ids() + ([moving.plan.patient_id] if moving else []))
    columns = [calendar_grid.Column((d, resource.pk), f"{d:%a %d %b}") for d in days]
    grid = _grid(data, columns, kind)
    _free_links(grid, kind, {resource.pk: str(resource.public_id)}, moving)
    step = dt.timedelta(days=7 if view == "week" else 1)
    return render(
        request,
        "treatments/calendar.html",
        {
            "title": str(resource),
            "resource": resource,
            "kind": kind,
            "view": view,
            "day": day,
            "grid": grid,
            "first_day": days[0],
            "previous": day - step,
            "next": day + step,
            "moving": moving,
            "switch_to": calendar_links(),
        },
    )


@require_GET
@permission_required("treatments.view_treatmentsession", raise_exception=True)
def calendar_all(request: HttpRequest, kind: str) -> HttpResponse:
    """One day of every practitioner or every room, as a time grid (a column each)."""
    if kind not in _RESOURCES:
        raise Http404
    day = parse_day(request.GET.get("date"), timezone.localdate())
    resources: list[Practitioner | Room] = (
        list(Practitioner.objects.filter(active=True).select_related("user"))
        if kind == "practitioners"
        else list(Room.objects.filter(active=True))
    )
    data = selectors.calendar_data(day, day)
    moving = _moving(request)
    shown(data.patient_ids() + ([moving.plan.patient_id] if moving else []))
    columns = [calendar_grid.Column((day, r.pk), str(r)) for r in resources]
    grid = _grid(data, columns, kind)
    _free_links(grid, kind, {r.pk: str(r.public_id) for r in resources}, moving)
    return render(
        request,
        "treatments/calendar.html",
        {
            "title": "Practitioners" if kind == "practitioners" else "Rooms",
            "kind": kind,
            "view": "all",
            "day": day,
            "grid": grid,
            "first_day": day,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "moving": moving,
            "switch_to": calendar_links(),
        },
    )


def _grid(
    data: selectors.CalendarData,
    columns: list[calendar_grid.Column],
    kind: str,
) -> calendar_grid.Grid:
    return calendar_grid.build_grid(
        columns=columns,
        hours=data.hours,
        closures=data.closures,
        absences=data.absences if kind == "practitioners" else {},
        blocks=_session_blocks(data.sessions, kind)
        + _consultation_blocks(data.consultations, kind),
        zone=timezone.get_current_timezone(),
        grid_minutes=settings.SLOT_GRID_MINUTES,
    )


@require_GET
@permission_required(BOOKING_PERM, raise_exception=True)
def calendar_book_here(request: StaffHttpRequest) -> HttpResponse:
    """From a free cell without a session in hand: the sessions due that day (their window
    includes it), each leading to its booking page at that time."""
    day = parse_day(request.GET.get("day"), timezone.localdate())
    time = request.GET.get("time", "")
    keep = {key: request.GET[key] for key in ("practitioner", "room") if key in request.GET}
    due = selectors.sessions_due_on(
        day,
        before_days=settings.BOOKING_WINDOW_BEFORE_DAYS,
        after_days=settings.BOOKING_WINDOW_AFTER_DAYS,
    )
    shown(s.plan.patient_id for s in due)
    book = reverse("session-book", args=[_MARKER])
    query = urlencode({"day": day.isoformat(), "time": time, **keep})
    return render(
        request,
        "treatments/calendar_book_here.html",
        {
            "day": day,
            "time": time,
            "rows": [(s, f"{book.replace(_MARKER, str(s.public_id))}?{query}") for s in due],
        },
    )


@require_GET
def plan_ics(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    plan = plan_get_for_user(request.user, public_id)
    shown(plan.patient, channel=Channel.EXPORT)
    body = ical.plan_ics(plan.sessions.all(), title=plan.protocol.title, clinic=clinic_identity())
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
    consultations = selectors.consultations_between(
        today - dt.timedelta(days=30),
        today + session_services.MAX_BOOKING_AHEAD,
        practitioner=practitioner,
    )
    # Read by a calendar app on the practitioner's behalf: the log names them, not "anonymous".
    shown(
        [s.plan.patient_id for s in sessions] + [c.patient_id for c in consultations],
        channel=Channel.FEED,
        reader=practitioner.user,
    )
    response = HttpResponse(
        ical.practitioner_ics(
            sessions,
            consultations=consultations,
            name=str(practitioner),
            clinic=clinic_identity(),
        ),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def practitioner_feed_renew(request: StaffHttpRequest) -> HttpResponse:
    practitioner = Practitioner.objects.filter(user=request.user).first()
    if practitioner is None:
        raise Http404
    practitioner.calendar_token = new_calendar_token()
    practitioner.save(update_fields=["calendar_token"])
    messages.success(request, "New calendar address made; the old one no longer works.")
    return redirect("home")


# --- A whole series ------------------------------------------------------------------------


def _series_resources(plan: TreatmentPlan) -> tuple[list[Practitioner], list[Room]]:
    """Who and where a series may be booked with: the plan's dermatologist first, as the single
    booking page prefers them; rooms the modality can use."""
    people = list(Practitioner.objects.filter(active=True).select_related("user").order_by("pk"))
    people.sort(key=lambda p: p.pk != plan.responsible_dermatologist_id)
    rooms = Room.objects.filter(active=True).order_by("name", "pk")
    if plan.modality == Modality.RF_MICRONEEDLING:
        rooms = rooms.filter(has_rf_device=True)
    return people, list(rooms)


def _series_choices(
    data: Any, people: dict[str, Practitioner], places: dict[str, Room]
) -> list[booking_series.Choice]:
    """The alternatives picked on the page: `choice-<number>` = "start|practitioner|room"."""
    picked = []
    for key, value in data.items():
        number = key.removeprefix("choice-")
        if number == key or not number.isdigit():
            continue
        starts, _, rest = str(value).partition("|")
        person_id, _, place_id = rest.partition("|")
        try:
            starts_at = dt.datetime.fromisoformat(starts)
        except ValueError:
            continue
        person, place = people.get(person_id), places.get(place_id)
        if person is not None and place is not None and starts_at.tzinfo is not None:
            picked.append(booking_series.Choice(int(number), starts_at, person, place))
    return picked


@require_http_methods(["GET", "POST"])
@permission_required(BOOKING_PERM, raise_exception=True)
def plan_book_series(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    """Book every unbooked session of a plan in one step: the front desk picks the first
    session's day, time, practitioner and room, sees where every session would go (and, for
    each that cannot go there, its nearest alternatives to pick from), then confirms."""
    plan = plan_get_for_user(request.user, public_id)
    shown(plan.patient)
    data = request.POST if request.method == "POST" else request.GET
    unbooked = [s for s in plan.sessions.all() if s.status == TreatmentSession.Status.PLANNED]
    people, places = _series_resources(plan)
    by_id = {str(p.public_id): p for p in people}
    rooms_by_id = {str(r.public_id): r for r in places}
    first_window = session_services.booking_window(unbooked[0]) if unbooked else None
    default_day = unbooked[0].target_date if unbooked else timezone.localdate()
    day = parse_day(data.get("day"), dt.date.min)
    refused = []
    if day == dt.date.min:
        if data.get("day"):
            refused.append("Choose the first session's day from the calendar (YYYY-MM-DD).")
        day = default_day
    raw_time = data.get("time") or "10:00"
    practitioner = by_id.get(data.get("practitioner", "")) or next(iter(people), None)
    room = rooms_by_id.get(data.get("room", "")) or next(iter(places), None)
    if data.get("practitioner") and data["practitioner"] not in by_id:
        refused.append("Choose a practitioner from the list.")
    if data.get("room") and data["room"] not in rooms_by_id:
        refused.append("Choose a room from the list.")
    choices = _series_choices(data, by_id, rooms_by_id)
    preview = None
    starts_at = None
    try:
        wall_time = dt.time.fromisoformat(raw_time) if len(raw_time) <= 8 else None
    except ValueError:
        wall_time = None
    if wall_time is None:
        refused.append("Give the time as HH:MM, e.g. 10:00.")
    for message in refused:
        messages.error(request, message)
    if (
        not refused
        and wall_time is not None
        and unbooked
        and practitioner
        and room
        and "day" in data
    ):
        try:
            starts_at = local_start(day, wall_time, timezone.get_current_timezone()).at
        except SchedulingError as error:
            messages.error(request, str(error))
    if starts_at is not None and practitioner is not None and room is not None:
        arguments: dict[str, Any] = {
            "plan": plan,
            "starts_at": starts_at,
            "practitioner": practitioner,
            "room": room,
            "choices": choices,
        }
        if request.method == "POST" and data.get("action") == "book":
            try:
                booked = booking_series.plan_book_series(acting_user=request.user, **arguments)
            except ClinicError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    f"{len(booked)} session{'s' if len(booked) != 1 else ''} booked: "
                    + "; ".join(
                        f"{s.number} on {timezone.localtime(s.starts_at):%a %d %b %H:%M}"
                        for s in booked
                        if s.starts_at is not None
                    )
                    + ".",
                )
                return redirect("plan-detail", public_id=plan.public_id)
            plan = plan_get_for_user(request.user, public_id)  # as it stands after the refusal
            arguments["plan"] = plan
        try:
            preview = booking_series.plan_series_availability(**arguments)
        except ClinicError as error:
            messages.error(request, error.message)
    elif not unbooked:
        messages.info(request, "Every session of this plan is booked or done.")
    picked = {c.number: c for c in choices}
    return render(
        request,
        "treatments/plan_book_series.html",
        {
            "plan": plan,
            "unbooked": unbooked,
            "first_window": first_window,
            "day": day,
            "time": f"{wall_time:%H:%M}" if wall_time else raw_time,
            "practitioners": people,
            "rooms": places,
            "practitioner": practitioner,
            "room": room,
            "preview": preview,
            "rows": _series_rows(preview, picked) if preview else [],
        },
    )


def _series_rows(
    preview: booking_series.SeriesPreview, picked: dict[int, booking_series.Choice]
) -> list[dict[str, Any]]:
    rows = []
    for placement, row in zip(preview.placements, preview.rows(), strict=True):
        chosen = picked.get(placement.number)
        options = [
            {
                **option,
                "value": f"{option['starts_at'].isoformat()}|{option['practitioner']['id']}|"
                f"{option['room']['id']}",
            }
            for option in ([row["slot"]] if placement.chosen and row["slot"] else [])
            + row["alternatives"]
        ]
        for option in options:
            option["checked"] = chosen is not None and option["value"] == (
                f"{chosen.starts_at.isoformat()}|{chosen.practitioner.public_id}|"
                f"{chosen.room.public_id}"
            )
        rows.append({**row, "options": options, "session_obj": preview.sessions[placement.number]})
    return rows
