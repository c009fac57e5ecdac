"""Plans over the API. Business rules live in the services."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api import PublicIdLookupMixin, query_public_id
from clinic.errors import Conflict, InvalidInput
from clinic.staff import StaffRequest
from patients.access_log import shown
from patients.models import SkinConcern
from patients.selectors import concern_get_for_user
from treatments import clinicians
from treatments.booking import series
from treatments.booking.api import resources_from
from treatments.booking.serializers import (
    SeriesPlacementSerializer,
    SeriesRequestSerializer,
    SessionDetailSerializer,
)
from treatments.models import PlanRefusal, TreatmentPlan, TreatmentSession
from treatments.planning import selectors, services
from treatments.planning.serializers import (
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanRefusalSerializer,
    PlanRequestSerializer,
    PlanScheduleSerializer,
    PlanSerializer,
    PreviewSerializer,
)
from treatments.rules.roles import BOOK_PERM
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


class BooksSessions(BasePermission):
    """Booking a plan's series is booking its sessions: the front desk's and dermatologists'
    permission to change sessions, not to change plans."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user.has_perm(BOOK_PERM))


def _series_request(data: dict[str, Any]) -> dict[str, Any]:
    """The service's arguments from a validated SeriesRequestSerializer."""
    practitioner, room = resources_from(data)
    choices = []
    for index, raw in enumerate(data["choices"]):
        try:
            person, place = resources_from(raw)
        except InvalidInput as error:
            raise InvalidInput(
                f"Choice {index + 1}: {error.message}", fields={"choices": [error.message]}
            ) from None
        choices.append(series.Choice(raw["number"], raw["starts_at"], person, place))
    return {
        "starts_at": data["starts_at"],
        "practitioner": practitioner,
        "room": room,
        "choices": choices,
    }


SERIES_ERRORS = {
    400: OpenApiResponse(
        description="Bad input: a time in the past, off the grid, outside the first session's "
        "window; an unknown practitioner, room or session number."
    ),
    409: OpenApiResponse(
        description="The plan is not active or has nothing to book; when booking, a slot "
        "taken (the error names the session, in `session`); nothing was saved."
    ),
}


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

    def get_permissions(self) -> list[Any]:
        if self.action in {"series_availability", "book_series"}:
            return [IsAuthenticated(), BooksSessions()]
        return list(super().get_permissions())

    def get_serializer_class(self) -> type:
        if self.action in {"series_availability", "book_series"}:
            return SeriesRequestSerializer
        if self.action == "create":
            return PlanCreateSerializer
        if self.action == "preview":
            return PlanRequestSerializer
        if self.action == "schedule":
            return PlanScheduleSerializer
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

    @extend_schema(
        request=SeriesRequestSerializer,
        responses={200: SeriesPlacementSerializer(many=True), **SERIES_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="series-availability", pagination_class=None)
    def series_availability(self, request: StaffRequest, public_id: str) -> Response:
        """Where each unbooked session would go with the first at `starts_at`, and for each that
        cannot go there (the same time, practitioner and room) why, with its nearest
        alternatives. Saves nothing: send the alternatives picked as `choices` to see the rest
        placed around them, then to book-series."""
        plan = selectors.plan_get_for_user(request.user, public_id)
        serializer = SeriesRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preview = series.plan_series_availability(
            plan=plan, **_series_request(serializer.validated_data)
        )
        shown(plan.patient)  # the patient's schedule, without their name
        return Response(preview.rows())

    @extend_schema(
        request=SeriesRequestSerializer,
        responses={200: SessionDetailSerializer(many=True), **SERIES_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="book-series", pagination_class=None)
    def book_series(self, request: StaffRequest, public_id: str) -> Response:
        """Book every unbooked session as series-availability places it, or none: each slot is
        re-checked as it is booked, and the first that is taken refuses the whole series."""
        plan = selectors.plan_get_for_user(request.user, public_id)
        serializer = SeriesRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booked = series.plan_book_series(
            acting_user=request.user, plan=plan, **_series_request(serializer.validated_data)
        )
        return Response(SessionDetailSerializer(booked, many=True).data)

    @extend_schema(
        request=PlanScheduleSerializer,
        responses={
            200: PlanDetailSerializer,
            409: OpenApiResponse(
                description="The plan is not active, or the change would cancel a booked "
                "session or break the spacing against one; nothing was saved."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request: StaffRequest, public_id: str) -> Response:
        """Change the session count or the interval: unbooked sessions get new target dates
        from the schedule rule, new ones are added and surplus unbooked ones cancelled; booked
        and done sessions stay. A dermatologist's decision."""
        clinicians.require_planner(request.user)  # before the body: the role first
        plan = selectors.plan_get_for_user(request.user, public_id)
        serializer = PlanScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.plan_change_schedule(
            acting_user=request.user,
            plan=plan,
            sessions=data["sessions"],
            interval_days=data["interval_days"],
            departure_reason=data.get("departure_reason", ""),
        )
        plan = (
            selectors.plans_for_user(request.user)
            .select_related("protocol__study")
            .prefetch_related(
                Prefetch("sessions", queryset=TreatmentSession.objects.order_by("number"))
            )
            .get(pk=plan.pk)
        )
        return Response(PlanDetailSerializer(plan).data)


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
