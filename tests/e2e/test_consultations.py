"""The front desk books a new patient's consultation on a day the demo has a session booked, and
finds it on the day grid beside the session, labelled, at a laptop's and a phone's width."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_first_visit import log_in


def _serious(page: Any) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def test_a_consultation_sits_on_the_day_grid_beside_a_session(page, app_url: str) -> None:  # noqa: ANN001
    log_in(page, app_url, "frontdesk")
    sessions = page.request.get(f"{app_url}/api/sessions/").json()
    booked = next(s for s in sessions["results"] if s["status"] == "booked")
    day = booked["starts_at"][:10]

    # A new patient waiting for a first consultation, from the front desk's worklist.
    page.goto(f"{app_url}/")
    waiting = page.locator("#wl-consult").locator("xpath=..")
    patient = waiting.locator("li a").first.inner_text()
    waiting.get_by_role("link", name=f"Book a consultation for {patient}").click()
    page.goto(f"{page.url}?day={day}")
    page.get_by_label("What the patient comes about").fill("Acne scars, wants options")
    page.get_by_role("button", name="Book the consultation").click()
    expect(page.get_by_text("Consultation booked")).to_be_visible()

    page.goto(f"{app_url}/calendar/practitioners/?date={day}")
    grid = page.locator("table.calendar-grid")
    consultation = grid.locator("td.kind-consultation")
    expect(consultation).to_have_count(1)
    expect(consultation.locator("em.block-kind")).to_have_text("Consultation")
    expect(consultation).to_contain_text(patient)
    expect(grid.locator("td.status-booked em.block-kind").first).to_have_text("Session")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        consultation.scroll_into_view_if_needed()
        screenshot(page, f"calendar-day-consultation-{width}")
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, (width, scroll)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert _serious(page) == []

    # Its block leads to its page; today's list of that day has it too, labelled.
    consultation.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Consultation")).to_be_visible()
    expect(page.get_by_text("Acne scars, wants options")).to_be_visible()
    assert _serious(page) == []
    page.goto(f"{app_url}/today/?date={day}")
    expect(page.locator("tr.kind-consultation")).to_have_count(1)
    expect(page.locator("tr.kind-consultation .tag-consultation")).to_have_text("Consultation")
    page.set_viewport_size({"width": 390, "height": 900})
    screenshot(page, "today-consultation-390")
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, scroll
    assert _serious(page) == []
