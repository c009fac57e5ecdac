"""Patients and their concerns over the API. Writes go through the services."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from clinic.api import query_choice
from clinic.errors import NotAllowed
from clinic.staff import StaffRequest
from patients import selectors, services
from patients.access_log import shown
from patients.models import Patient, SkinConcern
from patients.serializers import ConcernSerializer, PatientSerializer


class PatientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Patients are archived, never deleted."""

    serializer_class = PatientSerializer
    lookup_field = "public_id"
    queryset = Patient.objects.all()  # for the permission class; reads use the selectors
    request: StaffRequest

    def get_queryset(self) -> QuerySet[Patient]:
        # The filters pick rows for the list; DRF's permission check also asks for a queryset.
        listing = self.action == "list"
        return selectors.patients_search(
            self.request.user,
            self.request.query_params.get("q", "") if listing else "",
            include_archived=listing and query_choice(self.request, "archived", ("0", "1")) == "1",
        )

    def get_object(self) -> Patient:
        patient = selectors.patient_get_for_user(self.request.user, self.kwargs["public_id"])
        self.check_object_permissions(self.request, patient)
        return patient

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Name words, MRN, or date of birth."),
            OpenApiParameter(
                "archived", str, enum=["0", "1"], description="1 to include archived patients."
            ),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        responses={
            201: PatientSerializer,
            409: OpenApiResponse(
                description="`possible_duplicate`: patients with the same date of birth and a "
                "similar name exist, listed in `candidates` (`id`, `given_name`, `family_name`); "
                "nothing was saved. Repeat with `confirm_not_duplicate: true` to register."
            ),
        }
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        values = dict(serializer.validated_data)
        confirmed = values.pop("confirm_not_duplicate", False)
        try:
            serializer.instance = services.patient_create(
                acting_user=self.request.user, confirm_not_duplicate=confirmed, **values
            )
        except services.PossibleDuplicate as error:
            shown(error.candidates)  # their names are in the answer
            raise

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        values = dict(serializer.validated_data)
        values.pop("confirm_not_duplicate", None)  # registration's question only
        serializer.instance = services.patient_update(
            acting_user=self.request.user,
            patient=cast(Patient, serializer.instance),  # an update has its instance
            **values,
        )

    @extend_schema(request=None, responses=PatientSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: StaffRequest, public_id: str) -> Response:
        patient = services.patient_archive(acting_user=request.user, patient=self.get_object())
        return Response(PatientSerializer(patient).data)

    @extend_schema(methods=["get"], responses=ConcernSerializer(many=True))
    @extend_schema(methods=["post"], request=ConcernSerializer, responses={201: ConcernSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=ConcernSerializer,
        queryset=SkinConcern.objects.all(),
    )
    def concerns(self, request: StaffRequest, public_id: str) -> Response:
        patient = selectors.patient_get_for_user(request.user, public_id)
        if request.method == "POST":
            if not request.user.has_perm("patients.add_skinconcern"):
                raise NotAllowed("Your role does not allow you to record skin concerns.")
            serializer = ConcernSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            concern = services.concern_create(
                acting_user=request.user, patient=patient, **serializer.validated_data
            )
            return Response(ConcernSerializer(concern).data, status=status.HTTP_201_CREATED)
        if not request.user.has_perm("patients.view_skinconcern"):
            raise PermissionDenied
        concerns = (
            SkinConcern.objects.filter(patient=patient)
            .select_related("patient", "indication", "grading_scale")
            .order_by("-created_at")
        )
        page = self.paginate_queryset(concerns)
        return self.get_paginated_response(ConcernSerializer(page, many=True).data)
