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


def _a_booked_session(page: Any, app_url: str) -> dict[str, Any]:
    """The demo's first booked session, paging the API (its recorded history comes first)."""
    path: str | None = f"{app_url}/api/sessions/"
    while path:
        found = page.request.get(path).json()
        for session in found["results"]:
            if session["status"] == "booked":
                return session
        path = found["next"]
    raise AssertionError("the demo has no booked session")


def test_a_consultation_sits_on_the_day_grid_beside_a_session(page, app_url: str) -> None:  # noqa: ANN001
    log_in(page, app_url, "frontdesk")
    booked = _a_booked_session(page, app_url)
    day = booked["starts_at"][:10]

    # A new patient waiting for a first consultation, from the front desk's worklist.
    page.goto(f"{app_url}/")
    waiting = page.locator("#wl-consult").locator("xpath=..")
    patient = waiting.locator("li a").first.inner_text()
    waiting.get_by_role("link", name=f"Book a consultation for {patient}").click()
    page.goto(f"{page.url}?day={day}")
    page.get_by_label("What the patient comes about").fill("Acne scars, wants options")
    page.locator("table.slots tbody tr").first.get_by_role("button").click()
    expect(page.get_by_text("Consultation booked")).to_be_visible()

    page.goto(f"{app_url}/calendar/practitioners/?date={day}")
    grid = page.locator("table.calendar-grid")
    # The demo may hold consultations that day too: this patient's is one block.
    consultation = grid.locator("td.kind-consultation", has_text=patient)
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
    row = page.locator("tr.kind-consultation", has_text=patient)
    expect(row).to_have_count(1)
    expect(row.locator(".tag-consultation")).to_have_text("Consultation")
    page.set_viewport_size({"width": 390, "height": 900})
    screenshot(page, "today-consultation-390")
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, scroll
    assert _serious(page) == []
