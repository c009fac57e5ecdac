"""Screening rules on plain stand-ins, without a database: the severity after exceptions, the
result, acknowledgements, overrides and how long a screening stands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from treatments.rules import screening as rules
from treatments.rules.screening import Override

LONDON = dt.timezone(dt.timedelta(0))


@dataclass(frozen=True)
class Study:
    doi: str = "10.0/x"
    short_citation: str = "Someone 2020"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    condition: str = "a condition"
    action: str = "the action"
    exception_severity: str = ""
    exception_action: str = ""
    exception_indication_ids: frozenset[int] = field(default_factory=frozenset)
    study: Study = field(default_factory=Study)


KELOID = Rule(
    "C09",
    "absolute",
    exception_severity="relative",
    exception_action="Physician-only pathway",
    exception_indication_ids=frozenset({5, 6}),
)
HSV = Rule("C03", "relative")
PREGNANT = Rule("C08", "absolute")
DARK_SKIN = Rule("C21", "flag")
RULES = [KELOID, HSV, PREGNANT, DARK_SKIN]


def test_an_exception_applies_only_to_its_indications() -> None:
    assert rules.applied(KELOID, indication_id=5) == rules.Applied(
        "relative", "Physician-only pathway", exception_applied=True
    )
    assert rules.applied(KELOID, indication_id=1) == rules.Applied(
        "absolute", "the action", exception_applied=False
    )


def test_the_keloid_rule_blocks_a_cosmetic_plan_and_needs_an_override_for_a_scar() -> None:
    answers = {rule.code: rule is KELOID for rule in RULES}
    assert rules.evaluate(RULES, answers, indication_id=1).result == "blocked"
    scar = rules.evaluate(RULES, answers, indication_id=5)
    assert scar.result == "needs_override"
    assert scar.applied_severity("C09") == "relative" and scar.applied_severity("C03") == ""


@given(st.lists(st.sampled_from(RULES), unique=True), st.sampled_from([1, 5]))
def test_the_result_is_the_worst_applied_severity(yes: list[Rule], indication: int) -> None:
    answers = {rule.code: rule in yes for rule in RULES}
    outcome = rules.evaluate(RULES, answers, indication_id=indication)
    applied = {rules.applied(rule, indication).severity for rule in yes}
    expected = (
        "blocked"
        if "absolute" in applied
        else "needs_override"
        if "relative" in applied
        else "clear"
    )
    assert outcome.result == expected
    assert {hit.rule.code for hit in outcome.hits} == {rule.code for rule in yes}


def test_missing_and_unknown_answers_are_named() -> None:
    problem = rules.answers_problem(["C03", "C08"], {"C03": False, "X99": True})
    assert problem is not None
    assert "missing: C08" in problem and "not questions for this plan: X99" in problem
    assert rules.answers_problem(["C03"], {"C03": True}) is None


def test_a_flag_answered_yes_must_be_acknowledged() -> None:
    outcome = rules.evaluate(RULES, {"C21": True}, indication_id=1)
    assert rules.unacknowledged(outcome, set()) == ["C21"]
    assert rules.unacknowledged(outcome, {"C21"}) == []


def test_the_blocking_message_names_only_what_applied_as_absolute() -> None:
    outcome = rules.evaluate(RULES, {"C09": True, "C08": True}, indication_id=5)
    assert rules.blocking_message(outcome) == (
        "An absolute contraindication blocks this: C08 a condition"
    )


@pytest.mark.parametrize(
    ("result", "reason", "may", "now", "expected"),
    [
        ("clear", False, False, True, Override.NOT_NEEDED),
        ("blocked", True, True, True, Override.NOT_NEEDED),
        ("needs_override", True, True, True, Override.GIVEN),
        ("needs_override", True, False, False, Override.ROLE_CANNOT_GIVE),
        ("needs_override", False, True, True, Override.REASON_MISSING),
        ("needs_override", False, False, True, Override.ROLE_CANNOT_GIVE),
        ("needs_override", False, False, False, Override.AWAITING),
    ],
)
def test_what_a_result_demands_of_the_person_recording_it(
    result: str, reason: bool, may: bool, now: bool, expected: Override
) -> None:
    decision = rules.override_decision(
        result, reason_given=reason, may_override=may, required_now=now
    )
    assert decision is expected


def test_only_an_unoverridden_relative_result_waits_and_can_be_overridden() -> None:
    assert rules.awaiting_override("needs_override", overridden=False)
    assert not rules.awaiting_override("needs_override", overridden=True)
    assert rules.override_refusal("needs_override", overridden=False) is None
    assert rules.override_refusal("blocked", overridden=False) == (
        "An absolute contraindication cannot be overridden."
    )
    assert rules.override_refusal("needs_override", overridden=True) == (
        "This screening was already overridden."
    )


def test_a_screening_stands_for_its_valid_days_and_never_when_it_blocked() -> None:
    at = dt.datetime(2027, 2, 24, 10, tzinfo=LONDON)
    on = dt.date(2027, 3, 25)
    assert rules.valid_until(at.date(), 30) == on
    assert rules.is_current(at, "clear", on=on, valid_days=30, zone=LONDON)
    assert not rules.is_current(
        at, "clear", on=on + dt.timedelta(days=1), valid_days=30, zone=LONDON
    )
    assert not rules.is_current(at, "blocked", on=at.date(), valid_days=30, zone=LONDON)
