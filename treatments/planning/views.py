"""Pages: the planning flow (dermatologists) and the plan itself.

Planning is three steps kept in the session until confirmed: parameters, screening, then
preview and confirm. Nothing reaches the database before the confirmation, and the
confirmation re-checks everything through `plan_create`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clinic.errors import ClinicError
from clinic.forms import add_errors
from clinic.staff import StaffHttpRequest
from clinic.visibility import sees_clinical
from evidence.models import ContraindicationRule, Protocol
from patients.access_log import Channel, shown
from patients.models import SkinConcern
from patients.selectors import concern_get_for_user
from treatments import clinicians
from treatments.errors import ScreeningBlocked
from treatments.models import TreatmentSession
from treatments.planning import selectors, services
from treatments.planning.forms import PlanParametersForm, PlanScheduleForm
from treatments.rules.roles import PLAN_PERMS
from treatments.rules.screening import Questionnaire
from treatments.screening.forms import ScreeningForm
from treatments.screening.selectors import screening_findings, screening_questions
from treatments.visit.selectors import session_block

PLANNER_PERMS = tuple(sorted(PLAN_PERMS))


def _concern(request: HttpRequest, patient_id: str, concern_id: str) -> SkinConcern:
    if not clinicians.may_plan(request.user):  # the role and an active dermatologist record
        raise PermissionDenied
    concern = concern_get_for_user(request.user, concern_id)
    if str(concern.patient.public_id) != str(patient_id):
        raise Http404("This concern belongs to another patient.")
    shown(concern.patient_id)  # each step of planning shows the patient's record
    return concern


def _draft_key(concern: SkinConcern) -> str:
    return f"plan-draft:{concern.public_id}"


def _params_from_draft(draft: dict[str, Any]) -> services.PlanParameters[Protocol]:
    return services.plan_parameters(
        protocol=Protocol.objects.select_related("study", "indication").get(code=draft["protocol"]),
        sessions=draft["sessions"],
        interval_days=draft["interval_days"],
        depth_mm=Decimal(draft["depth_mm"]),
        start_date=dt.date.fromisoformat(draft["start_date"]),
        departure_reason=draft.get("departure_reason", ""),
    )


def _draft_or_restart(
    request: HttpRequest, concern: SkinConcern
) -> tuple[dict[str, Any], services.PlanParameters[Protocol]] | None:
    """The draft and its parameters, re-checked now; None (with a message) to start again.

    A draft can go stale in the session: its first date passes at midnight, or its protocol
    changes in the knowledge base.
    """
    draft = request.session.get(_draft_key(concern))
    if not draft:
        messages.info(request, "Start by choosing the protocol and its parameters.")
        return None
    try:
        return draft, _params_from_draft(draft)
    except (ClinicError, Protocol.DoesNotExist, KeyError, ValueError, TypeError) as error:
        request.session.pop(_draft_key(concern), None)
        reason = error.message if isinstance(error, ClinicError) else "it is out of date"
        messages.warning(request, f"The plan draft was discarded: {reason} Start again.")
        return None


@require_http_methods(["GET", "POST"])
@permission_required(PLANNER_PERMS, raise_exception=True)
def plan_parameters(request: StaffHttpRequest, public_id: str, concern_id: str) -> HttpResponse:
    concern = _concern(request, public_id, concern_id)
    protocols = selectors.protocols_for_concern(concern)
    draft = request.session.get(_draft_key(concern), {})
    if request.method == "POST":
        form = PlanParametersForm.from_post(request.POST, protocols=protocols)
        if form.is_bound and form.is_valid() and form.params is not None:
            params = form.params
            request.session[_draft_key(concern)] = {
                "protocol": params.protocol.code,
                "sessions": params.sessions,
                "interval_days": params.interval_days,
                "depth_mm": str(params.depth_mm),
                "start_date": params.start_date.isoformat(),
                "departure_reason": params.departure_reason,
            }
            return redirect("plan-screening", public_id=public_id, concern_id=concern_id)
    else:
        chosen = next((p for p in protocols if p.code == draft.get("protocol")), None)
        chosen = chosen or next(iter(protocols), None)
        initial = PlanParametersForm.initial_for(chosen) if chosen else {}
        if draft:
            initial.update({k: v for k, v in draft.items() if k != "protocol"})
        form = PlanParametersForm(initial=initial, protocols=protocols)
    return render(
        request,
        "treatments/plan_parameters.html",
        {
            "concern": concern,
            "patient": concern.patient,
            "protocols": protocols,
            "form": form,
            "step": 1,
        },
    )


def _questions(
    concern: SkinConcern, params: services.PlanParameters[Protocol]
) -> Questionnaire[ContraindicationRule]:
    return screening_questions(
        patient=concern.patient,
        concern=concern,
        modality=params.protocol.modality,
        depth_mm=params.depth_mm,
    )


@require_http_methods(["GET", "POST"])
@permission_required(PLANNER_PERMS, raise_exception=True)
def plan_screening(request: StaffHttpRequest, public_id: str, concern_id: str) -> HttpResponse:
    concern = _concern(request, public_id, concern_id)
    started = _draft_or_restart(request, concern)
    if started is None:
        return redirect("plan-parameters", public_id=public_id, concern_id=concern_id)
    draft, params = started
    questions = _questions(concern, params)
    blocked = None
    form = ScreeningForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_screen(
                acting_user=request.user,
                concern=concern,
                params=params,
                questions=questions,
                answers=form.answers(),
                acknowledged=form.acknowledged(),
                override_reason=form.cleaned_data["override_reason"],
            )
        except ScreeningBlocked as error:
            blocked = error.outcome
        except ClinicError as error:
            add_errors(form, error)
        else:
            draft.update(
                answered_on=timezone.localdate().isoformat(),
                answers=form.answers(),
                acknowledged=sorted(form.acknowledged()),
                override_reason=form.cleaned_data["override_reason"],
            )
            request.session[_draft_key(concern)] = draft
            return redirect("plan-confirm", public_id=public_id, concern_id=concern_id)
    return render(
        request,
        "treatments/plan_screening.html",
        {
            "concern": concern,
            "patient": concern.patient,
            "params": params,
            "form": form,
            "blocked": blocked,
            "step": 2,
        },
        status=409 if blocked else 200,
    )


@require_http_methods(["GET", "POST"])
@permission_required(PLANNER_PERMS, raise_exception=True)
def plan_confirm(request: StaffHttpRequest, public_id: str, concern_id: str) -> HttpResponse:
    concern = _concern(request, public_id, concern_id)
    started = _draft_or_restart(request, concern)
    if started is None:
        return redirect("plan-parameters", public_id=public_id, concern_id=concern_id)
    draft, params = started
    if draft.get("answered_on") != timezone.localdate().isoformat():
        # Answers from another day are not today's screening.
        messages.info(request, "Answer the screening questions (today's answers are needed).")
        return redirect("plan-screening", public_id=public_id, concern_id=concern_id)
    error = None
    try:
        dates = services.plan_schedule_preview(params)
    except ClinicError as problem:
        messages.error(request, problem.message)
        return redirect("plan-parameters", public_id=public_id, concern_id=concern_id)
    if request.method == "POST":
        try:
            plan = services.plan_create(
                acting_user=request.user,
                concern=concern,
                params=params,
                answers=draft["answers"],
                acknowledged=set(draft.get("acknowledged", [])),
                override_reason=draft.get("override_reason", ""),
            )
        except ClinicError as problem:
            error = problem.message
        else:
            del request.session[_draft_key(concern)]
            messages.success(request, f"Plan confirmed: {plan.planned_sessions} sessions.")
            return redirect("plan-detail", public_id=plan.public_id)
    answers = {**draft["answers"], **_questions(concern, params).derived_answers()}
    yes = [code for code, answer in answers.items() if answer]
    return render(
        request,
        "treatments/plan_confirm.html",
        {
            "concern": concern,
            "patient": concern.patient,
            "params": params,
            "dates": dates,
            "departures": services.plan_departures(params),
            "yes": yes,
            "draft": draft,
            "error": error,
            "step": 3,
        },
    )


@require_GET
def plan_detail(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    plan = selectors.plan_get_for_user(request.user, public_id)
    shown(plan.patient)
    screenings = list(plan.screenings.all())
    sessions = list(plan.sessions.all())
    return render(
        request,
        "treatments/plan_detail.html",
        {
            "plan": plan,
            "sessions": sessions,
            "has_unbooked": any(s.status == TreatmentSession.Status.PLANNED for s in sessions),
            "may_plan": clinicians.may_plan(request.user),
            "screenings": screenings,
            # Each blocked session's block, from the screenings already read: no query more.
            "blocks": {
                session.pk: session_block(session, screenings=screenings)
                for session in sessions
                if session.status == TreatmentSession.Status.BLOCKED
            },
            # Screening answers are clinical (clinic.visibility): not even read for others.
            "findings": screening_findings(screenings) if sees_clinical(request.user) else {},
        },
    )


@require_GET
def plan_print(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    """The patient's schedule, to print and take home."""
    plan = selectors.plan_get_for_user(request.user, public_id)
    shown(plan.patient, channel=Channel.EXPORT)
    return render(
        request,
        "treatments/plan_print.html",
        {
            "plan": plan,
            "sessions": list(plan.sessions.all()),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(PLANNER_PERMS, raise_exception=True)
def plan_schedule(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    """Change a plan's session count or interval: its unbooked sessions are re-planned."""
    if not clinicians.may_plan(request.user):  # the role and an active dermatologist record
        raise PermissionDenied
    plan = selectors.plan_get_for_user(request.user, public_id)
    shown(plan.patient)
    form = PlanScheduleForm(
        request.POST or None,
        initial={"sessions": plan.planned_sessions, "interval_days": plan.interval_days},
    )
    if request.method == "POST" and form.is_valid():
        try:
            change = services.plan_change_schedule(
                acting_user=request.user,
                plan=plan,
                sessions=form.cleaned_data["sessions"],
                interval_days=form.cleaned_data["interval_days"],
                departure_reason=form.cleaned_data["departure_reason"],
            )
        except ClinicError as error:
            add_errors(form, error)
        else:
            parts = [f"{len(change.targets)} unbooked session(s) re-planned"]
            if change.added:
                parts.append(f"{len(change.added)} added")
            if change.cancelled:
                parts.append("cancelled: " + ", ".join(f"session {n}" for n in change.cancelled))
            messages.success(request, "Schedule changed: " + "; ".join(parts) + ".")
            return redirect("plan-detail", public_id=plan.public_id)
    return render(
        request,
        "treatments/plan_schedule.html",
        {"plan": plan, "sessions": list(plan.sessions.all()), "form": form},
    )
