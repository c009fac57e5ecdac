"""The clinic's own resources: who treats, where, and when the clinic is open."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from clinic.roles import DERMATOLOGIST


class PractitionerManager(models.Manager["Practitioner"]):
    def get_queryset(self) -> models.QuerySet[Practitioner]:
        # A practitioner is always shown by the user's name: fetch it in the same query so that
        # choice lists and filters do not run one query per practitioner.
        return super().get_queryset().select_related("user")


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class Practitioner(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner"
    )
    is_dermatologist = models.BooleanField(
        default=False, help_text="Dermatologists approve plans and override contraindications."
    )
    registration_number = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)
    calendar_token = models.CharField(
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
        help_text="Secret part of the practitioner's iCal feed address; renew it to revoke.",
    )

    objects = PractitionerManager()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        name = self.user.get_full_name() or self.user.get_username()
        return f"Dr {name}" if self.is_dermatologist else name

    def clean(self) -> None:
        # The flag and the role must agree: clinical rights come from the role.
        if (
            self.is_dermatologist
            and self.user_id
            and not self.user.groups.filter(name=DERMATOLOGIST).exists()
        ):
            raise ValidationError(
                {"is_dermatologist": "Give this user the Dermatologist role first."}
            )


class Room(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=60, unique=True)
    has_rf_device = models.BooleanField("has an RF microneedling device", default=False)
    active = models.BooleanField(default=True)
    notes = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        verbose_name_plural = "opening hours"
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="opening_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(opens__lt=F("closes")),
                name="opening_opens_before_closes",
                violation_error_message="Closing time must be after opening time.",
            ),
            models.UniqueConstraint(
                fields=["weekday", "opens"],
                name="opening_unique_start",
                violation_error_message=(
                    "Opening hours starting at this time already exist for this day."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.opens >= self.closes:
            raise ValidationError({"closes": "Closing time must be after opening time."})
        if self.weekday is None or self.opens is None or self.closes is None:
            return
        overlapping = OpeningHours.objects.filter(
            weekday=self.weekday, opens__lt=self.closes, closes__gt=self.opens
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(
                f"These hours overlap {overlapping.first()}; edit that entry instead."
            )


class Closure(models.Model):
    start_date = models.DateField()
    end_date = models.DateField(help_text="Last closed day (inclusive).")
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="closure_end_not_before_start",
                violation_error_message="The last closed day is before the first.",
            ),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"], name="closure_dates_idx")]

    def __str__(self) -> str:
        if self.start_date == self.end_date:
            return f"{self.start_date:%d %b %Y}: {self.reason}"
        return f"{self.start_date:%d %b %Y} – {self.end_date:%d %b %Y}: {self.reason}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The last closed day is before the first."})


class PractitionerAbsence(models.Model):
    """Leave, training or sickness: no bookings for the practitioner in this time."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="absences"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="absence_ends_after_start",
                violation_error_message="An absence ends after it starts.",
            ),
        ]
        indexes = [
            models.Index(fields=["practitioner", "starts_at"], name="absence_practitioner_idx")
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} away {self.starts_at:%d %b %Y %H:%M}: {self.reason}"


class ClinicProfile(models.Model):
    """The clinic's identity as patients see it: on the printout, in calendar events, in the
    page header. One row (the constraint), edited by a clinic admin in the admin; read through
    clinic.identity, which caches it."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    name = models.CharField(max_length=120, default="Microneedling clinic")
    address = models.TextField(
        blank=True, max_length=400, help_text="As on a letter: one line per line."
    )
    phone = models.CharField(
        max_length=32, blank=True, help_text="The number patients call about their treatment."
    )
    email = models.EmailField(blank=True)
    logo = models.BinaryField(blank=True, default=b"", editable=False)
    logo_content_type = models.CharField(max_length=20, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "clinic profile"
        verbose_name_plural = "clinic profile"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="clinic_profile_is_one_row"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        # Read on every page from the cache: a change must show at once, not when it expires.
        from clinic.identity import forget_identity

        forget_identity()
