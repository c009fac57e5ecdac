"""Plans and screenings over the API. Business rules live in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api import ChangeOnPostPermissions, PublicIdLookupMixin
from clinic.errors import InvalidInput, NotAllowed
from clinic.ids import parse_public_id
from clinic.models import Practitioner, Room
from patients.access_log import record_access
from patients.models import PatientAccess, SkinConcern
from patients.selectors import concern_get_for_user
from treatments import selectors, services, session_services
from treatments.models import Screening, TreatmentPlan, TreatmentSession
from treatments.selectors import day_bounds
from treatments.serializers import (
    BookSerializer,
    CancelSerializer,
    CheckInSerializer,
    OverrideSerializer,
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanRequestSerializer,
    PlanSerializer,
    PreviewSerializer,
    RecordSerializer,
    RescheduleSerializer,
    RescreenSerializer,
    ScreeningSerializer,
    SessionDetailSerializer,
    SlotSerializer,
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


class AccessLoggedRetrieveMixin:
    """Reading one record of a patient (GET on the detail) writes an access-log row."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()  # type: ignore[attr-defined]
        patient = getattr(instance, "patient", None) or instance.plan.patient
        record_access(request, patient, PatientAccess.Channel.API)
        return Response(self.get_serializer(instance).data)  # type: ignore[attr-defined]


class PlanViewSet(
    AccessLoggedRetrieveMixin,
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
        if not services.is_planner(request.user):
            raise NotAllowed("Only a dermatologist can plan a treatment series.")
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = services.plan_create(
            acting_user=request.user,
            concern=_concern_for(request, data),
            params=services.plan_parameters_from(data),
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
        if not services.is_planner(request.user):
            raise NotAllowed("Only a dermatologist can plan a treatment series.")
        serializer = PlanRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        concern = _concern_for(request, data)
        if concern.patient.status != "active" or concern.status != "active":
            raise InvalidInput("This patient or concern is not active.")
        params = services.plan_parameters_from(data)
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


class ScreeningViewSet(
    AccessLoggedRetrieveMixin,
    PublicIdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
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
        screening = self.get_object()
        if not services.is_overrider(request.user):
            raise NotAllowed("Only a dermatologist can override a relative contraindication.")
        serializer = OverrideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.screening_override(
            acting_user=request.user,
            screening=screening,
            reason=serializer.validated_data["reason"],
        )
        return Response(ScreeningSerializer(self.get_queryset().get(pk=screening.pk)).data)


def _resources(data: dict[str, Any], modality: str) -> tuple[Practitioner, Room]:
    practitioner = Practitioner.objects.filter(public_id=data["practitioner"]).first()
    room = Room.objects.filter(public_id=data["room"]).first()
    fields = {}
    if practitioner is None:
        fields["practitioner"] = ["No practitioner has this id."]
    if room is None:
        fields["room"] = ["No room has this id."]
    if fields:
        raise InvalidInput(next(iter(fields.values()))[0], fields=fields)
    return practitioner, room


class SessionViewSet(
    AccessLoggedRetrieveMixin,
    PublicIdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Sessions: the day's calendar, availability, booking and the day itself."""

    serializer_class = SessionDetailSerializer
    queryset = TreatmentSession.objects.all()
    permission_classes = [IsAuthenticated, ChangeOnPostPermissions]

    def get_queryset(self) -> QuerySet[TreatmentSession]:
        sessions = TreatmentSession.objects.select_related(
            "plan__patient", "plan__protocol", "practitioner__user", "room"
        )
        params = self.request.query_params
        if self.action != "list":  # the filters pick rows for the list, never one session
            return sessions
        if params.get("day"):
            try:
                day = dt.date.fromisoformat(params["day"])
                if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
                    raise ValueError
            except ValueError:
                raise InvalidInput(
                    "day must be YYYY-MM-DD.", fields={"day": ["YYYY-MM-DD."]}
                ) from None
            start, end = day_bounds(day)
            sessions = sessions.filter(starts_at__gte=start, starts_at__lt=end)
        if params.get("practitioner"):
            sessions = sessions.filter(
                practitioner__public_id=parse_public_id(params["practitioner"])
            )
        if params.get("room"):
            sessions = sessions.filter(room__public_id=parse_public_id(params["room"]))
        if params.get("plan"):
            sessions = sessions.filter(plan__public_id=parse_public_id(params["plan"]))
        return sessions.order_by("starts_at", "plan_id", "number")

    @extend_schema(
        parameters=[
            OpenApiParameter("day", str, description="Sessions booked on this day (YYYY-MM-DD)."),
            OpenApiParameter("practitioner", str),
            OpenApiParameter("room", str),
            OpenApiParameter("plan", str),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _done(self, session: TreatmentSession, code: int = 200) -> Response:
        session = self.get_queryset().get(pk=session.pk)
        return Response(SessionDetailSerializer(session).data, status=code)

    @extend_schema(
        responses=SlotSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "day",
                str,
                description="Only this day of the window (YYYY-MM-DD): the target day first, "
                "as the booking page shows it. A whole window of a busy clinic runs to "
                "hundreds of slots, each listing every free practitioner and room.",
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def availability(self, request: Request, public_id: str) -> Response:
        """Free slots from 3 days before to 7 after the target date, on the 15-minute grid."""
        session = self.get_object()
        day = None
        if request.query_params.get("day"):
            try:
                day = dt.date.fromisoformat(request.query_params["day"])
            except ValueError:
                raise InvalidInput(
                    "day must be YYYY-MM-DD.", fields={"day": ["YYYY-MM-DD."]}
                ) from None
        slots = session_services.session_availability(session=session, day=day)
        names = slots.names
        return Response(
            [
                {
                    "arrival_at": slot.arrival_at,
                    "starts_at": slot.starts_at,
                    "ends_at": slot.ends_at,
                    "practitioners": [names["p"][pk] for pk in slot.practitioner_ids],
                    "rooms": [names["r"][pk] for pk in slot.room_ids],
                }
                for slot in slots
            ]
        )

    @extend_schema(request=BookSerializer, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"])
    def book(self, request: Request, public_id: str) -> Response:
        session = self.get_object()
        serializer = BookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        practitioner, room = _resources(serializer.validated_data, session.plan.modality)
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
    def reschedule(self, request: Request, public_id: str) -> Response:
        """Move a session. If later sessions must move to keep the spacing, 409 lists the new
        dates; send again with shift_later=true to apply them."""
        session = self.get_object()
        serializer = RescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        practitioner, room = _resources(data, session.plan.modality)
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
    def cancel(self, request: Request, public_id: str) -> Response:
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._done(
            session_services.session_cancel(
                acting_user=request.user,
                session=self.get_object(),
                reason=serializer.validated_data["reason"],
            )
        )

    @extend_schema(request=None, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request: Request, public_id: str) -> Response:
        return self._done(
            session_services.session_no_show(acting_user=request.user, session=self.get_object())
        )

    @extend_schema(
        request=CheckInSerializer,
        responses={200: SessionDetailSerializer, 409: SessionDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, public_id: str) -> Response:
        """Re-screen and check in. A new absolute contraindication blocks the session (saved)
        and answers 409; a relative one checks in but awaits a dermatologist's override."""
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = session_services.session_check_in(
            acting_user=request.user,
            session=self.get_object(),
            changed=data["changed"],
            answers=data.get("answers"),
            acknowledged=set(data["acknowledged"]),
            override_reason=data.get("override_reason", ""),
        )
        body = SessionDetailSerializer(self.get_queryset().get(pk=result.session.pk)).data
        body = {
            **body,
            "screening": str(result.screening.public_id),
            "screening_result": result.screening.result,
            "awaiting_override": result.awaiting_override,
        }
        if result.session.status == TreatmentSession.Status.BLOCKED:
            return Response(
                {
                    "detail": result.session.status_reason,
                    "code": "contraindication_blocked",
                    "fields": {},
                    "session": body,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(body)

    @extend_schema(request=RecordSerializer, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request: Request, public_id: str) -> Response:
        """What was done (dermatologists). Completing the last open session completes the plan."""
        if not (
            request.user.has_perm("treatments.record_treatmentsession")
            and services.is_overrider(request.user)  # an active dermatologist
        ):
            raise NotAllowed("Only a dermatologist records what was done at a session.")
        serializer = RecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._done(
            session_services.session_record(
                acting_user=request.user, session=self.get_object(), **serializer.validated_data
            )
        )
