"""Sessions over the API: the day's list, availability, booking, moving and cancelling."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api import ChangeOnPostPermissions, query_day, query_public_id
from clinic.errors import InvalidInput
from clinic.models import Practitioner, Room
from clinic.staff import StaffRequest
from treatments.booking import services as session_services
from treatments.booking.selectors import (
    DAY_PATTERN,
    EARLIEST_DAY,
    LATEST_DAY,
    SESSION_RELATED,
    day_bounds,
    practitioner_by_public_id,
    room_by_public_id,
    session_get_for_user,
)
from treatments.booking.serializers import (
    BookSerializer,
    CancelSerializer,
    RescheduleSerializer,
    SessionDetailSerializer,
    SlotSerializer,
)
from treatments.models import TreatmentSession
from treatments.visit.api import VisitActions
from treatments.visit.serializers import SessionWithAmendmentsSerializer


def resources_from(data: dict[str, Any]) -> tuple[Practitioner, Room]:
    practitioner = practitioner_by_public_id(data["practitioner"])
    room = room_by_public_id(data["room"])
    fields = {}
    if practitioner is None:
        fields["practitioner"] = ["No practitioner has this id."]
    if room is None:
        fields["room"] = ["No room has this id."]
    if practitioner is None or room is None:
        raise InvalidInput(next(iter(fields.values()))[0], fields=fields)
    return practitioner, room


class SessionViewSet(
    VisitActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Sessions: the day's calendar, availability, booking and the day itself."""

    serializer_class = SessionDetailSerializer
    lookup_field = "public_id"
    queryset = TreatmentSession.objects.all()
    request: StaffRequest
    permission_classes = [IsAuthenticated, ChangeOnPostPermissions]

    def get_queryset(self) -> QuerySet[TreatmentSession]:
        sessions = TreatmentSession.objects.select_related(*SESSION_RELATED)
        if self.action != "list":  # the filters pick rows for the list, never one session
            return sessions
        day = query_day(self.request, "day", earliest=EARLIEST_DAY, latest=LATEST_DAY)
        if day is not None:
            start, end = day_bounds(day)
            sessions = sessions.filter(starts_at__gte=start, starts_at__lt=end)
        for name in ("practitioner", "room", "plan"):
            public_id = query_public_id(self.request, name)
            if public_id is not None:
                sessions = sessions.filter(**{f"{name}__public_id": public_id})
        return sessions.order_by("starts_at", "plan_id", "number")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "day",
                OpenApiTypes.DATE,
                pattern=DAY_PATTERN,
                description="Sessions booked on this day (YYYY-MM-DD, "
                f"{EARLIEST_DAY.year} to {LATEST_DAY.year}).",
            ),
            OpenApiParameter("practitioner", OpenApiTypes.UUID),
            OpenApiParameter("room", OpenApiTypes.UUID),
            OpenApiParameter("plan", OpenApiTypes.UUID),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_serializer_class(self) -> type[SessionDetailSerializer]:
        if self.action == "retrieve":
            return SessionWithAmendmentsSerializer
        return SessionDetailSerializer

    def get_object(self) -> TreatmentSession:
        """The one fetch of a session for a user (`session_get_for_user`), then the role's
        object permissions."""
        session = session_get_for_user(self.request.user, self.kwargs[self.lookup_field])
        self.check_object_permissions(self.request, session)
        return session

    def _done(self, session: TreatmentSession, code: int = 200) -> Response:
        """The changed session, as its service left it (the row it locked, joins included)."""
        return Response(SessionDetailSerializer(session).data, status=code)

    @extend_schema(
        responses={
            200: SlotSerializer(many=True),
            409: OpenApiResponse(
                description="The session is not open to booking (completed, cancelled, in)."
            ),
        },
        parameters=[
            OpenApiParameter(
                "day",
                OpenApiTypes.DATE,
                description="Only this day of the window (YYYY-MM-DD): the target day first, "
                "as the booking page shows it. A whole window of a busy clinic runs to "
                "hundreds of slots, each listing every free practitioner and room.",
            )
        ],
    )
    # A day's slots come whole, not in pages: the response is the array the schema says.
    @action(detail=True, methods=["get"], pagination_class=None)
    def availability(self, request: Request, public_id: str) -> Response:
        """Free slots from 3 days before to 7 after the target date, on the 15-minute grid."""
        session = self.get_object()
        day = query_day(request, "day")
        slots = session_services.session_availability(session=session, day=day)
        return Response(slots.rows())

    @extend_schema(request=BookSerializer, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"])
    def book(self, request: StaffRequest, public_id: str) -> Response:
        session = self.get_object()
        serializer = BookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        practitioner, room = resources_from(serializer.validated_data)
        booked = session_services.session_book(
            acting_user=request.user,
            session=session,
            starts_at=serializer.validated_data["starts_at"],
            practitioner=practitioner,
            room=room,
            shift_later=serializer.validated_data["shift_later"],
        )
        return self._done(booked)

    @extend_schema(request=RescheduleSerializer, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request: StaffRequest, public_id: str) -> Response:
        """Move a session. If later sessions must move to keep the spacing, 409 lists the new
        dates; send again with shift_later=true to apply them."""
        session = self.get_object()
        serializer = RescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        practitioner, room = resources_from(data)
        moved, _ = session_services.session_reschedule(
            acting_user=request.user,
            session=session,
            starts_at=data["starts_at"],
            practitioner=practitioner,
            room=room,
            shift_later=data["shift_later"],
        )
        return self._done(moved)

    @extend_schema(request=CancelSerializer, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: StaffRequest, public_id: str) -> Response:
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._done(
            session_services.session_cancel(
                acting_user=request.user,
                session=self.get_object(),
                reason=serializer.validated_data["reason"],
            )
        )
