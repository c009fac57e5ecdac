"""The front desk reads plain words: no internal code (protocol IND-xx, rule Cxx, scale Sxx,
provenance tags such as [SD/V]) without its plain label beside it, and no research notes."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from clinic.models import Practitioner, Room
from tests.conftest import Persona, all_no
from treatments.models import TreatmentPlan, TreatmentSession

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b(IND-\d+|C\d{2}[a-z]?|S\d{2})\b")
PROVENANCE = re.compile(r"\[(SD|V|P|U|D)(/(SD|V|P|U|D))*\]")
#: A code is labelled when it closes a parenthesis opened right after words: "Wrinkles ...
#: (IND-01)", "Bleeding disorders (e.g. haemophilia) (C09)".
LABELLED = re.compile(r"[A-Za-z0-9][).?]? \($")


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", page)  # tags go, and with them attribute values (URLs)
    return re.sub(r"\s+", " ", unescape(text))


def bare_codes(page: str) -> list[str]:
    text = visible_text(page)
    found = [
        text[max(0, m.start() - 40) : m.end() + 5]
        for m in CODE.finditer(text)
        if not (text[m.end() : m.end() + 1] == ")" and LABELLED.search(text[: m.start()]))
    ]
    return found + [m.group(0) for m in PROVENANCE.finditer(text)]


def test_the_check_finds_a_bare_code_and_passes_a_labelled_one() -> None:
    assert bare_codes("<td>1 of 4</td> · IND-10")
    assert bare_codes("<p>Session 1 of 4 · Acne scars (IND-10)</p>") == []
    assert bare_codes("<p>Bleeding disorders (e.g. haemophilia) (C09)</p>") == []
    assert bare_codes("<p>Contraindication: C02</p>")
    assert bare_codes("<span>[SD/V]</span>") == ["[SD/V]"]


def test_the_front_desk_sees_no_bare_code_on_any_page_of_its_day(
    front_desk: Persona, plan: TreatmentPlan, booked_today: TreatmentSession
) -> None:
    front_desk.force_login(front_desk.user)  # the clock moved past the idle timeout
    session = booked_today
    practitioner, room = session.practitioner, session.room
    assert practitioner is not None and room is not None
    check_in = reverse("session-check-in", args=[session.public_id])
    pages = {
        "check-in": check_in,
        "check-in, re-screen": check_in + "?changed=yes",
    }
    seen = {name: front_desk.get(url) for name, url in pages.items()}
    # A pregnancy declared at check-in blocks the session: its reason then shows on the day's pages.
    answers = {f"rule_{code}": "no" for code in all_no()} | {"rule_C08": "yes", "changed": "yes"}
    front_desk.post(check_in, answers)
    session.refresh_from_db()
    assert session.status == "blocked"
    assert session.status_reason.endswith("Pregnancy or breastfeeding (C08)")
    day = {"date": "2027-03-01"}
    pages = {
        "home": reverse("home"),
        "patients": reverse("patient-list"),
        "patient": reverse("patient-detail", args=[plan.patient.public_id]),
        "plan": reverse("plan-detail", args=[plan.public_id]),
        "printout": reverse("plan-print", args=[plan.public_id]),
        "booking": reverse("session-book", args=[plan.sessions.get(number=2).public_id]),
        "today": reverse("today"),
    }
    seen |= {name: front_desk.get(url) for name, url in pages.items()}
    resources: tuple[tuple[str, Practitioner | Room], ...] = (
        ("practitioners", practitioner),
        ("rooms", room),
    )
    for kind, resource in resources:
        for view in ("day", "week"):
            url = reverse("calendar", args=[kind, resource.public_id])
            seen[f"{kind} {view}"] = front_desk.get(url, day | {"view": view})
    for name, response in seen.items():
        assert response.status_code == 200, name
        assert bare_codes(response.content.decode()) == [], name
    # The codes are there, labelled, where the front desk needs to name them.
    assert f"({plan.protocol.code})" in visible_text(seen["today"].content.decode())
    assert "Session 1 of 4" in visible_text(seen["today"].content.decode())


def test_research_notes_are_for_clinicians(
    front_desk: Persona, dermatologist: Persona, plan: TreatmentPlan
) -> None:
    url = reverse("plan-detail", args=[plan.public_id])
    citation = plan.protocol.study.short_citation
    assert citation not in front_desk.get(url).content.decode()
    assert citation in dermatologist.get(url).content.decode()


def test_the_front_desk_has_no_api_item_and_no_administration_block(
    front_desk: Persona, dermatologist: Persona, clinic_admin: Persona
) -> None:
    docs = f'href="{reverse("api:docs")}"'
    desk = front_desk.get(reverse("home")).content.decode()
    assert docs not in desk and "Administration" not in desk
    assert "no access to clinic records" not in desk
    derm = dermatologist.get(reverse("home")).content.decode()
    assert docs in derm and "Administration" not in derm
    admin = clinic_admin.get(reverse("home")).content.decode()
    assert docs in admin and ">Administration</h2>" in admin


def test_knowledge_base_text_names_rules_in_words_and_drops_provenance_tags() -> None:
    from types import SimpleNamespace

    from clinic.templatetags.clinic_tags import plain_words

    rules = [SimpleNamespace(code="C03", condition="History of cold sores")]
    text = "Defer; then give antiviral prophylaxis as in C03. Consider priming [D]; see C99 [SD/V]."
    assert plain_words(text, rules) == (
        "Defer; then give antiviral prophylaxis as in History of cold sores (C03). "
        "Consider priming; see C99."
    )
