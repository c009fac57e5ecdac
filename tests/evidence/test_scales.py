"""Which scales may grade a concern's baseline (evidence.scales): pure, no database."""

from __future__ import annotations

import pytest

from evidence.scales import (
    ScaleFacts,
    concern_scale_error,
    concern_scales,
    grades_concern,
    is_general,
)

ALL = frozenset({"wrinkles", "melasma", "scars"})
LEMPERLE = ScaleFacts("S06", "Lemperle", "levels", frozenset({"wrinkles"}))
MMASI = ScaleFacts("S10", "mMASI", "range", frozenset({"melasma"}))
PHOTOTYPE = ScaleFacts("S09", "Fitzpatrick skin phototype", "levels", ALL)
PAIN = ScaleFacts("S20", "Pain VAS", "range", ALL)
GAIS = ScaleFacts("S08", "GAIS", "descriptive", ALL)
LAXITY = ScaleFacts("S07", "Laxity", "descriptive", frozenset({"wrinkles"}))


@pytest.mark.parametrize(
    ("scale", "indication", "grades"),
    [
        (LEMPERLE, "wrinkles", True),
        (MMASI, "melasma", True),
        (LEMPERLE, "melasma", False),  # another indication's scale
        (PHOTOTYPE, "wrinkles", False),  # the patient's skin, not the concern
        (PAIN, "melasma", False),  # the session's pain, not the concern
        (GAIS, "wrinkles", False),  # descriptive and general
        (LAXITY, "wrinkles", False),  # the indication's own, but no single grade
    ],
)
def test_it_lets_only_the_indications_own_grading_scales_grade_a_concern(
    scale: ScaleFacts, indication: str, grades: bool
) -> None:
    assert grades_concern(scale, indication=indication, indication_count=len(ALL)) is grades
    error = concern_scale_error(
        scale, indication=indication, indication_name=indication, indication_count=len(ALL)
    )
    assert (error is None) is grades


def test_it_names_why_a_scale_is_refused() -> None:
    def why(scale: ScaleFacts) -> str | None:
        return concern_scale_error(
            scale, indication="wrinkles", indication_name="Wrinkles", indication_count=3
        )

    assert "does not grade a concern's severity" in (why(PHOTOTYPE) or "")
    assert "not a grading scale for Wrinkles" in (why(MMASI) or "")
    assert "no single grade" in (why(LAXITY) or "")


def test_a_scale_of_a_knowledge_base_with_one_indication_is_not_general() -> None:
    """With one indication, "linked to every indication" says nothing about the scale."""
    only = ScaleFacts("T1", "Test", "levels", frozenset({"wrinkles"}))
    assert not is_general(only, indication_count=1)
    assert grades_concern(only, indication="wrinkles", indication_count=1)


def test_a_scale_linked_to_all_but_one_indication_still_grades_them() -> None:
    broad = ScaleFacts("T2", "Broad", "levels", frozenset({"wrinkles", "melasma"}))
    assert grades_concern(broad, indication="melasma", indication_count=3)


def test_it_lists_a_concerns_scales_in_code_order() -> None:
    scales = [PAIN, MMASI, PHOTOTYPE, LEMPERLE, GAIS]
    assert concern_scales(scales, indication="wrinkles", indication_count=3) == [LEMPERLE]
    assert concern_scales(scales, indication="melasma", indication_count=3) == [MMASI]
