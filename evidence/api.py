"""The knowledge base over the API: read-only for every role."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from rest_framework import viewsets

from evidence import serializers
from evidence.models import (
    ContraindicationRule,
    Finding,
    GradingScale,
    Indication,
    Protocol,
    Study,
)


class StudyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.StudySerializer
    lookup_field = "code"
    queryset = Study.objects.order_by("authors", "year")


class IndicationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.IndicationSerializer
    lookup_field = "slug"
    queryset = Indication.objects.prefetch_related(
        Prefetch("findings", queryset=Finding.objects.select_related("study")),
        "protocols",
        "grading_scales",
    ).order_by("name")


class ProtocolViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ProtocolSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Protocol]:
        protocols = Protocol.objects.select_related("indication", "study").prefetch_related(
            "supporting_studies", "outcome_scales"
        )
        indication = self.request.query_params.get("indication")
        if indication:
            protocols = protocols.filter(indication__slug=indication)
        return protocols.order_by("code")


class ContraindicationRuleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ContraindicationRuleSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[ContraindicationRule]:
        rules = ContraindicationRule.objects.select_related("study").prefetch_related(
            "exception_indications"
        )
        modality = self.request.query_params.get("modality")
        if modality == "mn":
            rules = rules.filter(applies_to="all")
        return rules.order_by("display_order", "code")


class GradingScaleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.GradingScaleSerializer
    lookup_field = "code"
    queryset = GradingScale.objects.select_related("study").prefetch_related("indications")
