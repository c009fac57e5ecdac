"""Consultation writes as they run on PostgreSQL, with real transactions, through the page and
the API: a refused one saves nothing, and a consultation and a session racing for one
dermatologist cannot both win."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from clinic.errors import Conflict
from evidence.models import Indication
from tests import factories
from tests.api_helpers import assert_error, post
from tests.conftest import Persona
from tests.test_writes_postgres import (
    CHANNELS,
    SESSION_START,
    assert_unchanged,
    html,
    snapshot,
)
from treatments.booking import services as booking
from treatments.consultation import services
from treatments.models import Consultation, TreatmentPlan, TreatmentSession

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

UTC = dt.UTC


@pytest.fixture(autouse=True)
def today(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2027, 2, 24, 8, tzinfo=UTC), tick=False)


@pytest.fixture
def room() -> factories.Room:
    return factories.RoomFactory(name="Room 1")


def _book(
    channel: str, clerk: Persona, patient: Any, practitioner: Any, room: Any, at: dt.datetime
) -> Any:
    if channel == "api":
        return post(
            clerk,
            "/api/consultations/",
            {
                "patient": str(patient.public_id),
                "starts_at": at.isoformat(),
                "practitioner": str(practitioner.public_id),
                "room": str(room.public_id),
            },
        )
    return clerk.post(
        reverse("consultation-book", args=[patient.public_id]),
        {
            "day": at.date().isoformat(),
            "starts_at": at.isoformat(),
            "practitioner": str(practitioner.public_id),
            "room": str(room.public_id),
        },
        follow=True,
    )


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_books_a_consultation_and_one_over_a_session_saves_nothing(
    channel: str, front_desk: Persona, dermatologist: Persona, wrinkles_plan: TreatmentPlan, room
) -> None:
    practitioner = dermatologist.user.practitioner
    newcomer = factories.PatientFactory()
    TreatmentSession.objects.filter(plan=wrinkles_plan, number=1).update(
        status=TreatmentSession.Status.BOOKED,
        starts_at=SESSION_START,
        ends_at=SESSION_START + dt.timedelta(minutes=45),
        practitioner=practitioner,
        room=room,
    )
    before = snapshot()
    response = _book(channel, front_desk, newcomer, practitioner, room, SESSION_START)
    if channel == "api":
        assert_error(response, 409, "conflict")
    else:
        assert "is already booked" in html(response)
    assert_unchanged(before)

    eleven = dt.datetime(2027, 3, 1, 11, tzinfo=UTC)
    response = _book(channel, front_desk, newcomer, practitioner, room, eleven)
    assert response.status_code in (200, 201), response.content
    saved = Consultation.objects.get()
    assert (saved.patient, saved.practitioner, saved.room) == (newcomer, practitioner, room)
    assert (saved.starts_at, saved.booked_by) == (eleven, front_desk.user)


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_cancels_a_consultation_and_a_blank_reason_changes_nothing(
    channel: str, front_desk: Persona, clinic_open: None
) -> None:
    consultation = factories.ConsultationFactory()

    def cancel(reason: str) -> Any:
        if channel == "api":
            url = f"/api/consultations/{consultation.public_id}/cancel/"
            return post(front_desk, url, {"reason": reason})
        return front_desk.post(
            reverse("consultation-cancel", args=[consultation.public_id]),
            {"reason": reason},
            follow=True,
        )

    before = snapshot()
    response = cancel("  ")
    if channel == "api":
        assert_error(response, 400, "invalid", "reason")
    else:
        assert "Give the reason for cancelling." in html(response)
    assert_unchanged(before)
    assert cancel("Found another clinic").status_code == 200
    consultation.refresh_from_db()
    assert consultation.status == "cancelled"
    assert (consultation.status_reason, consultation.status_changed_by) == (
        "Found another clinic",
        front_desk.user,
    )


def test_a_session_and_a_consultation_racing_for_one_dermatologist_cannot_both_win(
    front_desk: Persona, dermatologist: Persona, wrinkles_plan: TreatmentPlan
) -> None:
    """Two clerks at once, one booking Rosa's session 1 at 10:00 and one a newcomer's
    consultation at 10:15 with the same dermatologist (in different rooms): the practitioner's
    row lock makes one wait and then see the other's booking."""
    practitioner = dermatologist.user.practitioner
    rooms = [factories.RoomFactory(name="Room 1"), factories.RoomFactory(name="Room 2")]
    newcomer = factories.PatientFactory()
    session = wrinkles_plan.sessions.get(number=1)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(name: str, book: Any) -> None:
        try:
            start.wait()
            book()
            outcomes[name] = "booked"
        except Conflict:
            outcomes[name] = "conflict"
        finally:
            connection.close()

    clerks = [
        threading.Thread(
            target=run,
            args=(
                "session",
                lambda: booking.session_book(
                    acting_user=front_desk.user,
                    session=session,
                    starts_at=SESSION_START,
                    practitioner=practitioner,
                    room=rooms[0],
                ),
            ),
        ),
        threading.Thread(
            target=run,
            args=(
                "consultation",
                lambda: services.consultation_book(
                    acting_user=front_desk.user,
                    patient=newcomer,
                    starts_at=SESSION_START + dt.timedelta(minutes=15),
                    practitioner=practitioner,
                    room=rooms[1],
                ),
            ),
        ),
    ]
    for clerk in clerks:
        clerk.start()
    for clerk in clerks:
        clerk.join(timeout=30)
    assert sorted(outcomes.values()) == ["booked", "conflict"], outcomes
    booked = TreatmentSession.objects.filter(status="booked").count() + Consultation.objects.count()
    assert booked == 1


def test_from_todays_list_a_consultation_is_seen_or_cancelled_and_planning_follows(
    front_desk: Persona, dermatologist: Persona, clinic_open: None, room, time_machine: Any
) -> None:
    """The writes today's list and the consultation's page make, as they run: attend (refused
    before its day, saving nothing), cancel back to the list, and a concern recorded from an
    attended consultation goes straight on to planning it."""
    practitioner = dermatologist.user.practitioner
    newcomer = factories.PatientFactory()
    seen = factories.ConsultationFactory(
        patient=newcomer,
        practitioner=practitioner,
        room=room,
        starts_at=dt.datetime(2027, 2, 25, 11, tzinfo=UTC),
        ends_at=dt.datetime(2027, 2, 25, 11, 30, tzinfo=UTC),
    )
    gone = factories.ConsultationFactory(
        starts_at=dt.datetime(2027, 2, 25, 12, tzinfo=UTC),
        ends_at=dt.datetime(2027, 2, 25, 12, 30, tzinfo=UTC),
    )
    attend = reverse("consultation-attend", args=[seen.public_id])
    before = snapshot()
    early = dermatologist.post(attend, {"from": "today"}, follow=True)
    assert "A consultation is attended on its day, not before." in html(early)
    assert_unchanged(before)

    time_machine.move_to(dt.datetime(2027, 2, 25, 11, 35, tzinfo=UTC), tick=False)
    for persona in (front_desk, dermatologist):
        persona.force_login(persona.user)  # the clock moved past the idle limit
    response = dermatologist.post(attend, {"from": "today"})
    assert response["Location"] == reverse("consultation-detail", args=[seen.public_id])
    seen.refresh_from_db()
    assert (seen.status, seen.status_changed_by) == ("attended", dermatologist.user)

    response = front_desk.post(
        reverse("consultation-cancel", args=[gone.public_id]),
        {"from": "today", "reason": "Rang to cancel"},
    )
    assert response["Location"] == reverse("today") + "?date=2027-02-25"
    gone.refresh_from_db()
    assert gone.status == "cancelled"

    response = dermatologist.post(
        reverse("concern-create", args=[newcomer.public_id]),
        {
            "indication": Indication.objects.get(slug="wrinkles").pk,
            "body_area": "face",
            "then": "plan",
        },
    )
    concern = newcomer.concerns.get()
    assert response["Location"] == reverse(
        "plan-parameters", args=[newcomer.public_id, concern.public_id]
    )
