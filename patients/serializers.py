"""API representations of patients and concerns. Public ids only, never database keys."""

from __future__ import annotations

from rest_framework import serializers

from evidence.models import GradingScale, Indication
from patients.models import CONCERN_FIELDS, PATIENT_FIELDS, Patient, SkinConcern


class PatientSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)

    class Meta:
        model = Patient
        fields = ("id", "mrn", *PATIENT_FIELDS, "status", "created_at", "updated_at")
        read_only_fields = ("mrn", "status", "created_at", "updated_at")


class ConcernSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    indication = serializers.SlugRelatedField(slug_field="slug", queryset=Indication.objects.all())
    grading_scale = serializers.SlugRelatedField(
        slug_field="code", queryset=GradingScale.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = SkinConcern
        fields = ("id", "patient", *CONCERN_FIELDS, "status", "created_at")
        read_only_fields = ("status", "created_at")
