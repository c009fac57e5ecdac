"""Which grading scales may grade a skin concern's baseline. Pure: no ORM, no settings.

The knowledge base links some scales to every indication because every plan uses them, not
because they grade any one indication: the Fitzpatrick phototype describes the patient's skin
(it is recorded on the patient, and drives PIH risk and device settings), pain is measured per
session, and GAIS rates change, not a starting severity. A concern's baseline is graded only on
a scale that is its indication's own and gives one grade.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

#: Kinds that give one grade a baseline can be recorded as (descriptive ones do not).
GRADED_KINDS = frozenset({"levels", "range"})


@dataclass(frozen=True)
class ScaleFacts:
    """What the rule reads of a scale: its code, name, kind and the indications it is linked to
    (any hashable key, the same kind of key the caller asks about)."""

    code: str
    name: str
    kind: str
    indications: frozenset[Hashable]


def is_general(scale: ScaleFacts, *, indication_count: int) -> bool:
    """A scale linked to every indication of a knowledge base of several grades none of them in
    particular: it measures the patient or the session, not a concern."""
    return indication_count > 1 and len(scale.indications) >= indication_count


def grades_concern(scale: ScaleFacts, *, indication: Hashable, indication_count: int) -> bool:
    """True when `scale` may grade the baseline severity of a concern of `indication`."""
    return (
        scale.kind in GRADED_KINDS
        and indication in scale.indications
        and not is_general(scale, indication_count=indication_count)
    )


def concern_scale_error(
    scale: ScaleFacts, *, indication: Hashable, indication_name: str, indication_count: int
) -> str | None:
    """Why `scale` cannot grade a concern of this indication, or None when it can."""
    if scale.kind not in GRADED_KINDS:
        return f"{scale.name} has no single grade; record its findings in the notes."
    if is_general(scale, indication_count=indication_count):
        return (
            f"{scale.name} does not grade a concern's severity (it applies to every "
            "indication); choose the indication's own scale."
        )
    if indication not in scale.indications:
        return f"{scale.name} is not a grading scale for {indication_name}."
    return None


def concern_scales(
    scales: Collection[ScaleFacts], *, indication: Hashable, indication_count: int
) -> list[ScaleFacts]:
    """The scales, of those given, that may grade a concern of `indication`, by code."""
    return sorted(
        (
            s
            for s in scales
            if grades_concern(s, indication=indication, indication_count=indication_count)
        ),
        key=lambda s: s.code,
    )


# --- How a grade reads, wherever it is shown ---------------------------------------------------

#: Between a grade's value and its meaning: "3 — Severe (SALT 50–94)".
GRADE_SEPARATOR = " — "


class Scale(Protocol):
    """What `grade_label` reads of a scale (a GradingScale row has it all); read-only."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def levels(self) -> Sequence[Mapping[str, Any]]: ...
    @property
    def range_max(self) -> Decimal | None: ...
    @property
    def unit(self) -> str: ...


def level_label(value: object, label: object) -> str:
    """A named grade as every page and form shows it: "3 — Severe (SALT 50–94)", or the label
    alone when it already names the grade ("Grade 3", "Type II: wrinkles in motion"). A digit
    inside the label's own text ("Limited (SALT 1–20)" for grade 1) does not count as naming it:
    that is how grades 1 and 2 of AA-IGA lost their numbers while 0, 3 and 4 kept theirs."""
    value, label = str(value), str(label)
    if re.match(rf"(?:\w+\s+)?{re.escape(value)}(?![\w-])", label, re.IGNORECASE):
        return label
    return f"{value}{GRADE_SEPARATOR}{label}"


def short_name(name: str) -> str:
    """A scale's name as a grade's suffix: its abbreviation where the name gives one
    ("AA-IGA (Alopecia Areata …)" → "AA-IGA", "Vancouver Scar Scale (VSS)" → "VSS")."""
    found = re.fullmatch(r"(.+?) \((.+)\)", name)
    if found is None:
        return name
    before, inside = found.groups()
    if " " not in before:
        return before
    if " " not in inside:
        return inside
    return before


def grade_label(scale: Scale | None, grade: str, *, with_scale: bool = True) -> str:
    """A recorded grade with its meaning and its scale, the one way every page shows one:
    "3 — Severe (SALT 50–94) (AA-IGA)", "12 of 24 (mMASI)"; "—" when none is recorded."""
    grade = (grade or "").strip()
    if not grade:
        return "—"
    if scale is None:
        return grade
    text = grade
    if scale.kind == "levels":
        meanings = {str(level["value"]): level["label"] for level in scale.levels}
        if grade not in meanings:
            return f"{grade} (not a grade of {scale.name})"
        text = level_label(grade, meanings[grade])
    elif scale.kind == "range" and scale.range_max is not None:
        unit = f" {scale.unit}" if scale.unit else ""
        # ":f" keeps 100 from reading "1E+2", as normalize() alone writes it.
        text = f"{grade} of {scale.range_max.normalize():f}{unit}"
    return f"{text} ({short_name(scale.name)})" if with_scale else text
