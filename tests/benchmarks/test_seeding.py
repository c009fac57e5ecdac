"""seed_scale: benchmark data that obeys every rule the app's own bookings obey."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from pytest_django import Settings

from benchmarks.seeding import Counts, seed_scale
from clinic.models import OpeningHours, Practitioner, Room
from patients.models import Patient, validate_mrn
from treatments.models import TreatmentPlan, TreatmentSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> Counts:
    return seed_scale(400, seed=7)


def test_it_builds_the_asked_for_shape(seeded: Counts) -> None:
    assert seeded.patients == Patient.objects.count() == 400
    assert seeded.plans == TreatmentPlan.objects.count() == 400
    assert seeded.sessions == TreatmentSession.objects.count()
    assert 3.5 <= seeded.sessions / seeded.plans <= 4.7  # the protocol mix averages ~4.1
    assert (Practitioner.objects.count(), Room.objects.count()) == (40, 15)
    assert seeded.timed_sessions == TreatmentSession.objects.filter(starts_at__isnull=False).count()
    assert seeded.timed_sessions > 0
    for mrn in Patient.objects.values_list("mrn", flat=True)[:50]:
        validate_mrn(mrn)


def test_every_booking_sits_in_opening_hours_without_overlap(seeded: Counts) -> None:
    hours = {h.weekday: (h.opens, h.closes) for h in OpeningHours.objects.all()}
    held: dict[tuple[str, int | None], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for s in TreatmentSession.objects.exclude(status="cancelled").filter(starts_at__isnull=False):
        start, end = timezone.localtime(s.starts_at), timezone.localtime(s.ends_at)
        opens, closes = hours[start.weekday()]
        assert (start - dt.timedelta(minutes=30)).time() >= opens  # arrival when open
        assert end.time() <= closes and end.date() == start.date()
        held[("practitioner", s.practitioner_id)].append((start, end))
        held[("room", s.room_id)].append((start, end))
    for intervals in held.values():
        intervals.sort()
        for (_, end), (next_start, _) in zip(intervals, intervals[1:], strict=False):
            assert next_start >= end


def test_sessions_keep_their_series_spacing_and_plans_their_status(seeded: Counts) -> None:
    now = timezone.now()
    for plan in TreatmentPlan.objects.prefetch_related("sessions"):
        sessions = sorted(plan.sessions.all(), key=lambda s: s.number)
        assert [s.number for s in sessions] == list(range(1, plan.planned_sessions + 1))
        dated = [s.starts_at for s in sessions if s.starts_at and s.status != "cancelled"]
        for earlier, later in zip(dated, dated[1:], strict=False):
            assert (later.date() - earlier.date()).days >= plan.interval_days
        statuses = {s.status for s in sessions}
        if plan.status == "active":
            assert statuses & {"planned", "booked", "checked_in"}
        else:
            assert not statuses & {"planned", "booked", "checked_in"}
        for s in sessions:
            if s.status == "completed":
                assert s.ends_at is not None and s.ends_at <= now and s.depth_used_mm is not None
            if s.status == "booked":
                assert s.starts_at is not None and s.starts_at > now


def _fingerprint() -> list[tuple]:
    return list(
        TreatmentSession.objects.order_by("plan__patient__mrn", "number").values_list(
            "plan__patient__mrn",
            "plan__patient__family_name",
            "number",
            "status",
            "target_date",
            "starts_at",
            "room__name",
        )
    )


class _Undo(Exception):
    pass


def test_the_same_seed_gives_the_same_data() -> None:
    runs = []
    for _ in range(2):
        with pytest.raises(_Undo), transaction.atomic():
            seed_scale(60, seed=3)
            runs.append(_fingerprint())
            raise _Undo
    assert runs[0] and runs[0] == runs[1]


def test_it_refuses_a_database_that_already_has_patients(seeded: Counts) -> None:
    with pytest.raises(ValueError, match="already holds patients"):
        seed_scale(10)


def test_fewer_practitioners_than_rooms_is_refused() -> None:
    with pytest.raises(ValueError, match="at least as many practitioners as rooms"):
        seed_scale(10, practitioners=3, rooms=15)
    assert not Patient.objects.exists()


def test_plans_are_approved_in_the_past_and_check_ins_were_screened(seeded: Counts) -> None:
    from treatments.models import Screening

    now = timezone.now()
    assert not TreatmentPlan.objects.filter(approved_at__gt=now).exists()
    for session in TreatmentSession.objects.filter(status="checked_in"):
        assert Screening.objects.filter(session=session, kind="pre_session").exists()


def test_the_command_refuses_without_debug_unless_told_it_is_a_benchmark_database(
    settings: Settings,
) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_scale", "--patients", "5")
    out = StringIO()
    call_command("seed_scale", "--patients", "5", "--benchmark-db", stdout=out)
    assert "5 patients" in out.getvalue()
    with pytest.raises(CommandError, match="between 1"):
        call_command("seed_scale", "--patients", "0", "--benchmark-db")
