"""A clinic's first visit: log in, browse patients, plans and the cited knowledge base."""

from __future__ import annotations

import base64
import re

from django_otp.oath import TOTP
from playwright.sync_api import expect

from clinic.demo import DEMO_LOGINS
from tests.e2e.conftest import screenshot

LOGINS = {login.username: login for login in DEMO_LOGINS}


#: Each two-factor user's recovery codes, kept from their first sign-in on this test server (a
#: second sign-in within the same 30 seconds may not reuse the app's code).
RECOVERY: dict[str, list[str]] = {}


def log_in(page, app_url: str, username: str) -> None:  # noqa: ANN001 - playwright Page
    page.goto(f"{app_url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(LOGINS[username].password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if "/accounts/two-factor/setup/" in page.url:
        # As a new dermatologist would: type the key into an authenticator (here, django-otp's).
        secret = page.locator("code.secret").inner_text().replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        screenshot(page, f"two-factor-setup-{username}")
        page.get_by_role("textbox", name="Code").fill(str(TOTP(key).token()).zfill(6))
        page.get_by_role("button", name="Confirm and continue").click()
        # The codes page answers the POST at the same address, so wait for it, not for a URL.
        codes = page.locator("ul.codes code")
        expect(codes).to_have_count(10)
        RECOVERY[username] = codes.all_inner_texts()
        page.get_by_role("link", name=re.compile("continue")).click()
    elif "/accounts/two-factor/" in page.url:
        page.get_by_role("textbox", name="Code").fill(RECOVERY[username].pop())
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{app_url}/")


def test_a_wrong_password_is_refused(page, app_url: str) -> None:  # noqa: ANN001
    page.goto(f"{app_url}/accounts/login/")
    page.get_by_label("Username").fill("clinicadmin")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    screenshot(page, "login-error")


def test_a_clinic_admin_browses_the_cited_knowledge_base(page, app_url: str) -> None:  # noqa: ANN001
    log_in(page, app_url, "clinicadmin")
    expect(page.get_by_role("heading", name=re.compile("Welcome, Priya Shah"))).to_be_visible()
    screenshot(page, "home-clinic-admin")

    # The worklist links the protocols needing review too: this is the whole list.
    page.get_by_role("region", name="Administration").get_by_role("link", name="Protocols").click()
    expect(page.get_by_text("IND-01").first).to_be_visible()
    screenshot(page, "admin-protocols")

    page.get_by_role("link", name="IND-01").click()
    expect(page.locator("input[name=default_sessions]")).to_have_value("4")
    expect(page.locator("input[name=default_interval_days]")).to_have_value("30")
    expect(page.get_by_text("Ablon").first).to_be_visible()

    page.goto(f"{app_url}/admin/evidence/study/?q=Ablon")
    expect(page.get_by_role("link", name=re.compile("PMC6122507")).first).to_be_visible()
    screenshot(page, "admin-studies")

    page.goto(f"{app_url}/admin/evidence/contraindicationrule/")
    expect(page.get_by_text("C09").first).to_be_visible()
    screenshot(page, "admin-rules")

    page.goto(f"{app_url}/admin/treatments/treatmentplan/")
    page.locator("#result_list tbody tr a").first.click()
    expect(page.get_by_role("heading", name="Treatment sessions")).to_be_visible()

    page.goto(f"{app_url}/api/docs/")
    expect(page.get_by_text("Microneedling clinic API").first).to_be_visible()
    screenshot(page, "api-docs")


def test_front_desk_browses_patients_but_cannot_delete(page, app_url: str) -> None:  # noqa: ANN001
    log_in(page, app_url, "frontdesk")
    page.goto(f"{app_url}/admin/patients/patient/")
    # 50 demo patients, plus any that other browser tests registered on this server.
    count = page.locator("p.paginator").inner_text()
    assert int(count.split()[0]) >= 50, count
    screenshot(page, "admin-patients-front-desk")
    page.locator("#result_list tbody tr a").first.click()
    expect(page.get_by_role("heading", name="Skin concerns")).to_be_visible()
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    screenshot(page, "admin-patient-front-desk")
