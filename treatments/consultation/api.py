"""Consultations over the API: the list (by patient or day), free times, booking, cancelling
and marking one attended."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api import RoleModelPermissions, query_day, query_public_id
from clinic.errors import InvalidInput
from clinic.staff import StaffRequest
from patients.selectors import patient_get_for_user
from treatments.booking.api import resources_from
from treatments.booking.selectors import DAY_PATTERN, EARLIEST_DAY, LATEST_DAY, day_bounds
from treatments.booking.serializers import SlotSerializer
from treatments.consultation import services
from treatments.consultation.selectors import consultation_get_for_user, consultations_for_user
from treatments.consultation.serializers import (
    ConsultationBookSerializer,
    ConsultationCancelSerializer,
    ConsultationSerializer,
)
from treatments.models import Consultation


class ConsultationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Consultations: a first meeting with a dermatologist, before any plan."""

    serializer_class = ConsultationSerializer
    lookup_field = "public_id"
    queryset = Consultation.objects.all()
    request: StaffRequest
    permission_classes = [IsAuthenticated, RoleModelPermissions]

    def get_queryset(self) -> QuerySet[Consultation]:
        consultations = consultations_for_user(self.request.user)
        if self.action != "list":
            return consultations
        day = query_day(self.request, "day", earliest=EARLIEST_DAY, latest=LATEST_DAY)
        if day is not None:
            start, end = day_bounds(day)
            consultations = consultations.filter(starts_at__gte=start, starts_at__lt=end)
        patient = query_public_id(self.request, "patient")
        if patient is not None:
            consultations = consultations.filter(patient__public_id=patient)
        return consultations.order_by("starts_at", "pk")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "day",
                OpenApiTypes.DATE,
                pattern=DAY_PATTERN,
                description="Consultations on this day (YYYY-MM-DD, "
                f"{EARLIEST_DAY.year} to {LATEST_DAY.year}).",
            ),
            OpenApiParameter("patient", OpenApiTypes.UUID),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_object(self) -> Consultation:
        consultation = consultation_get_for_user(self.request.user, self.kwargs["public_id"])
        self.check_object_permissions(self.request, consultation)
        return consultation

    @extend_schema(request=ConsultationBookSerializer, responses={201: ConsultationSerializer})
    def create(self, request: StaffRequest) -> Response:
        serializer = ConsultationBookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        patient = patient_get_for_user(request.user, data["patient"])
        practitioner, room = resources_from(data)
        booked = services.consultation_book(
            acting_user=request.user,
            patient=patient,
            starts_at=data["starts_at"],
            practitioner=practitioner,
            room=room,
            reason=data["reason"],
        )
        return Response(ConsultationSerializer(booked).data, status=201)

    @extend_schema(
        responses=SlotSerializer(many=True),
        parameters=[
            OpenApiParameter("patient", OpenApiTypes.UUID, required=True),
            OpenApiParameter(
                "day", OpenApiTypes.DATE, pattern=DAY_PATTERN, required=True
            ),
        ],
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def availability(self, request: StaffRequest) -> Response:
        """Times on a day when a dermatologist and a room are free and the patient is not
        booked elsewhere."""
        day = query_day(request, "day", earliest=EARLIEST_DAY, latest=LATEST_DAY)
        patient_id = query_public_id(request, "patient")
        if day is None or patient_id is None:
            missing = [name for name, value in (("day", day), ("patient", patient_id)) if not value]
            raise InvalidInput(
                f"Give {' and '.join(missing)}.", fields={name: ["Required."] for name in missing}
            )
        patient = patient_get_for_user(request.user, patient_id)
        slots = services.consultation_availability(patient=patient, day=day)
        return Response(slots.rows())

    @extend_schema(request=ConsultationCancelSerializer, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: StaffRequest, public_id: str) -> Response:
        serializer = ConsultationCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cancelled = services.consultation_cancel(
            acting_user=request.user,
            consultation=self.get_object(),
            reason=serializer.validated_data["reason"],
        )
        return Response(ConsultationSerializer(cancelled).data)

    @extend_schema(request=None, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def attend(self, request: StaffRequest, public_id: str) -> Response:
        """The dermatologist has seen the patient; the concern and its plan follow."""
        attended = services.consultation_attend(
            acting_user=request.user, consultation=self.get_object()
        )
        return Response(ConsultationSerializer(attended).data)
