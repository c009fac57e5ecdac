"""Admin for the knowledge base: every item shows its study and provenance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from evidence.admin_helpers import FixedChoicesMixin, provenance_badge, study_links
from evidence.models import (
    ContraindicationRule,
    Finding,
    GradingScale,
    Indication,
    Protocol,
    Study,
)

if TYPE_CHECKING:  # django-stubs' helper for a queryset's annotations (a dev dependency)
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    class _IndicationCounts(TypedDict):
        n_protocols: int
        n_findings: int

    #: An indication from IndicationAdmin.get_queryset(), which annotates the counts.
    IndicationWithCounts = WithAnnotations[Indication, _IndicationCounts]


class ProvenanceDisplay:
    @admin.display(description="Provenance", ordering="provenance")
    def provenance_display(self, obj: Any) -> str:
        return provenance_badge(obj)


@admin.register(Study)
class StudyAdmin(ProvenanceDisplay, admin.ModelAdmin):
    list_display = (
        "short_citation",
        "title",
        "journal",
        "year",
        "design",
        "level_of_evidence",
        "provenance_display",
        "links",
    )
    list_filter = ("design", "level_of_evidence", "provenance", "source_document")
    search_fields = ("authors", "title", "doi", "pmid", "pmcid", "code", "journal")
    readonly_fields = ("links", "cited_by")
    ordering = ("authors", "year")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("code", "reference_number", "authors", "title", "summary")}),
        ("Publication", {"fields": ("journal", "year", "volume", "issue", "pages")}),
        ("Identifiers", {"fields": ("doi", "pmid", "pmcid", "url", "links")}),
        (
            "Quality",
            {
                "fields": (
                    "design",
                    "level_of_evidence",
                    "provenance",
                    "provenance_note",
                    "source_document",
                )
            },
        ),
        ("Cited by", {"fields": ("cited_by",)}),
    )

    @admin.display(description="Study", ordering="authors")
    def short_citation(self, obj: Study) -> str:
        return obj.short_citation

    @admin.display(description="Links")
    def links(self, obj: Study) -> str:
        return study_links(obj)

    @admin.display(description="What cites it")
    def cited_by(self, obj: Study) -> str:
        if obj.pk is None:
            return "—"
        items = [
            *(f"Finding: {f.indication.name}" for f in obj.findings.select_related("indication")),
            *(f"Protocol {p.code}" for p in obj.protocols.all()),
            *(f"Protocol {p.code} (supporting)" for p in obj.supported_protocols.all()),
            *(f"Rule {r.code}" for r in obj.rules.all()),
            *(f"Rule {r.code} (supporting)" for r in obj.supported_rules.all()),
            *(f"Scale {s.code}" for s in obj.grading_scales.all()),
            *(f"Scale {s.code} (supporting)" for s in obj.supported_grading_scales.all()),
        ]
        return "; ".join(items) or "Nothing yet"


class FindingInline(FixedChoicesMixin, admin.TabularInline):
    """A plain select (its choices fetched once) rather than autocomplete, which would look up
    each row's study separately."""

    model = Finding
    extra = 0
    fields = ("study", "claim", "population", "regimen", "provenance")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Finding]:
        return super().get_queryset(request).select_related("study")


class ProtocolInline(FixedChoicesMixin, admin.TabularInline):
    model = Protocol
    extra = 0
    fields = (
        "code",
        "modality",
        "default_sessions",
        "default_interval_days",
        "depth_min_mm",
        "depth_max_mm",
        "study",
        "provenance",
    )
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Protocol]:
        return super().get_queryset(request).select_related("study")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Indication)
class IndicationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_skin_concern", "protocol_count", "finding_count")
    list_filter = ("is_skin_concern",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (FindingInline, ProtocolInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Indication]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_protocols=Count("protocols", distinct=True),
                n_findings=Count("findings", distinct=True),
            )
        )

    @admin.display(description="Protocols", ordering="n_protocols")
    def protocol_count(self, obj: IndicationWithCounts) -> int:
        return obj.n_protocols

    @admin.display(description="Findings", ordering="n_findings")
    def finding_count(self, obj: IndicationWithCounts) -> int:
        return obj.n_findings


@admin.register(Finding)
class FindingAdmin(ProvenanceDisplay, FixedChoicesMixin, admin.ModelAdmin):
    list_display = ("indication", "study", "claim", "regimen", "provenance_display")
    list_filter = ("indication", "provenance")
    list_select_related = ("indication", "study")
    search_fields = ("claim", "study__authors", "study__title", "indication__name")
    autocomplete_fields = ("study",)


@admin.register(Protocol)
class ProtocolAdmin(ProvenanceDisplay, FixedChoicesMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "indication",
        "modality",
        "sessions",
        "interval",
        "depth",
        "study",
        "provenance_display",
        "requires_clinician_review",
    )
    list_filter = (
        "modality",
        "indication",
        "provenance",
        "requires_clinician_review",
        "physician_defined",
    )
    list_select_related = ("indication", "study")
    search_fields = ("code", "title", "indication__name", "study__authors", "study__title")
    autocomplete_fields = ("study",)
    filter_horizontal = ("outcome_scales", "supporting_studies")
    readonly_fields = ("study_links",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "title",
                    "indication",
                    "modality",
                    "physician_defined",
                    "specialist_only",
                    "requires_clinician_review",
                )
            },
        ),
        (
            "Sessions",
            {
                "fields": (
                    ("default_sessions", "sessions_min", "sessions_max"),
                    ("default_interval_days", "interval_min_days", "interval_max_days"),
                )
            },
        ),
        ("Needle depth", {"fields": (("depth_min_mm", "depth_max_mm"), "depth_note")}),
        ("Treatment", {"fields": ("adjuncts", "outcome_scales", "notes")}),
        (
            "Evidence",
            {
                "fields": (
                    "study",
                    "study_links",
                    "supporting_studies",
                    "provenance",
                    "provenance_note",
                )
            },
        ),
    )

    @admin.display(description="Sessions")
    def sessions(self, obj: Protocol) -> str:
        if obj.physician_defined and obj.default_sessions is None:
            return "physician-defined"
        return f"{obj.default_sessions} [{obj.sessions_min}–{obj.sessions_max}]"

    @admin.display(description="Interval (days)")
    def interval(self, obj: Protocol) -> str:
        if obj.default_interval_days is None:
            return "physician-defined"
        return f"{obj.default_interval_days} [{obj.interval_min_days}–{obj.interval_max_days}]"

    @admin.display(description="Depth")
    def depth(self, obj: Protocol) -> str:
        return obj.depth_range_text

    @admin.display(description="Study links")
    def study_links(self, obj: Protocol) -> str:
        return study_links(obj.study) if obj.study_id else "—"


@admin.register(ContraindicationRule)
class ContraindicationRuleAdmin(ProvenanceDisplay, FixedChoicesMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "condition",
        "severity",
        "applies_to",
        "temporary",
        "study",
        "provenance_display",
    )
    list_filter = ("severity", "applies_to", "temporary", "provenance")
    list_select_related = ("study",)
    search_fields = ("code", "condition", "question", "action")
    autocomplete_fields = ("study",)
    filter_horizontal = ("supporting_studies", "exception_indications", "only_indications")
    readonly_fields = ("study_links",)
    fieldsets = (
        (None, {"fields": ("code", "condition", "question", "display_order")}),
        (
            "Rule",
            {
                "fields": (
                    "severity",
                    "severity_note",
                    "temporary",
                    "applies_to",
                    "only_indications",
                    "action",
                )
            },
        ),
        (
            "Exception (e.g. C09 when the scar is the indication)",
            {
                "fields": ("exception_indications", "exception_severity", "exception_action"),
            },
        ),
        (
            "Evidence",
            {
                "fields": (
                    "basis",
                    "study",
                    "study_links",
                    "supporting_studies",
                    "provenance",
                    "provenance_note",
                )
            },
        ),
    )

    @admin.display(description="Study links")
    def study_links(self, obj: ContraindicationRule) -> str:
        return study_links(obj.study) if obj.study_id else "—"


@admin.register(GradingScale)
class GradingScaleAdmin(ProvenanceDisplay, FixedChoicesMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "records", "study", "provenance_display")
    list_filter = ("kind", "indications", "provenance")
    list_select_related = ("study",)
    search_fields = ("code", "name", "records")
    autocomplete_fields = ("study",)
    filter_horizontal = ("indications", "supporting_studies")
