"""Clinic-chain-sized data for benchmarks: patients, concerns, plans and their sessions.

Three years of sessions (two behind today, one ahead) are laid into real slots: the clinic's
opening hours, each room's procedures back to back, one practitioner per room and day, RF plans
in RF rooms, so every exclusion constraint and check holds. Fifteen rooms hold only about 130,000
procedures in three years, so of the ~4 sessions per plan those that find no room become what
they would in a clinic that full: a series stopped part-way (cancelled) in the past, sessions not
yet booked (planned) in the future. Everything is deterministic for a given seed and day.

Rows go in with bulk inserts in one transaction; the change-history triggers are switched off
for the load (synthetic rows have no history worth keeping).
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from clinic import roles
from clinic.models import Closure, OpeningHours, Practitioner, Room
from evidence.models import Indication, Protocol
from patients.models import Patient, SkinConcern, luhn_check_digit
from treatments.models import ANAESTHETIC_LEAD, Screening, TreatmentPlan, TreatmentSession

#: The benchmark's logins (see benchmarks/): clerks book, dermatologists read plans.
BENCH_PASSWORD = "Bench-Scale-Collagen-26"  # noqa: S105 - a published demo password
FRONT_DESK_LOGINS = 20
PAST_DAYS, FUTURE_DAYS = 730, 365
WEEKDAY_HOURS, SATURDAY_HOURS = (dt.time(9), dt.time(18)), (dt.time(9), dt.time(13))
BATCH = 5000

#: (protocol, share of plans, body areas): about 4.1 sessions per plan on average.
PLAN_MIX: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("IND-01", 30, ("face",)),
    ("IND-03", 25, ("face",)),
    ("IND-11", 10, ("face",)),
    ("IND-07", 12, ("abdomen", "thighs")),
    ("IND-09", 8, ("scalp",)),
    ("IND-10", 5, ("scalp",)),
    ("IND-05", 5, ("arms", "back", "other")),
    ("IND-02", 5, ("face",)),
)
#: Second concerns (a fifth of patients) that are recorded but not (yet) planned.
UNPLANNED = (("keloids", "other"), ("drug-delivery", "face"), ("melasma", "face"))

_GIVEN_NAMES = (
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Emily Ella "
    "Poppy Evie Charlotte Aria Evelyn Sienna Daisy Florence Isabelle Elsie Harper Sofia Ruby "
    "Noah Oliver George Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie Jack "
    "Charlie Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy Amara "
    "Zainab Aisha Priya Ananya Mei Yuki Chen Wei Hana Sara Omar Yusuf Ali Ibrahim Kwame Kofi"
)
_FAMILY_NAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson "
    "Evans Walker White Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner "
    "Martin Cooper Hill Ward Hughes Moore Clark King Harrison Lewis Baker Lee Allen Morris "
    "Khan Scott Watson Davis Parker James Bennett Young Phillips Richardson Mitchell Bailey "
    "Carter Cook Singh Shaw Bell Collins Morgan Kelly Begum Miller Cox Hussain Marshall "
    "Simpson Price Anderson Adams Wilkinson Ali Ahmed Foster Ellis Murphy Chapman Mason Gray "
    "Richards Webb Griffiths Hunt Palmer Campbell Holmes Mills Rogers Barnes Knight Matthews "
    "Barker Powell Stevens Kaur Fisher Butler Dixon Russell Harvey Pearson Graham Nowak "
    "Kowalski Rossi Silva"
)
GIVEN, FAMILY = _GIVEN_NAMES.split(), _FAMILY_NAMES.split()

_M = TypeVar("_M", bound=Model)
_T = TypeVar("_T")


@dataclass
class Counts:
    patients: int = 0
    concerns: int = 0
    plans: int = 0
    sessions: int = 0
    timed_sessions: int = 0
    screenings: int = 0
    practitioners: int = 0
    rooms: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class _Plan:
    plan: TreatmentPlan
    area: str
    rf: bool
    first_target: dt.date  # when the series' first session is due
    stopped: bool = False
    unbooked: bool = False
    sessions: list[TreatmentSession] = field(default_factory=list)


@dataclass
class _Day:
    """One open day's rooms: where the next procedure in each room may start (minutes)."""

    closes: int
    next_free: list[int]


def mrn_for(index: int) -> str:
    """Unique, random-looking MRNs: 7919 is coprime with 10^8, so index → body is one-to-one."""
    body = f"{(index * 7919 + 12_345_678) % 10**8:08d}"
    return f"MN-{body}-{luhn_check_digit(body)}"


@contextmanager
def _history_paused() -> Iterator[None]:
    """pghistory's triggers are pgtrigger triggers; ignoring them keeps 700,000 synthetic
    inserts out of the change history (PostgreSQL only: SQLite has no triggers)."""
    if connection.vendor != "postgresql":
        yield
        return
    import pgtrigger

    with pgtrigger.ignore():
        yield


def _bulk(model: type[_M], rows: list[_M]) -> list[_M]:
    # _default_manager is `objects` for every model seeded here (the stubs type it on Model).
    return model._default_manager.bulk_create(rows, batch_size=BATCH)


def _required(value: _T | None, what: str) -> _T:
    """A value the model allows to be empty but that seeding always sets."""
    if value is None:
        raise RuntimeError(f"seed_scale: {what} is not set")
    return value


def _staff(
    rng: random.Random, *, practitioners: int, rooms: int
) -> tuple[list[Practitioner], list[Practitioner], list[Room]]:
    password = make_password(BENCH_PASSWORD)
    groups = {name: Group.objects.get(name=name) for name in roles.ROLES}
    dermatologists = max(1, practitioners * 3 // 10)
    people: list[tuple[str, str, bool]] = [
        (f"bench-derm-{n:02d}", roles.DERMATOLOGIST, True) for n in range(1, dermatologists + 1)
    ]
    people += [
        (f"bench-practitioner-{n:02d}", roles.FRONT_DESK, False)
        for n in range(1, practitioners - dermatologists + 1)
    ]
    people += [
        (f"bench-desk-{n:02d}", roles.FRONT_DESK, False) for n in range(1, FRONT_DESK_LOGINS + 1)
    ]
    users = _bulk(
        User,
        [
            User(
                username=username,
                password=password,
                first_name=rng.choice(GIVEN),
                last_name=rng.choice(FAMILY),
                is_staff=True,
            )
            for username, _, _ in people
        ],
    )
    users = list(User.objects.filter(username__in=[p[0] for p in people]).order_by("pk"))
    by_name = {u.username: u for u in users}
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=by_name[username].pk, group_id=groups[role].pk)
            for username, role, _ in people
        ]
    )
    staff = _bulk(
        Practitioner,
        [
            Practitioner(user=by_name[username], is_dermatologist=derm)
            for username, _, derm in people[:practitioners]
        ],
    )
    room_rows = _bulk(
        Room,
        [Room(name=f"Bench room {n:02d}", has_rf_device=n <= 3) for n in range(1, rooms + 1)],
    )
    return staff, [p for p in staff if p.is_dermatologist], room_rows


def _hours() -> dict[int, tuple[dt.time, dt.time]]:
    """The clinic's hours (the demo clinic's, if none are set): bookings are laid inside them."""
    if not OpeningHours.objects.exists():
        OpeningHours.objects.bulk_create(
            [
                OpeningHours(weekday=d, opens=WEEKDAY_HOURS[0], closes=WEEKDAY_HOURS[1])
                for d in range(5)
            ]
            + [OpeningHours(weekday=5, opens=SATURDAY_HOURS[0], closes=SATURDAY_HOURS[1])]
        )
    return {h.weekday: (h.opens, h.closes) for h in OpeningHours.objects.order_by("opens")}


def _closures(first: dt.date, last: dt.date) -> set[dt.date]:
    for year in range(first.year, last.year + 1):
        Closure.objects.get_or_create(
            start_date=dt.date(year, 12, 25),
            end_date=dt.date(year, 12, 26),
            defaults={"reason": "Christmas"},
        )
    closed: set[dt.date] = set()
    for start, end in Closure.objects.values_list("start_date", "end_date"):
        day = start
        while day <= end:
            closed.add(day)
            day += dt.timedelta(days=1)
    return closed


def _occupancy(days_ahead: int) -> float:
    """How full the rooms are: the past as it was, the future as booked so far."""
    if days_ahead < 0:
        return 0.92
    if days_ahead <= 7:
        return 0.8
    if days_ahead <= 28:
        return 0.5
    if days_ahead <= 90:
        return 0.2
    return 0.0


def seed_scale(
    patients: int,
    *,
    seed: int = 2026,
    practitioners: int = 40,
    rooms: int = 15,
    progress: Callable[[str], None] = lambda message: None,
) -> Counts:
    if Patient.objects.exists():
        raise ValueError("This database already holds patients; seed_scale needs an empty one.")
    if practitioners < rooms:
        # One practitioner per room and day: fewer people than rooms would double-book someone.
        raise ValueError(f"Give at least as many practitioners as rooms ({rooms}).")
    protocols = {p.code: p for p in Protocol.objects.filter(code__in=[m[0] for m in PLAN_MIX])}
    if len(protocols) < len(PLAN_MIX):
        raise ValueError("Load the knowledge base first: python manage.py load_knowledge")
    rng = random.Random(seed)  # noqa: S311 - repeatable synthetic data, not a secret
    now = timezone.now()
    today = timezone.localdate(now)
    tz = ZoneInfo(settings.TIME_ZONE)
    counts = Counts()
    with transaction.atomic(), _history_paused():
        hours = _hours()
        staff, dermatologists, room_rows = _staff(rng, practitioners=practitioners, rooms=rooms)
        counts.practitioners, counts.rooms = len(staff), len(room_rows)
        closed = _closures(today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=420))
        progress(f"{len(staff)} practitioners, {len(room_rows)} rooms")

        patient_rows = _bulk(
            Patient,
            [
                Patient(
                    mrn=mrn_for(i),
                    given_name=rng.choice(GIVEN),
                    family_name=rng.choice(FAMILY),
                    date_of_birth=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(23_700)),
                    sex=rng.choice(("female", "female", "female", "male", "other")),
                    phone=f"+4420794{rng.randrange(60_000, 61_000)}",  # Ofcom's range for drama
                    email=f"patient{i}@example.org",
                    fitzpatrick_type=rng.randint(1, 6),
                )
                for i in range(patients)
            ],
        )
        counts.patients = len(patient_rows)
        progress(f"{counts.patients:,} patients")

        indications = {i.slug: i for i in Indication.objects.all()}
        weights = [m[1] for m in PLAN_MIX]
        mix = rng.choices(PLAN_MIX, weights=weights, k=patients)
        concerns = [
            SkinConcern(
                patient=patient,
                indication_id=protocols[code].indication_id,
                body_area=rng.choice(areas),
            )
            for patient, (code, _, areas) in zip(patient_rows, mix, strict=True)
        ]
        extra = [
            SkinConcern(
                patient=patient,
                indication=indications[slug],
                body_area=area,
                status=SkinConcern.Status.ACTIVE,
            )
            for patient in patient_rows
            if rng.random() < 0.2
            for slug, area in (rng.choice(UNPLANNED),)
        ]
        concern_rows = _bulk(SkinConcern, concerns + extra)
        counts.concerns = len(concern_rows)
        progress(f"{counts.concerns:,} concerns")

        # Sessions are laid out first, so each plan is inserted once with its final status.
        plans = _plans(rng, today, tz, concern_rows[:patients], mix, protocols, dermatologists)
        _lay_out_sessions(rng, plans, now, today, tz, hours, closed, staff, room_rows)
        progress("sessions laid out")
        for p in plans:
            _settle_plan(p)
        plan_rows = _bulk(TreatmentPlan, [p.plan for p in plans])
        counts.plans = len(plan_rows)
        progress(f"{counts.plans:,} plans")
        sessions = []
        for p in plans:
            for s in p.sessions:
                s.plan_id = p.plan.pk
                sessions.append(s)
        _bulk(TreatmentSession, sessions)
        counts.sessions = len(sessions)
        counts.timed_sessions = sum(s.starts_at is not None for s in sessions)
        for s in sessions:
            counts.by_status[s.status] = counts.by_status.get(s.status, 0) + 1
        progress(f"{counts.sessions:,} sessions ({counts.timed_sessions:,} in a slot)")

        screenings = _bulk(
            Screening,
            [
                Screening(
                    patient_id=p.plan.patient_id,
                    plan=p.plan,
                    kind=Screening.Kind.PLAN,
                    performed_by_id=_required(p.plan.approved_by_id, "a plan's approver"),
                    performed_at=_required(p.plan.approved_at, "a plan's approval time"),
                    result=Screening.Result.CLEAR,
                )
                for p in plans
            ]
            # Who is checked in now was re-screened at the desk (recording needs it).
            + [
                Screening(
                    patient_id=p.plan.patient_id,
                    plan=p.plan,
                    session=s,
                    kind=Screening.Kind.PRE_SESSION,
                    performed_by_id=_required(s.status_changed_by_id, "who checked in"),
                    performed_at=_required(s.status_changed_at, "when checked in"),
                    result=Screening.Result.CLEAR,
                )
                for p in plans
                for s in p.sessions
                if s.status == TreatmentSession.Status.CHECKED_IN
            ],
        )
        counts.screenings = len(screenings)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh statistics, or the planner guesses; VACUUM also folds the GIN indexes'
            # pending lists (100,000 names inserted at once) into the trigram indexes, which
            # otherwise every name search would scan first.
            # (Inside a caller's transaction, as in the tests, VACUUM cannot run.)
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return counts


def _plans(
    rng: random.Random,
    today: dt.date,
    tz: ZoneInfo,
    concerns: list[SkinConcern],
    mix: list[tuple[str, int, tuple[str, ...]]],
    protocols: dict[str, Protocol],
    dermatologists: list[Practitioner],
) -> list[_Plan]:
    plans = []
    for concern, (code, _, _) in zip(concerns, mix, strict=True):
        protocol = protocols[code]
        start = today + dt.timedelta(days=rng.randrange(-PAST_DAYS, FUTURE_DAYS - 60))
        # Approved a week before the first session, or today for a series that starts later.
        approved = min(
            dt.datetime.combine(start - dt.timedelta(days=7), dt.time(11), tzinfo=tz),
            timezone.now(),
        )
        derm = rng.choice(dermatologists)
        depth = min(protocol.depth_max_mm or Decimal("1.0"), Decimal("1.5"))
        plan = TreatmentPlan(
            patient_id=concern.patient_id,
            concern=concern,
            protocol=protocol,
            modality=protocol.modality,
            planned_sessions=_required(protocol.default_sessions, "a protocol's sessions"),
            interval_days=_required(protocol.default_interval_days, "a protocol's interval"),
            needle_depth_mm=depth,
            responsible_dermatologist=derm,
            status=TreatmentPlan.Status.ACTIVE,
            approved_by_id=derm.user_id,
            approved_at=approved,
            created_by_id=derm.user_id,
        )
        plans.append(_Plan(plan, concern.body_area, protocol.modality == "rfmn", start))
    return plans


def _lay_out_sessions(
    rng: random.Random,
    plans: list[_Plan],
    now: dt.datetime,
    today: dt.date,
    tz: ZoneInfo,
    hours: dict[int, tuple[dt.time, dt.time]],
    closed: set[dt.date],
    staff: list[Practitioner],
    rooms: list[Room],
) -> None:
    """Sessions in date order across all plans, so earlier ones get the rooms first."""
    minutes = settings.PROCEDURE_MINUTES
    rf_rooms = [i for i, r in enumerate(rooms) if r.has_rf_device]
    all_rooms = list(range(len(rooms)))
    days: dict[dt.date, _Day | None] = {}
    clerk = staff[0].user_id

    def day_state(day: dt.date) -> _Day | None:
        if day not in days:
            if day.weekday() not in hours or day in closed:
                days[day] = None
            else:
                opens, closes = hours[day.weekday()]
                # Arrival at opening at the earliest, the procedure 30 minutes later.
                first = opens.hour * 60 + opens.minute + 30
                days[day] = _Day(closes.hour * 60 + closes.minute, [first] * len(rooms))
        return days[day]

    queue: list[tuple[dt.date, int, int]] = [
        (p.first_target, index, 1) for index, p in enumerate(plans)
    ]
    heapq.heapify(queue)
    while queue:
        target, index, number = heapq.heappop(queue)
        p = plans[index]
        session = TreatmentSession(number=number, target_date=target)
        p.sessions.append(session)
        length = minutes.get(p.area, 45)
        placed = None
        if not (p.stopped or p.unbooked) and rng.random() < max(
            _occupancy((target - today).days), 0.0
        ):
            for offset in range(3):
                day = target + dt.timedelta(days=offset)
                state = day_state(day)
                if state is None:
                    continue
                choices = rf_rooms if p.rf else all_rooms
                room = min(choices, key=lambda r: state.next_free[r])
                start = state.next_free[room] + (15 if rng.random() < 0.1 else 0)
                if start + length <= state.closes:
                    state.next_free[room] = start + length
                    placed = (day, room, start)
                    break
        if placed:
            day, room, start_minute = placed
            starts = dt.datetime.combine(
                day, dt.time(start_minute // 60, start_minute % 60), tzinfo=tz
            )
            session.starts_at, session.ends_at = starts, starts + dt.timedelta(minutes=length)
            session.room_id = rooms[room].pk
            # One practitioner per room and day, a different third of the staff each day.
            session.practitioner_id = staff[
                (room + len(rooms) * (day.toordinal() % 3)) % len(staff)
            ].pk
            _set_outcome(rng, session, p, now, clerk)
            next_target = day + dt.timedelta(days=p.plan.interval_days)
        else:
            if p.stopped or target < today:
                p.stopped = True
                session.status = TreatmentSession.Status.CANCELLED
                session.status_reason = "Series stopped: the patient did not rebook."
            else:
                p.unbooked = True  # booked one at a time: later ones wait for this one
            next_target = target + dt.timedelta(days=p.plan.interval_days)
        if number < p.plan.planned_sessions:
            heapq.heappush(queue, (next_target, index, number + 1))


def _set_outcome(
    rng: random.Random, session: TreatmentSession, p: _Plan, now: dt.datetime, clerk: int
) -> None:
    if session.starts_at is None or session.ends_at is None:
        return
    if session.ends_at <= now:
        if rng.random() < 0.03:
            session.status = TreatmentSession.Status.NO_SHOW
            session.status_changed_by_id, session.status_changed_at = clerk, session.starts_at
            return
        session.status = TreatmentSession.Status.COMPLETED
        session.depth_used_mm = p.plan.needle_depth_mm
        session.area = p.area
        session.device = "RF microneedling handpiece" if p.rf else "Dermapen 4"
        session.anaesthetic_applied_at = session.starts_at - ANAESTHETIC_LEAD
        session.pain_score = rng.randint(1, 5)
        session.status_changed_by_id = p.plan.approved_by_id
        session.status_changed_at = session.ends_at
    elif session.starts_at - ANAESTHETIC_LEAD <= now:
        session.status = TreatmentSession.Status.CHECKED_IN
        session.status_changed_by_id, session.status_changed_at = clerk, now
    else:
        session.status = TreatmentSession.Status.BOOKED


def _settle_plan(p: _Plan) -> None:
    open_statuses = {
        TreatmentSession.Status.PLANNED,
        TreatmentSession.Status.BOOKED,
        TreatmentSession.Status.CHECKED_IN,
    }
    if any(s.status in open_statuses for s in p.sessions):
        p.plan.status = TreatmentPlan.Status.ACTIVE
    elif p.stopped:
        p.plan.status = TreatmentPlan.Status.CANCELLED
        p.plan.cancellation_reason = "The patient stopped the series."
    else:
        p.plan.status = TreatmentPlan.Status.COMPLETED
