"""Plans and screenings over the API. Business rules live in the services."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api import PublicIdLookupMixin
from clinic.errors import InvalidInput
from clinic.ids import parse_public_id
from patients.models import SkinConcern
from patients.selectors import concern_get_for_user
from treatments import selectors, services
from treatments.models import Screening, TreatmentPlan, TreatmentSession
from treatments.serializers import (
    OverrideSerializer,
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanRequestSerializer,
    PlanSerializer,
    PreviewSerializer,
    RescreenSerializer,
    ScreeningSerializer,
)


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


def _params(data: dict[str, Any]) -> services.PlanParameters:
    return services.plan_parameters(
        protocol=data["protocol"],
        sessions=data["sessions"],
        interval_days=data["interval_days"],
        depth_mm=data["depth_mm"],
        start_date=data["start_date"],
        departure_reason=data.get("departure_reason", ""),
    )


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

    def get_queryset(self) -> QuerySet[TreatmentPlan]:
        plans = selectors.plans_for_user(self.request.user).select_related("protocol__study")
        patient = self.request.query_params.get("patient")
        if patient:
            plans = plans.filter(patient__public_id=parse_public_id(patient))
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

    @extend_schema(parameters=[OpenApiParameter("patient", str, description="Patient id.")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = services.plan_create(
            acting_user=request.user,
            concern=_concern_for(request, data),
            params=_params(data),
            answers=data["answers"],
            acknowledged=set(data["acknowledged"]),
            override_reason=data.get("override_reason", ""),
        )
        plan = selectors.plan_get_for_user(request.user, plan.public_id)
        return Response(PlanDetailSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanRequestSerializer, responses=PreviewSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """The schedule and screening questions a plan would have. Saves nothing."""
        serializer = PlanRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        concern = _concern_for(request, data)
        params = _params(data)
        if params.protocol.indication_id != concern.indication_id:
            raise InvalidInput(
                f"{params.protocol.code} is not a protocol for {concern.indication}.",
                fields={"protocol": ["Choose a protocol for this concern's indication."]},
            )
        rules = selectors.rules_for_modality(params.protocol.modality)
        return Response(
            {
                "dates": services.plan_schedule_preview(params),
                "departures": services.plan_departures(params),
                "questions": [
                    {"code": r.code, "question": r.question, "severity": r.severity} for r in rules
                ],
            }
        )


class ScreeningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Screening records. New ones come from planning or from the re-screen before a session."""

    serializer_class = ScreeningSerializer
    lookup_field = "public_id"
    queryset = Screening.objects.all()

    def get_queryset(self) -> QuerySet[Screening]:
        screenings = selectors.screenings_for_user(self.request.user)
        patient = self.request.query_params.get("patient")
        if patient:
            screenings = screenings.filter(patient__public_id=parse_public_id(patient))
        return screenings.order_by("-performed_at", "-pk")

    @extend_schema(request=RescreenSerializer, responses={201: ScreeningSerializer})
    @action(detail=False, methods=["post"])
    def rescreen(self, request: Request) -> Response:
        """Before a session: 'anything changed?' Saved whatever the result."""
        serializer = RescreenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        session = TreatmentSession.objects.filter(public_id=data["session"]).first()
        if session is None or not request.user.has_perm("treatments.view_treatmentsession"):
            raise InvalidInput("No such session.", fields={"session": ["No session has this id."]})
        screening = services.screening_rescreen(
            acting_user=request.user,
            session=session,
            changed=data["changed"],
            answers=data.get("answers"),
            acknowledged=set(data["acknowledged"]),
            override_reason=data.get("override_reason", ""),
            notes=data.get("notes", ""),
        )
        screening = self.get_queryset().get(pk=screening.pk)
        return Response(ScreeningSerializer(screening).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OverrideSerializer, responses=ScreeningSerializer)
    @action(detail=True, methods=["post"])
    def override(self, request: Request, public_id: str) -> Response:
        serializer = OverrideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        screening = self.get_object()
        services.screening_override(
            acting_user=request.user,
            screening=screening,
            reason=serializer.validated_data["reason"],
        )
        return Response(ScreeningSerializer(self.get_queryset().get(pk=screening.pk)).data)
