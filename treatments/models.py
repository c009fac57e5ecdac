"""Treatment plans (the series), their sessions, and contraindication screenings."""

from __future__ import annotations

import datetime as dt
import uuid

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.timezone import localtime

from clinic.models import Practitioner, Room
from clinic.text import REASON_MAX_LENGTH, bounded_text
from clinic.visibility import CLINICAL_FIELDS
from evidence.models import ContraindicationRule, Modality, Protocol
from patients.models import BodyArea, Patient, SkinConcern
from treatments.rules.limits import (
    ANAESTHETIC_LEAD,
    ANAESTHETIC_LEAD_MINUTES,
    MIN_INTERVAL_DAYS,
    MIN_SESSIONS,
    PAIN_SCORE_MAX,
    PLAN_DEPTH_MAX_MM,
    PLAN_DEPTH_MIN_MM,
)

#: What a dermatologist records at a session (the form, the API and the service share it):
#: all of it clinical, so clinic.visibility's list is the one list (less the amendments, which
#: are rows of their own, not values recorded).
SESSION_RECORD_FIELDS = tuple(
    name for name in CLINICAL_FIELDS["treatments.treatmentsession"] if name != "amendments"
)
#: Cancelled or blocked: a line on the calendar, not a letter.
STATUS_REASON_MAX_LENGTH = 300

DEPTH_VALIDATORS = [MinValueValidator(PLAN_DEPTH_MIN_MM), MaxValueValidator(PLAN_DEPTH_MAX_MM)]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="TreatmentPlanEvent",
)
class TreatmentPlan(models.Model):
    Status = PlanStatus

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    concern = models.ForeignKey(SkinConcern, on_delete=models.PROTECT, related_name="plans")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="plans")
    modality = models.CharField(max_length=4, choices=Modality.choices)
    planned_sessions = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_SESSIONS)]
    )
    interval_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_INTERVAL_DAYS)]
    )
    needle_depth_mm = models.DecimalField(
        max_digits=3, decimal_places=2, validators=DEPTH_VALIDATORS
    )
    responsible_dermatologist = models.ForeignKey(
        Practitioner,
        on_delete=models.PROTECT,
        related_name="responsible_plans",
        limit_choices_to={"is_dermatologist": True},
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    departure_reason = bounded_text(
        # The dermatologist's reason (at most REASON_MAX_LENGTH) and the departures listed after.
        REASON_MAX_LENGTH + 1000,
        blank=True,
        help_text="Why the plan departs from the protocol's ranges, if it does.",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_plans",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = bounded_text(REASON_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_plans",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("approve_treatmentplan", "Can approve (activate) a treatment plan")]
        constraints = [
            models.UniqueConstraint(
                fields=["concern"],
                condition=Q(status="active"),
                name="plan_one_active_per_concern",
                violation_error_message="This concern already has an active plan.",
            ),
            models.CheckConstraint(
                condition=Q(planned_sessions__gte=MIN_SESSIONS),
                name="plan_sessions_at_least_one",
                violation_error_message="A series has at least one session.",
            ),
            models.CheckConstraint(
                condition=Q(interval_days__gte=MIN_INTERVAL_DAYS),
                name="plan_interval_min_7_days",
                violation_error_message=(
                    f"Sessions on the same area must be at least {MIN_INTERVAL_DAYS} days apart."
                ),
            ),
            models.CheckConstraint(
                condition=Q(needle_depth_mm__gte=PLAN_DEPTH_MIN_MM)
                & Q(needle_depth_mm__lte=PLAN_DEPTH_MAX_MM),
                name="plan_depth_within_0_25_and_3mm",
                violation_error_message=(
                    f"Needle depth must lie between {PLAN_DEPTH_MIN_MM} and {PLAN_DEPTH_MAX_MM} mm."
                ),
            ),
            models.CheckConstraint(
                condition=Q(modality__in=Modality.values), name="plan_modality_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="plan_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"])
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="plan_approved_unless_draft",
                violation_error_message=(
                    "Only a draft or cancelled plan can be without a dermatologist's approval."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancellation_reason=""),
                name="plan_cancellation_has_reason",
                violation_error_message="Give the reason for cancelling the plan.",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "status"], name="plan_patient_status_idx"),
            # The plan list's order (newest first): a page without sorting every plan.
            models.Index(fields=["-created_at", "-id"], name="plan_newest_first_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.protocol.title} for {self.patient.full_name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        concern = self.concern if self.concern_id else None
        protocol = self.protocol if self.protocol_id else None
        if concern and self.patient_id and concern.patient_id != self.patient_id:
            errors["concern"] = "This concern belongs to another patient."
        if concern and protocol and protocol.indication_id != concern.indication_id:
            errors["protocol"] = (
                f"{protocol.code} is a protocol for {protocol.indication}, "
                f"not for {concern.indication}."
            )
        if protocol and self.modality and protocol.modality != self.modality:
            errors["modality"] = f"{protocol.code} is a {protocol.get_modality_display()} protocol."
        if (
            self.responsible_dermatologist_id
            and not self.responsible_dermatologist.is_dermatologist
        ):
            errors["responsible_dermatologist"] = (
                "The responsible practitioner must be a dermatologist."
            )
        if errors:
            raise ValidationError(errors)


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"
    BLOCKED = "blocked", "Blocked by contraindication"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="TreatmentSessionEvent",
)
class TreatmentSession(models.Model):
    Status = SessionStatus

    #: Statuses a session can be booked, moved, cancelled or re-screened in.
    OPEN_TO_BOOK = (Status.PLANNED, Status.BOOKED)
    #: Statuses that keep a plan open.
    OPEN_STATUSES = (Status.PLANNED, Status.BOOKED, Status.CHECKED_IN)
    #: Statuses that hold a slot (practitioner, room, time).
    SLOT_STATUSES = (
        Status.BOOKED,
        Status.CHECKED_IN,
        Status.COMPLETED,
        Status.NO_SHOW,
        Status.BLOCKED,
    )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    target_date = models.DateField()
    starts_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            f"Procedure start; the patient arrives {ANAESTHETIC_LEAD_MINUTES} minutes earlier."
        ),
    )
    ends_at = models.DateTimeField(null=True, blank=True)
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    status_reason = models.CharField(
        max_length=STATUS_REASON_MAX_LENGTH,
        blank=True,
        help_text="Why it was cancelled or blocked.",
    )
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="session_status_changes",
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # What was done.
    depth_used_mm = models.DecimalField(
        max_digits=3, decimal_places=2, null=True, blank=True, validators=DEPTH_VALIDATORS
    )
    area = models.CharField(max_length=12, choices=BodyArea.choices, blank=True)
    device = models.CharField(max_length=100, blank=True)
    needle_cartridge = models.CharField(
        max_length=100, blank=True, help_text="The needle cartridge used (make and model)."
    )
    cartridge_lot = models.CharField(
        "cartridge lot number",
        max_length=50,
        blank=True,
        help_text="The lot number on the sterile cartridge's pack, to trace a recall.",
    )
    anaesthetic_applied_at = models.DateTimeField(null=True, blank=True)
    pain_score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(PAIN_SCORE_MAX)],
        help_text=f"Pain VAS 0–{PAIN_SCORE_MAX}.",
    )
    adverse_events = bounded_text(blank=True)
    notes = bounded_text(blank=True)
    outcome_grade = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "number"]
        permissions = [("record_treatmentsession", "Can record what was done at a session")]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="session_number_unique_in_plan",
                violation_error_message="This plan already has a session with this number.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="session_number_positive",
                violation_error_message="Session numbers start at 1.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values), name="session_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True, ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__isnull=False, ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message="A booking needs a start and an end after it.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["booked", "checked_in", "completed", "no_show", "blocked"])
                | Q(
                    starts_at__isnull=False,
                    practitioner__isnull=False,
                    room__isnull=False,
                ),
                name="session_booked_has_slot",
                violation_error_message=(
                    "A booked, checked-in, completed or no-show session needs a start "
                    "time, practitioner and room."
                ),
            ),
            models.CheckConstraint(
                condition=Q(pain_score__isnull=True) | Q(pain_score__lte=PAIN_SCORE_MAX),
                name="session_pain_0_to_10",
                violation_error_message=f"Pain is scored from 0 to {PAIN_SCORE_MAX}.",
            ),
            models.CheckConstraint(
                condition=Q(depth_used_mm__isnull=True)
                | Q(depth_used_mm__gte=PLAN_DEPTH_MIN_MM, depth_used_mm__lte=PLAN_DEPTH_MAX_MM),
                name="session_depth_within_0_25_and_3mm",
                violation_error_message=(
                    f"Depth used must lie between {PLAN_DEPTH_MIN_MM} and {PLAN_DEPTH_MAX_MM} mm."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["cancelled", "blocked"]) | ~Q(status_reason=""),
                name="session_cancellation_has_reason",
                violation_error_message="Give the reason for cancelling the session.",
            ),
        ]
        indexes = [
            # Day calendars and availability: one practitioner's / one room's bookings in a range.
            models.Index(fields=["practitioner", "starts_at"], name="session_practitioner_idx"),
            models.Index(fields=["room", "starts_at"], name="session_room_idx"),
            # The front desk's day list and reminders.
            models.Index(fields=["starts_at", "status"], name="session_start_status_idx"),
            models.Index(fields=["status", "target_date"], name="session_status_target_idx"),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of {self.plan}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (self.starts_at is None) != (self.ends_at is None):
            errors["ends_at"] = "Give both the start and the end of the booking, or neither."
        elif self.starts_at and self.ends_at is not None and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The booking must end after it starts."
        if self.status in self.SLOT_STATUSES:
            for name in ("starts_at", "practitioner", "room"):
                if not getattr(self, f"{name}_id" if name != "starts_at" else name):
                    errors.setdefault(
                        name, f"A {self.get_status_display().lower()} session needs this."
                    )
        if self.status == self.Status.CANCELLED and not self.status_reason.strip():
            errors["status_reason"] = "Give the reason for cancelling."
        if errors:
            raise ValidationError(errors)

    @property
    def arrival_at(self) -> dt.datetime | None:
        """When the patient should arrive: the anaesthetic cream goes on `ANAESTHETIC_LEAD`
        before the procedure."""
        return self.starts_at - ANAESTHETIC_LEAD if self.starts_at else None


class SessionAmendment(models.Model):
    """A correction of a completed session's record: who, when, why, and each changed field's
    value before and after. The record itself is updated in the same transaction; its change
    history (pghistory) keeps the rows, this keeps the reason."""

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="amendments"
    )
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_amendments"
    )
    amended_at = models.DateTimeField()
    reason = bounded_text(REASON_MAX_LENGTH)
    changes = models.JSONField(
        encoder=DjangoJSONEncoder,
        help_text='Each changed field: [{"field": ..., "old": ..., "new": ...}], as recorded.',
    )

    class Meta:
        ordering = ["session", "amended_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="amendment_has_reason",
                violation_error_message="Give the reason for the amendment.",
            ),
        ]

    def __str__(self) -> str:
        return f"Amendment of {self.session} on {self.amended_at:%Y-%m-%d %H:%M}"


class ScreeningKind(models.TextChoices):
    PLAN = "plan", "Before the plan"
    PRE_SESSION = "pre_session", "Before a session"


class ScreeningResult(models.TextChoices):
    CLEAR = "clear", "Clear"
    NEEDS_OVERRIDE = "needs_override", "Needs dermatologist override"
    BLOCKED = "blocked", "Blocked"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="ScreeningEvent",
)
class Screening(models.Model):
    Kind = ScreeningKind

    Result = ScreeningResult

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="screenings")
    plan = models.ForeignKey(
        TreatmentPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="screenings"
    )
    session = models.ForeignKey(
        TreatmentSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screenings",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PLAN)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screenings_performed"
    )
    performed_at = models.DateTimeField()
    result = models.CharField(max_length=16, choices=Result.choices)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screenings_overridden",
    )
    override_reason = bounded_text(REASON_MAX_LENGTH, blank=True)
    overridden_at = models.DateTimeField(null=True, blank=True)
    notes = bounded_text(blank=True)

    class Meta:
        ordering = ["-performed_at"]
        permissions = [
            ("override_screening", "Can override a relative contraindication"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(plan__isnull=False) | Q(session__isnull=False),
                name="screening_for_plan_or_session",
                violation_error_message="A screening is for a plan or a session.",
            ),
            models.CheckConstraint(
                condition=Q(result__in=ScreeningResult.values), name="screening_result_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ScreeningKind.values), name="screening_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(override_by__isnull=True)
                | (~Q(override_reason="") & Q(overridden_at__isnull=False)),
                name="screening_override_has_reason",
                violation_error_message="An override needs the dermatologist's reason and time.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="pre_session") | Q(session__isnull=False),
                name="screening_pre_session_has_session",
                violation_error_message="A pre-session screening belongs to a session.",
            ),
            models.CheckConstraint(
                condition=Q(override_by__isnull=True) | Q(result="needs_override"),
                name="screening_override_only_when_needed",
                violation_error_message="Only a relative contraindication can be overridden.",
            ),
            models.CheckConstraint(
                condition=~Q(result="blocked") | Q(override_by__isnull=True),
                name="screening_blocked_cannot_be_overridden",
                violation_error_message=(
                    "An absolute contraindication blocks: it cannot be overridden."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "-performed_at"], name="screening_patient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} screening of {self.patient.full_name}: {self.result}"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="ScreeningAnswerEvent",
)
class ScreeningAnswer(models.Model):
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="answers")
    rule = models.ForeignKey(ContraindicationRule, on_delete=models.PROTECT, related_name="answers")
    answer = models.BooleanField(help_text="Yes means the condition is present.")
    severity_applied = models.CharField(
        max_length=10,
        blank=True,
        help_text="For a 'yes': the severity that applied to this plan then (after exceptions).",
    )
    note = models.CharField(max_length=300, blank=True)
    acknowledged = models.BooleanField(
        default=False, help_text="For flags: the clinician has seen and accepted the warning."
    )

    class Meta:
        ordering = ["screening", "rule__display_order", "rule__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["screening", "rule"],
                name="answer_one_per_rule",
                violation_error_message="This screening already has an answer for this rule.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code}: {'yes' if self.answer else 'no'}"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="PlanRefusalEvent",
)
class PlanRefusal(models.Model):
    """Planning refused for an absolute contraindication: who considered which protocol for
    which concern, when, and the rules that blocked it. Nothing else of the attempt is saved
    (no plan exists), so this is the record that it was considered; it is never edited."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plan_refusals")
    concern = models.ForeignKey(SkinConcern, on_delete=models.PROTECT, related_name="plan_refusals")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="refusals")
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_refusals"
    )
    refused_at = models.DateTimeField()
    rules = models.ManyToManyField(
        ContraindicationRule,
        related_name="plan_refusals",
        help_text="The rules that applied as absolute to this plan, exceptions weighed.",
    )
    reason = bounded_text(
        REASON_MAX_LENGTH + 1000, help_text="The refusal as the dermatologist was shown it."
    )

    class Meta:
        ordering = ["-refused_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="plan_refusal_has_reason",
                violation_error_message="A refusal says why.",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "-refused_at"], name="plan_refusal_patient_idx"),
        ]

    def __str__(self) -> str:
        return f"Plan refused for {self.patient.full_name} on {localtime(self.refused_at):%d %b %Y}"


class ConsultationStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="ConsultationEvent",
)
class Consultation(models.Model):
    """A first meeting with a dermatologist, before any plan: booked by the front desk into the
    same practitioners, rooms and hours as sessions, under the same no-double-booking guard
    (treatments.consultation.services), and the way a new patient's series begins."""

    Status = ConsultationStatus

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consultations")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="consultations"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="consultations")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ConsultationStatus.choices, default=ConsultationStatus.BOOKED
    )
    reason = models.CharField(
        max_length=STATUS_REASON_MAX_LENGTH,
        blank=True,
        help_text="What the patient comes about, in their words (for the front desk's diary).",
    )
    status_reason = models.CharField(
        max_length=STATUS_REASON_MAX_LENGTH, blank=True, help_text="Why it was cancelled."
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations_booked"
    )
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_status_changes",
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    #: Statuses that hold the practitioner, the room and the time.
    SLOT_STATUSES = (Status.BOOKED, Status.ATTENDED, Status.NO_SHOW)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="consultation_ends_after_start",
                violation_error_message="A consultation must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ConsultationStatus.values), name="consultation_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(status_reason=""),
                name="consultation_cancellation_has_reason",
                violation_error_message="Give the reason for cancelling the consultation.",
            ),
        ]
        indexes = [
            models.Index(fields=["practitioner", "starts_at"], name="consult_practitioner_idx"),
            models.Index(fields=["room", "starts_at"], name="consult_room_idx"),
            models.Index(fields=["starts_at", "status"], name="consult_start_status_idx"),
            models.Index(fields=["patient", "starts_at"], name="consult_patient_idx"),
        ]

    def __str__(self) -> str:
        when = localtime(self.starts_at)
        return f"Consultation for {self.patient.full_name}, {when:%d %b %Y %H:%M}"
