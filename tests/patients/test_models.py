"""Patient identity and concern rules checked on entry (forms, admin, services)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from evidence.models import GradingScale, Indication
from patients.models import Patient, generate_mrn, luhn_check_digit, validate_mrn
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_generates_a_unique_mrn_with_a_valid_check_digit() -> None:
    patients = factories.PatientFactory.create_batch(20)
    mrns = [patient.mrn for patient in patients]
    assert len(set(mrns)) == 20
    for mrn in mrns:
        validate_mrn(mrn)  # raises if malformed


def test_it_catches_a_mistyped_mrn_digit() -> None:
    mrn = generate_mrn()
    body = mrn[3:11]
    wrong = str((int(body[0]) + 1) % 10) + body[1:]
    with pytest.raises(ValidationError):
        validate_mrn(f"MN-{wrong}-{mrn[-1]}")


def test_luhn_check_digit_matches_the_known_example() -> None:
    assert luhn_check_digit("7992739871") == "3"


@time_machine.travel(dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC))
@pytest.mark.parametrize(
    ("born", "message"),
    [
        (dt.date(2026, 11, 25), "cannot be in the future"),
        (dt.date(1906, 11, 23), "more than 120 years ago"),
    ],
)
def test_it_refuses_an_impossible_date_of_birth(born: dt.date, message: str) -> None:
    patient = factories.PatientFactory.build(date_of_birth=born)
    with pytest.raises(ValidationError) as error:
        patient.full_clean()
    assert message in str(error.value.message_dict["date_of_birth"])


@time_machine.travel(dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC))
def test_it_accepts_a_patient_born_today_or_120_years_ago() -> None:
    for born in (dt.date(2026, 11, 24), dt.date(1906, 11, 24)):
        factories.PatientFactory.build(date_of_birth=born).full_clean()


def test_age_on_counts_whole_years() -> None:
    patient = Patient(date_of_birth=dt.date(1990, 6, 15))
    assert patient.age_on(dt.date(2026, 6, 14)) == 35
    assert patient.age_on(dt.date(2026, 6, 15)) == 36


def test_a_concern_grade_must_be_a_grade_of_its_scale() -> None:
    wrinkles = Indication.objects.get(slug="wrinkles")
    scale = wrinkles.grading_scales.filter(kind=GradingScale.Kind.LEVELS).first()
    assert scale is not None
    concern = factories.SkinConcernFactory.build(
        patient=factories.PatientFactory(), grading_scale=scale, baseline_grade="99"
    )
    with pytest.raises(ValidationError) as error:
        concern.full_clean()
    assert "is not a grade of" in str(error.value.message_dict["baseline_grade"])
    concern.baseline_grade = scale.level_values()[1]
    concern.full_clean()


def test_a_concern_scale_must_belong_to_its_indication() -> None:
    melasma_scale = GradingScale.objects.get(code="S10")  # mMASI
    concern = factories.SkinConcernFactory.build(
        patient=factories.PatientFactory(), grading_scale=melasma_scale, baseline_grade="5"
    )
    with pytest.raises(ValidationError) as error:
        concern.full_clean()
    assert "is not a grading scale for" in str(error.value.message_dict["grading_scale"])


def test_a_numeric_scale_refuses_a_score_out_of_range() -> None:
    mmasi = GradingScale.objects.get(code="S10")
    assert mmasi.grade_error("12.5") is None
    assert "goes up to 24" in (mmasi.grade_error("30") or "")
    assert "takes a number" in (mmasi.grade_error("severe") or "")
    assert "takes a number" in (mmasi.grade_error("NaN") or "")
