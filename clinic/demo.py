"""Demo data for a developer's machine: staff for each role, rooms, hours, patients, plans.

Idempotent: every row is found by a natural key before it is created, and the plans and
visits are made once (with the first run's clock), so running it again changes nothing. Never
used with DEBUG off.

The plans and visits go through the clinic's services (`clinic.demo_visits`), around a demo
day worked out from the clock (`clinic.demo_day`): today's list has a patient seen earlier,
one checked in and others to arrive; three patients have a whole series recorded; six more
have a series planned with its first session booked. Patients' concerns are skin concerns
only (`Indication.is_skin_concern`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from clinic import roles
from clinic.demo_day import DemoDay, Stage, plan_demo_day
from clinic.demo_visits import (
    DemoDataError,
    DemoPlan,
    Lane,
    Visit,
    book_consultation,
    depth_for,
    replay,
    screening_for,
)
from clinic.models import Closure, OpeningHours, Practitioner, Room
from evidence.models import GradingScale, Indication, Protocol
from patients.models import BodyArea, Patient, SkinConcern
from treatments.booking.selectors import clinic_calendar, opening_hours
from treatments.models import Consultation, TreatmentPlan
from treatments.rules.limits import ANAESTHETIC_LEAD
from treatments.rules.spacing import series_dates


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str
    practitioner: bool = False
    dermatologist: bool = False


DEMO_LOGINS = (
    DemoLogin(
        "dermatologist",
        "derm-demo-Collagen-26",
        roles.DERMATOLOGIST,
        "Ada",
        "Adeyemi",
        practitioner=True,
        dermatologist=True,
    ),
    DemoLogin("frontdesk", "desk-demo-Booking-26", roles.FRONT_DESK, "Sam", "Okafor"),
    DemoLogin("clinicadmin", "admin-demo-Records-26", roles.CLINIC_ADMIN, "Priya", "Shah"),
    DemoLogin(
        "dr.carter",
        "carter-demo-Needle-26",
        roles.DERMATOLOGIST,
        "Ben",
        "Carter",
        practitioner=True,
        dermatologist=True,
    ),
    DemoLogin(
        "dr.evans",
        "evans-demo-Serum-26",
        roles.DERMATOLOGIST,
        "Chloe",
        "Evans",
        practitioner=True,
        dermatologist=True,
    ),
)

ROOMS = (("Room 1", False), ("Room 2", False), ("Room 3 — RF", True))
HOURS = [(weekday, dt.time(9), dt.time(18)) for weekday in range(5)] + [
    (5, dt.time(9), dt.time(13))
]

#: Given names by the sex recorded with them: a demo where "Noah" is recorded female is not
#: believable.
GIVEN = {
    "female": [
        "Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Sofia", "Layla", "Zara", "Aisha",
        "Mei", "Anna", "Katarzyna", "Priya",
    ],
    "male": [
        "Noah", "Oliver", "George", "Arthur", "Leo", "Harry", "Mohammed", "Yusuf", "Chen",
        "Lucas", "Mateo",
    ],
}  # fmt: skip
FAMILY = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Khan",
    "Nguyen",
    "Wang",
    "Kowalski",
    "Silva",
    "Okoro",
    "Murphy",
    "O'Brien",
    "Evans",
    "Thomas",
    "Roberts",
    "Hughes",
    "Ali",
    "Hussain",
    "Lewis",
    "Walker",
]

#: Where each indication is usually treated.
AREAS = {
    "wrinkles": [BodyArea.FACE, BodyArea.NECK, BodyArea.DECOLLETAGE],
    "atrophic-acne-scars": [BodyArea.FACE, BodyArea.BACK],
    "hypertrophic-scars": [BodyArea.ARMS, BodyArea.ABDOMEN, BodyArea.FACE],
    "keloids": [BodyArea.DECOLLETAGE, BodyArea.BACK],
    "striae-distensae": [BodyArea.ABDOMEN, BodyArea.THIGHS, BodyArea.ARMS],
    "androgenetic-alopecia": [BodyArea.SCALP],
    "alopecia-areata": [BodyArea.SCALP],
    "melasma": [BodyArea.FACE],
}

#: Androgenetic alopecia is graded on Hamilton–Norwood in men and Ludwig in women.
SCALE_BY_SEX = {"androgenetic-alopecia": {"male": "S12", "female": "S13"}}

PATIENT_COUNT = 50

#: The three whole series recorded (short, plain-microneedling protocols).
WHOLE_SERIES = ("atrophic-acne-scars", "melasma", "wrinkles")
#: Series planned ahead, each with its first session booked.
PLANNED_SERIES = 6
#: Times of day of the demo's past sessions: 09:30, 11:00 and 12:00 end by 13:00 even when the
#: longest procedure (60 min) falls on a Saturday, and never overlap in one lane.
HISTORY_TIMES = (dt.time(9, 30), dt.time(11), dt.time(12))


def _users(counts: Counter[str]) -> dict[str, User]:
    users = {}
    for login in DEMO_LOGINS:
        user, created = User.objects.get_or_create(
            username=login.username,
            defaults={
                "first_name": login.first_name,
                "last_name": login.last_name,
                "email": f"{login.username}@clinic.example",
                "is_staff": True,
            },
        )
        if created:
            user.set_password(login.password)
            user.save(update_fields=["password"])
            counts["users"] += 1
        user.groups.add(Group.objects.get(name=login.role))
        if login.practitioner:
            _, made = Practitioner.objects.get_or_create(
                user=user, defaults={"is_dermatologist": login.dermatologist}
            )
            counts["practitioners"] += made
        users[login.username] = user
    return users


def _clinic(counts: Counter[str]) -> None:
    for name, rf in ROOMS:
        counts["rooms"] += Room.objects.get_or_create(name=name, defaults={"has_rf_device": rf})[1]
    for weekday, opens, closes in HOURS:
        counts["opening hours"] += OpeningHours.objects.get_or_create(
            weekday=weekday, opens=opens, defaults={"closes": closes}
        )[1]
    year = timezone.localdate().year
    counts["closures"] += Closure.objects.get_or_create(
        reason="Christmas and Boxing Day",
        defaults={"start_date": dt.date(year, 12, 25), "end_date": dt.date(year, 12, 26)},
    )[1]


def _grade(scale: GradingScale | None, rng: random.Random) -> str:
    if scale is None:
        return ""
    if scale.kind == GradingScale.Kind.LEVELS:
        return rng.choice(scale.level_values()[1:] or scale.level_values())
    if scale.kind == GradingScale.Kind.RANGE and scale.range_max is not None:
        low, high = int(scale.range_min or 0), int(scale.range_max)
        return str(rng.randint(low + (high - low) // 4, high - (high - low) // 4))
    return ""


def _patients(counts: Counter[str]) -> list[SkinConcern]:
    rng = random.Random(2026)  # same demo every time  # noqa: S311 - not security
    indications = list(
        Indication.objects.filter(is_skin_concern=True)
        .prefetch_related("grading_scales")
        .order_by("slug")
    )
    # How general each scale is (Fitzpatrick and pain apply to every indication).
    breadth = dict(GradingScale.objects.annotate(n=Count("indications")).values_list("pk", "n"))
    every = Indication.objects.count()
    if not indications:
        raise DemoDataError("The knowledge base is empty: run `manage.py load_knowledge` first.")
    today = timezone.localdate()
    concerns = []
    for number in range(1, PATIENT_COUNT + 1):
        email = f"patient{number:02d}@demo.invalid"
        age = rng.randint(22, 74)
        sex = rng.choice([Patient.Sex.FEMALE, Patient.Sex.FEMALE, Patient.Sex.MALE])
        patient, created = Patient.objects.get_or_create(
            email=email,
            defaults={
                "given_name": rng.choice(GIVEN[sex]),
                "family_name": rng.choice(FAMILY),
                "date_of_birth": today - dt.timedelta(days=age * 365 + rng.randint(0, 364)),
                "sex": sex,
                "phone": f"+44207946{number:04d}",  # Ofcom's range for drama, stored in E.164
                "fitzpatrick_type": rng.randint(1, 6),
            },
        )
        counts["patients"] += created
        # Every skin concern appears: patient n starts with skin indication n mod 8.
        indication = indications[(number - 1) % len(indications)]
        # The indication's own scale: general ones (Fitzpatrick, pain) are no baseline grade.
        scales = sorted(
            (
                s
                for s in indication.grading_scales.all()
                if s.kind != "descriptive" and breadth[s.pk] < every
            ),
            key=lambda s: (breadth[s.pk], s.code),
        )
        by_sex = SCALE_BY_SEX.get(indication.slug, {}).get(patient.sex)
        scale = next((s for s in scales if s.code == by_sex), scales[0] if scales else None)
        area = rng.choice(AREAS.get(indication.slug, [BodyArea.OTHER]))
        grade = _grade(scale, rng)
        # The patient's demo concern, whatever a run before this one recorded.
        concern = SkinConcern.objects.filter(patient=patient).order_by("pk").first()
        if concern is None:
            concern = SkinConcern.objects.create(
                patient=patient,
                indication=indication,
                body_area=area,
                grading_scale=scale,
                baseline_grade=grade,
            )
            counts["concerns"] += 1
        concerns.append(concern)
    return concerns


def _lanes(users: dict[str, User]) -> list[Lane]:
    """Each demo dermatologist in a room of their own, in DEMO_LOGINS' order."""
    rooms = list(Room.objects.filter(name__in=[name for name, _ in ROOMS]).order_by("name"))
    people = [users[login.username] for login in DEMO_LOGINS if login.practitioner]
    return [
        Lane(user=user, practitioner=user.practitioner, room=room)
        for user, room in zip(people, rooms, strict=True)
    ]


def _plannable(concern: SkinConcern, lane: Lane, today: dt.date) -> DemoPlan | None:
    """The concern's evidence-based plain-microneedling protocol, if it has one a demo plan can
    take as it stands, and the screening that plans it without an override."""
    protocol = (
        Protocol.objects.filter(
            indication=concern.indication, modality="mn", physician_defined=False
        )
        .order_by("code")
        .first()
    )
    if (
        protocol is None
        or protocol.default_sessions is None
        or protocol.default_interval_days is None
        or protocol.depth_max_mm is None
    ):
        return None
    screening = screening_for(concern, protocol, depth_for(protocol))
    if screening is None:
        return None
    return DemoPlan(
        concern=concern,
        protocol=protocol,
        screening=screening,
        sessions=protocol.default_sessions,
        interval=protocol.default_interval_days,
        lane=lane,
        start_date=today,
    )


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def _demo_day(now: dt.datetime) -> DemoDay:
    return plan_demo_day(
        now=timezone.localtime(now),
        hours=opening_hours(),
        calendar=clinic_calendar(),
        procedure=dt.timedelta(minutes=max(settings.PROCEDURE_MINUTES.values())),
        lead=ANAESTHETIC_LEAD,
        consultation=dt.timedelta(minutes=settings.CONSULTATION_MINUTES),
        grid=dt.timedelta(minutes=settings.SLOT_GRID_MINUTES),
    )


def _plans(concerns: list[SkinConcern], users: dict[str, User], counts: Counter[str]) -> str:
    """The demo's plans and visits, once: a later run finds them and changes nothing."""
    demo = [c.pk for c in concerns]
    patients = [c.patient_id for c in concerns]
    if (
        TreatmentPlan.objects.filter(concern__in=demo).exists()
        or Consultation.objects.filter(patient__in=patients).exists()
    ):
        return ""
    lanes, desk = _lanes(users), users["frontdesk"]
    calendar = clinic_calendar()
    now = timezone.localtime()
    today = now.date()
    day = _demo_day(now)
    taken: set[int] = set()

    def plan_for(slug: str | None = None) -> DemoPlan:
        """The next demo concern (of this indication) a plan can be made for, in lane 0."""
        for concern in concerns:
            if concern.pk in taken or (slug and concern.indication.slug != slug):
                continue
            taken.add(concern.pk)  # looked at once, planned or not
            found = _plannable(concern, lanes[0], today)
            if found:
                return found
        raise DemoDataError(f"No demo patient can be planned for {slug or 'a series'}.")

    plans: list[DemoPlan] = []
    # Three whole series, the last session one, two and three weeks ago.
    for index, slug in enumerate(WHOLE_SERIES):
        plan = plan_for(slug)
        sessions, interval = plan.sessions, plan.interval
        last = today - dt.timedelta(days=7 * (index + 1))
        start = calendar.next_open_day(last - dt.timedelta(days=interval * (sessions - 1)))
        dates = series_dates(start, sessions, interval, calendar)
        while dates[-1] >= today:  # closed days pushed the series into today: start earlier
            start = calendar.next_open_day(start - dt.timedelta(days=7))
            dates = series_dates(start, sessions, interval, calendar)
        plan.lane, plan.start_date = lanes[index], start
        plan.visits = [Visit(_at(d, HISTORY_TIMES[0]), Stage.COMPLETED) for d in dates]
        plans.append(plan)
    # The demo day: the patient seen earlier and one arriving later are on their second
    # session (the first recorded weeks ago); the others start their series.
    second = 0
    to_arrive = 0
    for appointment in day.appointments:
        if appointment.consultation:
            continue
        plan = plan_for()
        sessions, interval = plan.sessions, plan.interval
        to_arrive += appointment.stage is Stage.TO_ARRIVE
        prior = int(appointment.stage is Stage.COMPLETED or to_arrive == 2)
        session_day = appointment.starts_at.date()
        start = calendar.next_open_day(session_day - dt.timedelta(days=interval * prior))
        dates = series_dates(start, sessions, interval, calendar)
        plan.lane, plan.start_date = lanes[appointment.lane], start
        if prior:
            plan.visits.append(Visit(_at(dates[0], HISTORY_TIMES[1 + second]), Stage.COMPLETED))
        plan.visits.append(Visit(appointment.starts_at, appointment.stage))
        plan.visits += [Visit(None) for _ in range(sessions - len(plan.visits))]
        second += prior
        plans.append(plan)
    # Series planned ahead, the first session booked a week or two from now.
    for number in range(1, PLANNED_SERIES + 1):
        plan = plan_for()
        start = today + dt.timedelta(days=7 + number)
        while start.weekday() >= 5 or not calendar.is_open(start):
            start += dt.timedelta(days=1)
        plan.start_date = start
        plan.visits = [Visit(_at(start, dt.time(9 + number)))]
        plan.visits += [Visit(None) for _ in range(plan.sessions - 1)]
        plans.append(plan)
    for plan in plans:
        replay(plan, desk=desk)
        counts["plans"] += 1
        counts["sessions"] += len(plan.visits)
    for appointment in day.appointments:
        if appointment.consultation:
            patient_concern = next(c for c in reversed(concerns) if c.pk not in taken)
            taken.add(patient_concern.pk)
            book_consultation(
                concern=patient_concern,
                starts_at=appointment.starts_at,
                lane=lanes[appointment.lane],
                desk=desk,
                booked_at=appointment.starts_at - dt.timedelta(days=7),
            )
            counts["consultations"] += 1
    return day.note


@transaction.atomic
def seed_demo() -> tuple[Counter[str], str]:
    """Seed the demo; the counts of what was created, and where the demo day's arrivals are
    (empty when nothing was created)."""
    counts: Counter[str] = Counter()
    users = _users(counts)
    _clinic(counts)
    concerns = _patients(counts)
    note = _plans(concerns, users, counts)
    return +counts, note  # drop the zero counts
