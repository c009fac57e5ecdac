"""The concern form offers, once the indication is chosen, only that indication's severity
scales, and once a scale is chosen only its grades (concern-scales.js, within the CSP)."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import screenshot
from tests.e2e.test_first_visit import log_in


def _offered(page: Any, selector: str) -> list[str]:
    return page.eval_on_selector_all(
        f"{selector} option", "options => options.map(o => o.textContent.trim())"
    )


def test_the_concern_form_offers_only_the_indications_own_scales(page, app_url: str) -> None:  # noqa: ANN001
    log_in(page, app_url, "dermatologist")
    data: Any = page.request.get(f"{app_url}/api/patients/").json()
    patient = (data["results"] if isinstance(data, dict) else data)[0]
    page.goto(f"{app_url}/patients/{patient['id']}/concerns/new/")
    every = _offered(page, "#id_grading_scale")
    assert any("S06" in text for text in every) and any("S16" in text for text in every)

    page.get_by_label("Indication").select_option(label="Alopecia areata")
    scales = _offered(page, "#id_grading_scale")
    assert [text.split()[0] for text in scales if text != "---------"] == ["S15", "S16"]
    # The grades of the indication's scales only, then of the chosen scale only.
    grades = page.eval_on_selector_all(
        "#id_baseline_grade optgroup", "groups => groups.map(g => g.label.split(' ')[0])"
    )
    assert grades == ["S16"]
    page.get_by_label("Grading scale").select_option(label=next(s for s in scales if "S16" in s))
    assert _offered(page, "#id_baseline_grade")[1:] == [
        "0 — No hair loss (SALT 0)",
        "1 — Limited (SALT 1–20)",
        "2 — Moderate (SALT 21–49)",
        "3 — Severe (SALT 50–94)",
        "4 — Very severe (SALT 95–100)",
    ]
    screenshot(page, "concern-form-alopecia-areata")

    # Another indication: the scale chosen is not its own, so it is cleared.
    page.get_by_label("Indication").select_option(label="Wrinkles and photoageing")
    assert page.locator("#id_grading_scale").input_value() == ""
    wrinkles = [t.split()[0] for t in _offered(page, "#id_grading_scale") if t != "---------"]
    assert wrinkles == ["S05", "S06"]
