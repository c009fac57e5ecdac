"""The patient's page: concerns, plans, the timeline of sessions and screening history."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clinic.staff import StaffHttpRequest
from patients.access_log import shown
from patients.forms import ConcernForm
from patients.selectors import patient_get_for_user
from treatments import clinicians
from treatments.chart import selectors


@require_GET
def patient_detail(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    patient = patient_get_for_user(request.user, public_id)
    shown(patient)
    chart = selectors.patient_chart(request.user, patient)
    concern_form = ConcernForm() if request.user.has_perm("patients.add_skinconcern") else None
    return render(
        request,
        "treatments/patient_detail.html",
        {
            "patient": patient,
            **chart,
            "concern_form": concern_form,
            "can_plan": clinicians.may_plan(request.user),
        },
    )
