"""Admin building blocks shared by every app.

They live in `evidence`, the app everything else may depend on, so that the arrows between apps
keep pointing one way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.contrib import admin, messages
from django.db import connection, models
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join

if TYPE_CHECKING:  # a mixin for model admins and inlines alike
    from django.contrib.admin.options import BaseModelAdmin

    _AdminBase = BaseModelAdmin[Any]
else:
    _AdminBase = object

PROVENANCE_CSS = {
    "V": "prov-v",
    "SD/V": "prov-v",
    "V/P": "prov-p",
    "P": "prov-p",
    "SD": "prov-p",
    "V/U": "prov-u",
    "U": "prov-u",
    "SD/U": "prov-u",
    "D": "prov-d",
}


def provenance_badge(obj: Any, *, with_note: bool = False) -> str:
    """The [tag] coloured by how firm it is; the caveat rides along as a tooltip or text."""
    note = getattr(obj, "provenance_note", "")
    title = f"{obj.get_provenance_display()}. {note}" if note else obj.get_provenance_display()
    return format_html(
        '<span class="prov {}" title="{}">[{}]</span>{}',
        PROVENANCE_CSS.get(obj.provenance, "prov-u"),
        title,
        obj.provenance,
        f" {note}" if with_note and note else "",
    )


def study_links(study: Any) -> str:
    links = [
        (url, label)
        for url, label in (
            (study.doi_url, f"doi:{study.doi}"),
            (study.pubmed_url, f"PMID {study.pmid}"),
            (study.pmc_url, study.pmcid),
            (study.url, "source"),
        )
        if url
    ]
    if not links:
        return "—"
    return format_html_join(
        " · ", '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', links
    )


class FixedChoicesMixin(_AdminBase):
    """Evaluate each foreign-key <select> once per form class, not once per inline row.

    Without this, an inline with N rows runs N identical choice queries.
    """

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        searched = {*getattr(self, "autocomplete_fields", ()), *getattr(self, "raw_id_fields", ())}
        if formfield is not None and db_field.name not in searched and "widget" not in kwargs:
            choices = list(cast(Iterable[Any], formfield.choices))  # a ModelChoiceIterator
            formfield.choices = choices
            inner = getattr(formfield.widget, "widget", None)  # admin's related-field wrapper
            if inner is not None:
                inner.choices = choices
        return formfield


class ClinicalRecordAdmin(FixedChoicesMixin, admin.ModelAdmin):
    """Clinical records are never deleted: they are cancelled, archived or marked in error."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoDeleteInline(FixedChoicesMixin, admin.TabularInline):
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HistoryAdmin(admin.ModelAdmin):
    """Change history rows (django-pghistory events): who changed what, when, through which
    request. Read-only for everyone; written only by the database's triggers."""

    # The record's id, not its name: naming it would cost a query per row.
    list_display = ("pgh_created_at", "pgh_label", "pgh_obj_id", "changed_by", "request_url")
    list_filter = ("pgh_label",)
    list_select_related: ClassVar[tuple[str, ...]] = ("pgh_context",)
    date_hierarchy = "pgh_created_at"
    actions = None

    @admin.display(description="By (user id)")
    def changed_by(self, obj: Any) -> str:
        return str((obj.pgh_context.metadata or {}).get("user", "—")) if obj.pgh_context_id else "—"

    @admin.display(description="Request")
    def request_url(self, obj: Any) -> str:
        if not obj.pgh_context_id:
            return "—"
        meta = obj.pgh_context.metadata or {}
        return f"{meta.get('method', '')} {meta.get('url', '')} from {meta.get('ip', '?')}"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if connection.vendor != "postgresql":
            # The triggers exist only on PostgreSQL: an empty list here is not "no changes".
            messages.warning(
                request,
                "Change history needs PostgreSQL: it is recorded by database triggers, which "
                "this database (SQLite) does not run, so nothing is recorded here. Run the "
                "clinic on PostgreSQL (DATABASE_URL) to keep it.",
            )
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
