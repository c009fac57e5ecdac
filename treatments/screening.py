"""Contraindication screening: which questions apply, and what the answers mean.

Plain functions over rule objects. The keloid tension (C09 against scar indications) comes from
the rule's data (`exception_indications`), not from code here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from evidence.models import ContraindicationRule, RuleSeverity
from treatments.models import ScreeningResult


@dataclass(frozen=True)
class RuleHit:
    """A rule answered 'yes', with the severity and action that apply to this plan."""

    rule: ContraindicationRule
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


def applicable_rules(
    rules: Iterable[ContraindicationRule], modality: str
) -> list[ContraindicationRule]:
    """RF-only rules apply only to RF plans."""
    return [rule for rule in rules if rule.applies_to_modality(modality)]


def missing_and_unknown(
    rules: Iterable[ContraindicationRule], answers: Mapping[str, bool]
) -> tuple[list[str], list[str]]:
    codes = [rule.code for rule in rules]
    missing = [code for code in codes if code not in answers]
    unknown = sorted(set(answers) - set(codes))
    return missing, unknown


def evaluate(
    rules: Iterable[ContraindicationRule], answers: Mapping[str, bool], *, indication_id: int
) -> ScreeningOutcome:
    """The screening result for answers to `rules` (already filtered to the plan's modality)."""
    hits = []
    for rule in rules:
        if not answers.get(rule.code):
            continue
        excepted = rule.exception_severity and any(
            indication.pk == indication_id for indication in rule.exception_indications.all()
        )
        hits.append(
            RuleHit(
                rule=rule,
                severity=rule.exception_severity if excepted else rule.severity,
                action=rule.exception_action if excepted else rule.action,
                exception_applied=bool(excepted),
            )
        )
    severities = {hit.severity for hit in hits}
    if RuleSeverity.ABSOLUTE in severities:
        result = ScreeningResult.BLOCKED
    elif RuleSeverity.RELATIVE in severities:
        result = ScreeningResult.NEEDS_OVERRIDE
    else:
        result = ScreeningResult.CLEAR
    return ScreeningOutcome(result=result, hits=tuple(hits))


def is_current(
    performed_at: dt.datetime, result: str, *, on: dt.date, valid_days: int, zone: dt.tzinfo
) -> bool:
    """A screening stands for `valid_days` days, and never when it blocked."""
    if result == ScreeningResult.BLOCKED:
        return False
    performed_on = performed_at.astimezone(zone).date()
    # Valid for `valid_days` calendar days, the day of screening being the first.
    return performed_on <= on < performed_on + dt.timedelta(days=valid_days)
