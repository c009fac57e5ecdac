"""A concern is graded only on its indication's own severity scale (evidence.scales), on the
page, over the API and in the admin; a baseline grade is one of the scale's grades."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from evidence.models import GradingScale, Indication
from patients.models import SkinConcern
from tests import factories
from tests.api_helpers import assert_error, post

pytestmark = pytest.mark.django_db


def scale(code: str) -> GradingScale:
    return GradingScale.objects.get(code=code)


def indication(slug: str) -> Indication:
    return Indication.objects.get(slug=slug)


# --- The page --------------------------------------------------------------------------------


def test_the_page_offers_each_indications_own_scales_and_their_grades(
    dermatologist: Client,
) -> None:
    patient = factories.PatientFactory()
    page = dermatologist.get(reverse("concern-create", args=[patient.public_id]))
    assert page.status_code == 200
    form = page.context["form"]
    offered = {s.code for s in form.fields["grading_scale"].queryset}
    assert offered == {"S01", "S02", "S04", "S05", "S06", "S10", "S12", "S13", "S15", "S16"}
    html = page.content.decode()
    assert '<optgroup label="Wrinkles' in html
    assert "Fitzpatrick skin phototype" not in html and "Pain visual analogue" not in html
    assert 'value="S06:3"' in html and 'value="S05:II"' in html


def _post(client: Client, patient: factories.Patient, **values: object) -> Any:
    data = {"indication": indication("wrinkles").pk, "body_area": "face", **values}
    return client.post(reverse("concern-create", args=[patient.public_id]), data)


def test_the_page_refuses_the_skin_phototype_as_a_wrinkles_grade(dermatologist: Client) -> None:
    """The issue's "wrinkles, baseline Fitzpatrick V": refused, nothing saved."""
    patient = factories.PatientFactory()
    response = _post(dermatologist, patient, grading_scale=scale("S09").pk, baseline_grade="S09:V")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "grading_scale" in errors and "baseline_grade" in errors
    assert not SkinConcern.objects.exists()


def test_the_page_refuses_another_indications_scale_and_another_scales_grade(
    dermatologist: Client,
) -> None:
    patient = factories.PatientFactory()
    melasma_scale = _post(
        dermatologist, patient, grading_scale=scale("S10").pk, baseline_score="12"
    )
    assert "not a grading scale for Wrinkles" in melasma_scale.content.decode()
    wrong_grade = _post(
        dermatologist, patient, grading_scale=scale("S05").pk, baseline_grade="S06:3"
    )
    assert "baseline_grade" in wrong_grade.context["form"].errors
    assert not SkinConcern.objects.exists()


def test_a_named_grade_records_its_scale(dermatologist: Client) -> None:
    patient = factories.PatientFactory()
    response = _post(dermatologist, patient, baseline_grade="S06:3")
    assert response.status_code == 302, response.context and response.context["form"].errors
    concern = SkinConcern.objects.select_related("grading_scale").get()
    assert (concern.grading_scale, concern.baseline_grade) == (scale("S06"), "3")


def test_a_numeric_score_is_typed_and_checked_against_its_range(dermatologist: Client) -> None:
    patient = factories.PatientFactory()
    data = {"indication": indication("melasma").pk, "grading_scale": scale("S10").pk}
    url = reverse("concern-create", args=[patient.public_id])
    too_high = dermatologist.post(url, {**data, "body_area": "face", "baseline_score": "40"})
    assert "goes up to 24" in str(too_high.context["form"].errors["baseline_score"])
    a_grade = dermatologist.post(url, {**data, "body_area": "face", "baseline_grade": "S06:3"})
    assert "baseline_grade" in a_grade.context["form"].errors
    assert not SkinConcern.objects.exists()
    saved = dermatologist.post(url, {**data, "body_area": "face", "baseline_score": "12.5"})
    assert saved.status_code == 302
    assert SkinConcern.objects.get().baseline_grade == "12.5"


def test_a_score_on_a_scale_of_named_grades_is_refused(dermatologist: Client) -> None:
    patient = factories.PatientFactory()
    response = _post(dermatologist, patient, grading_scale=scale("S06").pk, baseline_score="3")
    assert "has named grades" in str(response.context["form"].errors["baseline_score"])
    assert not SkinConcern.objects.exists()


def test_the_patient_page_form_offers_the_same_scales(dermatologist: Client) -> None:
    patient = factories.PatientFactory()
    html = dermatologist.get(reverse("patient-detail", args=[patient.public_id])).content.decode()
    assert 'value="S06:3"' in html and "Fitzpatrick skin phototype" not in html


# --- The API ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "code", "grade", "field"),
    [
        ("wrinkles", "S09", "V", "grading_scale"),  # the skin phototype
        ("melasma", "S20", "5", "grading_scale"),  # pain
        ("wrinkles", "S08", "", "grading_scale"),  # GAIS: no single grade
        ("wrinkles", "S10", "5", "grading_scale"),  # melasma's scale
        ("wrinkles", "S06", "9", "baseline_grade"),  # not one of Lemperle's grades
        ("wrinkles", "S06", "three", "baseline_grade"),
    ],
)
def test_the_api_refuses_a_scale_that_does_not_grade_the_concern(
    dermatologist: Client, slug: str, code: str, grade: str, field: str
) -> None:
    patient = factories.PatientFactory()
    body = assert_error(
        post(
            dermatologist,
            f"/api/patients/{patient.public_id}/concerns/",
            {
                "indication": slug,
                "body_area": "face",
                "grading_scale": code,
                "baseline_grade": grade,
            },
        ),
        400,
        "invalid",
        field,
    )
    assert body["fields"][field]
    assert not SkinConcern.objects.exists()


def test_the_api_records_a_grade_on_the_indications_own_scale(dermatologist: Client) -> None:
    patient = factories.PatientFactory()
    response = post(
        dermatologist,
        f"/api/patients/{patient.public_id}/concerns/",
        {
            "indication": "wrinkles",
            "body_area": "face",
            "grading_scale": "S06",
            "baseline_grade": "3",
        },
    )
    assert response.status_code == 201, response.content
    assert SkinConcern.objects.get().grading_scale == scale("S06")


# --- The admin and the model -----------------------------------------------------------------


def test_the_admin_offers_only_scales_that_grade_a_concern(clinic_admin: Client) -> None:
    page = clinic_admin.get(reverse("admin:patients_skinconcern_add"))
    assert page.status_code == 200
    offered = {s.code for s in page.context["adminform"].form.fields["grading_scale"].queryset}
    assert "S06" in offered and not offered & {"S08", "S09", "S20"}


def test_the_models_check_refuses_a_general_scale() -> None:
    concern = SkinConcern(
        patient=factories.PatientFactory(),
        indication=indication("wrinkles"),
        body_area="face",
        grading_scale=scale("S09"),
        baseline_grade="V",
    )
    with pytest.raises(Exception, match="does not grade a concern"):
        concern.full_clean()


def test_the_migration_moves_a_general_grade_into_the_notes() -> None:
    """A concern saved before the rule keeps what was recorded, as a note, and validates."""
    old = factories.SkinConcernFactory(grading_scale=scale("S09"), baseline_grade="V", notes="Hi")
    kept = factories.SkinConcernFactory(grading_scale=scale("S06"), baseline_grade="3")
    migration = importlib.import_module(
        "patients.migrations.0011_concerns_not_graded_on_general_scales"
    )
    migration.move_general_grades_to_notes(apps, None)
    old.refresh_from_db()
    kept.refresh_from_db()
    assert (old.grading_scale, old.baseline_grade) == (None, "")
    assert old.notes == "Hi\nBaseline recorded on Fitzpatrick skin phototype: V."
    old.full_clean()
    assert (kept.grading_scale, kept.baseline_grade) == (scale("S06"), "3")
