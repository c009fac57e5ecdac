"""The home page is each role's worklist: the right lists, their counts, links to where the work
is done, the access log told, nothing clinical for the front desk, and a fixed query count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from clinic import roles
from patients.models import PatientAccess
from tests import factories
from tests.conftest import Persona
from tests.treatments.worklist import makers
from tests.treatments.worklist.makers import TODAY
from treatments.rules.limits import BOOKING_NOTICE_DAYS
from treatments.worklist import selectors

pytestmark = pytest.mark.django_db

OPENS_TOMORROW = TODAY + dt.timedelta(days=1 + 3)  # BOOKING_WINDOW_BEFORE_DAYS is 3


@pytest.fixture(autouse=True)
def today(time_machine: time_machine.TimeMachineFixture) -> Iterator[dt.date]:
    time_machine.move_to(makers.NOW, tick=False)
    yield TODAY


def fill(role: str, n: int) -> None:
    """`n` items on each of `role`'s lists."""
    for i in range(n):
        if role == roles.DERMATOLOGIST:
            makers.awaiting_at_check_in()
            makers.concern_without_plan()
            makers.checked_in(TODAY, hour=9 + i % 8)
            makers.consultation(TODAY - dt.timedelta(days=1), hour=9 + i % 8)  # to see
        elif role == roles.FRONT_DESK:
            makers.arrival(TODAY, hour=9 + i % 8)
            makers.consultation(TODAY, hour=9 + i % 8, minute=15)  # arriving today
            makers.planned(OPENS_TOMORROW)
            makers.new_patient()
        else:
            factories.StudyFactory(provenance="U")
            factories.UserFactory(is_active=False)
            factories.PatientAccessFactory()


def page(client: Persona) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_dermatologist_starts_at_overrides_concerns_and_records(
    dermatologist: Persona,
) -> None:
    awaiting = makers.awaiting_at_check_in()
    concern = makers.concern_without_plan()
    to_record = makers.checked_in(TODAY - dt.timedelta(days=1))

    html = page(dermatologist)

    assert awaiting.session is not None
    assert "Screenings awaiting your override" in html
    assert "Isotretinoin in the last 6 months" in html  # the rule's name, for a clinician
    assert reverse("session-record", args=[awaiting.session.public_id]) in html
    assert reverse("plan-parameters", args=[concern.patient.public_id, concern.public_id]) in html
    assert reverse("session-record", args=[to_record.public_id]) in html
    assert to_record.plan.patient.full_name in html
    assert "wl-arrivals" not in html and "Knowledge needing review" not in html
    assert reverse("admin:auth_user_changelist") not in html


def test_the_front_desk_starts_at_arrivals_due_sessions_and_consultations(
    front_desk: Persona,
) -> None:
    arriving = makers.arrival(TODAY, hour=10)
    due = makers.planned(OPENS_TOMORROW)
    new = makers.new_patient(given_name="Ottilie", family_name="Brandt")

    html = page(front_desk)

    assert "<strong>09:30</strong>" in html  # arrives the anaesthetic lead before 10:00
    assert reverse("session-check-in", args=[arriving.public_id]) in html
    assert reverse("session-book", args=[due.public_id]) in html
    assert "opens in 1 day" in html
    assert reverse("patient-detail", args=[new.public_id]) in html and "Ottilie Brandt" in html
    assert "Screenings awaiting your override" not in html
    assert "Administration" not in html


def test_the_front_desk_sees_no_clinical_detail_there(front_desk: Persona) -> None:
    marker = "CLINICAL-MARKER"
    makers.awaiting_at_check_in(plan__concern__notes=marker, plan__concern__patient__notes=marker)
    makers.concern_without_plan(notes=marker, patient__notes=marker)
    patient = makers.new_patient(notes=marker)
    makers.arrival(TODAY, plan__concern__patient=patient)

    html = page(front_desk)

    assert patient.full_name in html
    assert marker not in html and "Isotretinoin" not in html


def test_the_clinic_admin_starts_at_knowledge_users_and_the_access_log(
    clinic_admin: Persona,
) -> None:
    study = factories.StudyFactory(provenance="U", title="An unchecked study")
    factories.PatientAccessFactory()

    html = page(clinic_admin)

    review = selectors.knowledge_needing_review()
    assert f'<span class="count">{review.count}</span>' in html
    assert reverse("admin:evidence_study_changelist") + "?provenance__in=" in html
    if len(review.items) < review.count:  # the seeded knowledge base comes first
        assert "An unchecked study" not in html
    else:
        assert reverse("admin:evidence_study_change", args=[study.pk]) in html
    assert reverse("admin:axes_accessattempt_changelist") in html
    assert reverse("admin:patients_patientaccess_changelist") in html
    assert "Administration" in html
    assert "Screenings awaiting your override" not in html


def test_the_admins_filter_of_unconfirmed_knowledge_is_one_the_admin_accepts(
    clinic_admin: Persona,
) -> None:
    html = page(clinic_admin)
    start = html.index(reverse("admin:evidence_protocol_changelist") + "?provenance__in=")
    url = html[start : html.index('"', start)].replace("&amp;", "&")
    response = clinic_admin.get(url)
    assert response.status_code == 200  # an unknown filter would redirect with ?e=1


def test_a_user_with_several_roles_sees_each_roles_lists(dermatologist: Persona) -> None:
    dermatologist.user.groups.add(Group.objects.get(name=roles.FRONT_DESK))
    html = page(dermatologist)
    assert "Screenings awaiting your override" in html and "wl-arrivals" in html
    assert "Knowledge needing review" not in html


def test_counts_are_all_of_a_list_while_it_shows_the_first_few(front_desk: Persona) -> None:
    for _ in range(selectors.SHOWN + 3):
        makers.new_patient()
    html = page(front_desk)
    assert f'Consultations to book <span class="count">{selectors.SHOWN + 3}</span>' in html
    assert "(3 more)" in html


def test_an_empty_day_says_so(front_desk: Persona) -> None:
    html = page(front_desk)
    assert "Nobody is due to arrive today." in html
    assert f"in the next {BOOKING_NOTICE_DAYS} days" in html


def test_the_page_reports_the_patients_it_names_to_the_access_log(front_desk: Persona) -> None:
    shown = [makers.arrival().plan.patient, makers.new_patient()]
    before = PatientAccess.objects.count()
    page(front_desk)
    assert PatientAccess.objects.count() == before + 1
    entry = PatientAccess.objects.latest("pk")
    assert set(entry.patients.all()) == set(shown)
    assert entry.user == front_desk.user


#: Queries of the home page per role, the same at 3 and at 30 items: the session, the user, the
#: second factor, the practitioner, the roles and the permissions (7), then each list's one
#: query (the override list's rule names one more; the knowledge base's five counts and one
#: list), and the access log's two INSERTs where the page names patients.
#: The dermatologist's consultations to see, and the front desk's arrivals for consultations
#: beside those for sessions, are one query each.
QUERIES = {roles.DERMATOLOGIST: 14, roles.FRONT_DESK: 13, roles.CLINIC_ADMIN: 17}


@pytest.mark.parametrize("role", sorted(QUERIES))
@pytest.mark.parametrize("n", [3, 30])
def test_the_page_runs_a_fixed_number_of_queries(
    request: pytest.FixtureRequest,
    role: str,
    n: int,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    persona = {
        roles.DERMATOLOGIST: "dermatologist",
        roles.FRONT_DESK: "front_desk",
        roles.CLINIC_ADMIN: "clinic_admin",
    }[role]
    client: Persona = request.getfixturevalue(persona)
    fill(role, n)
    page(client)  # the permission cache and the session warm up
    with django_assert_num_queries(QUERIES[role], info=role):
        page(client)


# --- A list in full ---------------------------------------------------------------------------


def test_a_long_list_links_to_its_own_page_with_every_item(front_desk: Persona) -> None:
    made = [makers.new_patient() for _ in range(selectors.SHOWN + 3)]
    url = reverse("worklist", args=["consultations"])
    assert f'href="{url}">Show all {len(made)}</a>' in page(front_desk)
    response = front_desk.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert all(reverse("patient-detail", args=[p.public_id]) in html for p in made)
    assert f"({len(made)})" in html


def test_a_list_page_is_its_roles_and_an_unknown_list_is_not_found(
    front_desk: Persona, dermatologist: Persona
) -> None:
    assert dermatologist.get(reverse("worklist", args=["due"])).status_code == 403
    assert front_desk.get(reverse("worklist", args=["overrides"])).status_code == 403
    assert front_desk.get(reverse("worklist", args=["nothing"])).status_code == 404
    assert dermatologist.get(reverse("worklist", args=["overrides"])).status_code == 200


#: As the home page: the request's own 7, the list (and the override list's rule names), the
#: access log's two INSERTs.
LIST_QUERIES = {
    "overrides": 10,
    "concerns": 9,
    "to-record": 9,
    "to-see": 9,
    "due": 9,
    "consultations": 9,
}


@pytest.mark.parametrize("name", sorted(LIST_QUERIES))
@pytest.mark.parametrize("n", [3, 30])
def test_a_list_page_runs_a_fixed_number_of_queries(
    dermatologist: Persona,
    name: str,
    n: int,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    dermatologist.user.groups.add(Group.objects.get(name=roles.FRONT_DESK))
    fill(roles.DERMATOLOGIST, n)
    fill(roles.FRONT_DESK, n)
    url = reverse("worklist", args=[name])
    assert dermatologist.get(url).status_code == 200
    with django_assert_num_queries(LIST_QUERIES[name], info=name):
        response = dermatologist.get(url)
    count = selectors.worklist_in_full(name, TODAY).count  # the other lists' rows count too
    assert count >= n and f"({count})" in response.content.decode()
