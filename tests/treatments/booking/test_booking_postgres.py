"""No double booking, however many clerks click at once: PostgreSQL's own guarantee."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction
from django.utils import timezone

from clinic.errors import Conflict
from tests import factories
from tests.conftest import Persona
from treatments.booking import services as sessions
from treatments.booking.selectors import session_day
from treatments.models import TreatmentSession

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CLERKS = 20


def _slot() -> tuple[dt.datetime, dt.datetime]:
    day = timezone.localdate() + dt.timedelta(days=7)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(11), tzinfo=ZoneInfo("Europe/London"))
    return start, start + dt.timedelta(minutes=45)


def _race(work: Callable[[int], object]) -> list[str]:
    barrier = threading.Barrier(CLERKS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def clerk(index: int) -> None:
        try:
            barrier.wait()
            work(index)
            result = "ok"
        except Conflict:
            result = "conflict"
        except IntegrityError:
            result = "integrity"
        except OperationalError as error:
            # Concurrent checks of an exclusion constraint can deadlock; PostgreSQL then aborts
            # one of the inserts, which is a refusal too.
            deadlock = getattr(error.__cause__, "sqlstate", None) == "40P01"
            result = "deadlock" if deadlock else f"error: {error!r}"
        except Exception as error:  # noqa: BLE001 - any other failure is what we look for
            result = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=clerk, args=(i,)) for i in range(CLERKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_twenty_concurrent_bookings_of_one_slot_give_exactly_one_booking(clinic_open) -> None:
    practitioner = factories.PractitionerFactory()
    room = factories.RoomFactory()
    clerk = factories.UserFactory()
    from django.contrib.auth.models import Group

    clerk.groups.add(Group.objects.get(name="Front desk"))
    start, _ = _slot()
    wanted = [
        factories.TreatmentSessionFactory(
            plan=factories.TreatmentPlanFactory(), target_date=start.date()
        )
        for _ in range(CLERKS)
    ]

    def book(index: int) -> None:
        sessions.session_book(
            acting_user=clerk,
            session=wanted[index],
            starts_at=start,
            practitioner=practitioner,
            room=room,
        )

    outcomes = _race(book)
    assert sorted(outcomes) == ["conflict"] * (CLERKS - 1) + ["ok"]
    assert TreatmentSession.objects.filter(status="booked", practitioner=practitioner).count() == 1


def test_the_database_refuses_overlaps_even_without_the_service(clinic_open) -> None:
    practitioner = factories.PractitionerFactory()
    rooms = [factories.RoomFactory() for _ in range(CLERKS)]
    start, end = _slot()
    plans = [factories.TreatmentPlanFactory() for _ in range(CLERKS)]

    def insert(index: int) -> None:
        with transaction.atomic():
            factories.BookedSessionFactory(
                plan=plans[index],
                practitioner=practitioner,
                room=rooms[index],
                starts_at=start + dt.timedelta(minutes=index),
                ends_at=end,
            )

    outcomes = _race(insert)
    assert outcomes.count("ok") == 1
    assert len(outcomes) == CLERKS
    assert set(outcomes) - {"ok"} <= {"integrity", "deadlock"}


def test_a_raw_sql_overlap_is_rejected_for_the_room_and_the_practitioner(clinic_open) -> None:
    existing = factories.BookedSessionFactory()
    other_plan = factories.TreatmentPlanFactory()
    other_practitioner = factories.PractitionerFactory()
    other_room = factories.RoomFactory()
    assert existing.starts_at is not None and existing.ends_at is not None
    sql = (
        "INSERT INTO treatments_treatmentsession (public_id, plan_id, number, target_date, "
        "starts_at, ends_at, practitioner_id, room_id, status, status_reason, device, area, "
        "adverse_events, notes, outcome_grade, needle_cartridge, cartridge_lot, created_at, "
        "updated_at) VALUES "
        "(gen_random_uuid(), %s, 1, %s, %s, %s, %s, %s, 'booked', '', '', '', '', '', '', '', "
        "'', now(), now())"
    )
    overlap = (
        existing.starts_at + dt.timedelta(minutes=15),
        existing.ends_at + dt.timedelta(minutes=15),
    )
    for practitioner_id, room_id, name in (
        (existing.practitioner_id, other_room.pk, "session_no_practitioner_overlap"),
        (other_practitioner.pk, existing.room_id, "session_no_room_overlap"),
    ):
        with (
            pytest.raises(IntegrityError, match=name),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                sql, [other_plan.pk, existing.target_date, *overlap, practitioner_id, room_id]
            )
    # A cancelled booking frees its slot.
    TreatmentSession.objects.filter(pk=existing.pk).update(
        status="cancelled", status_reason="Unwell"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                other_plan.pk,
                existing.target_date,
                *overlap,
                existing.practitioner_id,
                existing.room_id,
            ],
        )


def test_two_clerks_changing_one_series_at_once_keep_its_spacing(
    clinic_open: None, dermatologist: Persona
) -> None:
    from decimal import Decimal

    from django.contrib.auth.models import Group

    from evidence.models import Indication, Protocol
    from tests.conftest import all_no
    from treatments.planning import services

    derm_user = dermatologist.user
    concern = factories.SkinConcernFactory(indication=Indication.objects.get(slug="wrinkles"))
    start_day = timezone.localdate() + dt.timedelta(days=14)
    plan = services.plan_create(
        acting_user=derm_user,
        concern=concern,
        params=services.PlanParameters(
            protocol=Protocol.objects.get(code="IND-01"),
            sessions=4,
            interval_days=30,
            depth_mm=Decimal("1.0"),
            start_date=start_day,
        ),
        answers=all_no(),
    )
    clerk = factories.UserFactory()
    clerk.groups.add(Group.objects.get(name="Front desk"))
    people = [factories.PractitionerFactory() for _ in range(2)]
    rooms = [factories.RoomFactory() for _ in range(2)]
    one, two = plan.sessions.get(number=1), plan.sessions.get(number=2)
    zone = ZoneInfo("Europe/London")

    def at_11(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(11), tzinfo=zone)

    sessions.session_book(
        acting_user=clerk,
        session=one,
        starts_at=at_11(one.target_date),
        practitioner=people[0],
        room=rooms[0],
    )
    late_one = one.target_date + dt.timedelta(days=6)
    while late_one.weekday() >= 5:
        late_one += dt.timedelta(days=1)

    def work(index: int) -> None:
        if index == 0:
            sessions.session_reschedule(
                acting_user=clerk,
                session=one,
                starts_at=at_11(late_one),
                practitioner=people[0],
                room=rooms[0],
                shift_later=True,
            )
        else:
            sessions.session_book(
                acting_user=clerk,
                session=two,
                starts_at=at_11(two.target_date),
                practitioner=people[1],
                room=rooms[1],
            )

    barrier = threading.Barrier(2)
    errors: list[str] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except (Conflict, sessions.InvalidInput):
            pass
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    days = [session_day(s) for s in plan.sessions.order_by("number")]
    assert all((b - a).days >= 7 for a, b in zip(days, days[1:], strict=False)), days
