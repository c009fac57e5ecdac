from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import template

from evidence.scales import grade_label

register = template.Library()


@register.filter
def grade_on(grade: str, scale: Any) -> str:
    """`{{ concern.baseline_grade|grade_on:concern.grading_scale }}`: "3 — Severe (AA-IGA)"."""
    return grade_label(scale, grade)


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


_RULE_CODE = re.compile(r"\b(C\d{2}[a-z]?)\b(?!\))")
#: How firmly a claim was checked ([SD], [V], [P], [U], [D], or combined as [SD/V]).
_PROVENANCE_TAG = re.compile(r"\s*\[(?:SD|V|P|U|D)(?:/(?:SD|V|P|U|D))*\]")


@register.filter
def plain_words(text: str, rules: Iterable[Any]) -> str:
    """Knowledge-base text as the front desk reads it: a rule named by code ("as in C03") is
    named in words too ("as in Herpes simplex history (C03)", from the rules the page already
    holds), and the provenance tags meant for clinicians ("[D]") go."""
    names = {rule.code: rule.condition for rule in rules}
    labelled = _RULE_CODE.sub(
        lambda m: f"{names[m.group(1)]} ({m.group(1)})" if m.group(1) in names else m.group(1),
        str(text),
    )
    return _PROVENANCE_TAG.sub("", labelled)
