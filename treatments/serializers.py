"""API representations of plans and screenings."""

from __future__ import annotations

from rest_framework import serializers

from evidence.models import Protocol
from evidence.serializers import StudySerializer
from treatments.models import (
    SESSION_RECORD_FIELDS,
    Screening,
    ScreeningAnswer,
    TreatmentPlan,
    TreatmentSession,
)


class StrictBooleanField(serializers.BooleanField):
    """Only JSON true and false: a screening answer is never guessed from "off" or 0."""

    def to_internal_value(self, data: object) -> bool:
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)
        return False  # unreachable: fail() raises


Answers = serializers.DictField(
    child=StrictBooleanField(),
    help_text='One answer per screening question, by rule code: {"C01": false, ...}.',
)


class PlanRequestSerializer(serializers.Serializer):
    """What a dermatologist asks for; the service does the checking."""

    concern = serializers.UUIDField(help_text="The concern's id.")
    patient = serializers.UUIDField(
        required=False, help_text="Optional: refuse if the concern is not this patient's."
    )
    protocol = serializers.SlugRelatedField(slug_field="code", queryset=Protocol.objects.all())
    sessions = serializers.IntegerField(min_value=1, max_value=60)
    interval_days = serializers.IntegerField(min_value=7, max_value=365)
    depth_mm = serializers.DecimalField(max_digits=3, decimal_places=2)
    start_date = serializers.DateField()
    departure_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class PlanCreateSerializer(PlanRequestSerializer):
    answers = Answers
    acknowledged = serializers.ListField(
        child=serializers.CharField(max_length=8),
        required=False,
        default=list,
        help_text="Codes of the flags the clinician has seen and accepts.",
    )
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class SessionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = TreatmentSession
        fields = ("id", "number", "target_date", "starts_at", "ends_at", "status")


class PlanSerializer(serializers.ModelSerializer):
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
        fields = (
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
    questions = serializers.ListField(child=serializers.DictField())


class AnswerSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.code")
    condition = serializers.CharField(source="rule.condition")
    severity = serializers.CharField(
        source="severity_applied",
        help_text="For a yes: the severity that applied, exceptions such as C09 for scar "
        "indications included; empty for a no.",
    )
    action = serializers.SerializerMethodField()
    study = serializers.CharField(source="rule.study.short_citation")

    class Meta:
        model = ScreeningAnswer
        fields = (
            "rule",
            "condition",
            "answer",
            "severity",
            "action",
            "study",
            "acknowledged",
            "note",
        )

    def get_action(self, answer: ScreeningAnswer) -> str:
        if not answer.answer:
            return ""
        rule = answer.rule
        excepted = (
            bool(rule.exception_severity)
            and answer.severity_applied == (rule.exception_severity) != rule.severity
        )
        return rule.exception_action if excepted else rule.action


class ScreeningSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    plan = serializers.UUIDField(source="plan.public_id", read_only=True, allow_null=True)
    session = serializers.UUIDField(source="session.public_id", read_only=True, allow_null=True)
    performed_by = serializers.CharField(source="performed_by.get_username", read_only=True)
    override_by = serializers.CharField(
        source="override_by.get_username", read_only=True, allow_null=True
    )
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Screening
        fields = (
            "id",
            "patient",
            "plan",
            "session",
            "kind",
            "result",
            "performed_by",
            "performed_at",
            "override_by",
            "override_reason",
            "overridden_at",
            "notes",
            "answers",
        )


class RescreenSerializer(serializers.Serializer):
    session = serializers.UUIDField()
    changed = serializers.BooleanField(help_text="Has anything changed since the last screening?")
    answers = serializers.DictField(child=StrictBooleanField(), required=False)
    acknowledged = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, default=list
    )
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class OverrideSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ResourceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="__str__")


class SessionDetailSerializer(serializers.ModelSerializer):
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
        fields = (
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


class BookSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(
        help_text="Procedure start (ISO 8601 with offset); the patient arrives 30 minutes earlier."
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


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class CheckInSerializer(serializers.Serializer):
    changed = serializers.BooleanField(help_text="Has anything changed since the last screening?")
    answers = serializers.DictField(child=StrictBooleanField(), required=False)
    acknowledged = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, default=list
    )
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RecordSerializer(serializers.Serializer):
    depth_used_mm = serializers.DecimalField(max_digits=3, decimal_places=2)
    area = serializers.ChoiceField(
        choices=TreatmentSession._meta.get_field("area").choices, required=False
    )
    device = serializers.CharField(max_length=100, required=False, allow_blank=True)
    anaesthetic_applied_at = serializers.DateTimeField(required=False, allow_null=True)
    pain_score = serializers.IntegerField(min_value=0, max_value=10, required=False)
    adverse_events = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    outcome_grade = serializers.CharField(max_length=20, required=False, allow_blank=True)
