"""API requests of the visit: check-in and the record."""

from __future__ import annotations

from rest_framework import serializers

from clinic.api_fields import AwareDateTimeField, StrictTypes
from clinic.text import REASON_MAX_LENGTH
from treatments.models import (
    TreatmentSession,
)
from treatments.rules.limits import PAIN_SCORE_MAX


class CheckInSerializer(StrictTypes):
    changed = serializers.BooleanField(help_text="Has anything changed since the last screening?")
    answers = serializers.DictField(child=serializers.BooleanField(), required=False)
    acknowledged = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, default=list
    )
    override_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX_LENGTH
    )


class RecordSerializer(StrictTypes):
    depth_used_mm = serializers.DecimalField(max_digits=3, decimal_places=2)
    area = serializers.ChoiceField(
        choices=TreatmentSession._meta.get_field("area").choices or (), required=False
    )
    device = serializers.CharField(max_length=100, required=False, allow_blank=True)
    anaesthetic_applied_at = AwareDateTimeField(required=False, allow_null=True)
    pain_score = serializers.IntegerField(min_value=0, max_value=PAIN_SCORE_MAX, required=False)
    adverse_events = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    outcome_grade = serializers.CharField(max_length=20, required=False, allow_blank=True)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text="A dermatologist's override of a relative contraindication found at check-in, "
        "saved with the record or not at all.",
    )

