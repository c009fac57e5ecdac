"""The page that books a whole series: the first session's choice, every session's proposal
with alternatives where it cannot go as wanted, then one confirmation."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse

from patients.models import PatientAccess
from tests import factories
from tests.conftest import Persona
from tests.treatments.series import at
from treatments.models import TreatmentPlan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_series")]


def address(plan: TreatmentPlan) -> str:
    return reverse("plan-book-series", args=[plan.public_id])


def first(practitioner, room, **extra: str) -> dict[str, str]:
    return {
        "day": "2027-03-01",
        "time": "10:00",
        "practitioner": str(practitioner.public_id),
        "room": str(room.public_id),
        **extra,
    }


def statuses(plan: TreatmentPlan) -> list[str]:
    return list(plan.sessions.order_by("number").values_list("status", flat=True))


def test_the_plan_page_links_to_it_and_it_prefers_the_plans_dermatologist(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    other = factories.PractitionerFactory(is_dermatologist=True)
    plan_page = front_desk.get(reverse("plan-detail", args=[plan.public_id])).content.decode()
    assert address(plan) in plan_page and "Book the whole series" in plan_page
    page = front_desk.get(address(plan)).content.decode()
    selected = re.search(r'<option value="([^"]+)" selected>', page)
    assert selected and selected.group(1) == str(practitioner.public_id)
    assert str(other.public_id) in page
    assert "Proposed sessions" not in page  # nothing proposed before the first is chosen


def test_it_proposes_every_session_and_books_them_all_on_confirmation(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    page = front_desk.get(address(plan), first(practitioner, room)).content.decode()
    assert page.count('class="card series-session"') == 4
    assert "Every session has a slot" in page
    assert statuses(plan) == ["planned"] * 4  # a preview saves nothing
    done = front_desk.post(address(plan), {**first(practitioner, room), "action": "book"})
    assert done.status_code == 302 and done["Location"] == reverse(
        "plan-detail", args=[plan.public_id]
    )
    assert statuses(plan) == ["booked"] * 4
    assert [s.starts_at for s in plan.sessions.order_by("number")][3] == at("2027-05-31", "10:00")


def test_a_session_that_cannot_go_as_wanted_offers_alternatives_to_pick(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    factories.BookedSessionFactory(
        practitioner=practitioner, room=room, starts_at=at("2027-04-30", "10:00")
    )
    page = front_desk.get(address(plan), first(practitioner, room)).content.decode()
    assert "Nearest alternatives for session 3" in page
    assert "10:00 on Fri 30 Apr is not free" in page
    refused = front_desk.post(address(plan), {**first(practitioner, room), "action": "book"})
    assert refused.status_code == 200
    assert "Session 3 (Fri 30 Apr 2027 10:00):" in refused.content.decode()
    assert statuses(plan) == ["planned"] * 4
    pick = re.search(r'name="choice-3" value="([^"]+)"', page)
    assert pick
    checked = front_desk.post(
        address(plan), {**first(practitioner, room), "action": "preview", "choice-3": pick.group(1)}
    ).content.decode()
    assert "Every session has a slot" in checked and "Your choice for session 3" in checked
    done = front_desk.post(
        address(plan), {**first(practitioner, room), "action": "book", "choice-3": pick.group(1)}
    )
    assert done.status_code == 302
    assert statuses(plan) == ["booked"] * 4


def test_bad_input_says_so_and_books_nothing(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    for change, message in (
        ({"time": "ten"}, "Give the time as HH:MM"),
        ({"day": "2027-03-20"}, "book it between"),
        ({"time": "10:10"}, "15-minute grid"),
    ):
        response = front_desk.post(
            address(plan), {**first(practitioner, room), **change, "action": "book"}
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert statuses(plan) == ["planned"] * 4


def test_each_visit_is_on_the_access_log(
    front_desk: Persona, plan: TreatmentPlan, practitioner, room
) -> None:
    front_desk.get(address(plan), first(practitioner, room))
    assert (
        PatientAccess.objects.filter(path__startswith=address(plan), user=front_desk.user).count()
        == 1
    )


def test_the_preview_runs_a_fixed_number_of_queries_however_busy_the_clinic(
    front_desk: Persona,
    plan: TreatmentPlan,
    practitioner,
    room,
    django_assert_num_queries: Callable,
) -> None:
    front_desk.get(address(plan), first(practitioner, room))  # warms the clinic identity
    with django_assert_num_queries(QUERIES):
        front_desk.get(address(plan), first(practitioner, room))
    for day in ("2027-03-02", "2027-03-31", "2027-04-30", "2027-05-04"):
        for hour in ("11:00", "14:00"):
            factories.BookedSessionFactory(
                practitioner=practitioner, room=room, starts_at=at(day, hour)
            )
    factories.RoomFactory(name="Room 2")
    with django_assert_num_queries(QUERIES):
        front_desk.get(address(plan), first(practitioner, room))


#: The session and its user, the plan with its sessions and screenings, practitioners and
#: rooms, the booking context (sessions, consultations, absences, hours, closures,
#: practitioners, rooms), the area's sessions, and the access log's two writes.
QUERIES = 20
