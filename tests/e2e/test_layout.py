"""Every page a role uses daily fits a phone, a tablet and a small laptop, and passes axe-core.

Each role signs in once (one browser context), then visits its pages: each is loaded once and
measured at 1024, 768 and 390 px (no sideways scroll of the page itself), and axe-core runs on it
(no critical or serious violation). The printout must print on one A4 sheet.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP

from tests.e2e.conftest import screenshot
from tests.e2e.test_first_visit import LOGINS, RECOVERY, log_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

WIDTHS = (1024, 768, 390)
#: E2E_SHOTS=1 keeps a screenshot of every page at 768 and 390 px in tests/artifacts/layout/.
SHOTS = bool(os.environ.get("E2E_SHOTS"))
AXE = Axe()
#: Pages axe-core also checks at 390 px, where the menu wraps and table rows stack as cards.
NARROW_AXE = {"home", "today", "patient", "plan-step-2-screening", "two-factor-codes"}


class Checker:
    """Visits pages as one signed-in user and collects every problem, to report them at once."""

    def __init__(self, page: Page, app_url: str, role: str) -> None:
        self.page = page
        self.app_url = app_url
        self.role = role
        self.problems: list[str] = []

    def check(self, name: str, url: str | None = None) -> None:
        """Check the page at url (or the current page), named for the report and screenshots."""
        page = self.page
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        if url is not None:
            page.goto(url if url.startswith("http") else f"{self.app_url}{url}")
        if self.role != "anonymous":
            assert "/accounts/login/" not in page.url, f"{name}: signed out"
        page.wait_for_load_state()
        # Scripts that finish a page on "load" (the admin's widgets) run before axe looks at it.
        page.evaluate("new Promise(resolve => setTimeout(resolve, 50))")
        self.axe(name)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                self.problems.append(f"{name}: {scroll} px wide at {width} px")
            if SHOTS and width != WIDTHS[0]:
                screenshot(page, f"layout/{self.role}-{name}-{width}")
        if name in NARROW_AXE:
            self.axe(f"{name} at {WIDTHS[-1]} px")

    def axe(self, name: str) -> None:
        for violation in AXE.run(self.page).response["violations"]:
            if violation["impact"] in ("critical", "serious"):
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
                self.problems.append(
                    f"{name}: axe {violation['impact']} {violation['id']}: "
                    f"{violation['help']} at {targets[:3]}"
                )

    def api(self, path: str) -> Any:
        response = self.page.request.get(f"{self.app_url}{path}")
        assert response.ok, (path, response.status)
        return response.json()

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


@pytest.fixture
def signed_in(browser: Browser, app_url: str) -> Iterator[Any]:
    contexts = []

    def sign_in(role: str) -> Checker:
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        contexts.append(context)
        page = context.new_page()
        log_in(page, app_url, role)
        return Checker(page, app_url, role)

    yield sign_in
    for context in contexts:
        context.close()


def _results(data: Any) -> list[dict[str, Any]]:
    return data["results"] if isinstance(data, dict) else data


def _sessions(checker: Checker) -> tuple[dict[str, Any], dict[str, Any]]:
    """A booked session and a planned one of the demo's plans, from as many pages of the list
    as it takes (the demo's recorded history comes first)."""
    found: dict[str, dict[str, Any]] = {}
    path: str | None = "/api/sessions/"
    while path and not {"booked", "planned"} <= set(found):
        data = checker.api(path)
        for session in _results(data):
            found.setdefault(session["status"], session)
        following = data.get("next") if isinstance(data, dict) else None
        path = following.removeprefix(checker.app_url) if following else None
    return found["booked"], found["planned"]


def _pdf_pages(page: Page) -> int:
    pdf = page.pdf(format="A4", print_background=True)
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_the_front_desk_day_fits_every_device_and_passes_axe(signed_in, app_url: str) -> None:  # noqa: ANN001
    desk: Checker = signed_in("frontdesk")
    desk.check("home")
    booked, planned = _sessions(desk)
    day = booked["starts_at"][:10]
    desk.check("patients", "/patients/")
    desk.check("patient", f"/patients/{booked['patient']}/")
    desk.check("plan", f"/plans/{booked['plan']}/")
    desk.check("printout", f"/plans/{booked['plan']}/print/")
    desk.page.emulate_media(media="print")
    pages = _pdf_pages(desk.page)
    desk.page.emulate_media(media="screen")
    if pages != 1:
        desk.problems.append(f"printout: {pages} A4 pages")
    desk.check("booking", f"/sessions/{planned['id']}/book/")
    desk.check("consultation-booking", f"/patients/{booked['patient']}/consultation/")
    desk.check(
        "book-series",
        f"/plans/{planned['plan']}/book-series/?day={planned['target_date']}&time=10:00",
    )
    desk.check("today", f"/today/?date={day}")
    practitioner, room = booked["practitioner"]["id"], booked["room"]["id"]
    desk.check("calendar-day", f"/calendar/practitioners/{practitioner}/?view=day&date={day}")
    desk.check("calendar-week", f"/calendar/rooms/{room}/?view=week&date={day}")
    desk.check("check-in", f"/sessions/{booked['id']}/check-in/")
    desk.check("check-in-rescreen", f"/sessions/{booked['id']}/check-in/?changed=yes")
    desk.check("tokens", "/accounts/tokens/")
    desk.check("admin", "/admin/")
    desk.check("admin-patients", "/admin/patients/patient/")
    desk.page.locator("#result_list tbody tr a").first.click()
    desk.check("admin-patient")
    desk.assert_clean()


def test_the_dermatologist_day_fits_every_device_and_passes_axe(signed_in, app_url: str) -> None:  # noqa: ANN001
    derm: Checker = signed_in("dermatologist")
    derm.check("home")
    booked, _ = _sessions(derm)
    derm.check("patients", "/patients/")
    derm.check("patient", f"/patients/{booked['patient']}/")
    derm.check("plan", f"/plans/{booked['plan']}/")
    derm.check("plan-schedule", f"/plans/{booked['plan']}/schedule/")
    derm.check("record", f"/sessions/{booked['id']}/record/")
    derm.check("today", "/today/")
    # The three planning steps, for a demo patient whose concern has no plan yet.
    patients = _results(derm.api("/api/patients/"))
    page = derm.page
    for patient in patients:
        page.goto(f"{app_url}/patients/{patient['id']}/")
        if page.get_by_role("link", name="Plan a series").count():
            break
    page.get_by_role("link", name="Plan a series").first.click()
    derm.check("plan-step-1")
    page.locator("input[name=protocol]").first.check()
    page.get_by_role("button", name="Continue to screening").click()
    page.wait_for_load_state()
    derm.check("plan-step-2-screening")
    page.set_viewport_size({"width": 768, "height": 1024})
    tablet = page.evaluate(
        """[document.documentElement.scrollHeight,
            [...document.querySelectorAll("fieldset.question")].map(q => q.offsetHeight)]"""
    )
    for question in page.locator("fieldset.question").all():
        question.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Continue to schedule").click()
    page.wait_for_load_state()
    derm.check("plan-step-3-confirm")
    for name, url in (
        ("evidence", "/evidence/"),
        ("evidence-rules", "/evidence/rules/"),
        ("evidence-studies", "/evidence/studies/"),
    ):
        derm.check(name, url)
    page.goto(f"{app_url}/evidence/")
    page.locator("main a[href*='/evidence/indications/']").first.click()
    derm.check("evidence-indication")
    page.locator("main a[href*='/evidence/protocols/']").first.click()
    derm.check("evidence-protocol")
    page.goto(f"{app_url}/evidence/studies/")
    page.locator("main a[href*='/evidence/studies/']").first.click()
    derm.check("evidence-study")
    derm.check("tokens", "/accounts/tokens/")
    derm.assert_clean()
    # Compact questions on a tablet: each about five lines, not the eight to ten they took (the
    # page was 5,500 px tall at 768 px for 27 questions; 3,500 px now).
    height, questions = tablet
    assert questions, "no question on the screening page"
    assert sum(questions) / len(questions) <= 120, (height, questions)


def test_the_clinic_admin_day_fits_every_device_and_passes_axe(signed_in, app_url: str) -> None:  # noqa: ANN001
    admin: Checker = signed_in("clinicadmin")
    admin.check("home")
    admin.check("evidence", "/evidence/")
    admin.check("admin", "/admin/")
    for name in ("protocol", "study", "contraindicationrule"):
        admin.check(f"admin-{name}s", f"/admin/evidence/{name}/")
    admin.page.locator("#result_list tbody tr a").first.click()
    admin.check("admin-rule")
    admin.check("admin-users", "/admin/auth/user/")
    admin.assert_clean()


def test_the_two_factor_pages_fit_every_device_and_pass_axe(browser, app_url: str) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    try:
        page = context.new_page()
        # A dermatologist's first sign-in asks to set up an authenticator (left unfinished here).
        page.goto(f"{app_url}/accounts/login/")
        checker = Checker(page, app_url, "anonymous")
        checker.check("login")
        page.get_by_label("Username").fill("dr.evans")
        page.get_by_label("Password").fill(LOGINS["dr.evans"].password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile("/accounts/two-factor/setup/"))
        checker.check("two-factor-setup")
        # Finished, as the authenticator app would: the recovery codes, shown once.
        secret = page.locator("code.secret").inner_text().replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.get_by_role("textbox", name="Code").fill(str(TOTP(key).token()).zfill(6))
        page.get_by_role("button", name="Confirm and continue").click()
        page.wait_for_load_state()
        RECOVERY["dr.evans"] = page.locator("ul.codes code").all_inner_texts()
        assert len(RECOVERY["dr.evans"]) == 10
        checker.check("two-factor-codes")
        for width in (768, 390):
            page.set_viewport_size({"width": width, "height": 900})
            screenshot(page, f"layout/two-factor-codes-{width}")
    finally:
        context.close()
    # A dermatologist with an authenticator is asked for its code at each sign-in.
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    try:
        page = context.new_page()
        log_in(page, app_url, "dr.carter")
        context.clear_cookies()
        page.goto(f"{app_url}/accounts/login/")
        page.get_by_label("Username").fill("dr.carter")
        page.get_by_label("Password").fill(LOGINS["dr.carter"].password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile("/accounts/two-factor/"))
        verify = Checker(page, app_url, "anonymous")
        verify.check("two-factor-verify")
        checker.problems += verify.problems
    finally:
        context.close()
    checker.assert_clean()
