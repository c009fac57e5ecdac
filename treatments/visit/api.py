"""The visit over the API: check-in with the re-screen, no-show, and the record."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.staff import StaffRequest
from treatments import clinicians
from treatments.booking.serializers import SessionDetailSerializer
from treatments.models import TreatmentSession
from treatments.visit import services as visit_services
from treatments.visit.serializers import (
    AmendSerializer,
    CheckedInSerializer,
    CheckInBlockedSerializer,
    CheckInSerializer,
    RecordSerializer,
    RescreenedSerializer,
    SessionReopenSerializer,
    SessionRescreenSerializer,
    SessionWithAmendmentsSerializer,
)


class VisitActions:
    """The day's actions on one session, mixed into the sessions viewset (`/api/sessions/`)."""

    get_object: Any
    _done: Any

    @extend_schema(request=None, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request: StaffRequest, public_id: str) -> Response:
        return self._done(
            visit_services.session_no_show(acting_user=request.user, session=self.get_object())
        )

    @extend_schema(
        request=CheckInSerializer,
        responses={200: CheckedInSerializer, 409: CheckInBlockedSerializer},
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: StaffRequest, public_id: str) -> Response:
        """Re-screen and check in. A new absolute contraindication blocks the session (saved)
        and answers 409; a relative one checks in but awaits a dermatologist's override."""
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = visit_services.session_check_in(
            acting_user=request.user,
            session=self.get_object(),
            changed=data["changed"],
            answers=data.get("answers"),
            acknowledged=set(data["acknowledged"]),
            override_reason=data.get("override_reason", ""),
        )
        context = {"check_in": result}
        if result.session.status == TreatmentSession.Status.BLOCKED:
            blocked = {
                "detail": result.session.status_reason,
                "code": "contraindication_blocked",
                "fields": {},
                "session": result.session,
            }
            return Response(
                CheckInBlockedSerializer(blocked, context=context).data,
                status=status.HTTP_409_CONFLICT,
            )
        return Response(CheckedInSerializer(result.session, context=context).data)

    @extend_schema(
        request=SessionRescreenSerializer,
        responses={
            200: RescreenedSerializer,
            409: OpenApiResponse(
                description="The session is not blocked, or its plan or patient is not active."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def rescreen(self, request: StaffRequest, public_id: str) -> Response:
        """Re-screen a blocked session once the contraindication has cleared, in full. Clear
        (or a relative contraindication overridden now by a dermatologist): the session is
        planned again, its target today or later, to be booked. Otherwise it stays blocked;
        the re-screen is saved either way."""
        serializer = SessionRescreenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = visit_services.session_rescreen(
            acting_user=request.user,
            session=self.get_object(),
            answers=data["answers"],
            acknowledged=set(data["acknowledged"]),
            override_reason=data.get("override_reason", ""),
        )
        return Response(RescreenedSerializer(result.session, context={"rescreen": result}).data)

    @extend_schema(
        request=SessionReopenSerializer,
        responses={
            200: RescreenedSerializer,
            409: OpenApiResponse(
                description="Not blocked, or its latest screening still blocks (re-screen)."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: StaffRequest, public_id: str) -> Response:
        """A dermatologist reopens a blocked session whose re-screen found a relative
        contraindication: the written override and the reopening, together."""
        clinicians.require_overrider(request.user)  # before the body: the role first
        serializer = SessionReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = visit_services.session_reopen(
            acting_user=request.user,
            session=self.get_object(),
            override_reason=serializer.validated_data.get("override_reason", ""),
        )
        return Response(RescreenedSerializer(result.session, context={"rescreen": result}).data)

    @extend_schema(request=RecordSerializer, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request: StaffRequest, public_id: str) -> Response:
        """What was done (dermatologists). Completing the last open session completes the plan."""
        clinicians.require_recorder(request.user)  # before the body: the role first
        serializer = RecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._done(
            visit_services.session_record(
                acting_user=request.user, session=self.get_object(), **serializer.validated_data
            )
        )

    @extend_schema(
        request=AmendSerializer,
        responses={
            200: SessionWithAmendmentsSerializer,
            409: OpenApiResponse(description="The session is not completed: nothing to amend."),
        },
    )
    @action(detail=True, methods=["post"])
    def amend(self, request: StaffRequest, public_id: str) -> Response:
        """Correct a completed record (dermatologists): the fields sent that differ from the
        record, and the reason. Kept as an amendment with each field's old and new value;
        validated as the record is, and refused whole."""
        clinicians.require_recorder(request.user)  # before the body: the role first
        serializer = AmendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        amendment = visit_services.session_amend(
            acting_user=request.user,
            session=self.get_object(),
            reason=changes.pop("reason"),
            **changes,
        )
        return Response(
            SessionWithAmendmentsSerializer(amendment.session, context={"request": request}).data
        )
