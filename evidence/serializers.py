"""Read-only representations of the knowledge base; every item carries its study."""

from __future__ import annotations

from rest_framework import serializers

from evidence.models import (
    ContraindicationRule,
    Finding,
    GradingScale,
    Indication,
    Protocol,
    Study,
)


class StudySerializer(serializers.ModelSerializer):
    citation = serializers.CharField(source="short_citation", read_only=True)
    doi_url = serializers.CharField(read_only=True)
    pubmed_url = serializers.CharField(read_only=True)
    level_of_evidence_label = serializers.CharField(
        source="get_level_of_evidence_display",
        read_only=True,
        allow_null=True,
        help_text="Empty for sources that are not graded (labels, regulations, registrations).",
    )

    class Meta:
        model = Study
        fields = (
            "code",
            "citation",
            "authors",
            "title",
            "journal",
            "year",
            "volume",
            "issue",
            "pages",
            "doi",
            "doi_url",
            "pmid",
            "pubmed_url",
            "pmcid",
            "url",
            "design",
            "level_of_evidence",
            "level_of_evidence_label",
            "provenance",
            "provenance_note",
            "source_document",
            "summary",
        )


class FindingSerializer(serializers.ModelSerializer):
    study = StudySerializer(read_only=True)

    class Meta:
        model = Finding
        fields = ("claim", "population", "regimen", "depth", "adjunct", "provenance", "study")


class GradingScaleSerializer(serializers.ModelSerializer):
    study = StudySerializer(read_only=True)
    indications: serializers.SlugRelatedField[Indication] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = GradingScale
        fields = (
            "code",
            "name",
            "records",
            "kind",
            "levels",
            "range_min",
            "range_max",
            "unit",
            "indications",
            "study",
            "provenance",
            "provenance_note",
        )


class ProtocolSerializer(serializers.ModelSerializer):
    indication: serializers.SlugRelatedField[Indication] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    study = StudySerializer(read_only=True)
    supporting_studies = StudySerializer(many=True, read_only=True)
    outcome_scales: serializers.SlugRelatedField[GradingScale] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Protocol
        fields = (
            "code",
            "indication",
            "modality",
            "title",
            "physician_defined",
            "specialist_only",
            "default_sessions",
            "sessions_min",
            "sessions_max",
            "default_interval_days",
            "interval_min_days",
            "interval_max_days",
            "depth_min_mm",
            "depth_max_mm",
            "depth_note",
            "adjuncts",
            "outcome_scales",
            "study",
            "supporting_studies",
            "provenance",
            "provenance_note",
            "requires_clinician_review",
            "notes",
        )


class ContraindicationRuleSerializer(serializers.ModelSerializer):
    study = StudySerializer(read_only=True)
    exception_indications: serializers.SlugRelatedField[Indication] = (
        serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    )

    class Meta:
        model = ContraindicationRule
        fields = (
            "code",
            "condition",
            "question",
            "severity",
            "severity_note",
            "temporary",
            "applies_to",
            "action",
            "basis",
            "study",
            "exception_indications",
            "exception_severity",
            "exception_action",
            "provenance",
            "provenance_note",
        )


class IndicationSerializer(serializers.ModelSerializer):
    findings = FindingSerializer(many=True, read_only=True)
    protocols: serializers.SlugRelatedField[Protocol] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    grading_scales: serializers.SlugRelatedField[GradingScale] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Indication
        fields = ("slug", "name", "description", "findings", "protocols", "grading_scales")
