"""API requests and answers of the visit: check-in and the record."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.api_fields import AwareDateTimeField, StrictTypes
from clinic.text import REASON_MAX_LENGTH
from clinic.visibility import hidden_fields
from patients.access_log import current_user
from treatments.booking.serializers import SessionDetailSerializer
from treatments.models import (
    ScreeningResult,
    SessionAmendment,
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
    needle_cartridge = serializers.CharField(max_length=100, required=False, allow_blank=True)
    cartridge_lot = serializers.CharField(max_length=50, required=False, allow_blank=True)
    anaesthetic_applied_at = AwareDateTimeField(required=False, allow_null=True)
    pain_score = serializers.IntegerField(min_value=0, max_value=PAIN_SCORE_MAX, required=False)
    adverse_events = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    outcome_grade = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="A grade of the concern's grading scale (one of its named grades' values, or "
        "a number within its range); anything else is refused field by field.",
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text="A dermatologist's override of a relative contraindication found at check-in, "
        "saved with the record or not at all.",
    )


class AmendSerializer(RecordSerializer):
    """The fields to correct (only those sent are changed) and why."""

    depth_used_mm = serializers.DecimalField(max_digits=3, decimal_places=2, required=False)
    override_reason = None  # type: ignore[assignment]  # an override belongs to the visit, not to a correction
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, help_text="Why the record is corrected; kept with it."
    )


class AmendmentChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True, help_text="The value before, as recorded.")
    new = serializers.JSONField(allow_null=True)


class AmendmentSerializer(serializers.ModelSerializer):
    amended_by = serializers.CharField(source="amended_by.get_username", read_only=True)
    changes = AmendmentChangeSerializer(many=True, read_only=True)

    class Meta:
        model = SessionAmendment
        fields = ("amended_by", "amended_at", "reason", "changes")


class SessionWithAmendmentsSerializer(SessionDetailSerializer):
    """One session, with the amendments of its record, oldest first (clinicians only: their
    values are the record's)."""

    amendments = serializers.SerializerMethodField()

    class Meta(SessionDetailSerializer.Meta):
        fields = (*SessionDetailSerializer.Meta.fields, "amendments")

    @extend_schema_field(AmendmentSerializer(many=True))
    def get_amendments(self, session: TreatmentSession) -> list[dict[str, Any]]:
        reader = getattr(self.context.get("request"), "user", None) or current_user()
        if "amendments" in hidden_fields(reader, "treatments.treatmentsession"):
            return []  # left out of the answer anyway: not even read
        rows = session.amendments.select_related("amended_by").order_by("amended_at", "pk")
        return list(AmendmentSerializer(rows, many=True).data)


class CheckedInSerializer(SessionDetailSerializer):
    """A check-in's answer: the session as it now is, and the screening taken at the desk
    (the CheckIn, in the context as "check_in")."""

    screening = serializers.SerializerMethodField()
    screening_result = serializers.SerializerMethodField()
    awaiting_override = serializers.SerializerMethodField(
        help_text="A relative contraindication awaits a dermatologist's override before the "
        "procedure is recorded."
    )

    class Meta(SessionDetailSerializer.Meta):
        fields = (
            *SessionDetailSerializer.Meta.fields,
            "screening",
            "screening_result",
            "awaiting_override",
        )

    def get_screening(self, session: TreatmentSession) -> uuid.UUID:
        return self.context["check_in"].screening.public_id

    @extend_schema_field(serializers.ChoiceField(choices=ScreeningResult.choices))
    def get_screening_result(self, session: TreatmentSession) -> str:
        return self.context["check_in"].screening.result

    def get_awaiting_override(self, session: TreatmentSession) -> bool:
        return self.context["check_in"].awaiting_override


class CheckInBlockedSerializer(serializers.Serializer):
    """409: the one error shape (detail, code, fields). When a new absolute contraindication
    blocked the session (code `contraindication_blocked`) it also carries the session as the
    block left it; when the session's state refused the check-in (code `conflict`: not booked,
    already in) there is no session to show."""

    detail = serializers.CharField(help_text="Why the session is blocked or refused.")
    code = serializers.CharField(help_text="contraindication_blocked, or conflict")
    session = CheckedInSerializer(
        required=False, help_text="The blocked session; only with contraindication_blocked."
    )

    def get_fields(self) -> dict[str, Any]:
        # "fields" is the error shape's name for messages per input field, and a name the
        # Serializer class keeps for itself, so it cannot be declared like the others.
        fields = super().get_fields()
        fields["fields"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField())
        )
        return fields


class SessionRescreenSerializer(StrictTypes):
    """A blocked session's re-screen: in full (the last screening is the one that blocked it)."""

    answers = serializers.DictField(
        child=serializers.BooleanField(),
        help_text='Every question the record does not answer, by rule code: {"C08": false, ...}.',
    )
    acknowledged = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, default=list
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text="A dermatologist's override of a relative contraindication the re-screen "
        "finds: with it the session reopens at once.",
    )


class SessionReopenSerializer(StrictTypes):
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text="The written override of the relative contraindication the re-screen found "
        "(not needed if someone has given it already).",
    )


class RescreenedSerializer(SessionDetailSerializer):
    """A blocked session's re-screen: the session as it now is (planned again, or still
    blocked), the screening taken (the Rescreen, in the context as "rescreen") and why the
    session is still blocked, if it is."""

    screening = serializers.SerializerMethodField()
    screening_result = serializers.SerializerMethodField()
    reopened = serializers.SerializerMethodField(
        help_text="Planned again: book it (POST /api/sessions/{id}/book/)."
    )
    still_blocked = serializers.SerializerMethodField(
        help_text="Why the session is still blocked; empty once reopened."
    )

    class Meta(SessionDetailSerializer.Meta):
        fields = (
            *SessionDetailSerializer.Meta.fields,
            "screening",
            "screening_result",
            "reopened",
            "still_blocked",
        )

    def get_screening(self, session: TreatmentSession) -> uuid.UUID:
        return self.context["rescreen"].screening.public_id

    @extend_schema_field(serializers.ChoiceField(choices=ScreeningResult.choices))
    def get_screening_result(self, session: TreatmentSession) -> str:
        return self.context["rescreen"].screening.result

    def get_reopened(self, session: TreatmentSession) -> bool:
        return self.context["rescreen"].reopened

    def get_still_blocked(self, session: TreatmentSession) -> str:
        return self.context["rescreen"].still_blocked or ""
