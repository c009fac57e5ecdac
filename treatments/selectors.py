"""Reads for plans, screenings and the clinic calendar, checked against the requesting user."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from clinic.ids import parse_public_id
from clinic.models import Closure, OpeningHours, Practitioner, PractitionerAbsence, Room
from evidence.models import ContraindicationRule, Modality, Protocol
from patients.models import Patient, SkinConcern
from treatments.models import Screening, ScreeningAnswer, TreatmentPlan, TreatmentSession
from treatments.scheduling import ClinicCalendar
from treatments.screening import is_current


def _require(user: AbstractBaseUser | AnonymousUser, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def rules_for_modality(modality: str) -> list[ContraindicationRule]:
    """The screening questions for a plan of this modality, in their display order."""
    applies = ["all", "rf_only"] if modality == Modality.RF_MICRONEEDLING else ["all"]
    return list(
        ContraindicationRule.objects.filter(applies_to__in=applies)
        .select_related("study")
        .prefetch_related("exception_indications")
    )


def protocols_for_concern(concern: SkinConcern) -> list[Protocol]:
    return list(
        Protocol.objects.filter(indication_id=concern.indication_id)
        .select_related("study", "indication")
        .prefetch_related("supporting_studies", "outcome_scales")
        .order_by("modality", "code")
    )


def clinic_calendar(open_weekdays: Iterable[int] | None = None) -> ClinicCalendar:
    """Open weekdays and closures, two queries however far ahead we plan (one, when the caller
    has read the opening hours already)."""
    if open_weekdays is None:
        open_weekdays = OpeningHours.objects.values_list("weekday", flat=True).distinct()
    return ClinicCalendar.build(
        open_weekdays, Closure.objects.values_list("start_date", "end_date")
    )


def plans_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[TreatmentPlan]:
    _require(user, "treatments.view_treatmentplan")
    return TreatmentPlan.objects.select_related(
        "patient", "concern__indication", "protocol", "responsible_dermatologist__user"
    )


def plan_get_for_user(
    user: AbstractBaseUser | AnonymousUser, public_id: uuid.UUID | str
) -> TreatmentPlan:
    try:
        return (
            plans_for_user(user)
            .select_related("protocol__study", "approved_by")
            .prefetch_related(
                Prefetch(
                    "sessions",
                    queryset=TreatmentSession.objects.select_related(
                        "practitioner__user", "room"
                    ).order_by("number"),
                ),
                Prefetch(
                    "screenings",
                    queryset=Screening.objects.select_related("performed_by", "override_by"),
                ),
            )
            .get(public_id=parse_public_id(public_id))
        )
    except TreatmentPlan.DoesNotExist:
        raise Http404("No such plan.") from None


def screenings_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Screening]:
    _require(user, "treatments.view_screening")
    return Screening.objects.select_related(
        "patient", "plan", "session", "performed_by", "override_by"
    ).prefetch_related("answers__rule__study")


def latest_screening(plan: TreatmentPlan) -> Screening | None:
    return (
        Screening.objects.filter(plan=plan)
        .prefetch_related("answers__rule")
        .order_by("-performed_at", "-pk")
        .first()
    )


def patient_chart(user: AbstractBaseUser | AnonymousUser, patient: Patient) -> dict:
    """Everything on a patient's page, in a fixed number of queries."""
    concerns = list(
        SkinConcern.objects.filter(patient=patient)
        .select_related("indication", "grading_scale")
        .order_by("-created_at")
    )
    can_see_plans = user.has_perm("treatments.view_treatmentplan")
    plans = (
        list(
            TreatmentPlan.objects.filter(patient=patient)
            .select_related("protocol", "concern__indication", "responsible_dermatologist__user")
            .order_by("-created_at")
        )
        if can_see_plans
        else []
    )
    sessions = (
        list(
            TreatmentSession.objects.filter(plan__patient=patient)
            .select_related("plan__protocol", "practitioner__user", "room")
            .order_by("target_date", "number")
        )
        if user.has_perm("treatments.view_treatmentsession")
        else []
    )
    screenings = (
        list(
            Screening.objects.filter(patient=patient)
            .select_related("plan__protocol", "session", "performed_by", "override_by")
            .order_by("-performed_at")
        )
        if user.has_perm("treatments.view_screening")
        else []
    )
    today = timezone.localdate()
    for screening in screenings:
        screening.valid_until = screening_validity_end(screening)
        screening.current = is_current(
            screening.performed_at,
            screening.result,
            on=today,
            valid_days=settings.SCREENING_VALID_DAYS,
            zone=timezone.get_current_timezone(),
        )
    return {"concerns": concerns, "plans": plans, "sessions": sessions, "screenings": screenings}


def screening_validity_end(screening: Screening) -> dt.date:
    performed_on = timezone.localtime(screening.performed_at).date()
    return performed_on + dt.timedelta(days=settings.SCREENING_VALID_DAYS - 1)


def screening_findings(screenings: list[Screening]) -> dict[int, list]:
    """The 'yes' answers of each screening, with their rules, in one query."""
    found: dict[int, list] = {screening.pk: [] for screening in screenings}
    for answer in ScreeningAnswer.objects.filter(
        screening__in=screenings, answer=True
    ).select_related("rule"):
        found[answer.screening_id].append(answer)
    return found


def opening_hours() -> dict[int, list[tuple[dt.time, dt.time]]]:
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in OpeningHours.objects.order_by("weekday", "opens").values_list(
        "weekday", "opens", "closes"
    ):
        hours.setdefault(weekday, []).append((opens, closes))
    return hours


#: Bookings begin and end on the same day (see booking.opening_problem).
MAX_BOOKING_LENGTH = dt.timedelta(days=1)


@dataclass(frozen=True)
class Held:
    """A booking as the slot checks see it: who and what it holds, and when. Plain tuples from
    the database, not model instances: a busy window holds over a thousand."""

    pk: int
    practitioner_id: int
    room_id: int
    patient_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass
class BookingContext:
    """Everything a booking decision needs for a stretch of days, in a fixed number of queries."""

    hours: dict[int, list[tuple[dt.time, dt.time]]]
    calendar: ClinicCalendar
    practitioners: dict[int, Practitioner]
    rooms: dict[int, Room]
    practitioner_busy: dict[int, list[tuple[dt.datetime, dt.datetime]]]
    room_busy: dict[int, list[tuple[dt.datetime, dt.datetime]]]
    absences: dict[int, list[tuple[dt.datetime, dt.datetime, str]]]
    bookings: list[Held]

    def practitioner_unavailable(self) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
        """Bookings and absences together."""
        merged = {key: list(value) for key, value in self.practitioner_busy.items()}
        for practitioner, spans in self.absences.items():
            merged.setdefault(practitioner, []).extend((s, e) for s, e, _ in spans)
        return merged


def booking_context(
    *, start: dt.datetime, end: dt.datetime, modality: str, exclude_session: int | None = None
) -> BookingContext:
    rooms = Room.objects.filter(active=True)
    if modality == Modality.RF_MICRONEEDLING:
        rooms = rooms.filter(has_rf_device=True)
    bookings = [
        Held(*row)
        # A booking starts and ends on one day, so nothing that starts over a day before the
        # window reaches into it: the lower bound turns an open-ended scan of every earlier
        # booking into a short range on the starts_at index.
        for row in TreatmentSession.objects.filter(
            starts_at__gt=start - MAX_BOOKING_LENGTH, starts_at__lt=end, ends_at__gt=start
        )
        .exclude(status=TreatmentSession.Status.CANCELLED)
        .exclude(pk=exclude_session)
        .order_by()
        .values_list("pk", "practitioner_id", "room_id", "plan__patient_id", "starts_at", "ends_at")
    ]
    practitioner_busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    room_busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for booking in bookings:
        practitioner_busy.setdefault(booking.practitioner_id, []).append(
            (booking.starts_at, booking.ends_at)
        )
        room_busy.setdefault(booking.room_id, []).append((booking.starts_at, booking.ends_at))
    absences: dict[int, list[tuple[dt.datetime, dt.datetime, str]]] = {}
    for absence in PractitionerAbsence.objects.filter(starts_at__lt=end, ends_at__gt=start):
        absences.setdefault(absence.practitioner_id, []).append(
            (absence.starts_at, absence.ends_at, absence.reason)
        )
    hours = opening_hours()
    return BookingContext(
        hours=hours,
        calendar=clinic_calendar(hours.keys()),
        practitioners={p.pk: p for p in Practitioner.objects.filter(active=True)},
        rooms={r.pk: r for r in rooms},
        practitioner_busy=practitioner_busy,
        room_busy=room_busy,
        absences=absences,
        bookings=bookings,
    )


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of a day in the clinic's zone (23 or 25 hours long on DST days)."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


#: What the calendars, today's list and the iCal feeds show of a booking. A full clinic's day
#: is 150 bookings of seven joined rows each; loading only these columns halves the page's time.
CALENDAR_FIELDS = (
    "public_id",
    "number",
    "status",
    "status_reason",
    "target_date",
    "starts_at",
    "ends_at",
    "updated_at",
    "plan__public_id",
    "plan__planned_sessions",
    "plan__patient__public_id",
    "plan__patient__given_name",
    "plan__patient__family_name",
    "plan__patient__mrn",
    "plan__protocol__code",
    "practitioner__public_id",
    "practitioner__is_dermatologist",
    "practitioner__user__first_name",
    "practitioner__user__last_name",
    "practitioner__user__username",
    "room__public_id",
    "room__name",
)


def sessions_between(
    first: dt.date,
    last: dt.date,
    *,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
) -> list[TreatmentSession]:
    """Bookings from `first` to `last` (inclusive), one query however many there are."""
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    sessions = TreatmentSession.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if practitioner is not None:
        sessions = sessions.filter(practitioner=practitioner)
    if room is not None:
        sessions = sessions.filter(room=room)
    return list(
        sessions.select_related("plan__patient", "plan__protocol", "practitioner__user", "room")
        .only(*CALENDAR_FIELDS)
        .order_by("starts_at", "pk")
    )


def sessions_for_day(day: dt.date) -> list[TreatmentSession]:
    return sessions_between(day, day)
