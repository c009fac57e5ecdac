"""API representations of plans and plan requests."""

from __future__ import annotations

from rest_framework import serializers

from clinic.api_fields import StrictTypes
from clinic.text import REASON_MAX_LENGTH
from evidence.models import Protocol
from evidence.serializers import StudySerializer
from patients.serializers import ShowsPatientData
from treatments.models import (
    PlanRefusal,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.rules.limits import (
    MAX_INTERVAL_DAYS,
    MAX_SESSIONS,
    MIN_INTERVAL_DAYS,
    MIN_SESSIONS,
)
from treatments.screening.serializers import Answers


class PlanRequestSerializer(StrictTypes):
    """What a dermatologist asks for; the service does the checking."""

    concern = serializers.UUIDField(help_text="The concern's id.")
    patient = serializers.UUIDField(
        required=False, help_text="Optional: refuse if the concern is not this patient's."
    )
    protocol = serializers.SlugRelatedField(slug_field="code", queryset=Protocol.objects.all())
    sessions = serializers.IntegerField(min_value=MIN_SESSIONS, max_value=MAX_SESSIONS)
    interval_days = serializers.IntegerField(
        min_value=MIN_INTERVAL_DAYS, max_value=MAX_INTERVAL_DAYS
    )
    depth_mm = serializers.DecimalField(max_digits=3, decimal_places=2)
    start_date = serializers.DateField()
    departure_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX_LENGTH
    )


class PlanCreateSerializer(PlanRequestSerializer):
    answers = Answers
    acknowledged = serializers.ListField(
        child=serializers.CharField(max_length=8),
        required=False,
        default=list,
        help_text="Codes of the flags the clinician has seen and accepts.",
    )
    override_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX_LENGTH
    )


class SessionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = TreatmentSession
        fields = ("id", "number", "target_date", "starts_at", "ends_at", "status")


class RefusalRuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    condition = serializers.CharField()
    in_words = serializers.CharField(
        source="label", help_text="The rule in plain words, its code after."
    )


class PlanSerializer(ShowsPatientData):
    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    concern = serializers.UUIDField(source="concern.public_id", read_only=True)
    indication = serializers.CharField(source="concern.indication.slug", read_only=True)
    protocol = serializers.CharField(source="protocol.code", read_only=True)
    responsible_dermatologist = serializers.CharField(
        source="responsible_dermatologist.__str__", read_only=True
    )
    study = StudySerializer(source="protocol.study", read_only=True)

    class Meta:
        model = TreatmentPlan
        fields: tuple[str, ...] = (
            "id",
            "patient",
            "concern",
            "indication",
            "protocol",
            "modality",
            "planned_sessions",
            "interval_days",
            "needle_depth_mm",
            "status",
            "departure_reason",
            "responsible_dermatologist",
            "approved_at",
            "created_at",
            "study",
        )


class PlanDetailSerializer(PlanSerializer):
    sessions = SessionSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = (*PlanSerializer.Meta.fields, "sessions")


class PreviewSerializer(serializers.Serializer):
    dates = serializers.ListField(child=serializers.DateField())
    departures = serializers.ListField(child=serializers.CharField())
    questions = serializers.ListField(
        child=serializers.DictField(),
        help_text="The questions to answer: {code, question, severity, note}; the note says what "
        "the record already tells (a skin type, the plan's depth) when it narrows the question.",
    )
    from_record = serializers.ListField(
        child=serializers.DictField(),
        help_text="Questions the record answers (skin type, age, the plan's depth and area): "
        "{code, question, severity, answer, because}. Need not be sent; an answer that "
        "contradicts one is refused.",
    )


class PlanRefusalSerializer(ShowsPatientData):
    """Planning refused for an absolute contraindication: who, which protocol for which
    concern, when, and (clinicians only) the rules that refused it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    concern = serializers.UUIDField(source="concern.public_id", read_only=True)
    indication = serializers.CharField(source="concern.indication.name", read_only=True)
    protocol = serializers.CharField(source="protocol.code", read_only=True)
    protocol_title = serializers.CharField(source="protocol.title", read_only=True)
    refused_by = serializers.CharField(source="refused_by.get_username", read_only=True)
    rules = RefusalRuleSerializer(many=True, read_only=True)

    class Meta:
        model = PlanRefusal
        fields = (
            "id",
            "patient",
            "concern",
            "indication",
            "protocol",
            "protocol_title",
            "refused_by",
            "refused_at",
            "rules",
            "reason",
        )


class PlanScheduleSerializer(StrictTypes):
    """A plan's new session count and interval; its unbooked sessions are re-planned."""

    sessions = serializers.IntegerField(min_value=MIN_SESSIONS, max_value=MAX_SESSIONS)
    interval_days = serializers.IntegerField(
        min_value=MIN_INTERVAL_DAYS, max_value=MAX_INTERVAL_DAYS
    )
    departure_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text="Why, when the new values depart from the protocol's ranges.",
    )
