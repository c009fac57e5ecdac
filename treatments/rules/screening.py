"""Contraindication screening: which questions a plan asks, what the record already answers,
what the answers mean and what each result demands.

Plain functions over anything shaped like a rule (`ScreenedRule`): the knowledge base's rows
satisfy it, and so do the plain stand-ins the tests build. The keloid tension (C09 against scar
indications) comes from the rule's data (`exception_indication_ids`), not from code here; so do
the rules a plan does not ask (`applies_to`, `only_indication_ids`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, Protocol, TypeVar, cast

from evidence.models import Modality, RuleAppliesTo, RuleSeverity
from treatments.models import ScreeningResult


class CitedStudy(Protocol):
    """The study a rule cites, as a refusal names it."""

    @property
    def doi(self) -> str: ...

    @property
    def short_citation(self) -> str: ...


class ScreenedRule(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def condition(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def exception_severity(self) -> str: ...
    @property
    def exception_action(self) -> str: ...

    @property
    def exception_indication_ids(self) -> frozenset[int]: ...

    @property
    def study(self) -> CitedStudy: ...


@dataclass(frozen=True)
class Applied:
    """The severity and action a rule has for one plan, after its exceptions."""

    severity: str
    action: str
    exception_applied: bool


def applied(rule: ScreenedRule, indication_id: int) -> Applied:
    """The one place where a rule's exception is weighed: the plan's indication decides."""
    if rule.exception_severity and indication_id in rule.exception_indication_ids:
        return Applied(rule.exception_severity, rule.exception_action, exception_applied=True)
    return Applied(rule.severity, rule.action, exception_applied=False)


# --- Which questions a plan asks, and what the record already answers -------------------------


class ScopedRule(Protocol):
    """A rule as far as deciding whether a plan asks it."""

    @property
    def code(self) -> str: ...
    @property
    def applies_to(self) -> str: ...

    @property
    def only_indication_ids(self) -> frozenset[int]: ...


def applies(rule: ScopedRule, *, modality: str, indication_id: int) -> bool:
    """Whether a plan of this modality and indication asks the rule at all: an RF-only rule is
    not a question for plain microneedling, nor a TXA rule (C25, melasma) for wrinkles."""
    if rule.applies_to == RuleAppliesTo.RF_ONLY and modality != Modality.RF_MICRONEEDLING:
        return False
    return not rule.only_indication_ids or indication_id in rule.only_indication_ids


#: A Fitzpatrick type from which C21's "type IV, V or VI" is already a yes.
DARK_SKIN_FROM_TYPE = 4
#: C22: device authorisations are for adults of this age and over (DOMAIN.md C22).
LABELLED_MIN_AGE = 22
#: C24: devices whose labelling evaluated depths up to this (SkinPen IFU, DOMAIN.md C24).
LABELLED_MAX_DEPTH_MM = Decimal("1.5")
#: C23: the orbital rim is on the face; a plan for any other named area is not near it.
AREAS_NEAR_THE_EYES = frozenset({"face", "other", ""})

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}


@dataclass(frozen=True)
class RecordFacts:
    """What the record knows that screening questions would otherwise ask: the patient's skin
    type and age on the day of screening, and the plan's modality, indication, depth and area."""

    modality: str
    indication_id: int
    depth_mm: Decimal
    body_area: str
    skin_type: int | None
    age: int | None


@dataclass(frozen=True)
class Derived:
    """The record's answer to a question (`answer`), or, when `answer` is None, what the record
    says that narrows the question still asked."""

    answer: bool | None
    because: str


def _skin_type(facts: RecordFacts) -> Derived | None:
    if facts.skin_type is None:
        return None
    numeral = ROMAN.get(facts.skin_type, str(facts.skin_type))
    if facts.skin_type >= DARK_SKIN_FROM_TYPE:
        return Derived(True, f"Fitzpatrick type {numeral} on the record.")
    # Types I–III still tan: only the tan is asked.
    return Derived(None, f"Fitzpatrick type {numeral} on the record: answer for a current tan.")


def _age(facts: RecordFacts) -> Derived | None:
    if facts.age is None:
        return None
    return Derived(facts.age < LABELLED_MIN_AGE, f"Age {facts.age}, from the date of birth.")


def _orbital_rim(facts: RecordFacts) -> Derived | None:
    if facts.body_area in AREAS_NEAR_THE_EYES:
        return None
    return Derived(False, f"The plan treats the {facts.body_area}, not the face.")


def _depth(facts: RecordFacts) -> Derived | None:
    depth = facts.depth_mm.normalize()
    if facts.depth_mm <= LABELLED_MAX_DEPTH_MM:
        return Derived(False, f"The plan's depth is {depth} mm.")
    return Derived(None, f"The plan's depth is {depth} mm: answer for the device's labelling.")


#: The questions the record answers, by rule code: each takes the facts and says what they
#: answer, or None when the record does not know.
DERIVATIONS: dict[str, Callable[[RecordFacts], Derived | None]] = {
    "C21": _skin_type,
    "C22": _age,
    "C23": _orbital_rim,
    "C24": _depth,
}


# Unbounded: mypy does not see a Django model's fields as a Protocol's attributes in a bound,
# though it does in an assignment. `_scoped` says where a rule's attributes are read.
R = TypeVar("R")


def _scoped(rule: object) -> ScopedRule:
    return cast(ScopedRule, rule)


@dataclass(frozen=True)
class Question(Generic[R]):
    rule: R
    derived: Derived | None = None

    @property
    def asked(self) -> bool:
        return self.derived is None or self.derived.answer is None


@dataclass(frozen=True)
class Questionnaire(Generic[R]):
    """A plan's screening: every question that applies, each asked or answered by the record."""

    questions: tuple[Question[R], ...]

    @property
    def rules(self) -> list[R]:
        return [question.rule for question in self.questions]

    @property
    def asked(self) -> list[Question[R]]:
        return [question for question in self.questions if question.asked]

    @property
    def from_record(self) -> list[Question[R]]:
        return [question for question in self.questions if not question.asked]

    def derived_answers(self) -> dict[str, bool]:
        return {
            _scoped(question.rule).code: question.derived.answer
            for question in self.questions
            if question.derived is not None and question.derived.answer is not None
        }


def questionnaire(rules: Iterable[R], facts: RecordFacts) -> Questionnaire[R]:
    """The questions a plan asks, in the rules' order, with what the record answers."""
    return Questionnaire(
        tuple(
            Question(
                rule, derive(facts) if (derive := DERIVATIONS.get(_scoped(rule).code)) else None
            )
            for rule in rules
            if applies(_scoped(rule), modality=facts.modality, indication_id=facts.indication_id)
        )
    )


#: How the screening page groups its questions, by rule code; a rule added to the knowledge
#: base and not listed here is asked under "Other questions".
QUESTION_GROUPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("The treatment area today", frozenset({"C01", "C02", "C04", "C12", "C13", "C14", "C23"})),
    ("Medicines", frozenset({"C05a", "C05b", "C07", "C25"})),
    ("Health and history", frozenset({"C03", "C06", "C08", "C09", "C10", "C11", "C26"})),
    ("Allergies and implants", frozenset({"C15", "C16", "C17", "C18", "C19"})),
    ("Skin, age, depth and products", frozenset({"C20", "C21", "C22", "C24"})),
)
OTHER_GROUP = "Other questions"


def grouped(questions: Iterable[Question[R]]) -> list[tuple[str, list[Question[R]]]]:
    """Questions under their headings, in the groups' order, empty groups left out."""
    groups: dict[str, list[Question[R]]] = {name: [] for name, _ in QUESTION_GROUPS}
    groups[OTHER_GROUP] = []
    for question in questions:
        name = next(
            (name for name, codes in QUESTION_GROUPS if _scoped(question.rule).code in codes),
            OTHER_GROUP,
        )
        groups[name].append(question)
    return [(name, members) for name, members in groups.items() if members]


@dataclass(frozen=True)
class Completed:
    """Given answers completed with the record's, and what is wrong with them."""

    answers: dict[str, bool]
    contradictions: tuple[str, ...]
    problem: str | None

    @property
    def errors(self) -> list[str]:
        return [*self.contradictions, *([self.problem] if self.problem else [])]


def completed_answers(questions: Questionnaire[R], given: Mapping[str, bool]) -> Completed:
    """The record's answers added to those given. A client need not send them; one that says
    otherwise than the record is refused: the record is where such an answer changes."""
    derived = questions.derived_answers()
    because = {
        _scoped(question.rule).code: question.derived.because
        for question in questions.from_record
        if question.derived is not None
    }
    contradictions = tuple(
        f"{code} is answered by the record ({because[code]}): "
        f"{'yes' if answer else 'no'}. Correct the record to change it."
        for code, answer in derived.items()
        if code in given and given[code] != answer
    )
    answers = {**given, **derived}
    problem = answers_problem(
        [_scoped(question.rule).code for question in questions.questions], answers
    )
    return Completed(answers, contradictions, problem)


@dataclass(frozen=True)
class RuleHit:
    """A rule answered 'yes', with the severity and action that apply to this plan."""

    rule: ScreenedRule
    severity: str
    action: str
    exception_applied: bool


@dataclass(frozen=True)
class ScreeningOutcome:
    result: str
    hits: tuple[RuleHit, ...]

    def _of(self, severity: str) -> list[RuleHit]:
        return [hit for hit in self.hits if hit.severity == severity]

    @property
    def blocking(self) -> list[RuleHit]:
        return self._of(RuleSeverity.ABSOLUTE)

    @property
    def needing_override(self) -> list[RuleHit]:
        return self._of(RuleSeverity.RELATIVE)

    @property
    def flags(self) -> list[RuleHit]:
        return self._of(RuleSeverity.FLAG)

    def applied_severity(self, code: str) -> str:
        """What a 'yes' to `code` weighed; empty for a 'no'."""
        return next((hit.severity for hit in self.hits if hit.rule.code == code), "")


def answers_problem(codes: Iterable[str], answers: Mapping[str, bool]) -> str | None:
    """Every question answered, and nothing else."""
    asked = list(codes)
    missing = [code for code in asked if code not in answers]
    unknown = sorted(set(answers) - set(asked))
    problems = []
    if missing:
        problems.append(f"Answer every screening question; missing: {', '.join(missing)}.")
    if unknown:
        problems.append(f"These are not questions for this plan: {', '.join(unknown)}.")
    return " ".join(problems) or None


def result_of(severities: Iterable[str]) -> str:
    found = set(severities)
    if RuleSeverity.ABSOLUTE in found:
        return ScreeningResult.BLOCKED
    if RuleSeverity.RELATIVE in found:
        return ScreeningResult.NEEDS_OVERRIDE
    return ScreeningResult.CLEAR


def evaluate(
    rules: Iterable[ScreenedRule], answers: Mapping[str, bool], *, indication_id: int
) -> ScreeningOutcome:
    """The screening result for answers to `rules` (already those of the plan's modality)."""
    hits = []
    for rule in rules:
        if answers.get(rule.code):
            weighed = applied(rule, indication_id)
            hits.append(RuleHit(rule, weighed.severity, weighed.action, weighed.exception_applied))
    return ScreeningOutcome(result=result_of(hit.severity for hit in hits), hits=tuple(hits))


def blocking_message(outcome: ScreeningOutcome) -> str:
    """Why an absolute contraindication blocks: only rules that applied as absolute."""
    return "An absolute contraindication blocks this: " + "; ".join(
        f"{hit.rule.code} {hit.rule.condition}" for hit in outcome.blocking
    )


def unacknowledged(outcome: ScreeningOutcome, acknowledged: Collection[str]) -> list[str]:
    """Flags are shown and acknowledged: a 'yes' to one without acknowledgement is refused."""
    return [hit.rule.code for hit in outcome.flags if hit.rule.code not in acknowledged]


# --- Overrides: a relative contraindication needs a dermatologist's written override -----------


class Override(enum.Enum):
    NOT_NEEDED = "not_needed"
    GIVEN = "given"  # a dermatologist gives it now, with a reason
    AWAITING = "awaiting"  # recorded; the procedure waits for a dermatologist
    ROLE_CANNOT_GIVE = "role_cannot_give"
    REASON_MISSING = "reason_missing"


def override_decision(
    result: str, *, reason_given: bool, may_override: bool, required_now: bool
) -> Override:
    """What a screening's result demands of the person recording it.

    Planning needs the override there and then (`required_now`); at check-in a relative
    contraindication lets the patient in and waits for a dermatologist before the procedure.
    """
    if result != ScreeningResult.NEEDS_OVERRIDE:
        return Override.NOT_NEEDED
    if reason_given:
        return Override.GIVEN if may_override else Override.ROLE_CANNOT_GIVE
    if not required_now:
        return Override.AWAITING
    return Override.REASON_MISSING if may_override else Override.ROLE_CANNOT_GIVE


#: The result that waits for a dermatologist until someone overrides it (`awaiting_override`);
#: the worklist's query filters on it.
AWAITS_OVERRIDE = ScreeningResult.NEEDS_OVERRIDE


def awaiting_override(result: str, *, overridden: bool) -> bool:
    """A relative contraindication nobody has overridden yet: the procedure must wait."""
    return result == AWAITS_OVERRIDE and not overridden


def override_refusal(result: str, *, overridden: bool) -> str | None:
    """Why this screening cannot be overridden, or None when it can."""
    if result == ScreeningResult.BLOCKED:
        return "An absolute contraindication cannot be overridden."
    if result != ScreeningResult.NEEDS_OVERRIDE:
        return "This screening needs no override."
    if overridden:
        return "This screening was already overridden."
    return None


def override_carries(
    *,
    changed: bool,
    previous_result: str,
    overridden_on: dt.date | None,
    accepted: Collection[str],
    needing_now: Collection[str],
    on: dt.date,
    valid_days: int,
) -> bool:
    """An override given earlier (at planning, say) stands at a re-screen where nothing changed,
    for the rules it accepted, while the screening it was given with stands: counted from the
    day of the override, so carrying it forward never lengthens it."""
    if changed or overridden_on is None or previous_result != ScreeningResult.NEEDS_OVERRIDE:
        return False
    if not set(needing_now) <= set(accepted):
        return False
    return overridden_on <= on <= valid_until(overridden_on, valid_days)


# --- How long a screening stands -------------------------------------------------------------


def is_current(
    performed_at: dt.datetime, result: str, *, on: dt.date, valid_days: int, zone: dt.tzinfo
) -> bool:
    """A screening stands for `valid_days` days, and never when it blocked."""
    if result == ScreeningResult.BLOCKED:
        return False
    performed_on = performed_at.astimezone(zone).date()
    return performed_on <= on <= valid_until(performed_on, valid_days)


def valid_until(performed_on: dt.date, valid_days: int) -> dt.date:
    """The last day a screening stands: the day of screening counts as the first."""
    return performed_on + dt.timedelta(days=valid_days - 1)
