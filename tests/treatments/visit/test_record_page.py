"""The record page asks for a pending override once, where it says which rule needs it, and the
override given there is saved with the record."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import Persona, all_no
from treatments.models import Screening, TreatmentSession
from treatments.visit import services as visit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]


@pytest.fixture
def awaiting(
    front_desk: Persona, dermatologist: Persona, booked_today: TreatmentSession
) -> TreatmentSession:
    dermatologist.force_login(dermatologist.user)  # the clock moved past the idle logout
    visit.session_check_in(
        acting_user=front_desk.user,
        session=booked_today,
        changed=True,
        answers={**all_no(), "C04": True},
    )
    return booked_today


def test_it_asks_for_the_override_once_and_names_the_rule(
    dermatologist: Persona, awaiting: TreatmentSession
) -> None:
    page = dermatologist.get(reverse("session-record", args=[awaiting.public_id]))
    html = page.content.decode()
    assert len(re.findall(r'name="override_reason"', html)) == 1
    warning = html[
        html.index('class="warning"') : html.index("</div>", html.index('class="warning"'))
    ]
    assert 'name="override_reason"' in warning
    assert "C04" in warning


def test_the_override_typed_in_the_warning_is_saved_with_the_record(
    dermatologist: Persona, awaiting: TreatmentSession
) -> None:
    page = dermatologist.post(
        reverse("session-record", args=[awaiting.public_id]),
        {"depth_used_mm": "1.0", "override_reason": "Acne controlled; avoid pustules."},
    )
    assert page.status_code == 302, page.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.status == TreatmentSession.Status.COMPLETED
    screening = Screening.objects.get(session=awaiting)
    assert screening.override_reason == "Acne controlled; avoid pustules."


def test_every_described_field_points_at_its_help_text(
    dermatologist: Persona, awaiting: TreatmentSession
) -> None:
    html = dermatologist.get(reverse("session-record", args=[awaiting.public_id])).content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described
    for target in described:
        assert f'id="{target}"' in html, target
