"""The day: today's arrivals, check-in with the re-screen, no-show, and the session record."""

from __future__ import annotations

import copy
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.errors import ClinicError
from clinic.forms import add_errors
from clinic.staff import StaffHttpRequest
from clinic.visibility import sees_clinical
from patients.access_log import shown
from treatments import clinicians
from treatments.booking.selectors import (
    arrivals_in_order,
    calendar_links,
    clinic_calendar,
    consultations_between,
    parse_day,
    session_get_for_user,
    sessions_for_day,
)
from treatments.consultation.selectors import VIEW_PERM as CONSULTATION_VIEW_PERM
from treatments.models import TreatmentSession
from treatments.rules import screening as screening_rules
from treatments.rules.roles import BOOK_PERM as BOOKING_PERM
from treatments.rules.roles import (
    ONLY_DERMATOLOGISTS_RECORD,
    OVERRIDE_PERM,
    RECORD_PERM,
    SCREEN_PERM,
)
from treatments.screening.forms import ScreeningForm
from treatments.screening.selectors import (
    latest_screening,
    latest_screening_for_session,
    override_stands,
    plan_screening_questions,
    screening_findings,
)
from treatments.visit import services as visit_services
from treatments.visit.forms import SessionAmendForm, SessionRecordForm
from treatments.visit.selectors import (
    session_amendments,
    session_block,
    session_on_the_day_problem,
    session_record_rows,
    session_screenings,
)


@require_GET
@permission_required("treatments.view_treatmentsession", raise_exception=True)
def today(request: HttpRequest) -> HttpResponse:
    """The front desk's day: arrivals for sessions and consultations in order, with check-in
    and no-show for a session, attend and cancel for a consultation."""
    day = parse_day(request.GET.get("date"), timezone.localdate())
    sessions = sessions_for_day(day)
    consultations = (
        consultations_between(day, day, holding_only=False)
        if request.user.has_perm(CONSULTATION_VIEW_PERM)
        else []
    )
    arrivals = arrivals_in_order(sessions, consultations)
    shown(a.patient_id for a in arrivals)
    # Check in and No-show are offered only where the visit rule allows them.
    on_the_day = {s.pk for s in sessions if session_on_the_day_problem(s) is None}
    # Only an empty day asks why (two queries): a closed day says so rather than "No bookings".
    closed = None if arrivals else clinic_calendar().closed_message(day)
    return render(
        request,
        "treatments/today.html",
        {
            "day": day,
            "arrivals": arrivals,
            "can_plan": clinicians.may_plan(request.user),
            "on_the_day": on_the_day,
            "closed": closed,
            "is_today": day == timezone.localdate(),
            "on_or_before_today": day <= timezone.localdate(),
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "switch_to": calendar_links(),
            "view": "day",
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(BOOKING_PERM, raise_exception=True)
def session_check_in(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    session = session_get_for_user(request.user, public_id)
    shown(session.plan.patient)
    questions = plan_screening_questions(session.plan)
    last = latest_screening(session.plan)
    # A POST answers in its body only: "?changed=no" in an address must not check anyone in.
    answer = (request.POST if request.method == "POST" else request.GET).get("changed") or ""
    # Checking in is a statement that nothing changed: a POST must say so, never by default.
    if answer not in ({"yes", "no"} if request.method == "POST" else {"", "yes", "no"}):
        messages.error(request, "Answer whether anything changed with yes or no.")
        return redirect("session-check-in", public_id=public_id)
    changed = answer == "yes"
    # The full screening's form is bound only when it was the one submitted.
    submitted = request.method == "POST" and (
        not changed
        or "screening" in request.POST
        or any(key.startswith("rule_") for key in request.POST)
    )
    form = ScreeningForm(
        request.POST if submitted else None, questions=questions, asking=changed
    )
    if submitted and form.is_valid():
        try:
            result = visit_services.session_check_in(
                acting_user=request.user,
                session=session,
                changed=changed,
                answers=form.answers() if changed else None,
                acknowledged=form.acknowledged(),
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
            "last": last,
            "override_stands": override_stands(last),
            "refused": session_on_the_day_problem(session),
        },
    )


@require_POST
@permission_required(BOOKING_PERM, raise_exception=True)
def session_no_show(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    session = session_get_for_user(request.user, public_id)
    try:
        visit_services.session_no_show(acting_user=request.user, session=session)
    except ClinicError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{session.plan.patient.full_name} recorded as a no-show.")
    return redirect("today")


@require_http_methods(["GET", "POST"])
@permission_required(RECORD_PERM, raise_exception=True)
def session_record(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    session = session_get_for_user(request.user, public_id)
    if session.status == TreatmentSession.Status.COMPLETED:
        # A record is written once; a correction is an amendment, with its reason, on the
        # session's page. Nothing posted here is saved.
        messages.info(
            request, f"Session {session.number} is recorded. To correct it, amend it here."
        )
        return redirect("session-detail", public_id=session.public_id)
    shown(session.plan.patient)
    pending = latest_screening_for_session(session)
    awaiting = pending is not None and screening_rules.awaiting_override(
        pending.result, overridden=pending.override_by_id is not None
    )
    form = SessionRecordForm(request.POST or None, instance=session, awaiting_override=awaiting)
    if request.method == "POST" and form.is_valid():
        try:
            # The override given on this page and the record are one write: both or neither.
            visit_services.session_record(
                acting_user=request.user,
                session=session,
                override_reason=form.cleaned_data["override_reason"],
                **form.record_values(),
            )
        except ClinicError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Session {session.number} recorded.")
            return redirect("session-detail", public_id=session.public_id)
    return render(
        request,
        "treatments/session_record.html",
        {
            "session": session,
            "form": form,
            "pending": pending,
            # The override is asked for where the page explains why, and nowhere else.
            "awaiting_override": awaiting,
            "findings": screening_findings([pending])[pending.pk] if awaiting and pending else [],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("treatments.view_treatmentsession", raise_exception=True)
def session_detail(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    """What was done at a session, read back: its booking, its screening, its record and each
    amendment. A dermatologist corrects the record here, by an amendment with its reason."""
    session = session_get_for_user(request.user, public_id)
    if request.method == "POST" and not request.user.has_perm(RECORD_PERM):
        raise PermissionDenied(ONLY_DERMATOLOGISTS_RECORD)
    shown(session.plan.patient)
    clinical = sees_clinical(request.user)
    may_amend = (
        session.status == TreatmentSession.Status.COMPLETED
        and request.user.has_perm(RECORD_PERM)
        and clinical
    )
    # A copy: an amendment refused must not show its values as the record's.
    form = (
        SessionAmendForm(request.POST or None, instance=copy.copy(session)) if may_amend else None
    )
    if request.method == "POST":
        if form is None:
            messages.error(request, "Only a completed session's record can be amended.")
            return redirect("session-detail", public_id=session.public_id)
        if form.is_valid():
            try:
                visit_services.session_amend(
                    acting_user=request.user,
                    session=session,
                    reason=form.cleaned_data["reason"],
                    **form.changes(),
                )
            except ClinicError as error:
                add_errors(form, error)
            else:
                messages.success(request, f"Session {session.number}'s record amended.")
                return redirect("session-detail", public_id=session.public_id)
    screenings = session_screenings(session)
    return render(
        request,
        "treatments/session_detail.html",
        {
            "session": session,
            "screening": screenings[0] if screenings else None,
            "screenings": screenings,
            "findings": screening_findings(screenings) if clinical else {},
            "blocking": session_block(session, screenings=screenings),
            "may_check_in": session_on_the_day_problem(session) is None,
            "recorded": session.status == TreatmentSession.Status.COMPLETED,
            "record": session_record_rows(session) if clinical else [],
            "amendments": session_amendments(session) if clinical else [],
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(SCREEN_PERM, raise_exception=True)
def session_rescreen(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    """A blocked session's re-screen, in full, once the contraindication has cleared: clear,
    the session is planned again and the page goes on to booking it."""
    session = session_get_for_user(request.user, public_id)
    if session.status != TreatmentSession.Status.BLOCKED:
        messages.info(request, f"Session {session.number} is not blocked.")
        return redirect("session-detail", public_id=session.public_id)
    shown(session.plan.patient)
    form = ScreeningForm(
        request.POST if request.method == "POST" else None,
        questions=plan_screening_questions(session.plan),
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = visit_services.session_rescreen(
                acting_user=request.user,
                session=session,
                answers=form.answers(),
                acknowledged=form.acknowledged(),
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except ClinicError as error:
            add_errors(form, error)
        else:
            if result.reopened:
                messages.success(
                    request, f"Re-screened: session {session.number} can be booked again."
                )
                if request.user.has_perm(BOOKING_PERM):
                    return redirect("session-book", public_id=session.public_id)
            else:
                messages.warning(request, f"Still blocked. {result.still_blocked}")
            return redirect("session-detail", public_id=session.public_id)
    return render(
        request,
        "treatments/session_rescreen.html",
        {"session": session, "form": form, "blocking": session_block(session)},
    )


@require_POST
@permission_required(OVERRIDE_PERM, raise_exception=True)
def session_reopen(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    """A dermatologist's written override of what a blocked session's re-screen found, which
    reopens it."""
    session = session_get_for_user(request.user, public_id)
    try:
        visit_services.session_reopen(
            acting_user=request.user,
            session=session,
            override_reason=request.POST.get("override_reason", ""),
        )
    except ClinicError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Overridden: session {session.number} can be booked again.")
    return redirect("session-detail", public_id=session.public_id)
