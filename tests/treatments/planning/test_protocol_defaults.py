"""Choosing a protocol on the parameters step fills in its defaults: the page's script reads
them from a JSON element, and without JavaScript "Use this protocol's defaults" re-renders the
form with them, saving nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from evidence.models import Indication, Protocol
from patients.models import SkinConcern
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2027, 2, 24, 8, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def concern(clinic_open: None) -> SkinConcern:
    return factories.SkinConcernFactory(indication=Indication.objects.get(slug="wrinkles"))


def url(concern: SkinConcern) -> str:
    return reverse("plan-parameters", args=[concern.patient.public_id, concern.public_id])


def test_the_page_carries_each_protocols_defaults_and_its_script(
    dermatologist: Client, concern: SkinConcern
) -> None:
    html = dermatologist.get(url(concern)).content.decode()
    found = re.search(
        r'<script id="protocol-defaults" type="application/json">(.*?)</script>', html
    )
    assert found, "the defaults' JSON element"
    defaults = json.loads(found.group(1))
    mn, rf = Protocol.objects.get(code="IND-01"), Protocol.objects.get(code="IND-02")
    assert defaults[str(mn.pk)] == {"sessions": "4", "interval_days": "30", "depth_mm": "1.50"}
    assert defaults[str(rf.pk)] == {"sessions": "3", "interval_days": "30", "depth_mm": "2.00"}
    assert 'src="/static/clinic/protocol-defaults.js"' in html
    assert "<script>" not in html  # no inline script: the CSP allows only this server's files
    assert 'name="use_protocol"' in html


def test_the_script_is_a_static_file_without_inline_handlers() -> None:
    script = Path(settings.BASE_DIR, "clinic/static/clinic/protocol-defaults.js").read_text()
    assert "protocol-defaults" in script and "eval(" not in script


def test_without_javascript_using_a_protocol_re_renders_its_defaults_and_saves_nothing(
    dermatologist: Client, concern: SkinConcern
) -> None:
    rf = Protocol.objects.get(code="IND-02")
    response = dermatologist.post(
        url(concern),
        {
            "protocol": rf.pk,
            "sessions": "4",  # the first protocol's, as the page showed them
            "interval_days": "30",
            "depth_mm": "1.50",
            "start_date": "2027-03-08",
            "departure_reason": "Patient prefers Mondays",
            "use_protocol": "1",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert form.initial["protocol"] == rf
    assert (form.initial["sessions"], form.initial["interval_days"]) == (3, 30)
    assert str(form.initial["depth_mm"]) == "2.00"
    assert form.initial["start_date"] == dt.date(2027, 3, 8)  # as typed
    assert form.initial["departure_reason"] == "Patient prefers Mondays"
    html = response.content.decode()
    assert 'name="sessions" value="3"' in html
    assert re.search(rf'<input type="radio" name="protocol" value="{rf.pk}"[^>]* checked', html)
    assert "plan-draft:" + str(concern.public_id) not in dermatologist.session


def test_using_no_protocol_is_refused_by_name(dermatologist: Client, concern: SkinConcern) -> None:
    response = dermatologist.post(url(concern), {"use_protocol": "1"})
    assert response.status_code == 200
    assert "protocol" in response.context["form"].errors


def test_continuing_still_saves_the_draft_and_moves_on(
    dermatologist: Client, concern: SkinConcern
) -> None:
    mn = Protocol.objects.get(code="IND-01")
    response = dermatologist.post(
        url(concern),
        {
            "protocol": mn.pk,
            "sessions": "4",
            "interval_days": "30",
            "depth_mm": "1.0",
            "start_date": "2027-03-01",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/screening/")
