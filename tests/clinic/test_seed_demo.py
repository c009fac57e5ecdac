"""seed_demo: a usable demo, the same after a second run, never in production."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from clinic import roles, two_factor
from clinic.demo import DEMO_LOGINS
from clinic.models import Closure, OpeningHours, Practitioner, Room
from evidence.models import Indication
from patients.models import Patient, SkinConcern
from tests.conftest import Persona
from treatments.models import Consultation, Screening, TreatmentPlan, TreatmentSession
from treatments.rules.limits import ANAESTHETIC_LEAD

pytestmark = pytest.mark.django_db

MODELS = (
    User,
    Practitioner,
    Room,
    OpeningHours,
    Closure,
    Patient,
    SkinConcern,
    TreatmentPlan,
    TreatmentSession,
    Screening,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@override_settings(DEBUG=True)
def test_it_creates_a_demo_clinic() -> None:
    output = seed()
    assert User.objects.filter(groups__name=roles.DERMATOLOGIST).exists()
    assert User.objects.filter(groups__name=roles.FRONT_DESK).exists()
    assert User.objects.filter(groups__name=roles.CLINIC_ADMIN).exists()
    assert Practitioner.objects.count() == 3
    assert Room.objects.count() == 3
    hours = {(h.weekday, h.opens.hour, h.closes.hour) for h in OpeningHours.objects.all()}
    assert hours == {(d, 9, 18) for d in range(5)} | {(5, 9, 13)}
    assert Closure.objects.count() == 1
    assert Patient.objects.count() == 50
    assert TreatmentPlan.objects.filter(status="active").count() >= 3
    for concern in SkinConcern.objects.exclude(baseline_grade="").select_related("grading_scale"):
        assert concern.grading_scale is not None
        assert concern.grading_scale.grade_error(concern.baseline_grade) is None
        assert concern.grading_scale.code not in {"S08", "S09", "S20"}, "general scale"
    for login in DEMO_LOGINS:
        assert login.password in output


@override_settings(DEBUG=True)
def test_a_second_run_changes_nothing() -> None:
    seed()
    before = counts()
    output = seed()
    assert counts() == before
    assert "nothing changed" in output


@override_settings(DEBUG=True)
def test_the_printed_logins_work() -> None:
    seed()
    for login in DEMO_LOGINS:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": login.username, "password": login.password}
        )
        assert response.status_code == 302, login.username
        home = client.get("/")
        if two_factor.required_for(User.objects.get(username=login.username)):
            # The first sign-in of a two-factor role sets up the authenticator.
            assert home.status_code == 302 and home["Location"].startswith(
                "/accounts/two-factor/setup/"
            )
        else:
            assert home.status_code == 200


@override_settings(DEBUG=False)
def test_it_refuses_to_run_with_debug_off() -> None:
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        seed()
    assert Patient.objects.count() == 0


@override_settings(DEBUG=True)
def test_every_demo_patient_passes_the_checks_a_person_would_meet() -> None:
    # The demo writes rows directly; an edit on the page must not then refuse what it wrote.
    seed()
    for patient in Patient.objects.all():
        before = patient.phone
        patient.full_clean()
        assert patient.phone == before  # already in the stored (E.164) form


def test_on_sqlite_the_history_pages_say_history_needs_postgresql(clinic_admin: Client) -> None:
    from django.db import connection
    from django.urls import reverse

    page = clinic_admin.get(reverse("admin:patients_patientevent_changelist")).content.decode()
    if connection.vendor == "postgresql":
        assert "Change history needs PostgreSQL" not in page
    else:
        assert "Change history needs PostgreSQL" in page


@override_settings(DEBUG=True)
def test_given_names_match_the_recorded_sex() -> None:
    from clinic.demo import GIVEN

    seed()
    patients = list(Patient.objects.filter(email__endswith="@demo.invalid"))
    assert patients
    for patient in patients:
        assert patient.given_name in GIVEN[patient.sex], (patient.given_name, patient.sex)
    assert {p.sex for p in patients} == {"female", "male"}


LONDON = ZoneInfo("Europe/London")
#: A Tuesday mid-morning at the clinic: someone has been seen, the day is under way.
MID_MORNING = dt.datetime(2027, 3, 2, 11, 10, tzinfo=LONDON)


def seeded_at(moment: dt.datetime, travel: time_machine.TimeMachineFixture) -> str:
    travel.move_to(moment, tick=False)
    with override_settings(DEBUG=True):
        return seed()


def day_sessions(day: dt.date) -> list[TreatmentSession]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)
    return list(
        TreatmentSession.objects.filter(
            starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
        ).order_by("starts_at")
    )


def times(session: TreatmentSession) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """A booked session's arrival, start and end."""
    assert session.arrival_at and session.starts_at and session.ends_at
    return session.arrival_at, session.starts_at, session.ends_at


def as_demo(username: str) -> Persona:
    return Persona(User.objects.get(username=username))


def test_todays_list_has_the_days_arrivals_at_first_launch(time_machine) -> None:  # noqa: ANN001
    seeded_at(MID_MORNING, time_machine)
    now = timezone.now()
    today = day_sessions(MID_MORNING.date())
    by_status = defaultdict(list)
    for session in today:
        by_status[session.status].append(session)
    # Seen earlier today, checked in and waiting, and more to come (not yet due).
    assert [times(s)[2] <= now for s in by_status["completed"]] == [True]
    (waiting,) = by_status["checked_in"]
    assert times(waiting)[0] <= now < times(waiting)[1]
    assert len(by_status["booked"]) >= 2
    assert all(times(s)[0] > now for s in by_status["booked"])
    assert set(by_status) == {"completed", "checked_in", "booked"}
    # Different practitioners and rooms share the day, inside opening hours.
    assert len({s.practitioner_id for s in today}) == 3
    assert len({s.room_id for s in today}) == 3
    for session in today:
        arrival, _, end = times(session)
        assert timezone.localtime(arrival).time() >= dt.time(9)
        assert timezone.localtime(end).time() <= dt.time(18)
    # A new patient's consultation is booked for later today too.
    consultation = Consultation.objects.get()
    assert timezone.localtime(consultation.starts_at).date() == MID_MORNING.date()
    assert consultation.starts_at > now and consultation.status == "booked"

    page = as_demo("frontdesk").get(reverse("today")).content.decode()
    for session in today:
        assert escape(session.plan.patient.full_name) in page
        assert f"{timezone.localtime(times(session)[0]):%H:%M}" in page
    assert page.count('class="status-booked"') == len(by_status["booked"])
    assert page.count('class="status-checked_in"') == 1
    assert page.count('class="status-completed"') == 1
    assert page.count(">Check in</a>") == len(by_status["booked"])
    assert "No bookings." not in page


def test_before_opening_everyone_is_still_to_arrive(time_machine) -> None:  # noqa: ANN001
    seeded_at(MID_MORNING.replace(hour=7, minute=0), time_machine)
    today = day_sessions(MID_MORNING.date())
    assert len(today) >= 2
    assert {s.status for s in today} == {"booked"}


def test_on_a_closed_day_the_arrivals_are_on_the_next_open_day(time_machine) -> None:  # noqa: ANN001
    sunday = dt.datetime(2027, 3, 7, 11, tzinfo=LONDON)
    output = seeded_at(sunday, time_machine)
    assert day_sessions(sunday.date()) == []
    monday = day_sessions(dt.date(2027, 3, 8))
    assert len(monday) >= 2 and {s.status for s in monday} == {"booked"}
    assert "The clinic is closed today" in output
    assert "Monday 08 March 2027" in output
    # The list says so, with a way to the next day.
    page = as_demo("frontdesk").get(reverse("today")).content.decode()
    assert "The clinic is closed on Sundays." in page and "Next day" in page
    assert "No bookings." not in page


def test_a_few_patients_have_a_whole_series_recorded(time_machine) -> None:  # noqa: ANN001
    seeded_at(MID_MORNING, time_machine)
    completed = list(
        TreatmentPlan.objects.filter(status="completed").select_related(
            "concern__grading_scale", "concern__indication"
        )
    )
    assert len(completed) >= 3
    derm = as_demo("dermatologist")
    for plan in completed:
        sessions = list(plan.sessions.order_by("number"))
        assert len(sessions) == plan.planned_sessions
        scale = plan.concern.grading_scale
        assert scale is not None, plan.concern
        for session in sessions:
            assert session.status == "completed"
            assert session.depth_used_mm == plan.needle_depth_mm
            assert session.device and session.needle_cartridge and session.cartridge_lot
            assert session.pain_score is not None and session.notes
            assert session.anaesthetic_applied_at == times(session)[1] - ANAESTHETIC_LEAD
            assert session.outcome_grade and scale.grade_error(session.outcome_grade) is None
            recorder = session.status_changed_by
            assert recorder is not None
            assert recorder.groups.filter(name=roles.DERMATOLOGIST).exists()
        # Checked in and re-screened before each session, by the front desk.
        assert Screening.objects.filter(plan=plan, kind="pre_session").count() == len(sessions)
        page = derm.get(reverse("session-detail", args=[sessions[-1].public_id]))
        text = page.content.decode()
        assert page.status_code == 200
        assert sessions[-1].outcome_grade in text and sessions[-1].cartridge_lot in text
        assert sessions[-1].device in text
    # The outcomes improve on the scale: the last grade is no worse than the baseline.
    melasma = next(p for p in completed if p.concern.indication.slug == "melasma")
    last = melasma.sessions.get(number=melasma.planned_sessions)
    assert int(last.outcome_grade) < int(melasma.concern.baseline_grade)


@override_settings(DEBUG=True)
def test_every_concern_is_a_skin_concern_and_every_skin_concern_appears() -> None:
    seed()
    used = set(SkinConcern.objects.values_list("indication__slug", flat=True))
    skin = set(Indication.objects.filter(is_skin_concern=True).values_list("slug", flat=True))
    assert used == skin
    assert "drug-delivery" not in used


def test_no_practitioner_or_room_is_double_booked(time_machine) -> None:  # noqa: ANN001
    seeded_at(MID_MORNING, time_machine)
    held: dict[tuple[str, int], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    rows = [
        *TreatmentSession.objects.exclude(starts_at=None)
        .exclude(status="cancelled")
        .values_list("practitioner_id", "room_id", "starts_at", "ends_at"),
        *Consultation.objects.exclude(status="cancelled").values_list(
            "practitioner_id", "room_id", "starts_at", "ends_at"
        ),
    ]
    assert len(rows) > 20
    for practitioner, room, start, end in rows:
        assert start is not None and end is not None
        for key in (("practitioner", practitioner), ("room", room)):
            held[key].append((start, end))
    for key, times in held.items():
        times.sort()
        for (_, end), (start, _) in zip(times, times[1:], strict=False):
            assert end <= start, key


def test_a_run_on_a_later_day_changes_nothing(time_machine) -> None:  # noqa: ANN001
    seeded_at(MID_MORNING, time_machine)
    before = counts()
    output = seeded_at(MID_MORNING + dt.timedelta(days=1), time_machine)
    assert counts() == before
    assert "nothing changed" in output
