"""An empty list is said in plain text, never as a list item ("1. No sessions.")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import Persona

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_shows_an_empty_state_as_a_list_item() -> None:
    found = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if re.search(r"\{%\s*empty\s*%\}\s*<li", path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.django_db
def test_a_patient_without_sessions_reads_no_sessions_outside_any_list(
    front_desk: Persona,
) -> None:
    patient = factories.PatientFactory()
    page = front_desk.get(reverse("patient-detail", args=[patient.public_id])).content.decode()
    assert '<p class="muted empty">No sessions yet.</p>' in page
    assert '<ol class="timeline">' not in page
    assert not re.search(r"<li[^>]*>\s*No sessions", page)
