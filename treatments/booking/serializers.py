"""API representations of sessions, slots and booking requests."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from clinic.api_fields import AwareDateTimeField, StrictTypes
from patients.serializers import ShowsPatientData
from treatments.models import (
    SESSION_RECORD_FIELDS,
    STATUS_REASON_MAX_LENGTH,
    TreatmentSession,
)
from treatments.rules.limits import ANAESTHETIC_LEAD_MINUTES, MAX_SESSIONS
from treatments.rules.series import MAX_SESSION_NUMBER


class ResourceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="__str__")


class SessionDetailSerializer(ShowsPatientData):
    patient_key = "plan.patient_id"

    id = serializers.UUIDField(source="public_id", read_only=True)
    plan = serializers.UUIDField(source="plan.public_id", read_only=True)
    patient = serializers.UUIDField(source="plan.patient.public_id", read_only=True)
    patient_name = serializers.CharField(source="plan.patient.full_name", read_only=True)
    protocol = serializers.CharField(source="plan.protocol.code", read_only=True)
    arrival_at = serializers.DateTimeField(read_only=True, allow_null=True)
    practitioner = ResourceSerializer(read_only=True, allow_null=True)
    room = ResourceSerializer(read_only=True, allow_null=True)

    class Meta:
        model = TreatmentSession
        fields: tuple[str, ...] = (
            "id",
            "plan",
            "patient",
            "patient_name",
            "protocol",
            "number",
            "target_date",
            "arrival_at",
            "starts_at",
            "ends_at",
            "practitioner",
            "room",
            "status",
            "status_reason",
            *SESSION_RECORD_FIELDS,
        )


class SlotSerializer(serializers.Serializer):
    arrival_at = serializers.DateTimeField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    practitioners = ResourceSerializer(many=True)
    rooms = ResourceSerializer(many=True)


class BookSerializer(StrictTypes):
    starts_at = AwareDateTimeField(
        help_text=f"Procedure start; the patient arrives {ANAESTHETIC_LEAD_MINUTES} minutes "
        "earlier."
    )
    practitioner = serializers.UUIDField()
    room = serializers.UUIDField()
    shift_later = serializers.BooleanField(
        default=False,
        help_text="Confirm moving later sessions to keep the plan's spacing "
        "(a 409 lists the shifts first).",
    )


class RescheduleSerializer(BookSerializer):
    pass


class CancelSerializer(StrictTypes):
    reason = serializers.CharField(max_length=STATUS_REASON_MAX_LENGTH)


# --- A whole series ------------------------------------------------------------------------


class SeriesChoiceSerializer(StrictTypes):
    """The slot picked for one session among its alternatives."""

    number = serializers.IntegerField(min_value=1, max_value=MAX_SESSION_NUMBER)
    starts_at = AwareDateTimeField()
    practitioner = serializers.UUIDField()
    room = serializers.UUIDField()


class SeriesRequestSerializer(StrictTypes):
    starts_at = AwareDateTimeField(
        help_text="The first unbooked session's procedure start; each later session is wanted "
        "at the same time of day, its target date moved by as many days as the first's."
    )
    practitioner = serializers.UUIDField()
    room = serializers.UUIDField()
    choices: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=SeriesChoiceSerializer(),
        required=False,
        default=list,
        max_length=MAX_SESSIONS,
        help_text="For sessions that cannot be placed so: the alternative picked for each.",
    )


class SeriesSlotSerializer(serializers.Serializer):
    arrival_at = serializers.DateTimeField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    practitioner = ResourceSerializer()
    room = ResourceSerializer()


class SeriesPlacementSerializer(serializers.Serializer):
    session = serializers.UUIDField()
    number = serializers.IntegerField()
    target_date = serializers.DateField()
    slot = SeriesSlotSerializer(allow_null=True, help_text="Null: the session cannot be placed.")
    chosen = serializers.BooleanField(help_text="Placed by the choice sent, not as wanted.")
    problem = serializers.CharField(help_text="Why it cannot be placed as wanted; empty if it can.")
    alternatives = SeriesSlotSerializer(many=True, help_text="Nearest free slots, best first.")
