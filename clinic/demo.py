"""Demo data for a developer's machine: staff for each role, rooms, hours, patients, plans.

Idempotent: every row is found by a natural key before it is created, so running it again
changes nothing. Never used with DEBUG off.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from clinic import roles
from clinic.models import Closure, OpeningHours, Practitioner, Room
from evidence.models import ContraindicationRule, GradingScale, Indication, Protocol
from patients.models import BodyArea, Patient, SkinConcern
from treatments.models import Screening, ScreeningAnswer, TreatmentPlan, TreatmentSession


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
    "drug-delivery": [BodyArea.FACE, BodyArea.OTHER],
}

PATIENT_COUNT = 50


class DemoDataError(Exception):
    pass


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
    indications = list(Indication.objects.prefetch_related("grading_scales").order_by("slug"))
    # How general each scale is (Fitzpatrick and pain apply to every indication).
    breadth = dict(GradingScale.objects.annotate(n=Count("indications")).values_list("pk", "n"))
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
        # Every indication appears: patient n starts with indication n mod 9.
        indication = indications[(number - 1) % len(indications)]
        # The indication's own scale: general ones (Fitzpatrick, pain) are no baseline grade.
        scales = sorted(
            (
                s
                for s in indication.grading_scales.all()
                if s.kind != "descriptive" and breadth[s.pk] < len(indications)
            ),
            key=lambda s: (breadth[s.pk], s.code),
        )
        scale = scales[0] if scales else None
        concern, made = SkinConcern.objects.get_or_create(
            patient=patient,
            indication=indication,
            defaults={
                "body_area": rng.choice(AREAS.get(indication.slug, [BodyArea.OTHER])),
                "grading_scale": scale,
                "baseline_grade": _grade(scale, rng),
            },
        )
        counts["concerns"] += made
        concerns.append(concern)
    return concerns


def _plans(concerns: list[SkinConcern], users: dict[str, User], counts: Counter[str]) -> None:
    dermatologist = users["dermatologist"]
    practitioner = dermatologist.practitioner
    room = Room.objects.get(name="Room 1")
    today = timezone.localdate()
    planned = 0
    for concern in concerns:
        if planned == 6:
            break
        protocol = (
            Protocol.objects.filter(
                indication=concern.indication, modality="mn", physician_defined=False
            )
            .order_by("code")
            .first()
        )
        if (  # an evidence-based protocol has its defaults; the checks tell mypy so
            protocol is None
            or protocol.default_sessions is None
            or protocol.default_interval_days is None
            or protocol.depth_max_mm is None
        ):
            continue
        planned += 1
        if TreatmentPlan.objects.filter(concern=concern).exists():
            continue
        now = timezone.now()
        plan = TreatmentPlan.objects.create(
            patient=concern.patient,
            concern=concern,
            protocol=protocol,
            modality=protocol.modality,
            planned_sessions=protocol.default_sessions,
            interval_days=protocol.default_interval_days,
            needle_depth_mm=min(protocol.depth_max_mm, Decimal("1.5")),
            responsible_dermatologist=practitioner,
            status=TreatmentPlan.Status.ACTIVE,
            approved_by=dermatologist,
            approved_at=now,
            created_by=dermatologist,
        )
        counts["plans"] += 1
        screening = Screening.objects.create(
            patient=concern.patient,
            plan=plan,
            performed_by=dermatologist,
            performed_at=now,
            result=Screening.Result.CLEAR,
        )

        ScreeningAnswer.objects.bulk_create(
            ScreeningAnswer(screening=screening, rule=rule, answer=False)
            for rule in ContraindicationRule.objects.all()
            if rule.applies_to_modality(plan.modality)
        )
        first = today + dt.timedelta(days=7 + planned)
        while first.weekday() >= 5:
            first += dt.timedelta(days=1)
        for number in range(1, plan.planned_sessions + 1):
            target = first + dt.timedelta(days=plan.interval_days * (number - 1))
            booked = number == 1
            starts = (
                timezone.make_aware(dt.datetime.combine(target, dt.time(9 + planned, 0)))
                if booked
                else None
            )
            TreatmentSession.objects.create(
                plan=plan,
                number=number,
                target_date=target,
                status=TreatmentSession.Status.BOOKED
                if booked
                else TreatmentSession.Status.PLANNED,
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=45) if starts else None,
                practitioner=practitioner if booked else None,
                room=room if booked else None,
            )
            counts["sessions"] += 1


@transaction.atomic
def seed_demo() -> Counter[str]:
    counts: Counter[str] = Counter()
    users = _users(counts)
    _clinic(counts)
    concerns = _patients(counts)
    _plans(concerns, users, counts)
    return +counts  # drop the zero counts
