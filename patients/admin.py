"""Admin for patients and their concerns. Patients are archived, never deleted."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from clinic.visibility import hidden_fields, hides_record
from evidence.admin_helpers import ClinicalRecordAdmin, HistoryAdmin, NoDeleteInline
from evidence.models import GradingScale
from patients.access_log import shown
from patients.grading import ConcernScales
from patients.models import (
    ADDRESS_FIELDS,
    CLINICAL_PATIENT_FIELDS,
    CONTACT_PREFERENCE_FIELDS,
    EMERGENCY_CONTACT_FIELDS,
    GP_FIELDS,
    AccessedPatient,
    Patient,
    PatientAccess,
    SkinConcern,
)
from patients.selectors import parse_search_date


class _PatientsShownPaginator(Paginator):
    """Notes the patients of the page it hands out: the admin's lists and its autocomplete
    (the patient picker on other records' forms) both page through it."""

    patient_key = "pk"

    def page(self, number: int | str) -> Page:
        page = super().page(number)
        page.object_list = list(page.object_list)
        shown(attrgetter(self.patient_key)(obj) for obj in page.object_list)
        return page


def _visible(names: Any, hidden: frozenset[str]) -> list[Any]:
    return [
        n for n in names if (n[0] if isinstance(n, tuple | list) else n) not in hidden
    ]


class HidesClinicalFields(BaseModelAdmin):
    """Leaves out of a form, its fieldsets and its read-only fields what clinic.visibility
    keeps from this reader; a record clinical as a whole is not shown to them at all. For
    change pages and inlines alike (the form is built from the fieldsets, so a hidden field is
    neither shown nor saved)."""

    def _hidden(self, request: HttpRequest) -> frozenset[str]:
        return hidden_fields(request.user, self.model._meta.label_lower)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        hidden = self._hidden(request)
        return [
            (name, {**options, "fields": _visible(options["fields"], hidden)})
            for name, options in super().get_fieldsets(request, obj)
            if _visible(options["fields"], hidden)
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return _visible(super().get_readonly_fields(request, obj), self._hidden(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if hides_record(request.user, self.model._meta.label_lower):
            return False
        return super().has_view_permission(request, obj)


class ShowsPatientDataAdmin(HidesClinicalFields, admin.ModelAdmin):
    """An admin of records that belong to a patient: its list, its change pages (with their
    inlines, which belong to the same patient), its history and its autocomplete are on the
    access log."""

    #: The attribute path from a row to its patient's primary key; selected with the rows.
    patient_key = "patient_id"

    def get_list_display(self, request: HttpRequest) -> Any:
        return _visible(super().get_list_display(request), self._hidden(request))

    def get_list_filter(self, request: HttpRequest) -> Any:
        return _visible(super().get_list_filter(request), self._hidden(request))

    def get_list_display_links(self, request: HttpRequest, list_display: Any) -> Any:
        links = super().get_list_display_links(request, list_display)
        return _visible(links, self._hidden(request)) if links else links

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if hides_record(request.user, self.model._meta.label_lower):
            return False
        return super().has_change_permission(request, obj)

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: Any,
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> Paginator:
        paginator = _PatientsShownPaginator(queryset, per_page, orphans, allow_empty_first_page)
        paginator.patient_key = self.patient_key
        return paginator

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:  # "Show all" lists without the paginator's page
            shown(attrgetter(self.patient_key)(obj) for obj in changelist.result_list)
        return response

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            shown(attrgetter(self.patient_key)(obj))
        return obj


class PatientHistoryAdmin(ShowsPatientDataAdmin, HistoryAdmin):
    """A patient record's change history shows the record as it was."""


class ConcernScaleChoices(BaseModelAdmin):
    """Offers as a concern's scale only those that grade some indication's own severity
    (patients.grading); the model's check refuses one of another indication."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "grading_scale":
            kwargs["queryset"] = GradingScale.objects.filter(
                pk__in=[s.pk for s in ConcernScales().scales]
            ).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SkinConcernInline(ConcernScaleChoices, HidesClinicalFields, NoDeleteInline):
    model = SkinConcern
    fields = ("indication", "body_area", "grading_scale", "baseline_grade", "status", "notes")

    def get_queryset(self, request: HttpRequest) -> QuerySet[SkinConcern]:
        return super().get_queryset(request).select_related("indication", "grading_scale")


@admin.register(Patient)
class PatientAdmin(ShowsPatientDataAdmin, ClinicalRecordAdmin):
    patient_key = "pk"

    list_display = (
        "mrn",
        "family_name",
        "given_name",
        "date_of_birth",
        "sex",
        "fitzpatrick_type",
        "status",
    )
    list_display_links = ("mrn", "family_name")
    list_filter = ("status", "sex", "fitzpatrick_type")
    search_fields = ("family_name", "given_name", "mrn", "email", "phone")
    search_help_text = "Name, MRN, e-mail, phone, or date of birth (2001-04-30 or 30/04/2001)."
    readonly_fields = ("mrn", "public_id", "created_at", "updated_at", "access_log")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("mrn", "given_name", "family_name", "date_of_birth", "sex", "status")}),
        ("Contact", {"fields": ("phone", "email", *CONTACT_PREFERENCE_FIELDS)}),
        ("Address", {"fields": ADDRESS_FIELDS}),
        ("Emergency contact", {"fields": EMERGENCY_CONTACT_FIELDS}),
        ("GP", {"fields": GP_FIELDS}),
        ("Clinical", {"fields": ("fitzpatrick_type", "notes")}),
        ("Record", {"fields": ("public_id", "created_at", "updated_at", "access_log")}),
    )
    inlines = [SkinConcernInline]
    actions = None

    @admin.display(description="Access log")
    def access_log(self, patient: Patient) -> str:
        if patient.pk is None:
            return "—"
        url = reverse("admin:patients_patientaccess_changelist")
        return format_html('<a href="{}?patient={}">Who has seen this record</a>', url, patient.mrn)

    def get_readonly_fields(self, request: HttpRequest, obj: Patient | None = None) -> tuple:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("patients.change_skinconcern"):
            # Skin type and clinical notes are the dermatologists' to record.
            readonly += CLINICAL_PATIENT_FIELDS
        return readonly

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Patient], search_term: str
    ) -> tuple[QuerySet[Patient], bool]:
        born = parse_search_date(search_term)
        if born is not None:
            return queryset.filter(date_of_birth=born), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(SkinConcern)
class SkinConcernAdmin(ConcernScaleChoices, ShowsPatientDataAdmin, ClinicalRecordAdmin):
    list_display = (
        "patient",
        "indication",
        "body_area",
        "grading_scale",
        "baseline_grade",
        "status",
        "created_at",
    )
    list_filter = ("indication", "body_area", "status")
    list_select_related = ("patient", "indication", "grading_scale")
    search_fields = ("patient__family_name", "patient__given_name", "patient__mrn")
    autocomplete_fields = ("patient",)
    readonly_fields = ("public_id", "created_at", "updated_at")
    date_hierarchy = "created_at"
    actions = None


class AccessedPatientFilter(admin.SimpleListFilter):
    """ "Who saw patient X": the patient by MRN, from the patient's own admin page or typed."""

    title = "patient (MRN)"
    parameter_name = "patient"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        mrn = self.value()
        patient = Patient.objects.filter(mrn=mrn).first() if mrn else None
        return [(patient.mrn, f"{patient.full_name} ({patient.mrn})")] if patient else []

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.value():
            return queryset
        return queryset.filter(
            pk__in=AccessedPatient.objects.filter(patient__mrn=self.value()).values("access_id")
        )


@admin.register(PatientAccess)
class PatientAccessAdmin(admin.ModelAdmin):
    """The access log, for clinic admins to browse. Append-only: no add, change or delete.

    "Who saw patient X": the patient filter (linked from each patient's admin page) or a search
    by MRN or name. "What did user Y see on day D": the user filter and the date drill-down."""

    list_display = ("accessed_at", "user", "channel", "method", "path", "ip_address", "named")
    list_filter = (AccessedPatientFilter, ("user", admin.RelatedOnlyFieldListFilter), "channel")
    list_select_related = ("user",)
    search_fields = ("patients__mrn", "patients__family_name", "user__username", "ip_address")
    search_help_text = "A patient's MRN or family name, a username, or an address."
    date_hierarchy = "accessed_at"
    fields = (
        "accessed_at",
        "user",
        "channel",
        "method",
        "path",
        "ip_address",
        "user_agent",
        "patient_count",
        "named",
    )
    readonly_fields = fields
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[PatientAccess]:
        # The patients named, in one query for the page (the list names them on each row).
        return super().get_queryset(request).prefetch_related("patients")

    @admin.display(description="Patients shown")
    def named(self, obj: PatientAccess) -> str:
        patients = sorted(obj.patients.all(), key=attrgetter("mrn"))
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:patients_patient_change", args=[p.pk]), f"{p.full_name} ({p.mrn})")
                for p in patients
            ),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# Change history of the clinical records above (see evidence.admin_helpers.HistoryAdmin).
@admin.register(apps.get_model("patients", "PatientEvent"))
class PatientEventAdmin(PatientHistoryAdmin):
    patient_key = "pgh_obj_id"


admin.site.register(apps.get_model("patients", "SkinConcernEvent"), PatientHistoryAdmin)
