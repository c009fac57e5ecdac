"""Admin for plans, sessions and screenings. Clinical records are cancelled, never deleted."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from evidence.admin_helpers import ClinicalRecordAdmin, NoDeleteInline
from patients.admin import (
    HidesClinicalFields,
    PatientAdmin,
    PatientHistoryAdmin,
    ShowsPatientDataAdmin,
)
from patients.models import Patient
from treatments.models import (
    Consultation,
    PlanRefusal,
    Screening,
    ScreeningAnswer,
    SessionAmendment,
    TreatmentPlan,
    TreatmentSession,
)

PATIENT_SEARCH = ("patient__family_name", "patient__given_name", "patient__mrn")


class ReadOnlyRecordAdmin(ShowsPatientDataAdmin, ClinicalRecordAdmin):
    """Plans, sessions and screenings are made and changed by the clinic's workflows (planning,
    screening, booking), which apply the rules: who may approve or override, what blocks, what
    may be double-booked. Editing them here would bypass those rules, so the admin shows them."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class TreatmentPlanInline(HidesClinicalFields, NoDeleteInline):
    model = TreatmentPlan
    fields = (
        "protocol",
        "modality",
        "planned_sessions",
        "interval_days",
        "needle_depth_mm",
        "responsible_dermatologist",
        "status",
    )
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[TreatmentPlan]:
        return (
            super()
            .get_queryset(request)
            .select_related("protocol", "patient", "responsible_dermatologist__user")
        )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# Plans belong to treatments, so the patient page gains its plan inline here: patients must
# not import treatments.
admin.site.unregister(Patient)


@admin.register(Patient)
class PatientWithPlansAdmin(PatientAdmin):
    inlines = [*PatientAdmin.inlines, TreatmentPlanInline]


class TreatmentSessionInline(HidesClinicalFields, NoDeleteInline):
    model = TreatmentSession
    fields = ("number", "target_date", "starts_at", "ends_at", "practitioner", "room", "status")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[TreatmentSession]:
        return (
            super()
            .get_queryset(request)
            .select_related("plan__protocol", "plan__patient", "practitioner__user", "room")
        )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(ReadOnlyRecordAdmin):
    list_display = (
        "patient",
        "protocol",
        "modality",
        "planned_sessions",
        "interval_days",
        "needle_depth_mm",
        "responsible_dermatologist",
        "status",
        "created_at",
    )
    list_filter = ("status", "modality", "protocol__indication")
    list_select_related = ("patient", "protocol", "responsible_dermatologist__user")
    search_fields = PATIENT_SEARCH
    autocomplete_fields = ("patient", "concern")
    readonly_fields = (
        "public_id",
        "approved_by",
        "approved_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "created_at"
    inlines = [TreatmentSessionInline]
    actions = None


class SessionAmendmentInline(HidesClinicalFields, NoDeleteInline):
    """Corrections of the record, each with its reason and old and new values; made on the
    session's page, never here."""

    model = SessionAmendment
    fields = ("amended_at", "amended_by", "reason", "changes")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[SessionAmendment]:
        return super().get_queryset(request).select_related("amended_by", "session__plan")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TreatmentSession)
class TreatmentSessionAdmin(ReadOnlyRecordAdmin):
    patient_key = "plan.patient_id"
    list_display = (
        "__str__",
        "patient",
        "number",
        "target_date",
        "starts_at",
        "arrival",
        "practitioner",
        "room",
        "status",
    )
    list_filter = ("status", "room", "practitioner")
    list_select_related = ("plan__patient", "plan__protocol", "practitioner__user", "room")
    search_fields = tuple(f"plan__{field}" for field in PATIENT_SEARCH)
    autocomplete_fields = ("plan",)
    readonly_fields = ("public_id", "arrival", "created_at", "updated_at")
    date_hierarchy = "starts_at"
    inlines = [SessionAmendmentInline]
    actions = None

    @admin.display(description="Patient", ordering="plan__patient__family_name")
    def patient(self, obj: TreatmentSession) -> Patient:
        return obj.plan.patient

    @admin.display(description="Arrival (anaesthetic cream)")
    def arrival(self, obj: TreatmentSession) -> str:
        return f"{obj.arrival_at:%Y-%m-%d %H:%M}" if obj.arrival_at else "—"


class ScreeningAnswerInline(HidesClinicalFields, NoDeleteInline):
    model = ScreeningAnswer
    fields = ("rule", "answer", "acknowledged", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScreeningAnswer]:
        return super().get_queryset(request).select_related("rule", "screening__patient")


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyRecordAdmin):
    list_display = ("patient", "kind", "result", "performed_by", "performed_at", "override_by")
    list_filter = ("result", "kind")
    list_select_related = ("patient", "performed_by", "override_by")
    search_fields = PATIENT_SEARCH
    autocomplete_fields = ("patient", "plan", "session")
    date_hierarchy = "performed_at"
    readonly_fields = ("public_id",)
    inlines = [ScreeningAnswerInline]
    actions = None


@admin.register(ScreeningAnswer)
class ScreeningAnswerAdmin(ReadOnlyRecordAdmin):
    patient_key = "screening.patient_id"
    list_display = ("screening", "rule", "answer", "acknowledged")
    list_filter = ("answer", "rule__severity")
    list_select_related = ("screening__patient", "rule")
    search_fields = ("screening__patient__family_name", "rule__code")
    autocomplete_fields = ("screening",)
    actions = None


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyRecordAdmin):
    list_display = ("patient", "starts_at", "practitioner", "room", "status", "booked_by")
    list_filter = ("status", "practitioner", "room")
    list_select_related = ("patient", "practitioner__user", "room", "booked_by")
    search_fields = PATIENT_SEARCH
    autocomplete_fields = ("patient",)
    readonly_fields = ("public_id", "created_at")
    date_hierarchy = "starts_at"
    actions = None


@admin.register(PlanRefusal)
class PlanRefusalAdmin(ReadOnlyRecordAdmin):
    """Planning refused for an absolute contraindication: recorded by the planning service,
    shown here as it was."""

    list_display = ("patient", "protocol", "refused_by", "refused_at")
    list_select_related = ("patient", "protocol", "refused_by")
    search_fields = PATIENT_SEARCH
    date_hierarchy = "refused_at"
    fields = (
        "public_id",
        "patient",
        "concern",
        "protocol",
        "refused_by",
        "refused_at",
        "rules",
        "reason",
    )
    readonly_fields = fields
    actions = None


# Change history of the clinical records above (see evidence.admin_helpers.HistoryAdmin).
admin.site.register(apps.get_model("treatments", "TreatmentPlanEvent"), PatientHistoryAdmin)
admin.site.register(apps.get_model("treatments", "ScreeningEvent"), PatientHistoryAdmin)
admin.site.register(apps.get_model("treatments", "ConsultationEvent"), PatientHistoryAdmin)
admin.site.register(apps.get_model("treatments", "PlanRefusalEvent"), PatientHistoryAdmin)


@admin.register(apps.get_model("treatments", "TreatmentSessionEvent"))
class TreatmentSessionEventAdmin(PatientHistoryAdmin):
    patient_key = "plan.patient_id"
    list_select_related = ("pgh_context", "plan")


@admin.register(apps.get_model("treatments", "ScreeningAnswerEvent"))
class ScreeningAnswerEventAdmin(PatientHistoryAdmin):
    patient_key = "screening.patient_id"
    list_select_related = ("pgh_context", "screening")
