"""Each role's home page is its worklist, on a desktop, a tablet and a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_first_visit import log_in

WIDTHS = (1280, 820, 390)
LISTS = {
    "dermatologist": (
        "Screenings awaiting your override",
        "Concerns without a plan",
        "Sessions to record",
    ),
    "frontdesk": ("Today's arrivals", "Sessions due, not booked", "Consultations to book"),
    "clinicadmin": ("Knowledge needing review", "Users", "Access log"),
}


@pytest.mark.parametrize("username", sorted(LISTS))
def test_each_role_starts_at_its_worklist(page, app_url: str, username: str) -> None:  # noqa: ANN001
    log_in(page, app_url, username)
    for heading in LISTS[username]:
        expect(
            page.get_by_role("region", name=re.compile(f"^{re.escape(heading)}"))
        ).to_be_visible()
    others = {
        heading for name, headings in LISTS.items() if name != username for heading in headings
    }
    for heading in others - set(LISTS[username]):
        expect(page.get_by_role("region", name=re.compile(f"^{re.escape(heading)}"))).to_have_count(
            0
        )
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        # The lists themselves never push the page sideways.
        overflow = page.evaluate(
            "Math.max(...[...document.querySelectorAll('.worklists')]"
            ".map(e => e.scrollWidth - e.clientWidth))"
        )
        assert overflow <= 0, (width, overflow)
        screenshot(page, f"home-worklist-{username}-{width}")
