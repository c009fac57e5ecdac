"""factory-boy factories for every model. Rows they make are valid by default."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from clinic.models import Closure, OpeningHours, Practitioner, PractitionerAbsence, Room
from evidence.models import (
    ContraindicationRule,
    Finding,
    GradingScale,
    Indication,
    Modality,
    Protocol,
    RuleSeverity,
    Study,
)
from patients.models import BodyArea, Patient, PatientAccess, SkinConcern
from treatments.models import (
    Consultation,
    PlanRefusal,
    Screening,
    ScreeningAnswer,
    TreatmentPlan,
    TreatmentSession,
)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@clinic.example")
    password = factory.django.Password("correct-horse-battery-staple")

    @factory.post_generation
    def groups(self, create: bool, extracted: list[Group] | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(*extracted)


class GroupFactory(factory.django.DjangoModelFactory[Group]):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Group {n}")


class StudyFactory(factory.django.DjangoModelFactory[Study]):
    class Meta:
        model = Study

    code = factory.Sequence(lambda n: f"test-study-{n}")
    authors = factory.Sequence(lambda n: f"Tester{n} A, Second B")
    title = factory.Sequence(lambda n: f"A study of microneedling number {n}")
    journal = "J Test Dermatol"
    year = 2020
    doi = factory.Sequence(lambda n: f"10.9999/test.{n}")
    pmid = factory.Sequence(lambda n: f"{90000000 + n}")
    design = Study.Design.RCT
    level_of_evidence = 2
    provenance = "V"
    summary = "A made-up study for tests."


class IndicationFactory(factory.django.DjangoModelFactory[Indication]):
    class Meta:
        model = Indication

    slug = factory.Sequence(lambda n: f"test-indication-{n}")
    name = factory.Sequence(lambda n: f"Test indication {n}")
    description = "For tests."


class FindingFactory(factory.django.DjangoModelFactory[Finding]):
    class Meta:
        model = Finding

    indication = factory.SubFactory(IndicationFactory)
    study = factory.SubFactory(StudyFactory)
    claim = "Improved the test outcome."
    provenance = "V"


class GradingScaleFactory(factory.django.DjangoModelFactory[GradingScale]):
    class Meta:
        model = GradingScale
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"Test scale {n}")
    records = "Severity"
    kind = GradingScale.Kind.LEVELS
    levels = factory.LazyFunction(
        lambda: [{"value": str(v), "label": f"Grade {v}"} for v in range(1, 5)]
    )
    study = factory.SubFactory(StudyFactory)
    provenance = "V"

    @factory.post_generation
    def indications(self, create: bool, extracted: list[Indication] | None, **kw: object) -> None:
        if create and extracted:
            self.indications.add(*extracted)


class ProtocolFactory(factory.django.DjangoModelFactory[Protocol]):
    class Meta:
        model = Protocol

    code = factory.Sequence(lambda n: f"TST-{n}")
    indication = factory.SubFactory(IndicationFactory)
    modality = Modality.MICRONEEDLING
    title = factory.Sequence(lambda n: f"Test protocol {n}")
    default_sessions = 4
    sessions_min = 2
    sessions_max = 6
    default_interval_days = 30
    interval_min_days = 28
    interval_max_days = 30
    depth_min_mm = Decimal("0.5")
    depth_max_mm = Decimal("1.5")
    study = factory.SubFactory(StudyFactory)
    provenance = "V"


class ContraindicationRuleFactory(factory.django.DjangoModelFactory[ContraindicationRule]):
    class Meta:
        model = ContraindicationRule

    code = factory.Sequence(lambda n: f"T{n:02d}")
    condition = "Test condition"
    question = "Does the patient have the test condition?"
    severity = ContraindicationRule.Severity.RELATIVE
    applies_to = ContraindicationRule.AppliesTo.ALL
    action = "Ask a dermatologist."
    study = factory.SubFactory(StudyFactory)
    provenance = "V"


class PatientFactory(factory.django.DjangoModelFactory[Patient]):
    class Meta:
        model = Patient

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    # Adults born 1950–1999, however many patients a test session makes.
    date_of_birth = factory.Sequence(
        lambda n: dt.date(1950, 1, 1) + dt.timedelta(days=(97 * n) % 18000)
    )
    sex = Patient.Sex.FEMALE
    phone = "+442079460123"
    email = factory.Sequence(lambda n: f"patient{n}@example.org")
    fitzpatrick_type = 3


class PatientAccessFactory(factory.django.DjangoModelFactory[PatientAccess]):
    """One logged request, naming the patients given (one new patient by default)."""

    class Meta:
        model = PatientAccess
        skip_postgeneration_save = True

    user = factory.SubFactory("tests.factories.UserFactory")
    channel = PatientAccess.Channel.PAGE
    path = "/patients/x/"
    ip_address = "192.0.2.1"
    patient_count = 1

    @factory.post_generation
    def patients(self, create: bool, extracted: list[Patient] | None, **kwargs: object) -> None:
        if create:
            access = cast(PatientAccess, self)  # factory_boy passes the object made
            named = extracted or [PatientFactory()]
            access.patients.add(*named)
            access.patient_count = len(named)
            access.save(update_fields=["patient_count"])


class SkinConcernFactory(factory.django.DjangoModelFactory[SkinConcern]):
    class Meta:
        model = SkinConcern

    patient = factory.SubFactory(PatientFactory)
    indication = factory.LazyFunction(lambda: Indication.objects.get(slug="wrinkles"))
    body_area = BodyArea.FACE


class PractitionerFactory(factory.django.DjangoModelFactory[Practitioner]):
    class Meta:
        model = Practitioner

    user = factory.SubFactory(UserFactory)
    is_dermatologist = True


class RoomFactory(factory.django.DjangoModelFactory[Room]):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Room T{n}")


class OpeningHoursFactory(factory.django.DjangoModelFactory[OpeningHours]):
    class Meta:
        model = OpeningHours

    # Distinct (weekday, opens) pairs that never overlap: 7 weekdays x 30-minute slots.
    weekday = factory.Sequence(lambda n: n % 7)
    # Wraps after 20 hours: one process may make hundreds (pytest-xdist workers run many tests).
    opens = factory.Sequence(lambda n: dt.time(((n // 7) // 2) % 20, 30 * ((n // 7) % 2)))
    closes = factory.LazyAttribute(
        lambda o: (
            dt.datetime.combine(dt.date(2000, 1, 1), o.opens) + dt.timedelta(minutes=29)
        ).time()
    )


class ClosureFactory(factory.django.DjangoModelFactory[Closure]):
    class Meta:
        model = Closure

    start_date = factory.Sequence(lambda n: dt.date(2030, 1, 1) + dt.timedelta(days=3 * n))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=1))
    reason = "Training day"


class TreatmentPlanFactory(factory.django.DjangoModelFactory[TreatmentPlan]):
    class Meta:
        model = TreatmentPlan

    concern = factory.SubFactory(SkinConcernFactory)
    patient = factory.SelfAttribute("concern.patient")
    protocol = factory.LazyFunction(lambda: Protocol.objects.get(code="IND-01"))
    modality = factory.SelfAttribute("protocol.modality")
    planned_sessions = 4
    interval_days = 30
    needle_depth_mm = Decimal("1.0")
    responsible_dermatologist = factory.SubFactory(PractitionerFactory)
    status = TreatmentPlan.Status.ACTIVE
    approved_by = factory.SelfAttribute("responsible_dermatologist.user")
    approved_at = factory.LazyFunction(timezone.now)


class TreatmentSessionFactory(factory.django.DjangoModelFactory[TreatmentSession]):
    class Meta:
        model = TreatmentSession

    plan = factory.SubFactory(TreatmentPlanFactory)
    number = 1
    target_date = dt.date(2030, 3, 4)
    status = TreatmentSession.Status.PLANNED


class BookedSessionFactory(TreatmentSessionFactory):
    status = TreatmentSession.Status.BOOKED
    practitioner = factory.SubFactory(PractitionerFactory)
    room = factory.SubFactory(RoomFactory)
    starts_at = factory.LazyAttribute(
        lambda o: timezone.make_aware(dt.datetime.combine(o.target_date, dt.time(10)))
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=45))


class ConsultationFactory(factory.django.DjangoModelFactory[Consultation]):
    """A booked consultation in 2031, a Monday at 09:00 (clear of the test sessions)."""

    class Meta:
        model = Consultation

    patient = factory.SubFactory(PatientFactory)
    practitioner = factory.SubFactory(PractitionerFactory)
    room = factory.SubFactory(RoomFactory)
    starts_at = dt.datetime(2031, 3, 3, 9, tzinfo=dt.UTC)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=30))
    booked_by = factory.SelfAttribute("practitioner.user")


class ScreeningFactory(factory.django.DjangoModelFactory[Screening]):
    class Meta:
        model = Screening

    plan = factory.SubFactory(TreatmentPlanFactory)
    patient = factory.SelfAttribute("plan.patient")
    performed_by = factory.SelfAttribute("plan.responsible_dermatologist.user")
    performed_at = factory.LazyFunction(timezone.now)
    result = Screening.Result.CLEAR


class ScreeningAnswerFactory(factory.django.DjangoModelFactory[ScreeningAnswer]):
    class Meta:
        model = ScreeningAnswer

    screening = factory.SubFactory(ScreeningFactory)
    rule = factory.SubFactory(ContraindicationRuleFactory)
    answer = False


class PlanRefusalFactory(factory.django.DjangoModelFactory[PlanRefusal]):
    class Meta:
        model = PlanRefusal
        skip_postgeneration_save = True

    concern = factory.SubFactory(SkinConcernFactory)
    patient = factory.SelfAttribute("concern.patient")
    protocol = factory.SubFactory(
        ProtocolFactory, indication=factory.SelfAttribute("..concern.indication")
    )
    refused_by = factory.SubFactory(UserFactory)
    refused_at = factory.LazyFunction(timezone.now)
    reason = "An absolute contraindication blocks this: T00 Test condition"

    @factory.post_generation
    def rules(self, create: bool, extracted: list[ContraindicationRule] | None) -> None:
        if create:
            self.rules.set(
                extracted or [ContraindicationRuleFactory(severity=RuleSeverity.ABSOLUTE)]
            )


class PractitionerAbsenceFactory(factory.django.DjangoModelFactory[PractitionerAbsence]):
    class Meta:
        model = PractitionerAbsence

    practitioner = factory.SubFactory(PractitionerFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(days=1))
    reason = "Annual leave"
