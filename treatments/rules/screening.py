"""Contraindication screening: what the answers mean and what each result demands.

Plain functions over anything shaped like a rule (`ScreenedRule`): the knowledge base's rows
satisfy it, and so do the plain stand-ins the tests build. The keloid tension (C09 against scar
indications) comes from the rule's data (`exception_indication_ids`), not from code here.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from evidence.models import RuleSeverity
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
