"""Patients and the skin concerns they come with."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import cast

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.text import bounded_text, validate_visible_text
from clinic.visibility import CLINICAL_FIELDS
from evidence.models import GradingScale, Indication
from patients.grading import concern_grading_errors
from patients.phones import PhoneNumberField, display_phone

MAX_AGE_YEARS = 120
#: Earliest date of birth the database accepts at all; the 120-year rule is checked on entry.
EARLIEST_DOB = dt.date(1880, 1, 1)


def luhn_check_digit(digits: str) -> str:
    """Check digit so that a mistyped MRN (one wrong digit, most swaps) is caught."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def generate_mrn() -> str:
    """A random medical record number such as MN-48213907-5 (8 digits + Luhn check digit)."""
    body = f"{secrets.randbelow(10**8):08d}"
    return f"MN-{body}-{luhn_check_digit(body)}"


def validate_mrn(value: str) -> None:
    parts = value.split("-")
    if (
        len(parts) != 3
        or parts[0] != "MN"
        or not (parts[1].isdigit() and len(parts[1]) == 8)
        or parts[2] != luhn_check_digit(parts[1] if parts[1].isdigit() else "0")
    ):
        raise ValidationError(f"{value!r} is not a valid MRN (MN-12345678-9 with its check digit).")


def validate_date_of_birth(value: dt.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError("Date of birth cannot be in the future.")
    try:
        limit = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if value < limit:
        raise ValidationError(f"Date of birth cannot be more than {MAX_AGE_YEARS} years ago.")


ADDRESS_FIELDS = ("address_line1", "address_line2", "town", "postcode", "country")
EMERGENCY_CONTACT_FIELDS = (
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
)
GP_FIELDS = ("gp_name", "gp_practice", "gp_phone")
#: The channels a patient agrees to be contacted by (each one asked, none assumed).
CONTACT_PREFERENCE_FIELDS = (
    "contact_by_email",
    "contact_by_sms",
    "contact_by_phone",
    "contact_by_post",
)

#: Patient fields only clinicians may change (front desk registers, dermatologists assess).
#: What staff enter about a patient (forms, the API and the services share this list)...
PATIENT_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    *ADDRESS_FIELDS,
    *EMERGENCY_CONTACT_FIELDS,
    *GP_FIELDS,
    *CONTACT_PREFERENCE_FIELDS,
    "fitzpatrick_type",
    "notes",
)
#: ...of which only clinicians see and record these (clinic.visibility declares them).
CLINICAL_PATIENT_FIELDS = CLINICAL_FIELDS["patients.patient"]
CONCERN_FIELDS = ("indication", "body_area", "grading_scale", "baseline_grade", "notes")


def _text(label: str, length: int) -> models.CharField:
    return models.CharField(
        label, max_length=length, blank=True, validators=[validate_visible_text]
    )


class BodyArea(models.TextChoices):
    FACE = "face", "Face"
    NECK = "neck", "Neck"
    DECOLLETAGE = "decolletage", "Décolletage"
    SCALP = "scalp", "Scalp"
    ABDOMEN = "abdomen", "Abdomen"
    THIGHS = "thighs", "Thighs"
    ARMS = "arms", "Arms"
    BACK = "back", "Back"
    OTHER = "other", "Other"


class PatientSex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not recorded"


class PatientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="PatientEvent",
)
class Patient(models.Model):
    Sex = PatientSex

    Status = PatientStatus

    class SkinType(models.IntegerChoices):
        I = 1, "I — always burns, never tans"  # noqa: E741
        II = 2, "II — usually burns, tans minimally"
        III = 3, "III — sometimes burns, tans uniformly"
        IV = 4, "IV — burns minimally, always tans"
        V = 5, "V — very rarely burns, tans very easily"
        VI = 6, "VI — never burns"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mrn = models.CharField(
        "MRN",
        max_length=13,
        unique=True,
        default=generate_mrn,
        editable=False,
        validators=[validate_mrn],
    )
    given_name = models.CharField(max_length=100, validators=[validate_visible_text])
    family_name = models.CharField(max_length=100, validators=[validate_visible_text])
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = PhoneNumberField(max_length=30, blank=True, help_text="Stored in E.164 (+44…).")
    email = models.EmailField(blank=True)
    address_line1 = _text("Address line 1", 200)
    address_line2 = _text("Address line 2", 200)
    town = _text("Town or city", 100)
    postcode = _text("Postcode", 20)
    country = _text("Country", 100)
    emergency_contact_name = _text("Emergency contact's name", 200)
    emergency_contact_relationship = _text("Relationship to the patient", 100)
    emergency_contact_phone = PhoneNumberField(
        "Emergency contact's phone", max_length=30, blank=True
    )
    gp_name = _text("GP's name", 200)
    gp_practice = _text("GP practice", 200)
    gp_phone = PhoneNumberField("GP practice's phone", max_length=30, blank=True)
    contact_by_email = models.BooleanField("E-mail", default=False)
    contact_by_sms = models.BooleanField("Text message (SMS)", default=False)
    contact_by_phone = models.BooleanField("Phone call", default=False)
    contact_by_post = models.BooleanField("Post", default=False)
    fitzpatrick_type = models.PositiveSmallIntegerField(
        "Fitzpatrick skin type", choices=SkinType.choices, null=True, blank=True
    )
    notes = bounded_text(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        permissions = [
            (
                "view_clinical_record",
                "Can see the clinical record: notes, skin type, grades, treatment parameters, "
                "session records, adverse events and screening answers",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fitzpatrick_type__isnull=True)
                | Q(fitzpatrick_type__gte=1, fitzpatrick_type__lte=6),
                name="patient_fitzpatrick_i_to_vi",
                violation_error_message="Fitzpatrick skin type runs from I to VI.",
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__gte=EARLIEST_DOB),
                name="patient_dob_plausible",
                violation_error_message="Date of birth is implausibly early.",
            ),
            models.CheckConstraint(
                condition=Q(sex__in=PatientSex.values), name="patient_sex_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PatientStatus.values), name="patient_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(given_name="") & ~Q(family_name=""),
                name="patient_names_required",
                violation_error_message="Given and family names are required.",
            ),
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="patient_name_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)

    @property
    def emergency_contact_phone_display(self) -> str:
        return display_phone(self.emergency_contact_phone)

    @property
    def gp_phone_display(self) -> str:
        return display_phone(self.gp_phone)

    @property
    def contact_channels(self) -> list[str]:
        """The labels of the channels the patient agrees to, in the form's order."""
        return [
            str(cast(models.Field, self._meta.get_field(name)).verbose_name)
            for name in CONTACT_PREFERENCE_FIELDS
            if getattr(self, name)
        ]

    @property
    def address_lines(self) -> list[str]:
        return [
            line
            for line in (
                self.address_line1,
                self.address_line2,
                self.town,
                self.postcode,
                self.country,
            )
            if line
        ]

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ConcernStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="SkinConcernEvent",
)
class SkinConcern(models.Model):
    Status = ConcernStatus

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="concerns")
    indication = models.ForeignKey(Indication, on_delete=models.PROTECT, related_name="concerns")
    body_area = models.CharField(max_length=12, choices=BodyArea.choices)
    grading_scale = models.ForeignKey(
        GradingScale,
        on_delete=models.PROTECT,
        related_name="concerns",
        null=True,
        blank=True,
        help_text="The scale the baseline grade is recorded on.",
    )
    baseline_grade = models.CharField(max_length=20, blank=True)
    notes = bounded_text(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["patient", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(body_area__in=BodyArea.values), name="concern_body_area_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ConcernStatus.values), name="concern_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(baseline_grade="") | Q(grading_scale__isnull=False),
                name="concern_grade_needs_scale",
                violation_error_message="Choose the scale the baseline grade is recorded on.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indication} — {self.get_body_area_display()}"

    def clean(self) -> None:
        errors = concern_grading_errors(
            indication=self.indication if self.indication_id is not None else None,
            scale=self.grading_scale if self.grading_scale_id is not None else None,
            grade=self.baseline_grade,
        )
        if errors:
            raise ValidationError(errors)


class PatientAccess(models.Model):
    """One request that showed patient data: who, when, from where, through what, and every
    patient whose data it showed (a list of fifty patients is one row naming fifty)."""

    class Channel(models.TextChoices):
        PAGE = "page", "Page"
        API = "api", "API"
        EXPORT = "export", "Export"
        ADMIN = "admin", "Admin"
        FEED = "feed", "Calendar feed"

    patients: models.ManyToManyField[Patient, AccessedPatient] = models.ManyToManyField(
        Patient, through="AccessedPatient", related_name="accesses"
    )
    user = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="patient_accesses")
    accessed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    method = models.CharField(max_length=8, default="GET")
    path = models.CharField(max_length=300)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    patient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name = "patient data access"
        verbose_name_plural = "patient data accesses"
        indexes = [models.Index(fields=["user", "-accessed_at"], name="access_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} read {self.patient_count} at {self.accessed_at:%Y-%m-%d %H:%M}"


class AccessedPatient(models.Model):
    """A patient named by an access: "who saw patient X" reads these."""

    access = models.ForeignKey(PatientAccess, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["access", "patient"], name="accessed_patient_once")
        ]
        indexes = [models.Index(fields=["patient", "access"], name="accessed_patient_idx")]

    def __str__(self) -> str:
        return f"patient {self.patient_id} in access {self.access_id}"
