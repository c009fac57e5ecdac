"""A dermatologist takes a new patient from registration to a confirmed, screened series."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_first_visit import log_in


def plan_wrinkles_series(page, app_url: str, given: str, family: str, shots: bool) -> str:  # noqa: ANN001
    """As a dermatologist: register a patient, record wrinkles, plan and confirm IND-01."""
    log_in(page, app_url, "dermatologist")
    page.get_by_role("link", name="Register a new patient").click()
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Date of birth").fill("1968-05-14")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Fitzpatrick skin type").select_option("2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=re.compile(f"{given} {family}"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"registered with MRN MN-\d{8}-\d"))).to_be_visible()

    page.get_by_text("Record a skin concern").click()
    page.get_by_label("Indication").select_option(label="Wrinkles and photoageing")
    page.get_by_label("Body area").select_option("face")
    lemperle = page.locator("#id_grading_scale option", has_text="S06").get_attribute("value")
    page.get_by_label("Grading scale").select_option(lemperle)
    page.get_by_label("Baseline grade").select_option("S06:3")  # Lemperle's grade 3
    page.get_by_role("button", name="Record concern").click()
    expect(page.get_by_text("Concern recorded.")).to_be_visible()
    if shots:
        screenshot(page, "patient-with-concern")

    page.get_by_role("link", name="Plan a series").click()
    expect(page.get_by_text("Ablon 2018").first).to_be_visible()
    if shots:
        screenshot(page, "plan-step-1-protocols")
    page.get_by_label(re.compile("IND-01")).check()
    page.get_by_label("First session on or after").fill("2027-03-01")
    page.get_by_role("button", name="Continue to screening").click()

    expect(page.get_by_role("heading", name="Contraindication screening")).to_be_visible()
    for question in page.locator("fieldset.question").all():
        question.get_by_label("No").check()
    if shots:
        screenshot(page, "plan-step-2-screening")
    page.get_by_role("button", name="Continue to schedule").click()

    expect(page.get_by_text("Monday 01 March 2027")).to_be_visible()
    if shots:
        screenshot(page, "plan-step-3-confirm")
    page.get_by_role("button", name="Confirm plan").click()
    expect(page.get_by_text("Plan confirmed: 4 sessions.")).to_be_visible()
    return page.url


def test_a_dermatologist_plans_a_wrinkles_series(page, app_url: str) -> None:  # noqa: ANN001
    plan_url = plan_wrinkles_series(page, app_url, "Rosa", "Marlowe", shots=True)
    assert "/plans/" in plan_url
    expect(page.locator("table tbody tr")).to_have_count(4)
    expect(page.get_by_text("Clear").first).to_be_visible()
    screenshot(page, "plan-confirmed")
