"""Which scales may grade a concern's baseline (evidence.scales): pure, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from evidence.scales import (
    ScaleFacts,
    concern_scale_error,
    concern_scales,
    grade_label,
    grades_concern,
    is_general,
    level_label,
    short_name,
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


# --- How a grade reads (grade_label: the one helper every page and form uses) -------------------


@dataclass
class Scale:
    name: str
    kind: str
    levels: list[dict[str, str]] = field(default_factory=list)
    range_max: Decimal | None = None
    unit: str = ""


AA_IGA = Scale(
    "AA-IGA (Alopecia Areata Investigator Global Assessment)",
    "levels",
    [
        {"value": "0", "label": "No hair loss (SALT 0)"},
        {"value": "1", "label": "Limited (SALT 1–20)"},
        {"value": "2", "label": "Moderate (SALT 21–49)"},
        {"value": "3", "label": "Severe (SALT 50–94)"},
        {"value": "4", "label": "Very severe (SALT 95–100)"},
    ],
)


def test_every_aa_iga_grade_reads_as_its_number_and_its_meaning() -> None:
    # Grades 1 and 2 lost their number: "1" and "2" appear inside "SALT 1–20" and "SALT 21–49".
    assert [level_label(level["value"], level["label"]) for level in AA_IGA.levels] == [
        "0 — No hair loss (SALT 0)",
        "1 — Limited (SALT 1–20)",
        "2 — Moderate (SALT 21–49)",
        "3 — Severe (SALT 50–94)",
        "4 — Very severe (SALT 95–100)",
    ]


@pytest.mark.parametrize(
    ("value", "label", "shown"),
    [
        ("3", "Grade 3", "Grade 3"),  # the label names the grade already
        ("II", "Type II: wrinkles in motion", "Type II: wrinkles in motion"),
        ("I", "Type II", "I — Type II"),  # "I" is not "II"
        ("rolling", "Rolling (responds best)", "Rolling (responds best)"),
        ("2", "Mild", "2 — Mild"),
    ],
)
def test_a_level_label_names_its_grade_once(value: str, label: str, shown: str) -> None:
    assert level_label(value, label) == shown


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("AA-IGA (Alopecia Areata Investigator Global Assessment)", "AA-IGA"),
        ("Vancouver Scar Scale (VSS)", "VSS"),
        ("Lemperle wrinkle assessment scale", "Lemperle wrinkle assessment scale"),
        ("Striae assessment (no validated standard)", "Striae assessment"),
    ],
)
def test_a_scale_is_named_by_its_abbreviation_where_it_has_one(name: str, short: str) -> None:
    assert short_name(name) == short


def test_a_grade_is_shown_with_its_meaning_and_its_scale() -> None:
    assert grade_label(AA_IGA, "3") == "3 — Severe (SALT 50–94) (AA-IGA)"
    assert grade_label(AA_IGA, "3", with_scale=False) == "3 — Severe (SALT 50–94)"
    mmasi = Scale("mMASI (modified MASI)", "range", range_max=Decimal("24.00"))
    assert grade_label(mmasi, "12.5") == "12.5 of 24 (mMASI)"
    salt = Scale("SALT (Severity of Alopecia Tool)", "range", range_max=Decimal("100.00"), unit="%")
    assert grade_label(salt, "63") == "63 of 100 % (SALT)"
    assert grade_label(AA_IGA, "7") == (
        "7 (not a grade of AA-IGA (Alopecia Areata Investigator Global Assessment))"
    )
    assert grade_label(AA_IGA, "") == "—"
    assert grade_label(None, "3") == "3"
