"""Each role's whole working day, end to end, on the app as `make run` serves it.

Each test is self-contained: it creates through the pages what its day needs (patients,
consultations, plans, bookings), so it passes in any order and alone. One thing no page can do
on the real clock is book a time earlier today once the clinic has closed (or on a closed day):
`today` puts a booking made through the pages onto today, as the demo's own arrivals are.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable

from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.demo import HOURS
from tests.e2e.conftest import screenshot
from tests.e2e.test_first_visit import LOGINS, log_in
from tests.e2e.test_planning import plan_wrinkles_series

OPEN_WEEKDAYS = {weekday for weekday, _, _ in HOURS}
#: Internal codes the front desk must never see bare (a code after its plain label, "Age under
#: 22 years (C22)", is how the pages name it): indications, protocols, rules, scales, provenance.
CODES = re.compile(r"(?<!\()\b(IND-\d\d|C\d\d[a-z]?|S\d\d)\b(?!\))|\[(SD|V|P|U|D)[/\]]")

#: Moves a booking (a session or a consultation, by public id) onto today at the first quarter
#: hour from 09:00 at which its practitioner, room and patient have nothing else, and prints
#: the time. Past times included: the clinic's arrivals of the morning are still on the list.
TO_TODAY = """
import datetime as dt, json
from django.utils import timezone
from treatments.models import Consultation, TreatmentSession
kind, public_id = {args!r}
model = TreatmentSession if kind == "session" else Consultation
item = model.objects.get(public_id=public_id)
patient = item.plan.patient if kind == "session" else item.patient
length = item.ends_at - item.starts_at
today = timezone.localdate()
for quarter in range(4 * 9):
    starts = timezone.make_aware(dt.datetime.combine(today, dt.time(9))) + dt.timedelta(
        minutes=15 * quarter
    )
    ends = starts + length
    busy = False
    for other in (TreatmentSession, Consultation):
        rows = other.objects.filter(starts_at__lt=ends, ends_at__gt=starts).exclude(
            status="cancelled"
        ).exclude(public_id=public_id)
        patient_q = "plan__patient" if other is TreatmentSession else "patient"
        busy = busy or rows.filter(practitioner=item.practitioner).exists()
        busy = busy or rows.filter(room=item.room).exists()
        busy = busy or rows.filter(**{{patient_q: patient}}).exists()
    if not busy:
        model.objects.filter(pk=item.pk).update(starts_at=starts, ends_at=ends)
        print(json.dumps(timezone.localtime(starts).strftime("%H:%M")))
        break
else:
    raise SystemExit("no free quarter hour today")
"""


def today() -> dt.date:
    return timezone.localdate()


def next_open_day(after: dt.date) -> dt.date:
    """The first day after `after` the demo clinic opens (its hours; Christmas is closed)."""
    day = after + dt.timedelta(days=1)
    while day.weekday() not in OPEN_WEEKDAYS or (day.month, day.day) in {(12, 25), (12, 26)}:
        day += dt.timedelta(days=1)
    return day


def public_id(url: str | None) -> str:
    assert url, "no link"
    found = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", url)
    assert found, url
    return found.group(0)


def onto_today(on_server: Callable[[str], str], kind: str, uuid: str) -> str:
    """Puts the booking onto today (see TO_TODAY); returns its time, "HH:MM"."""
    return json.loads(on_server(TO_TODAY.format(args=(kind, uuid))).strip().splitlines()[-1])


def both_widths(page: Page, name: str) -> None:
    """A screenshot at 1280 and 390 px; the page itself never scrolls sideways on a phone."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (name, width, scroll)
    page.set_viewport_size({"width": 1280, "height": 900})


def assert_plain(page: Page) -> None:
    """No internal code on the page without its plain words."""
    text = page.locator("main").inner_text()
    found = CODES.search(text)
    assert found is None, (page.url, text[max(0, found.start() - 80) : found.end() + 20])


def register(page: Page, app_url: str, given: str, family: str, born: str) -> None:
    page.goto(f"{app_url}/patients/new/")
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Date of birth").fill(born)
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Save").click()


def book_consultation(page: Page, day: dt.date) -> str:
    """On the booking page: a consultation on `day` at its first free time, with the
    dermatologist offered first then; returns the dermatologist's name. Ends on the patient's
    page."""
    expect(page.get_by_role("heading", name="Book a consultation")).to_be_visible()
    page.goto(f"{page.url.split('?')[0]}?day={day.isoformat()}")
    expect(page.get_by_role("heading", name=day.strftime("%A %d %b %Y"))).to_be_visible()
    page.get_by_label("What the patient comes about").fill("Lines around the eyes")
    first = page.locator("table.slots tbody tr").first
    at = first.locator("td").first.inner_text().split("–")[0].strip()
    dermatologist = first.locator("select").first.locator("option:checked").inner_text().strip()
    first.get_by_role("button").click()
    row = page.locator("#consultations tbody tr").first
    expect(row).to_contain_text(f"{day.strftime('%a %d %b %Y')} {at}")
    expect(row).to_contain_text(dermatologist)
    return dermatologist


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile("/accounts/login/"))


def test_the_front_desk_day(page: Page, app_url: str, on_server) -> None:  # noqa: ANN001
    # A dermatologist's plan the desk books, moves, cancels and prints.
    plan_url = plan_wrinkles_series(page, app_url, "Hester", "Blackwood", shots=False)
    log_out(page)

    log_in(page, app_url, "frontdesk")
    for heading in ("Today's arrivals", "Sessions due, not booked", "Consultations to book"):
        expect(page.get_by_role("region", name=re.compile(f"^{heading}"))).to_be_visible()
    # No admin-only block, no API docs in the menu.
    expect(page.get_by_role("region", name="Administration")).to_have_count(0)
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="API")
    ).to_have_count(0)
    both_widths(page, "day-desk-worklist")

    # A new patient, then the same person typed again: warned before a duplicate is saved.
    register(page, app_url, "Zoë", "Ellery-Vance", "1990-04-12")
    expect(page.get_by_text(re.compile(r"registered with MRN MN-\d{8}-\d"))).to_be_visible()
    new_patient_url = page.url
    register(page, app_url, "zoe", "ELLERY-VANCE", "1990-04-12")
    warning = page.locator("#possible-duplicate")
    expect(warning).to_contain_text("This may be a patient already registered")
    expect(warning.get_by_role("link", name="Zoë Ellery-Vance")).to_be_visible()
    both_widths(page, "day-desk-duplicate")
    warning.get_by_role("link", name="Zoë Ellery-Vance").click()
    assert page.url == new_patient_url

    # Her consultation with a dermatologist, on the next day the clinic opens.
    day = next_open_day(today())
    # She waits in the desk's list of consultations to book, and is booked from it.
    page.goto(f"{app_url}/worklist/consultations/")
    page.get_by_role("link", name="Book a consultation for Zoë Ellery-Vance").click()
    dermatologist = book_consultation(page, day)
    assert dermatologist.startswith("Dr "), dermatologist
    row = page.locator("#consultations tbody tr").first
    expect(row).to_contain_text(day.strftime("%a %d %b %Y"))
    expect(row).to_contain_text("Lines around the eyes")
    expect(row).to_contain_text("Booked")
    screenshot(page, "day-desk-consultation-booked")
    page.goto(f"{app_url}/worklist/consultations/")
    expect(page.get_by_role("heading", name=re.compile("Consultations to book"))).to_be_visible()
    expect(page.get_by_role("link", name="Zoë Ellery-Vance")).to_have_count(0)

    # Hester's series: session 1 booked, and (no page books earlier today) moved onto today.
    page.goto(plan_url)
    for number in (1, 2, 3):
        page.get_by_role("link", name="Book", exact=True).first.click()
        expect(page.get_by_role("heading", name=f"Book session {number} of 4")).to_be_visible()
        page.locator("table.slots button").first.click()
        expect(page.get_by_text(re.compile(f"Session {number} booked"))).to_be_visible()
    sessions = page.locator("table tbody tr")
    first = public_id(sessions.nth(0).get_by_role("link", name="Session 1").get_attribute("href"))
    arrives = onto_today(on_server, "session", first)

    page.goto(f"{app_url}/")
    arrivals = page.get_by_role("region", name=re.compile("^Today's arrivals"))
    expect(arrivals.get_by_role("link", name="Hester Blackwood")).to_be_visible()
    arrivals.get_by_role("link", name="Hester Blackwood").click()
    expect(page.get_by_role("heading", name="Check in Hester Blackwood")).to_be_visible()
    expect(page.get_by_text(f"procedure {arrives}")).to_be_visible()
    # She mentions a new cream: the desk screens her again, in plain words, no rule codes.
    page.get_by_role("link", name="Something changed — screen again").click()
    questions = page.locator("fieldset.question")
    expect(questions.first).to_be_visible()
    assert_plain(page)
    both_widths(page, "day-desk-check-in-screening")
    for question in questions.all():
        question.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Screen and check in").click()
    expect(page.get_by_text("Hester Blackwood checked in.")).to_be_visible()
    row = page.locator("table tbody tr", has=page.get_by_role("link", name="Hester Blackwood"))
    expect(row).to_contain_text("Checked in")
    both_widths(page, "day-desk-today")

    # Session 2 moves to another time; session 3 is cancelled with the patient's reason.
    page.goto(plan_url)
    before = sessions.nth(1).locator("td").nth(2).inner_text()
    sessions.nth(1).get_by_role("link", name="Move").click()
    expect(page.get_by_role("heading", name="Move session 2 of 4")).to_be_visible()
    page.locator("table.slots button").nth(1).click()
    expect(page.get_by_text(re.compile("Session 2 (moved|booked)"))).to_be_visible()
    page.goto(plan_url)
    after = sessions.nth(1).locator("td").nth(2).inner_text()
    assert after != before, (before, after)
    sessions.nth(2).locator("summary", has_text="Cancel").click()
    sessions.nth(2).get_by_label("Reason").fill("Away on holiday that week")
    sessions.nth(2).get_by_role("button", name="Cancel session 3").click()
    expect(sessions.nth(2)).to_contain_text("Cancelled")
    expect(sessions.nth(2)).to_contain_text("Away on holiday that week")
    # The front desk reads the plan without depths, evidence or codes.
    assert_plain(page)
    main = page.locator("main").inner_text()
    assert " mm" not in main and "Evidence:" not in main
    both_widths(page, "day-desk-plan")

    # The printout, with the clinic's letterhead (its name, as on every page's header).
    clinic = page.locator(".brand").inner_text().strip()
    page.get_by_role("link", name="Printable schedule").click()
    letterhead = page.locator(".letterhead address")
    expect(letterhead.locator("strong")).to_have_text(clinic)
    expect(page.get_by_text(re.compile(f"Contact {re.escape(clinic)}"))).to_be_visible()
    printed = page.locator("table tbody tr")
    expect(printed).to_have_count(3)  # the cancelled session is not on the patient's sheet
    expect(printed.nth(0)).to_contain_text(today().strftime("%A %d %B %Y"))
    both_widths(page, "day-desk-printout")

    # The calendars: session 2's practitioner's week, then everyone's day, as time grids.
    page.goto(plan_url)
    moved_day = sessions.nth(1).locator("td").nth(2).get_by_role("link").first
    moved_day.click()
    expect(page.locator("table.calendar-grid")).to_be_visible()
    expect(page.get_by_role("link", name="Hester Blackwood").first).to_be_visible()
    both_widths(page, "day-desk-calendar-week")
    page.get_by_role("link", name="All practitioners").click()
    expect(page.locator("table.calendar-grid")).to_be_visible()
    expect(page.get_by_role("link", name="Hester Blackwood").first).to_be_visible()
    both_widths(page, "day-desk-calendar-day")
    # On a phone the grid stays a grid, scrolling in its own box (rows stacked as cards, it
    # was a list of empty cells with the names overlapping).
    page.set_viewport_size({"width": 390, "height": 900})
    page.reload()
    row = page.locator("table.calendar-grid tbody tr").first
    assert row.evaluate("row => getComputedStyle(row).display") == "table-row"
    page.set_viewport_size({"width": 1280, "height": 900})

    # Nothing clinical anywhere the desk goes: no skin type, notes, adverse events, answers.
    page.goto(new_patient_url)
    expect(page.get_by_text("Fitzpatrick")).to_have_count(0)
    page.goto(plan_url)
    page.get_by_role("link", name="Session 1", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Session 1 of 4"))).to_be_visible()
    expect(page.get_by_text("which dermatologists see")).to_be_visible()
    for clinical in ("Adverse events", "Notes", "Amend the record", "Yes to:"):
        expect(page.get_by_text(clinical, exact=True)).to_have_count(0)


def test_the_dermatologist_day(page: Page, app_url: str, on_server) -> None:  # noqa: ANN001
    log_in(page, app_url, "dermatologist")
    for heading in (
        "Screenings awaiting your override",
        "Concerns without a plan",
        "Sessions to record",
    ):
        expect(page.get_by_role("region", name=re.compile(f"^{heading}"))).to_be_visible()
    both_widths(page, "day-derm-worklist")

    # A new patient, seen at a consultation today.
    register(page, app_url, "Marguerite", "Okonkwo-Hale", "1975-09-03")
    expect(page.get_by_text(re.compile(r"registered with MRN"))).to_be_visible()
    patient_url = page.url
    page.get_by_role("link", name="Book a consultation").click()
    book_consultation(page, next_open_day(today()))
    consultation = page.locator("#consultations tbody tr").first
    cancel_form = consultation.locator("form[action*='/consultations/']").first
    onto_today(on_server, "consultation", public_id(cancel_form.get_attribute("action")))
    page.goto(patient_url)
    page.get_by_role("button", name="Seen: record the concern").click()
    # Seen, the consultation's page leads into planning.
    expect(page.get_by_role("heading", name="Next: plan the series")).to_be_visible()
    expect(page.get_by_role("link", name="Record the skin concern, then plan it")).to_be_visible()
    page.goto(patient_url)
    expect(page.locator("#consultations tbody tr").first).to_contain_text("Attended")

    # From the consultation: her concern, then its plan.
    page.get_by_text("Record a skin concern").click()
    page.get_by_label("Indication").select_option(label="Wrinkles and photoageing")
    page.get_by_label("Body area").select_option("face")
    lemperle = page.locator("#id_grading_scale option", has_text="S06").get_attribute("value")
    page.get_by_label("Grading scale").select_option(lemperle)
    page.get_by_label("Baseline grade").select_option("S06:3")
    page.get_by_role("button", name="Record concern").click()
    expect(page.get_by_text("Concern recorded.")).to_be_visible()
    page.goto(f"{app_url}/")
    page.goto(f"{app_url}/worklist/concerns/")
    expect(page.get_by_role("link", name="Marguerite Okonkwo-Hale")).to_be_visible()
    page.goto(patient_url)
    page.get_by_role("link", name="Plan a series").click()
    page.get_by_label(re.compile("IND-01")).check()
    page.get_by_label("First session on or after").fill(next_open_day(today()).isoformat())
    page.get_by_role("button", name="Continue to screening").click()

    # Screening: she has had cold sores (a relative contraindication): no plan without a
    # recorded override, then one, with its reason.
    expect(page.get_by_role("heading", name="Contraindication screening")).to_be_visible()
    for question in page.locator("fieldset.question").all():
        question.get_by_label("No", exact=True).check()
    cold_sores = page.locator("fieldset.question", has_text="cold sores")
    cold_sores.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Continue to schedule").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "History of recurrent herpes labialis or HSV infection (C03) needs a dermatologist's "
        "override: write the reason."
    )
    both_widths(page, "day-derm-screening-needs-override")
    reason = "Aciclovir prophylaxis from two days before each session"
    for seen in page.get_by_label("I have seen this warning").all():
        seen.check()
    page.get_by_label(re.compile("override: reason")).fill(reason)
    page.get_by_role("button", name="Continue to schedule").click()
    page.get_by_role("button", name="Confirm plan").click()
    expect(page.get_by_text(re.compile("Plan confirmed"))).to_be_visible()
    plan_url = page.url
    page.goto(f"{app_url}/worklist/concerns/")
    expect(page.get_by_role("heading", name=re.compile("Concerns without a plan"))).to_be_visible()
    expect(page.get_by_role("link", name="Marguerite Okonkwo-Hale")).to_have_count(0)
    page.goto(plan_url)
    screenings = page.get_by_role("heading", name="Screenings").locator(
        "xpath=following-sibling::ul[1]"
    )
    derm_name = LOGINS["dermatologist"].first_name
    expect(screenings).to_contain_text(reason)
    expect(screenings).to_contain_text(derm_name)
    expect(screenings).to_contain_text(today().strftime("%d %b %Y"))
    both_widths(page, "day-derm-plan-overridden")

    # Session 1 booked, moved onto today, checked in: the override stands, nothing changed.
    page.get_by_role("link", name="Book", exact=True).first.click()
    page.locator("table.slots button").first.click()
    expect(page.get_by_text(re.compile("Session 1 booked"))).to_be_visible()
    session = public_id(
        page.locator("table tbody tr")
        .first.get_by_role("link", name="Session 1")
        .get_attribute("href")
    )
    onto_today(on_server, "session", session)
    page.goto(f"{app_url}/sessions/{session}/check-in/")
    expect(page.get_by_text("The override stands")).to_be_visible()
    page.get_by_role("button", name="Nothing has changed — check in").click()
    expect(page.get_by_text(re.compile("Marguerite Okonkwo-Hale checked in"))).to_be_visible()
    page.goto(f"{app_url}/")
    to_record = page.get_by_role("region", name=re.compile("^Sessions to record"))
    expect(to_record.get_by_role("link", name="Marguerite Okonkwo-Hale")).to_be_visible()
    to_record.get_by_role("link", name="Marguerite Okonkwo-Hale").click()

    # The record: every field, the outcome from the scale's own grades.
    expect(page.get_by_role("heading", name="Record session 1 of 4")).to_be_visible()
    page.get_by_label("Depth used (mm)").fill("1.25")
    page.get_by_label(re.compile("^Device")).fill("Dermapen 4")
    page.get_by_label(re.compile("cartridge", re.I)).first.fill("16-pin nano")
    page.get_by_label(re.compile("lot", re.I)).fill("LOT-2611-A")
    page.get_by_label(re.compile("^Pain")).fill("3")
    outcome = page.get_by_label(re.compile("^Outcome"))
    grades = outcome.locator("option").all_inner_texts()
    # Each grade with its meaning, as the scale words it (evidence.scales.grade_label).
    second = next((g for g in grades if g.startswith("Grade 2")), None)
    assert second is not None, grades
    outcome.select_option(label=second)
    page.get_by_label(re.compile("Adverse events")).fill("Pinpoint bleeding, settled in minutes")
    page.get_by_label(re.compile("^Notes")).fill("Tolerated well; review in four weeks")
    both_widths(page, "day-derm-record")
    page.get_by_role("button", name="Record and complete").click()
    expect(page.get_by_text("Session 1 recorded.")).to_be_visible()

    # Read back on the session's page.
    record = page.get_by_role("region", name="What was done")
    for shown in (
        "1.25",
        "Dermapen 4",
        "16-pin nano",
        "LOT-2611-A",
        "Pinpoint bleeding, settled in minutes",
        "Tolerated well; review in four weeks",
    ):
        expect(record).to_contain_text(shown)
    fact = record.locator("dl.facts > div")
    expect(fact.filter(has_text="Outcome").locator("dd")).to_have_text(re.compile(r"^Grade 2"))
    expect(fact.filter(has_text="Pain").locator("dd")).to_have_text("3 of 10")
    screened = page.locator("dl.facts > div", has_text="Screening").locator("dd")
    expect(screened).not_to_contain_text("Needs dermatologist override")
    expect(screened).to_contain_text(f"Overridden by {derm_name}")
    on_day = re.escape(today().strftime("%d %b %Y"))
    expect(screened).to_contain_text(re.compile(rf"on {on_day} \d\d:\d\d: {re.escape(reason)}"))
    both_widths(page, "day-derm-session")

    # A correction: the pain was 4, not 3; amended with its reason, kept in the history.
    page.get_by_text("Amend the record").click()
    page.get_by_label(re.compile("^Pain")).fill("4")
    page.get_by_label("Reason for the amendment").fill("Patient's score misheard")
    page.get_by_role("button", name="Amend").click()
    expect(page.get_by_text("Session 1's record amended.")).to_be_visible()
    history = page.get_by_role("region", name="Amendments")
    expect(history).to_contain_text("Patient's score misheard")
    expect(history).to_contain_text(derm_name)
    change = history.locator("tbody tr", has_text="Pain")
    expect(change.locator("td").nth(1)).to_have_text("3 of 10")
    expect(change.locator("td").nth(2)).to_have_text("4 of 10")
    expect(fact.filter(has_text="Pain").locator("dd")).to_have_text("4 of 10")
    both_widths(page, "day-derm-amended")
    page.goto(plan_url)
    expect(page.locator("table tbody tr").first).to_contain_text("Completed")


def test_the_clinic_admin_day(page: Page, app_url: str, browser) -> None:  # noqa: ANN001
    # Someone for the access log to have seen: the front desk opens a patient's record.
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        desk_page = desk.new_page()
        log_in(desk_page, app_url, "frontdesk")
        register(desk_page, app_url, "Ottilie", "Fairweather", "1983-02-27")
        found = re.search(r"MN-\d{8}-\d", desk_page.locator("main").inner_text())
        assert found, "no MRN on the new record"
        mrn = found.group(0)
        desk_page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Patients"
        ).click()
        desk_page.locator("#q").fill("Fairweather")
        desk_page.locator("#q").press("Enter")
        desk_page.get_by_role("link", name="Fairweather, Ottilie").click()
        expect(
            desk_page.get_by_role("heading", name=re.compile("Ottilie Fairweather"))
        ).to_be_visible()
    finally:
        desk.close()

    log_in(page, app_url, "clinicadmin")
    knowledge = page.get_by_role("region", name=re.compile("^Knowledge needing review"))
    expect(knowledge.locator(".count").first).to_have_text(re.compile(r"[1-9]\d*"))
    expect(page.get_by_role("region", name=re.compile("^Users"))).to_contain_text("Front desk")
    expect(page.get_by_role("region", name=re.compile("^Access log"))).to_be_visible()
    both_widths(page, "day-admin-worklist")

    # The clinic's identity, edited in the admin.
    page.get_by_role("link", name=re.compile("Clinic identity")).click()
    page.get_by_label("Name").fill("Harbourside Skin Clinic")
    page.get_by_label("Address").fill("12 Quay Street\nBristol BS1 4DJ")
    page.get_by_label("Phone").fill("0117 496 0123")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    page.goto(f"{app_url}/api/plans/")
    plan = page.evaluate("JSON.parse(document.body.innerText)")
    plans = plan["results"] if isinstance(plan, dict) else plan
    page.goto(f"{app_url}/plans/{plans[0]['id']}/print/")
    letterhead = page.locator(".letterhead address")
    expect(letterhead).to_contain_text("Harbourside Skin Clinic")
    expect(letterhead).to_contain_text("12 Quay Street")
    expect(letterhead).to_contain_text("Bristol BS1 4DJ")
    expect(letterhead).to_contain_text("0117 496 0123")
    expect(page.locator(".brand")).to_have_text("Harbourside Skin Clinic")
    both_widths(page, "day-admin-printout")

    # Who saw Ottilie? The access log, filtered by her MRN, then by the front desk's account.
    page.goto(f"{app_url}/")
    page.get_by_role("link", name="The whole access log").click()
    page.get_by_role("textbox", name=re.compile("Search")).fill(mrn)
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_be_visible()
    expect(rows.filter(has_text="frontdesk").first).to_contain_text("Ottilie Fairweather")
    both_widths(page, "day-admin-access-log")
    page.goto(f"{app_url}/admin/patients/patientaccess/?patient={mrn}")
    expect(rows.filter(has_text="frontdesk").first).to_be_visible()
    for row in rows.all():
        expect(row).to_contain_text(mrn)
