"""Screening rules on plain stand-ins, without a database: the severity after exceptions, the
result, acknowledgements, overrides and how long a screening stands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

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
    applies_to: str = "all"
    only_indication_ids: frozenset[int] = field(default_factory=frozenset)


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


# --- Which questions a plan asks, and what the record answers -------------------------------

MELASMA, WRINKLES = 8, 1


@dataclass(frozen=True)
class Scoped:
    code: str
    applies_to: str = "all"
    only_indication_ids: frozenset[int] = field(default_factory=frozenset)


PACEMAKER = Scoped("C18", applies_to="rf_only")
TXA = Scoped("C25", only_indication_ids=frozenset({MELASMA}))
SKIN, AGE, ORBIT, DEPTH, INFECTION = (Scoped(code) for code in ("C21", "C22", "C23", "C24", "C01"))
SCOPED = [INFECTION, PACEMAKER, TXA, SKIN, AGE, ORBIT, DEPTH]


def facts(**overrides: object) -> rules.RecordFacts:
    values: dict = {
        "modality": "mn",
        "indication_id": WRINKLES,
        "depth_mm": Decimal("1.0"),
        "body_area": "face",
        "skin_type": 3,
        "age": 35,
        **overrides,
    }
    return rules.RecordFacts(**values)


def test_a_plan_is_not_asked_rules_for_another_modality_or_indication() -> None:
    codes = [q.rule.code for q in rules.questionnaire(SCOPED, facts()).questions]
    assert codes == ["C01", "C21", "C22", "C23", "C24"]
    rf_melasma = rules.questionnaire(SCOPED, facts(modality="rfmn", indication_id=MELASMA))
    assert {"C18", "C25"} <= {q.rule.code for q in rf_melasma.questions}


def test_fitzpatrick_v_answers_the_skin_type_question_yes() -> None:
    questions = rules.questionnaire(SCOPED, facts(skin_type=5))
    assert questions.derived_answers()["C21"] is True
    assert "C21" not in {q.rule.code for q in questions.asked}
    derived = next(q.derived for q in questions.from_record if q.rule.code == "C21")
    assert derived is not None and "type V" in derived.because


def test_types_i_to_iii_still_ask_about_a_tan_and_say_what_the_record_holds() -> None:
    question = next(
        q for q in rules.questionnaire(SCOPED, facts(skin_type=2)).asked if q.rule.code == "C21"
    )
    assert question.derived is not None and question.derived.answer is None
    assert "type II" in question.derived.because and "tan" in question.derived.because


def test_no_skin_type_on_record_asks_the_whole_question() -> None:
    question = next(
        q for q in rules.questionnaire(SCOPED, facts(skin_type=None)).asked if q.rule.code == "C21"
    )
    assert question.derived is None


@given(st.integers(min_value=0, max_value=120))
def test_the_age_rule_follows_the_age(age: int) -> None:
    assert rules.questionnaire(SCOPED, facts(age=age)).derived_answers()["C22"] is (age < 22)


@given(st.decimals(min_value=Decimal("0.25"), max_value=Decimal("3.0"), places=2))
def test_a_depth_within_the_labelling_answers_the_depth_question_and_one_beyond_asks(
    depth: Decimal,
) -> None:
    questions = rules.questionnaire(SCOPED, facts(depth_mm=depth))
    if depth <= Decimal("1.5"):
        assert questions.derived_answers()["C24"] is False
    else:
        assert "C24" in {q.rule.code for q in questions.asked}


@given(st.sampled_from(["face", "neck", "scalp", "abdomen", "thighs", "arms", "back", "other"]))
def test_only_the_face_or_an_unnamed_area_is_asked_about_the_orbital_rim(area: str) -> None:
    asked = {q.rule.code for q in rules.questionnaire(SCOPED, facts(body_area=area)).asked}
    assert ("C23" in asked) is (area in {"face", "other"})


@given(
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=0, max_value=99),
    st.dictionaries(st.sampled_from(["C01", "C21", "C22", "C23", "C24"]), st.booleans()),
)
def test_given_answers_complete_with_the_record_and_contradictions_are_refused(
    skin: int, age: int, given_answers: dict[str, bool]
) -> None:
    questions = rules.questionnaire(SCOPED, facts(skin_type=skin, age=age))
    derived = questions.derived_answers()
    completed = rules.completed_answers(questions, given_answers)
    contradicting = {
        code for code, answer in derived.items() if given_answers.get(code, answer) != answer
    }
    assert {c.split()[0] for c in completed.contradictions} == contradicting
    assert all(completed.answers[code] == answer for code, answer in derived.items())
    unanswered = {q.rule.code for q in questions.asked} - set(given_answers)
    assert (completed.problem is None) is (not unanswered)


def test_a_derived_flag_raises_like_a_typed_one() -> None:
    questions = rules.questionnaire([DARK_SKIN], facts(skin_type=6))
    answers = rules.completed_answers(questions, {}).answers
    outcome = rules.evaluate([DARK_SKIN], answers, indication_id=WRINKLES)
    assert [hit.rule.code for hit in outcome.flags] == ["C21"]
    assert rules.unacknowledged(outcome, ()) == ["C21"]


def test_questions_are_grouped_in_order_and_an_unknown_code_is_not_lost() -> None:
    groups = rules.grouped(rules.Question(Scoped(code)) for code in ("C24", "C01", "C99", "C07"))
    assert [(name, [q.rule.code for q in qs]) for name, qs in groups] == [
        ("The treatment area today", ["C01"]),
        ("Medicines", ["C07"]),
        ("Skin, age, depth and products", ["C24"]),
        ("Other questions", ["C99"]),
    ]


# --- An override carries while nothing changed and it stands --------------------------------

PLANNED = dt.date(2027, 2, 24)


def carries(**overrides: object) -> bool:
    values: dict = {
        "changed": False,
        "previous_result": "needs_override",
        "overridden_on": PLANNED,
        "accepted": {"C03"},
        "needing_now": {"C03"},
        "on": PLANNED + dt.timedelta(days=5),
        "valid_days": 30,
        **overrides,
    }
    return rules.override_carries(**values)


def test_an_override_carries_while_nothing_changed_and_it_stands() -> None:
    assert carries()
    assert not carries(changed=True)
    assert not carries(overridden_on=None)
    assert not carries(needing_now={"C03", "C07"})  # a new relative rule needs its own
    assert carries(needing_now=set())


@given(st.integers(min_value=-3, max_value=60), st.integers(min_value=1, max_value=40))
def test_an_override_stands_for_the_validity_counted_from_the_override(
    days_later: int, valid_days: int
) -> None:
    on = PLANNED + dt.timedelta(days=days_later)
    assert carries(on=on, valid_days=valid_days) is (0 <= days_later < valid_days)
