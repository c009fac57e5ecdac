"""A session blocked at check-in by a cold sore is not a dead end: the front desk re-screens
the patient once it has cleared and books the session again."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, screenshot
from tests.e2e.test_first_visit import log_in
from tests.e2e.test_layout import Checker

COLD_SORE = "(C02)"  # "Active herpes simplex lesion in or near the treatment area (C02)"


def answer(page: Page, *, yes: str = "") -> None:
    """No to every question (yes to the one whose label ends `yes`), flags acknowledged."""
    for question in page.locator("fieldset.question").all():
        said = "Yes" if yes and yes in question.locator("legend").first.inner_text() else "No"
        question.get_by_label(said, exact=True).check()
    for ack in page.locator("input[name^=ack_]").all():
        ack.check()


#: Today's arrival, made from a demo booking (the demo's own today list depends on the hour):
#: session 1 of an active plan, moved to 07:00 today, before opening, so it clashes with nothing.
ARRIVAL_TODAY = """
import datetime as dt
from django.utils import timezone
from treatments.models import TreatmentSession
session = TreatmentSession.objects.filter(
    status="booked", number=1, plan__status="active", starts_at__gt=timezone.now()
).order_by("starts_at").first()
start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(7)))
TreatmentSession.objects.filter(pk=session.pk).update(
    starts_at=start, ends_at=start + (session.ends_at - session.starts_at), target_date=start.date()
)
print(session.public_id)
"""


def arrival_today(tmp_path_factory: pytest.TempPathFactory) -> str:
    # The server's database (conftest's app_url): the newest, should a temp dir be reused.
    database = max(
        tmp_path_factory.getbasetemp().glob("e2e*/e2e.sqlite3"), key=lambda p: p.stat().st_mtime
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", ARRIVAL_TODAY],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout.strip().splitlines()[-1]


def shots(page: Page, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert scroll <= inner, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_session_blocked_by_a_cold_sore_is_rescreened_clear_and_booked_again(
    page: Page, app_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    session_url = f"{app_url}/sessions/{arrival_today(tmp_path_factory)}/"
    log_in(page, app_url, "frontdesk")
    page.goto(f"{app_url}/today/")
    page.locator(f"a[href='{session_url.removeprefix(app_url)}check-in/']").click()
    page.get_by_role("link", name="Something changed — screen again").click()
    answer(page, yes=COLD_SORE)
    page.get_by_role("button", name="Screen and check in").click()
    expect(
        page.get_by_text(re.compile("Session blocked: Contraindication at check-in"))
    ).to_be_visible()

    # The session's page says what blocked it, who and when, and the way on.
    page.goto(session_url)
    block = page.locator("section.blocked")
    expect(block.get_by_role("heading", name="Blocked by a contraindication")).to_be_visible()
    expect(block.get_by_text(re.compile(r"Active herpes simplex.*\(C02\)"))).to_be_visible()
    expect(block.get_by_text(re.compile(r"Found at check-in on .* by "))).to_be_visible()
    shots(page, "blocked-session")
    desk = Checker(page, app_url, "frontdesk")
    desk.check("blocked-session")

    # Later, the cold sore has healed: re-screened clear, the session goes on to booking.
    block.get_by_role("link", name="Re-screen").click()
    expect(page.get_by_role("heading", name=re.compile("Re-screen for session"))).to_be_visible()
    desk.check("rescreen")
    shots(page, "blocked-session-rescreen")
    answer(page)
    page.get_by_role("button", name="Re-screen").click()
    expect(page.get_by_text(re.compile("can be booked again"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"Book session \d+ of \d+"))).to_be_visible()

    # Booked into the first free slot of its window, later sessions shifted if they must be.
    if not page.locator("table.slots button").count():
        for day in page.locator("nav.day-picker a").all():
            day.click()
            if page.locator("table.slots button").count():
                break
    page.locator("table.slots button").first.click()
    confirm = page.get_by_role("button", name="Move and shift the later sessions")
    if confirm.count():
        confirm.click()
    expect(page.get_by_text(re.compile(r"Session \d+ booked"))).to_be_visible()
    page.goto(session_url)
    expect(page.locator("h1 .tag")).to_have_text("Booked")
    expect(page.locator("section.blocked")).to_have_count(0)
    # The block stays on record in the session's screenings.
    expect(page.get_by_role("heading", name="This session's screenings")).to_be_visible()
    shots(page, "blocked-session-rebooked")
    desk.check("rebooked-session")
    desk.assert_clean()
