"""The front desk books all four sessions of a wrinkles plan and sees them in the week view."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_first_visit import log_in
from tests.e2e.test_planning import plan_wrinkles_series


def test_front_desk_books_a_whole_series(page, app_url: str) -> None:  # noqa: ANN001
    plan_url = plan_wrinkles_series(page, app_url, "Iris", "Penhallow", shots=False)
    page.get_by_role("button", name="Log out").click()

    log_in(page, app_url, "frontdesk")
    page.goto(plan_url)
    for number in range(1, 5):
        page.get_by_role("link", name="Book", exact=True).first.click()
        expect(page.get_by_role("heading", name=f"Book session {number} of 4")).to_be_visible()
        if number == 1:
            for width in (1280, 820, 390):
                page.set_viewport_size({"width": width, "height": 900})
                screenshot(page, f"booking-day-{width}")
                # The slots fit (the menu's own width at 390 px is the header's business).
                fits = "document.querySelector('.booking-day').getBoundingClientRect().right"
                assert page.evaluate(fits) <= width
            page.set_viewport_size({"width": 1280, "height": 900})
        page.locator("table.slots button").first.click()
        expect(page.get_by_text(re.compile(f"Session {number} booked"))).to_be_visible()
    expect(page.get_by_role("link", name="Book", exact=True)).to_have_count(0)
    expect(page.get_by_text("Booked").first).to_be_visible()
    screenshot(page, "plan-fully-booked")

    # The week view of the practitioner holding session 1 shows the booking.
    page.locator("table tbody tr").first.locator("td").nth(2).get_by_role("link").first.click()
    expect(page.get_by_text(re.compile(r"week of"))).to_be_visible()
    screenshot(page, "week-view")
    expect(page.get_by_role("link", name="Iris Penhallow").first).to_be_visible()
    screenshot(page, "week-view")
    week_url = page.url
    page.get_by_role("link", name="All practitioners").click()
    expect(page.locator("table.calendar-grid thead th").nth(1)).to_be_visible()
    day_url = page.url
    for name, url in (("calendar-week", week_url), ("calendar-day", day_url)):
        page.goto(url)
        for width in (1280, 820, 390):
            page.set_viewport_size({"width": width, "height": 900})
            screenshot(page, f"{name}-{width}")
            # The grid scrolls inside its own box; the page itself does not.
            right = "document.querySelector('.calendar-grid-scroll').getBoundingClientRect().right"
            assert page.evaluate(right) <= width
        page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{app_url}/today/?date=2027-03-01")
    expect(page.get_by_role("link", name="Iris Penhallow").first).to_be_visible()
    screenshot(page, "day-list")


def test_front_desk_books_a_series_in_one_step(page, app_url: str) -> None:  # noqa: ANN001
    plan_url = plan_wrinkles_series(page, app_url, "Wren", "Tallis", shots=False)
    page.get_by_role("button", name="Log out").click()

    log_in(page, app_url, "frontdesk")
    page.goto(plan_url)
    page.get_by_role("link", name="Book the whole series").click()
    expect(page.get_by_role("heading", name="Book the whole series")).to_be_visible()
    # The plan's own dermatologist is chosen by default, as on the single booking page.
    expect(page.get_by_label("Practitioner")).to_contain_text("(the plan's dermatologist)")
    page.get_by_label("Day").fill("2027-03-01")
    page.get_by_label("Procedure time").fill("11:00")
    page.get_by_role("button", name="Show every session").click()
    expect(page.get_by_role("heading", name="Proposed sessions")).to_be_visible()
    expect(page.locator("li.series-session")).to_have_count(4)
    # Any session that cannot go at 11:00 offers alternatives: take the nearest of each.
    for _ in range(4):
        unplaced = page.locator("li.series-session.unplaced")
        if unplaced.count() == 0:
            break
        for card in unplaced.all():
            card.locator("input[type=radio]").first.check()
        page.get_by_role("button", name="Check the rest with these choices").click()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"book-series-{width}")
        fits = "document.querySelector('.series-preview').getBoundingClientRect().right"
        assert page.evaluate(fits) <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name=re.compile("Book all 4 sessions")).click()
    expect(page.get_by_text(re.compile(r"4 sessions booked"))).to_be_visible()
    expect(page.get_by_role("link", name="Book", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Book the whole series")).to_have_count(0)
    screenshot(page, "book-series-done")
