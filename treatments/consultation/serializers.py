from __future__ import annotations

from rest_framework import serializers

from clinic.api_fields import AwareDateTimeField, StrictTypes
from patients.serializers import ShowsPatientData
from treatments.booking.serializers import ResourceSerializer
from treatments.models import STATUS_REASON_MAX_LENGTH, Consultation


class ConsultationSerializer(ShowsPatientData):
    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    patient_name = serializers.CharField(source="patient.full_name", read_only=True)
    practitioner = ResourceSerializer(read_only=True)
    room = ResourceSerializer(read_only=True)

    class Meta:
        model = Consultation
        fields = (
            "id",
            "patient",
            "patient_name",
            "starts_at",
            "ends_at",
            "practitioner",
            "room",
            "status",
            "reason",
            "status_reason",
            "created_at",
        )
        read_only_fields = fields


class ConsultationBookSerializer(StrictTypes):
    patient = serializers.UUIDField()
    starts_at = AwareDateTimeField(help_text="When the consultation starts (no arrival lead).")
    practitioner = serializers.UUIDField(help_text="A dermatologist.")
    room = serializers.UUIDField()
    reason = serializers.CharField(
        max_length=STATUS_REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the patient comes about, for the diary.",
    )


class ConsultationCancelSerializer(StrictTypes):
    reason = serializers.CharField(max_length=STATUS_REASON_MAX_LENGTH)
