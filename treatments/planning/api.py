"""Plans over the API. Business rules live in the services."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api import PublicIdLookupMixin, query_public_id
from clinic.errors import Conflict, InvalidInput
from clinic.staff import StaffRequest
from patients.models import SkinConcern
from patients.selectors import concern_get_for_user
from treatments import clinicians
from treatments.models import PlanRefusal, TreatmentPlan, TreatmentSession
from treatments.planning import selectors, services
from treatments.planning.serializers import (
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanRefusalSerializer,
    PlanRequestSerializer,
    PlanSerializer,
    PreviewSerializer,
)
from treatments.screening.selectors import screening_questions


def _concern_for(request: Request, data: dict[str, Any]) -> SkinConcern:
    try:
        concern = concern_get_for_user(request.user, data["concern"])
    except Http404:
        raise InvalidInput(
            "No such concern.", fields={"concern": ["No concern has this id."]}
        ) from None
    if data.get("patient") and concern.patient.public_id != data["patient"]:
        raise InvalidInput(
            "This concern belongs to another patient.",
            fields={"concern": ["This concern belongs to another patient."]},
        )
    return concern


class PlanViewSet(
    PublicIdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Treatment plans. Creating one screens the patient and schedules its sessions."""

    lookup_field = "public_id"
    queryset = TreatmentPlan.objects.all()
    request: StaffRequest

    def get_queryset(self) -> QuerySet[TreatmentPlan]:
        plans = selectors.plans_for_user(self.request.user).select_related("protocol__study")
        patient = query_public_id(self.request, "patient") if self.action == "list" else None
        if patient is not None:
            plans = plans.filter(patient__public_id=patient)
        if self.action == "retrieve":
            plans = plans.prefetch_related(
                Prefetch("sessions", queryset=TreatmentSession.objects.order_by("number"))
            )
        return plans.order_by("-created_at", "-pk")

    def get_serializer_class(self) -> type:
        if self.action == "create":
            return PlanCreateSerializer
        if self.action == "preview":
            return PlanRequestSerializer
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer

    @extend_schema(
        parameters=[OpenApiParameter("patient", OpenApiTypes.UUID, description="Patient id.")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        clinicians.require_planner(request.user)  # before the body: the role first
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = services.plan_create(
            acting_user=self.request.user,  # the same request, typed as a logged-in one
            concern=_concern_for(request, data),
            params=services.plan_parameters_from(data),
            answers=data["answers"],
            acknowledged=set(data["acknowledged"]),
            override_reason=data.get("override_reason", ""),
        )
        plan = (
            selectors.plans_for_user(request.user)
            .select_related("protocol__study")
            .prefetch_related(
                Prefetch("sessions", queryset=TreatmentSession.objects.order_by("number"))
            )
            .get(pk=plan.pk)
        )
        return Response(PlanDetailSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanRequestSerializer, responses=PreviewSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """The schedule and screening questions a plan would have. Saves nothing."""
        clinicians.require_planner(request.user)  # before the body: the role first
        serializer = PlanRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        concern = _concern_for(request, data)
        if concern.patient.status != "active" or concern.status != "active":
            raise Conflict("This patient or concern is not active.")
        params = services.plan_parameters_from(data)
        if params.protocol.indication_id != concern.indication_id:
            raise InvalidInput(
                f"{params.protocol.code} is not a protocol for {concern.indication}.",
                fields={"protocol": ["Choose a protocol for this concern's indication."]},
            )
        questions = screening_questions(
            patient=concern.patient,
            concern=concern,
            modality=params.protocol.modality,
            depth_mm=params.depth_mm,
        )
        return Response(
            {
                "dates": services.plan_schedule_preview(params),
                "departures": services.plan_departures(params),
                "questions": [
                    {
                        "code": question.rule.code,
                        "question": question.rule.question,
                        "severity": question.rule.severity,
                        "note": question.derived.because if question.derived else "",
                    }
                    for question in questions.asked
                ],
                "from_record": [
                    {
                        "code": question.rule.code,
                        "question": question.rule.question,
                        "severity": question.rule.severity,
                        "answer": question.derived.answer,
                        "because": question.derived.because,
                    }
                    for question in questions.from_record
                    if question.derived is not None
                ],
            }
        )


class PlanRefusalViewSet(
    PublicIdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Plans refused for an absolute contraindication (read-only: planning records them)."""

    serializer_class = PlanRefusalSerializer
    lookup_field = "public_id"
    queryset = PlanRefusal.objects.all()
    request: StaffRequest

    def get_queryset(self) -> QuerySet[PlanRefusal]:
        refusals = selectors.plan_refusals_for_user(self.request.user)
        patient = query_public_id(self.request, "patient") if self.action == "list" else None
        if patient is not None:
            refusals = refusals.filter(patient__public_id=patient)
        return refusals

    @extend_schema(
        parameters=[OpenApiParameter("patient", OpenApiTypes.UUID, description="Patient id.")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
