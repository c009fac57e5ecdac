"""API representations of sessions, slots and booking requests."""

from __future__ import annotations

from rest_framework import serializers

from clinic.api_fields import AwareDateTimeField, StrictTypes
from patients.serializers import ShowsPatientData
from treatments.models import (
    SESSION_RECORD_FIELDS,
    STATUS_REASON_MAX_LENGTH,
    TreatmentSession,
)
from treatments.rules.limits import ANAESTHETIC_LEAD_MINUTES


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
