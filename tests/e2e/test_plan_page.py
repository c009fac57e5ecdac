"""The plan page's sessions table at a laptop, a tablet and a phone: no word breaks mid-letter
("Mov/e" in the walk-through of issue 12) and no session number wraps ("1/0")."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import screenshot
from tests.e2e.test_first_visit import log_in

#: Text a reader sees as one word, broken over more lines than it has words.
BROKEN_WORDS = """() => {
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top));
    return new Set(tops).size;
  };
  return [...document.querySelectorAll(
    "main table a.button, main table summary, main table button, main table td:first-child a"
  )].filter(el => el.offsetParent !== null)
    .filter(el => lines(el) > el.textContent.trim().split(/\\s+/).length)
    .map(el => el.textContent.trim());
}"""


def test_the_plan_page_breaks_no_word_and_no_session_number(page, app_url: str) -> None:  # noqa: ANN001
    log_in(page, app_url, "frontdesk")
    response = page.request.get(f"{app_url}/api/plans/")
    assert response.ok
    data: Any = response.json()
    plans = data["results"] if isinstance(data, dict) else data
    longest = max(plans, key=lambda plan: plan["planned_sessions"])
    # Two-digit session numbers are what wrapped: the demo has a 12-session series.
    assert longest["planned_sessions"] >= 10, longest
    page.goto(f"{app_url}/plans/{longest['id']}/")
    page.wait_for_load_state()
    problems = []
    for width in (1280, 1024, 768, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"plan-page-{width}")
        if broken := page.evaluate(BROKEN_WORDS):
            problems.append(f"{width} px: {broken}")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            problems.append(f"{width} px: the page is {scroll} px wide")
    assert problems == []
