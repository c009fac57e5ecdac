"""Each worklist counts what it should and leaves out what is done, superseded or not yet due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import chain

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic import roles
from evidence.models import ContraindicationRule, Finding, GradingScale, Protocol, Study
from patients.models import Patient, SkinConcern
from tests import factories
from tests.treatments.worklist import makers
from tests.treatments.worklist.makers import TODAY
from treatments.models import Screening, TreatmentPlan, TreatmentSession
from treatments.rules import screening as screening_rules
from treatments.rules import spacing
from treatments.rules.limits import ANAESTHETIC_LEAD, BOOKING_NOTICE_DAYS
from treatments.worklist import selectors

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
BEFORE = settings.BOOKING_WINDOW_BEFORE_DAYS


@pytest.fixture(autouse=True)
def today(time_machine: time_machine.TimeMachineFixture) -> Iterator[dt.date]:
    time_machine.move_to(makers.NOW, tick=False)
    yield TODAY


# --- Dermatologist ---------------------------------------------------------------------------


def test_it_lists_screenings_awaiting_an_override_at_check_in_and_at_planning() -> None:
    at_check_in = makers.awaiting_at_check_in()
    at_planning = makers.awaiting_at_planning()
    makers.override(makers.awaiting_at_check_in())  # overridden: done
    superseded = makers.awaiting_at_check_in()
    factories.ScreeningFactory(  # the re-screen after it found nothing: it no longer waits
        plan=superseded.plan,
        session=superseded.session,
        kind=Screening.Kind.PRE_SESSION,
        performed_at=superseded.performed_at + dt.timedelta(minutes=5),
    )
    recorded = makers.awaiting_at_check_in()
    TreatmentSession.objects.filter(screenings=recorded).update(
        status=TreatmentSession.Status.COMPLETED
    )
    makers.awaiting_at_planning(plan__status=TreatmentPlan.Status.COMPLETED)
    archived = makers.awaiting_at_check_in()
    Patient.objects.filter(pk=archived.patient_id).update(status=Patient.Status.ARCHIVED)
    factories.ScreeningFactory(result=Screening.Result.CLEAR)

    found = selectors.screenings_awaiting_override()

    assert found.count == 2
    assert [s.pk for s in found.items] == [at_planning.pk, at_check_in.pk]  # oldest first
    answers = found.items[1].needing_override  # type: ignore[attr-defined]  # the prefetch's
    assert [a.rule.condition for a in answers] == ["Isotretinoin in the last 6 months"]


def test_the_override_query_agrees_with_the_rule() -> None:
    """The list filters on `AWAITS_OVERRIDE` and a missing override: for every result, with and
    without an override, a screening is listed exactly when `awaiting_override` says so."""
    cases = {}
    for result in Screening.Result.values:
        for overridden in (False, True):
            if overridden and result != Screening.Result.NEEDS_OVERRIDE:
                continue  # the database refuses an override of anything else
            screening = makers.awaiting_at_check_in()
            Screening.objects.filter(pk=screening.pk).update(result=result)
            screening.refresh_from_db()
            if overridden:
                makers.override(screening)
            cases[screening.pk] = screening_rules.awaiting_override(result, overridden=overridden)
    listed = {s.pk for s in selectors.screenings_awaiting_override(limit=100).items}
    assert listed == {pk for pk, awaits in cases.items() if awaits}


def test_it_lists_open_concerns_of_active_patients_without_an_active_plan() -> None:
    waiting = makers.concern_without_plan()
    after_cancelled = makers.plan_for(
        factories.PatientFactory(),
        status=TreatmentPlan.Status.CANCELLED,
        approved_by=None,
        approved_at=None,
        cancellation_reason="Changed her mind",
    ).concern
    factories.TreatmentPlanFactory()  # planned: not waiting
    makers.concern_without_plan(status=SkinConcern.Status.RESOLVED)
    makers.concern_without_plan(patient__status=Patient.Status.ARCHIVED)

    found = selectors.concerns_without_plan()

    assert found.count == 2
    assert [c.pk for c in found.items] == [waiting.pk, after_cancelled.pk]


def test_it_lists_sessions_checked_in_today_or_earlier_and_not_recorded() -> None:
    yesterday = makers.checked_in(TODAY - DAY, hour=15)
    this_morning = makers.checked_in(TODAY, hour=9)
    recorded = makers.checked_in(TODAY, hour=11)
    TreatmentSession.objects.filter(pk=recorded.pk).update(status=TreatmentSession.Status.COMPLETED)
    makers.arrival(TODAY, hour=12)  # booked, not checked in yet

    found = selectors.sessions_to_record(TODAY)

    assert found.count == 2
    assert [s.pk for s in found.items] == [yesterday.pk, this_morning.pk]


# --- Front desk ------------------------------------------------------------------------------


def test_todays_arrivals_are_in_order_of_arrival_with_the_anaesthetic_lead() -> None:
    later = makers.arrival(TODAY, hour=14)
    first = makers.arrival(TODAY, hour=9)
    makers.checked_in(TODAY, hour=11)  # already here
    makers.arrival(TODAY + DAY, hour=9)

    found = selectors.arrivals_for_day(TODAY)

    assert [a.session.pk for a in found.items if a.session] == [first.pk, later.pk]
    assert found.count == 2
    arrives = found.items[0].arrive_at
    assert arrives is not None
    assert (
        timezone.localtime(arrives).time()
        == (dt.datetime.combine(TODAY, dt.time(9)) - ANAESTHETIC_LEAD).time()
    )


def opening_in(days: int) -> dt.date:
    """The target date of a session whose booking window opens `days` from today."""
    return TODAY + dt.timedelta(days=days + BEFORE)


def test_sessions_due_are_those_whose_window_has_opened_or_opens_within_the_notice() -> None:
    overdue = makers.planned(TODAY - dt.timedelta(days=20))
    opens_tomorrow = makers.planned(opening_in(1))
    at_the_notice = makers.planned(opening_in(BOOKING_NOTICE_DAYS))
    makers.planned(opening_in(BOOKING_NOTICE_DAYS + 1))  # not yet
    makers.session_on(opening_in(0))  # booked
    makers.planned(
        opening_in(0),
        plan__status=TreatmentPlan.Status.CANCELLED,
        plan__approved_by=None,
        plan__approved_at=None,
        plan__cancellation_reason="Moved away",
    )

    found = selectors.sessions_due_unbooked(TODAY)

    assert found.count == 3
    assert [d.session.pk for d in found.items] == [overdue.pk, opens_tomorrow.pk, at_the_notice.pk]
    assert [d.opens_in_days for d in found.items][1:] == [1, BOOKING_NOTICE_DAYS]
    assert all(
        spacing.booking_due(d.window, TODAY, notice_days=BOOKING_NOTICE_DAYS) for d in found.items
    )


def test_a_session_whose_window_opens_tomorrow_is_due_the_day_after_the_notice_starts() -> None:
    tomorrow_beyond = makers.planned(opening_in(BOOKING_NOTICE_DAYS + 1))
    assert selectors.sessions_due_unbooked(TODAY).count == 0
    assert [d.session.pk for d in selectors.sessions_due_unbooked(TODAY + DAY).items] == [
        tomorrow_beyond.pk
    ]


def test_consultations_to_book_are_new_patients_with_no_plan_and_nothing_booked() -> None:
    waiting = makers.new_patient()
    makers.plan_for(makers.new_patient())
    makers.new_patient(status=Patient.Status.ARCHIVED)

    found = selectors.patients_to_consult(TODAY)

    assert [p.pk for p in found.items] == [waiting.pk]
    assert found.count == 1


def test_a_booked_or_held_consultation_takes_a_patient_off_the_list_a_cancelled_one_not() -> None:
    booked, seen, cancelled = (makers.new_patient() for _ in range(3))
    factories.ConsultationFactory(patient=booked)
    factories.ConsultationFactory(patient=seen, status="attended")
    factories.ConsultationFactory(patient=cancelled, status="cancelled", status_reason="Ill")

    found = selectors.patients_to_consult(TODAY)

    assert [p.pk for p in found.items] == [cancelled.pk]


def test_a_long_list_counts_everything_and_shows_the_first_few() -> None:
    made = [makers.new_patient() for _ in range(selectors.SHOWN + 4)]
    found = selectors.patients_to_consult(TODAY)
    assert found.count == len(made)
    assert [p.pk for p in found.items] == [p.pk for p in made[: selectors.SHOWN]]
    assert found.more == 4


# --- Clinic admin ----------------------------------------------------------------------------


def test_knowledge_needing_review_counts_each_kind_by_its_provenance_tag() -> None:
    before = selectors.knowledge_needing_review()
    unchecked = factories.StudyFactory(provenance="U", title="An unchecked study")
    factories.StudyFactory(provenance="V")

    found = selectors.knowledge_needing_review(limit=1000)

    expected = {
        kind: sum(1 for item in model.objects.all() if item.is_unconfirmed)
        for kind, model in (
            ("protocol", Protocol),
            ("contraindicationrule", ContraindicationRule),
            ("gradingscale", GradingScale),
            ("finding", Finding),
            ("study", Study),
        )
    }
    assert {k.kind: k.count for k in found.by_kind} == expected
    assert found.count == before.count + 1 == sum(expected.values())
    assert ("study", unchecked.pk) in {(i.kind, i.pk) for i in found.items}
    assert len(found.items) == found.count
    assert len(before.items) == min(selectors.SHOWN, before.count)


def failed_logins(username: str, failures: int) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=username,
        ip_address="192.0.2.7",
        failures_since_start=failures,
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )


def test_users_are_counted_by_role_with_the_inactive_and_the_locked_out() -> None:
    dermatologists = Group.objects.get(name=roles.DERMATOLOGIST)
    factories.UserFactory.create_batch(2, groups=[dermatologists])
    factories.UserFactory(groups=[dermatologists], is_active=False)
    limit = settings.AXES_FAILURE_LIMIT
    locked = failed_logins("mallory", limit)
    failed_logins("bob", limit - 1)  # not enough failures
    expired = failed_logins("eve", limit)
    AccessAttempt.objects.filter(pk=expired.pk).update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    )

    found = selectors.users_overview()

    assert found.by_role == {roles.DERMATOLOGIST: 2, roles.FRONT_DESK: 0, roles.CLINIC_ADMIN: 0}
    assert found.inactive == 1
    assert [a.pk for a in found.locked_out.items] == [locked.pk]
    assert found.locked_out.count == 1


def test_the_access_log_shows_the_latest_reads_first() -> None:
    older, newer = factories.PatientAccessFactory(), factories.PatientAccessFactory()
    found = selectors.access_log_latest()
    assert [e.pk for e in found.items] == [newer.pk, older.pk]
    assert found.count == 2


# --- Roles -----------------------------------------------------------------------------------


def test_each_role_gets_its_own_lists_and_several_roles_get_each() -> None:
    derm = selectors.worklists([roles.DERMATOLOGIST], TODAY)
    assert derm.overrides is not None and derm.arrivals is None and derm.knowledge is None
    both = selectors.worklists([roles.DERMATOLOGIST, roles.FRONT_DESK], TODAY)
    assert both.overrides is not None and both.arrivals is not None and both.knowledge is None
    admin = selectors.worklists([roles.CLINIC_ADMIN], TODAY)
    assert admin.knowledge is not None and admin.overrides is None and admin.due is None


def test_the_lists_name_every_patient_they_show() -> None:
    shown = [
        makers.awaiting_at_check_in().patient,
        makers.concern_without_plan().patient,
        makers.arrival().plan.patient,
        makers.planned(opening_in(0)).plan.patient,
        makers.new_patient(),
    ]
    lists = selectors.worklists([roles.DERMATOLOGIST, roles.FRONT_DESK], TODAY)
    items = chain(lists.patient_ids())
    assert set(items) >= {p.pk for p in shown}
