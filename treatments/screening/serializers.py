"""API representations of screenings and their answers."""

from __future__ import annotations

from rest_framework import serializers

from clinic.api_fields import StrictTypes
from clinic.text import REASON_MAX_LENGTH
from patients.serializers import ShowsPatientData
from treatments.models import (
    Screening,
    ScreeningAnswer,
)

Answers = serializers.DictField(
    child=serializers.BooleanField(),
    help_text='One answer per screening question, by rule code: {"C01": false, ...}. Questions '
    "the record answers (skin type, age, the plan's depth and area) need not be sent; an "
    "answer that contradicts the record is refused.",
)


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


class ScreeningSerializer(ShowsPatientData):
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


class RescreenSerializer(StrictTypes):
    session = serializers.UUIDField()
    changed = serializers.BooleanField(help_text="Has anything changed since the last screening?")
    answers = serializers.DictField(
        child=serializers.BooleanField(),
        required=False,
        help_text="With changed: every question the record does not answer, by rule code.",
    )
    acknowledged = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, default=list
    )
    override_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX_LENGTH
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX_LENGTH)


class OverrideSerializer(StrictTypes):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
