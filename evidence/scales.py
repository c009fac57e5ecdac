"""Which grading scales may grade a skin concern's baseline. Pure: no ORM, no settings.

The knowledge base links some scales to every indication because every plan uses them, not
because they grade any one indication: the Fitzpatrick phototype describes the patient's skin
(it is recorded on the patient, and drives PIH risk and device settings), pain is measured per
session, and GAIS rates change, not a starting severity. A concern's baseline is graded only on
a scale that is its indication's own and gives one grade.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from dataclasses import dataclass

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
