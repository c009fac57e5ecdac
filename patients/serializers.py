"""API representations of patients and concerns. Public ids only, never database keys."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, cast

from django.db.models import Model
from rest_framework import serializers

from clinic.api_fields import StrictTypes
from clinic.visibility import hidden_fields
from evidence.models import GradingScale, Indication
from patients.access_log import current_user, shown
from patients.grading import concern_grading_errors
from patients.models import (
    CONCERN_FIELDS,
    CONTACT_PREFERENCE_FIELDS,
    PATIENT_FIELDS,
    Patient,
    SkinConcern,
)


class ShowsPatientData(serializers.ModelSerializer):
    """A representation of a patient's data, whatever view, list or write response it is part
    of: each one serialized goes on the access log (patients.access_log), and leaves out the
    clinical fields its reader may not see (clinic.visibility)."""

    #: The attribute path from the instance to its patient's primary key.
    patient_key = "patient_id"

    def to_representation(self, instance: Any) -> Any:
        shown(attrgetter(self.patient_key)(instance))
        data = super().to_representation(instance)
        request = self.context.get("request")
        reader = getattr(request, "user", None) or current_user()
        model = cast(type[Model], self.Meta.model)
        for name in hidden_fields(reader, model._meta.label_lower):
            data.pop(name, None)
        return data


class PatientSerializer(StrictTypes, ShowsPatientData):
    patient_key = "pk"

    id = serializers.UUIDField(source="public_id", read_only=True)
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    confirm_not_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Registration only: true to register although patients with the same date of "
        "birth and a similar name exist (without it, a 409 `possible_duplicate` lists them).",
    )

    class Meta:
        model = Patient
        fields = (
            "id",
            "mrn",
            *PATIENT_FIELDS,
            "confirm_not_duplicate",
            "status",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("mrn", "status", "created_at", "updated_at")
        extra_kwargs = {
            name: {"help_text": "Checked and stored in E.164 (+44…); shown nationally."}
            for name in ("phone", "emergency_contact_phone", "gp_phone")
        } | {
            name: {"help_text": "Whether the patient agrees to be contacted this way."}
            for name in CONTACT_PREFERENCE_FIELDS
        }


class ConcernSerializer(StrictTypes, ShowsPatientData):
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
        extra_kwargs = {
            "grading_scale": {
                "help_text": "A scale that grades the indication's own severity (not the skin "
                "phototype or pain); required with a baseline grade."
            },
            "baseline_grade": {"help_text": "One of the scale's grades, or a score in its range."},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = concern_grading_errors(
            indication=attrs.get("indication"),
            scale=attrs.get("grading_scale"),
            grade=attrs.get("baseline_grade", ""),
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
