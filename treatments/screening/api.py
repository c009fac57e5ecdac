"""Screenings over the API: the list, the re-screen before a session, the override."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api import PublicIdLookupMixin, query_public_id
from clinic.errors import InvalidInput
from clinic.staff import StaffRequest
from treatments import clinicians
from treatments.booking.selectors import session_get_for_user
from treatments.models import Screening
from treatments.screening import selectors
from treatments.screening import services as screening_services
from treatments.screening.serializers import (
    OverrideSerializer,
    RescreenSerializer,
    ScreeningSerializer,
)


class ScreeningViewSet(
    PublicIdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Screening records. New ones come from planning or from the re-screen before a session."""

    serializer_class = ScreeningSerializer
    lookup_field = "public_id"
    queryset = Screening.objects.all()
    request: StaffRequest

    def get_queryset(self) -> QuerySet[Screening]:
        screenings = selectors.screenings_for_user(self.request.user)
        patient = query_public_id(self.request, "patient") if self.action == "list" else None
        if patient is not None:
            screenings = screenings.filter(patient__public_id=patient)
        return screenings.order_by("-performed_at", "-pk")

    @extend_schema(
        parameters=[OpenApiParameter("patient", OpenApiTypes.UUID, description="Patient id.")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RescreenSerializer, responses={201: ScreeningSerializer})
    @action(detail=False, methods=["post"])
    def rescreen(self, request: StaffRequest) -> Response:
        """Before a session: 'anything changed?' Saved whatever the result."""
        serializer = RescreenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            session = session_get_for_user(request.user, data["session"])
        except Http404:
            raise InvalidInput(
                "No such session.", fields={"session": ["No session has this id."]}
            ) from None
        screening = screening_services.screening_rescreen(
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
    def override(self, request: StaffRequest, public_id: str) -> Response:
        screening = self.get_object()
        clinicians.require_overrider(request.user)  # before the body: the role first
        serializer = OverrideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        screening_services.screening_override(
            acting_user=request.user,
            screening=screening,
            reason=serializer.validated_data["reason"],
        )
        return Response(ScreeningSerializer(self.get_queryset().get(pk=screening.pk)).data)
