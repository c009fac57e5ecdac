"""A grade reads the same wherever it is shown: its number, its meaning and its scale
(evidence.scales.grade_label), on the concern form, the patient page and the planning steps."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from evidence.models import GradingScale, Indication
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_concern_form_numbers_every_aa_iga_grade(dermatologist: Client) -> None:
    patient = factories.PatientFactory()
    html = dermatologist.get(reverse("concern-create", args=[patient.public_id])).content.decode()
    shown = re.findall(r'<option value="S16:\d"[^>]*>([^<]*)</option>', html)
    assert shown == [
        "0 — No hair loss (SALT 0)",
        "1 — Limited (SALT 1–20)",
        "2 — Moderate (SALT 21–49)",
        "3 — Severe (SALT 50–94)",
        "4 — Very severe (SALT 95–100)",
    ]


def test_the_patient_page_shows_a_baseline_with_its_meaning_and_its_scale(
    dermatologist: Client,
) -> None:
    concern = factories.SkinConcernFactory(
        indication=Indication.objects.get(slug="alopecia-areata"),
        grading_scale=GradingScale.objects.get(code="S16"),
        baseline_grade="3",
    )
    page = dermatologist.get(reverse("patient-detail", args=[concern.patient.public_id]))
    assert "<td>3 — Severe (SALT 50–94) (AA-IGA)</td>" in page.content.decode()
    steps = dermatologist.get(
        reverse("plan-parameters", args=[concern.patient.public_id, concern.public_id])
    )
    assert "baseline 3 — Severe (SALT 50–94) (AA-IGA)" in steps.content.decode()


def test_a_score_reads_against_its_scales_top_without_an_exponent(dermatologist: Client) -> None:
    # SALT runs to 100.00, which Decimal.normalize() alone writes "1E+2".
    concern = factories.SkinConcernFactory(
        indication=Indication.objects.get(slug="alopecia-areata"),
        grading_scale=GradingScale.objects.get(code="S15"),
        baseline_grade="63",
    )
    page = dermatologist.get(reverse("patient-detail", args=[concern.patient.public_id]))
    assert "<td>63 of 100 % (SALT)</td>" in page.content.decode()
