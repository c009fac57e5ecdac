"""Each role's worklist: what is waiting for someone, counted, the first few shown.

Every list is one selector asking one rule: what awaits an override comes from
`rules.screening`, what is due for booking from `rules.spacing`, a lockout from django-axes'
own settings, what needs review from the knowledge base's provenance tags. Each list is one
query (the count rides along as a window over the same rows), however many rows there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, Window
from django.utils import timezone

from clinic.roles import CLINIC_ADMIN, DERMATOLOGIST, FRONT_DESK, ROLES
from evidence.models import (
    UNCONFIRMED_PROVENANCE,
    ContraindicationRule,
    Finding,
    GradingScale,
    Protocol,
    RuleSeverity,
    Study,
)
from patients.models import Patient, PatientAccess, SkinConcern
from treatments.booking.selectors import Arrival, arrivals_in_order, day_bounds
from treatments.booking.services import booking_window
from treatments.models import (
    Consultation,
    Screening,
    ScreeningAnswer,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.rules import screening as screening_rules
from treatments.rules import spacing
from treatments.rules.limits import BOOKING_NOTICE_DAYS

#: How many items of each list the home page shows, and a list's own page at most.
SHOWN = 8
SHOWN_IN_FULL = 200

T = TypeVar("T")


@dataclass(frozen=True)
class Worklist(Generic[T]):
    count: int
    items: list[T] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def _first(rows: QuerySet[Any], limit: int) -> Worklist[Any]:
    """The first `limit` rows and how many there are in all, in one query."""
    found = list(rows.annotate(worklist_total=Window(Count("pk")))[:limit])
    return Worklist(found[0].worklist_total if found else 0, found)


def _active_patients(prefix: str = "") -> Q:
    return Q(**{f"{prefix}patient__status": Patient.Status.ACTIVE})


# --- Dermatologist ---------------------------------------------------------------------------


def screenings_awaiting_override(limit: int = SHOWN) -> Worklist[Screening]:
    """Relative contraindications nobody has overridden yet, oldest first: the latest screening
    of a session still to happen (at check-in), or of an active plan at planning. A screening
    superseded by a later one of the same session (or plan) no longer waits."""
    later_of_session = Screening.objects.filter(
        session=OuterRef("session"), performed_at__gt=OuterRef("performed_at")
    )
    later_of_plan = Screening.objects.filter(
        plan=OuterRef("plan"), kind=Screening.Kind.PLAN, performed_at__gt=OuterRef("performed_at")
    )
    at_check_in = Q(
        kind=Screening.Kind.PRE_SESSION,
        session__status__in=TreatmentSession.OPEN_STATUSES,
    ) & ~Exists(later_of_session)
    at_planning = Q(kind=Screening.Kind.PLAN, plan__status=TreatmentPlan.Status.ACTIVE) & ~Exists(
        later_of_plan
    )
    rows = (
        Screening.objects.filter(
            # `awaiting_override` as a query: its result, and nobody's override.
            Q(result=screening_rules.AWAITS_OVERRIDE, override_by__isnull=True)
            & (at_check_in | at_planning)
            & _active_patients()
        )
        .select_related("patient", "plan", "session")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=ScreeningAnswer.objects.filter(
                    answer=True, severity_applied=RuleSeverity.RELATIVE
                ).select_related("rule"),
                to_attr="needing_override",
            )
        )
        .order_by("performed_at", "pk")
    )
    return _first(rows, limit)


def concerns_without_plan(limit: int = SHOWN) -> Worklist[SkinConcern]:
    """Open concerns of active patients with no active plan, oldest first."""
    active_plan = TreatmentPlan.objects.filter(
        concern=OuterRef("pk"), status=TreatmentPlan.Status.ACTIVE
    )
    rows = (
        SkinConcern.objects.filter(status=SkinConcern.Status.ACTIVE)
        .filter(_active_patients(), ~Exists(active_plan))
        .select_related("patient", "indication")
        .order_by("created_at", "pk")
    )
    return _first(rows, limit)


def sessions_to_record(today: dt.date, limit: int = SHOWN) -> Worklist[TreatmentSession]:
    """Patients checked in today or earlier whose session is not recorded yet, oldest first."""
    _, end_of_today = day_bounds(today)
    rows = (
        TreatmentSession.objects.filter(
            status=TreatmentSession.Status.CHECKED_IN, starts_at__lt=end_of_today
        )
        .select_related("plan__patient", "plan__protocol", "practitioner__user", "room")
        .order_by("starts_at", "pk")
    )
    return _first(rows, limit)


def consultations_to_see(today: dt.date, limit: int = SHOWN) -> Worklist[Consultation]:
    """Consultations booked for today or earlier that nobody has marked attended (nor
    cancelled): the patient is here or was, and planning waits on the dermatologist. Oldest
    first."""
    _, end_of_today = day_bounds(today)
    rows = (
        Consultation.objects.filter(
            status=Consultation.Status.BOOKED, starts_at__lt=end_of_today
        )
        .filter(_active_patients())
        .select_related("patient", "practitioner__user", "room")
        .order_by("starts_at", "pk")
    )
    return _first(rows, limit)


# --- Front desk ------------------------------------------------------------------------------


def arrivals_for_day(day: dt.date, limit: int = SHOWN) -> Worklist[Arrival]:
    """Booked for `day` and not yet here, in order of arrival: sessions (`arrival_at`, before the
    cream) and consultations (at their start). Two queries, each with its count."""
    start, end = day_bounds(day)
    sessions = _first(
        TreatmentSession.objects.filter(
            status=TreatmentSession.Status.BOOKED, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("plan__patient", "practitioner__user", "room")
        .order_by("starts_at", "pk"),
        limit,
    )
    consultations = _first(
        Consultation.objects.filter(
            status=Consultation.Status.BOOKED, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("patient", "practitioner__user", "room")
        .order_by("starts_at", "pk"),
        limit,
    )
    arrivals = arrivals_in_order(sessions.items, consultations.items)
    return Worklist(sessions.count + consultations.count, arrivals[:limit])


@dataclass(frozen=True)
class DueSession:
    session: TreatmentSession
    window: spacing.Window
    opens_in_days: int  # negative once it has opened


def _due(session: TreatmentSession, today: dt.date) -> DueSession:
    window = booking_window(session)
    return DueSession(session, window, (window.first - today).days)


def sessions_due_unbooked(today: dt.date, limit: int = SHOWN) -> Worklist[DueSession]:
    """Planned sessions of active plans whose booking window has opened or opens within
    `BOOKING_NOTICE_DAYS` (`spacing.booking_due`), oldest target first."""
    latest = spacing.latest_target_due(
        today, before_days=settings.BOOKING_WINDOW_BEFORE_DAYS, notice_days=BOOKING_NOTICE_DAYS
    )
    rows = (
        TreatmentSession.objects.filter(
            status=TreatmentSession.Status.PLANNED,
            plan__status=TreatmentPlan.Status.ACTIVE,
            target_date__lte=latest,
        )
        .filter(_active_patients("plan__"))
        .select_related("plan__patient")
        .order_by("target_date", "pk")
    )
    found = _first(rows, limit)
    return Worklist(found.count, [_due(session, today) for session in found.items])


def patients_to_consult(today: dt.date, limit: int = SHOWN) -> Worklist[Patient]:
    """Registered patients waiting for a first consultation: no plan yet, no consultation booked
    or held (a cancelled one or a no-show leaves them waiting) and nothing booked ahead, oldest
    registration first. The one place that decides it."""
    start_of_today, _ = day_bounds(today)
    any_plan = TreatmentPlan.objects.filter(patient=OuterRef("pk"))
    consulted = Consultation.objects.filter(
        patient=OuterRef("pk"),
        status__in=(Consultation.Status.BOOKED, Consultation.Status.ATTENDED),
    )
    booked_ahead = TreatmentSession.objects.filter(
        plan__patient=OuterRef("pk"),
        status__in=TreatmentSession.SLOT_STATUSES,
        starts_at__gte=start_of_today,
    )
    rows = Patient.objects.filter(
        ~Exists(any_plan),
        ~Exists(consulted),
        ~Exists(booked_ahead),
        status=Patient.Status.ACTIVE,
    ).order_by("created_at", "pk")
    return _first(rows, limit)


# --- Clinic admin ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KnowledgeItem:
    kind: str
    pk: int
    label: str

    @property
    def admin_view(self) -> str:
        return f"admin:evidence_{self.kind}_change"


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int

    @property
    def admin_view(self) -> str:
        return f"admin:evidence_{self.kind}_changelist"


#: The knowledge base's tagged models: (kind, model, the field that names an item).
KNOWLEDGE_KINDS: tuple[tuple[str, type[Any], str], ...] = (
    ("protocol", Protocol, "title"),
    ("contraindicationrule", ContraindicationRule, "condition"),
    ("gradingscale", GradingScale, "name"),
    ("finding", Finding, "claim"),
    ("study", Study, "title"),
)


@dataclass(frozen=True)
class KnowledgeReview:
    count: int
    by_kind: list[KindCount]
    items: list[KnowledgeItem]

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def knowledge_needing_review(limit: int = SHOWN) -> KnowledgeReview:
    """Knowledge items whose provenance tag says a clinician should confirm them
    (`UNCONFIRMED_PROVENANCE`): a count per kind, and the first items (protocols first)."""
    unconfirmed = Q(provenance__in=UNCONFIRMED_PROVENANCE)
    by_kind = [
        KindCount(
            kind,
            str(model._meta.verbose_name_plural).capitalize(),
            model.objects.filter(unconfirmed).count(),
        )
        for kind, model, _ in KNOWLEDGE_KINDS
    ]
    parts = [
        model.objects.filter(unconfirmed)
        .order_by()  # a compound query orders once, as a whole
        .annotate(
            wl_position=Value(position), wl_kind=Value(kind), wl_item=F("pk"), wl_label=F(label)
        )
        .values_list("wl_position", "wl_kind", "wl_item", "wl_label")
        for position, (kind, model, label) in enumerate(KNOWLEDGE_KINDS)
    ]
    first, *rest = parts
    total = sum(kind.count for kind in by_kind)
    rows = first.union(*rest, all=True).order_by("wl_position", "wl_item")[:limit] if total else []
    items = [KnowledgeItem(kind, pk, label) for _, kind, pk, label in rows]
    return KnowledgeReview(total, by_kind, items)


@dataclass(frozen=True)
class Users:
    by_role: dict[str, int]
    inactive: int
    locked_out: Worklist[AccessAttempt]


def users_overview(limit: int = SHOWN) -> Users:
    """Active users per role, inactive accounts, and logins django-axes holds locked now (as
    many failures as its limit within its cool-off, the rule it applies at each login)."""
    counts = {
        group.name: group.active
        for group in Group.objects.filter(name__in=ROLES).annotate(
            active=Count("user", filter=Q(user__is_active=True))
        )
    }
    inactive = User.objects.filter(is_active=False).count()
    cool_off = get_cool_off()
    recent = Q(attempt_time__gte=timezone.now() - cool_off) if cool_off else Q()
    locked = AccessAttempt.objects.filter(
        recent, failures_since_start__gte=get_failure_limit(None, None)
    ).order_by("-attempt_time", "-pk")
    return Users({role: counts.get(role, 0) for role in ROLES}, inactive, _first(locked, limit))


def access_log_latest(limit: int = SHOWN) -> Worklist[PatientAccess]:
    rows = PatientAccess.objects.select_related("user").order_by("-accessed_at", "-pk")
    return _first(rows, limit)


# --- The home page: each of the user's roles, its lists --------------------------------------


@dataclass(frozen=True)
class Worklists:
    overrides: Worklist[Screening] | None = None
    concerns: Worklist[SkinConcern] | None = None
    to_record: Worklist[TreatmentSession] | None = None
    to_see: Worklist[Consultation] | None = None
    arrivals: Worklist[Arrival] | None = None
    due: Worklist[DueSession] | None = None
    consultations: Worklist[Patient] | None = None
    knowledge: KnowledgeReview | None = None
    users: Users | None = None
    access_log: Worklist[PatientAccess] | None = None

    def patient_ids(self) -> list[int]:
        """Every patient the lists name, for the access log."""
        lists: tuple[Worklist[Any] | None, ...] = (
            *(self.overrides, self.concerns, self.to_record, self.to_see),
            *(self.arrivals, self.due, self.consultations),
        )
        return [pk for found in lists if found for pk in patients_of(found)]


def patients_of(found: Worklist[Any]) -> list[int]:
    """The patients a list's items name, whatever the items are."""
    ids = []
    for item in found.items:
        row = item.session if isinstance(item, DueSession) else item
        if isinstance(row, Patient):
            ids.append(row.pk)
        elif isinstance(row, Screening | SkinConcern | Consultation | Arrival):
            ids.append(row.patient_id)
        else:
            ids.append(row.plan.patient_id)
    return ids


def worklists(roles: Iterable[str], today: dt.date) -> Worklists:
    """The lists of each role the user holds: several roles, each role's lists."""
    held = set(roles)
    lists: dict[str, Any] = {}
    if DERMATOLOGIST in held:
        lists.update(
            overrides=screenings_awaiting_override(),
            concerns=concerns_without_plan(),
            to_record=sessions_to_record(today),
            to_see=consultations_to_see(today),
        )
    if FRONT_DESK in held:
        lists.update(
            arrivals=arrivals_for_day(today),
            due=sessions_due_unbooked(today),
            consultations=patients_to_consult(today),
        )
    if CLINIC_ADMIN in held:
        lists.update(
            knowledge=knowledge_needing_review(),
            users=users_overview(),
            access_log=access_log_latest(),
        )
    return Worklists(**lists)


@dataclass(frozen=True)
class ListPage:
    """A worklist with a page of its own (the others link to the day list or the admin)."""

    role: str
    title: str
    include: str  # the template that shows one item


LIST_PAGES: dict[str, ListPage] = {
    "overrides": ListPage(DERMATOLOGIST, "Screenings awaiting your override", "overrides"),
    "concerns": ListPage(DERMATOLOGIST, "Concerns without a plan", "concerns"),
    "to-record": ListPage(DERMATOLOGIST, "Sessions to record", "to_record"),
    "to-see": ListPage(DERMATOLOGIST, "Consultations to see", "to_see"),
    "due": ListPage(FRONT_DESK, "Sessions due, not booked", "due"),
    "consultations": ListPage(FRONT_DESK, "Consultations to book", "consultations"),
}


def worklist_in_full(name: str, today: dt.date) -> Worklist[Any]:
    """One list of `LIST_PAGES`, up to `SHOWN_IN_FULL` items."""
    limit = SHOWN_IN_FULL
    if name == "overrides":
        return screenings_awaiting_override(limit)
    if name == "concerns":
        return concerns_without_plan(limit)
    if name == "to-record":
        return sessions_to_record(today, limit)
    if name == "to-see":
        return consultations_to_see(today, limit)
    if name == "due":
        return sessions_due_unbooked(today, limit)
    return patients_to_consult(today, limit)
