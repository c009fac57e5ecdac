"""Admin for patients and their concerns. Patients are archived, never deleted."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from evidence.admin_helpers import ClinicalRecordAdmin, HistoryAdmin, NoDeleteInline
from patients.models import CLINICAL_PATIENT_FIELDS, Patient, PatientAccess, SkinConcern
from patients.selectors import parse_search_date


class SkinConcernInline(NoDeleteInline):
    model = SkinConcern
    fields = ("indication", "body_area", "grading_scale", "baseline_grade", "status", "notes")

    def get_queryset(self, request: HttpRequest) -> QuerySet[SkinConcern]:
        return super().get_queryset(request).select_related("indication", "grading_scale")


@admin.register(Patient)
class PatientAdmin(ClinicalRecordAdmin):
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
    readonly_fields = ("mrn", "public_id", "created_at", "updated_at")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("mrn", "given_name", "family_name", "date_of_birth", "sex", "status")}),
        ("Contact", {"fields": ("phone", "email")}),
        ("Clinical", {"fields": ("fitzpatrick_type", "notes")}),
        ("Record", {"fields": ("public_id", "created_at", "updated_at")}),
    )
    inlines = [SkinConcernInline]
    actions = None

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
class SkinConcernAdmin(ClinicalRecordAdmin):
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


@admin.register(PatientAccess)
class PatientAccessAdmin(admin.ModelAdmin):
    """The access log, for clinic admins to browse. Append-only: no add, change or delete."""

    list_display = ("accessed_at", "user", "patient", "channel", "path", "ip_address")
    list_filter = ("channel",)
    list_select_related = ("user", "patient")
    search_fields = ("patient__family_name", "patient__mrn", "user__username", "ip_address")
    date_hierarchy = "accessed_at"
    readonly_fields = [f.name for f in PatientAccess._meta.fields]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# Change history of the clinical records above (see evidence.admin_helpers.HistoryAdmin).
admin.site.register(apps.get_model("patients", "PatientEvent"), HistoryAdmin)
admin.site.register(apps.get_model("patients", "SkinConcernEvent"), HistoryAdmin)
