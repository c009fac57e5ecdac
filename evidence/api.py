"""The knowledge base over the API: read-only for every role."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from evidence import serializers
from evidence.models import (
    ContraindicationRule,
    Finding,
    GradingScale,
    Indication,
    Modality,
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

    @extend_schema(
        parameters=[OpenApiParameter("indication", str, description="An indication's slug.")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class ContraindicationRuleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ContraindicationRuleSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[ContraindicationRule]:
        rules = ContraindicationRule.objects.select_related("study").prefetch_related(
            "exception_indications"
        )
        if self.action != "list":
            return rules.order_by("display_order", "code")
        # The knowledge base depends on nothing, clinic.api's query helpers included.
        modality = self.request.query_params.get("modality")
        if modality is not None and modality not in Modality.values:
            message = f"modality must be one of: {', '.join(Modality.values)}."
            raise ValidationError({"modality": [message]})
        if modality == Modality.MICRONEEDLING:  # RF microneedling is asked every rule
            rules = rules.filter(applies_to="all")
        return rules.order_by("display_order", "code")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "modality",
                str,
                enum=Modality.values,
                description="Only the rules asked before this modality.",
            )
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class GradingScaleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.GradingScaleSerializer
    lookup_field = "code"
    queryset = GradingScale.objects.select_related("study").prefetch_related("indications")
