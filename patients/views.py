"""Patient pages: the list with search, registration, editing and archiving.

The patient's own page (concerns, plans, sessions, screenings) is served by `treatments`, which
may read everything; this app must not depend on it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from clinic.errors import ClinicError
from clinic.forms import add_errors
from clinic.staff import StaffHttpRequest
from patients import selectors, services
from patients.access_log import shown
from patients.forms import ConcernForm, PatientForm
from patients.models import Patient

PAGE_SIZE = 25


def _clinical(request: HttpRequest) -> bool:
    return request.user.has_perm("patients.change_skinconcern")


@require_http_methods(["GET"])
@permission_required("patients.view_patient", raise_exception=True)
def patient_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    archived = request.GET.get("archived") == "1"
    patients = selectors.patients_search(request.user, query, include_archived=archived)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    shown(page.object_list)
    return render(
        request,
        "patients/list.html",
        {
            "page_obj": page,
            "query": query,
            "archived": archived,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("patients.add_patient", raise_exception=True)
def patient_create(request: StaffHttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, clinical=_clinical(request))
    duplicates: list[Patient] = []
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(
                acting_user=request.user,
                confirm_not_duplicate=request.POST.get("confirm_not_duplicate") == "1",
                **form.cleaned_data,
            )
        except services.PossibleDuplicate as error:
            duplicates = error.candidates
            shown(duplicates)
        except ClinicError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"{patient.full_name} registered with MRN {patient.mrn}.")
            return redirect("patient-detail", public_id=patient.public_id)
    return render(
        request, "patients/form.html", {"form": form, "patient": None, "duplicates": duplicates}
    )


@require_http_methods(["GET", "POST"])
@permission_required("patients.change_patient", raise_exception=True)
def patient_edit(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    patient = selectors.patient_get_for_user(request.user, public_id)
    shown(patient)
    form = PatientForm(request.POST or None, instance=patient, clinical=_clinical(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(acting_user=request.user, patient=patient, **form.cleaned_data)
        except ClinicError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Patient details saved.")
            return redirect("patient-detail", public_id=patient.public_id)
    return render(request, "patients/form.html", {"form": form, "patient": patient})


@require_POST
@permission_required("patients.change_patient", raise_exception=True)
def patient_archive(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    patient = selectors.patient_get_for_user(request.user, public_id)
    if request.POST.get("restore"):
        services.patient_restore(acting_user=request.user, patient=patient)
        messages.success(request, f"{patient.full_name}'s record is active again.")
    else:
        services.patient_archive(acting_user=request.user, patient=patient)
        messages.success(request, f"{patient.full_name}'s record is archived; nothing was deleted.")
    return redirect("patient-detail", public_id=patient.public_id)


@require_http_methods(["GET", "POST"])
@permission_required("patients.add_skinconcern", raise_exception=True)
def concern_create(request: StaffHttpRequest, public_id: str) -> HttpResponse:
    patient = selectors.patient_get_for_user(request.user, public_id)
    shown(patient)
    form = ConcernForm(request.POST or None)
    form.instance.patient = patient
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_create(
                acting_user=request.user, patient=patient, **form.cleaned_data
            )
        except ClinicError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Concern recorded.")
            if request.POST.get("then") == "plan":
                # From an attended consultation: straight on to planning this concern's series
                # (the planning page checks that the user may plan).
                return redirect(
                    "plan-parameters", public_id=patient.public_id, concern_id=concern.public_id
                )
            return redirect("patient-detail", public_id=patient.public_id)
    then = request.POST.get("then") or request.GET.get("then")
    return render(
        request,
        "patients/concern_form.html",
        {"form": form, "patient": patient, "then": "plan" if then == "plan" else ""},
    )
