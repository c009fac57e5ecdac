"""Each limit has one home (`treatments.rules.limits`, `evidence.limits`): the database's
constraints match it, and no other app code or template states it again."""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
from django.db import models
from django.db.models import Q

from evidence.models import Protocol
from treatments.models import TreatmentPlan, TreatmentSession
from treatments.rules import limits

ROOT = Path(__file__).resolve().parents[3]
APP_DIRS = ("clinic", "evidence", "patients", "treatments")
HOMES = {ROOT / "treatments" / "rules" / "limits.py", ROOT / "evidence" / "limits.py"}


def _lookups(condition: object) -> dict[str, object]:
    """Every `field__lookup=value` in a (nested) Q, flattened."""
    found: dict[str, object] = {}
    for child in condition.children if isinstance(condition, Q) else ():
        if isinstance(child, Q):
            found.update(_lookups(child))
        else:
            pair = cast("tuple[str, object]", child)  # a leaf of a Q: (lookup, value)
            found[pair[0]] = pair[1]
    return found


def _constraint(model: type[models.Model], name: str) -> dict[str, object]:
    constraint = next(c for c in model._meta.constraints if c.name == name)
    assert isinstance(constraint, models.CheckConstraint)
    return _lookups(constraint.condition)


@pytest.mark.parametrize(
    ("model", "name", "lookup", "value"),
    [
        (TreatmentPlan, "plan_interval_min_7_days", "interval_days__gte", limits.MIN_INTERVAL_DAYS),
        (TreatmentPlan, "plan_sessions_at_least_one", "planned_sessions__gte", limits.MIN_SESSIONS),
        (
            TreatmentPlan,
            "plan_depth_within_0_25_and_3mm",
            "needle_depth_mm__gte",
            limits.PLAN_DEPTH_MIN_MM,
        ),
        (
            TreatmentPlan,
            "plan_depth_within_0_25_and_3mm",
            "needle_depth_mm__lte",
            limits.PLAN_DEPTH_MAX_MM,
        ),
        (
            TreatmentSession,
            "session_depth_within_0_25_and_3mm",
            "depth_used_mm__gte",
            limits.PLAN_DEPTH_MIN_MM,
        ),
        (
            TreatmentSession,
            "session_depth_within_0_25_and_3mm",
            "depth_used_mm__lte",
            limits.PLAN_DEPTH_MAX_MM,
        ),
        (TreatmentSession, "session_pain_0_to_10", "pain_score__lte", limits.PAIN_SCORE_MAX),
        (
            Protocol,
            "protocol_interval_at_least_7_days_and_ordered",
            "interval_min_days__gte",
            limits.MIN_INTERVAL_DAYS,
        ),
        (
            Protocol,
            "protocol_intervals_at_least_7_days",
            "default_interval_days__gte",
            limits.MIN_INTERVAL_DAYS,
        ),
        (
            Protocol,
            "protocol_depth_between_0_and_3mm",
            "depth_max_mm__lte",
            limits.PLAN_DEPTH_MAX_MM,
        ),
    ],
)
def test_each_constraint_matches_its_constant(
    model: type[models.Model], name: str, lookup: str, value: object
) -> None:
    assert _constraint(model, name)[lookup] == value


def test_the_migrations_hold_the_same_numbers() -> None:
    # The SQL the migrations created states each number once more; it must be the constant's.
    text = "".join(
        path.read_text(encoding="utf-8")
        for path in (ROOT / "treatments" / "migrations").glob("*.py")
    )
    assert f"interval_days__gte', {limits.MIN_INTERVAL_DAYS})" in text
    assert f"needle_depth_mm__lte', Decimal('{limits.PLAN_DEPTH_MAX_MM}'))" in text
    assert f"needle_depth_mm__gte', Decimal('{limits.PLAN_DEPTH_MIN_MM}'))" in text


# --- No literal copies -----------------------------------------------------------------------

#: Text that states a limit: in a message string (not a docstring or comment) or a template.
STATED = [
    re.compile(rf"\b{limits.MIN_INTERVAL_DAYS} days\b"),
    re.compile(rf"\b{limits.MIN_INTERVAL_DAYS}-day\b"),
    re.compile(rf"\b{limits.ANAESTHETIC_LEAD_MINUTES} minutes\b"),
    re.compile(rf"\b{re.escape(str(limits.PLAN_DEPTH_MIN_MM))}\b"),
    re.compile(rf"\b{re.escape(str(limits.PLAN_DEPTH_MAX_MM))} ?mm\b"),
    re.compile(rf"\b0[–-]{limits.PAIN_SCORE_MAX}\b"),
]
#: Keyword arguments that carry a limit in forms, serializers and model fields.
LIMIT_KWARGS = {"min_value", "max_value"}
NUMBERS = {
    limits.MIN_INTERVAL_DAYS,
    limits.MAX_SESSIONS,
    limits.MAX_INTERVAL_DAYS,
    limits.PAIN_SCORE_MAX,
    float(limits.PLAN_DEPTH_MIN_MM),
    float(limits.PLAN_DEPTH_MAX_MM),
}


def _app_files() -> list[Path]:
    return [
        path
        for folder in APP_DIRS
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts and path not in HOMES
    ]


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            ids.add(id(first.value))
    return ids


def literal_copies(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            found += [
                f"{path.name}:{node.lineno}: {node.value!r}" for p in STATED if p.search(node.value)
            ]
        elif isinstance(node, ast.keyword) and node.arg in LIMIT_KWARGS:
            value = node.value
            if isinstance(value, ast.Constant) and value.value in NUMBERS:
                found.append(f"{path.name}:{value.lineno}: {node.arg}={value.value!s}")
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "timedelta":
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg == "minutes"
                    and isinstance(value, ast.Constant)
                    and value.value == limits.ANAESTHETIC_LEAD_MINUTES
                ):
                    found.append(f"{path.name}:{value.lineno}: timedelta(minutes={value.value!s})")
    return found


def test_no_app_code_states_a_limit_again() -> None:
    assert [copy for path in _app_files() for copy in literal_copies(path)] == []


def test_no_template_states_a_limit_again() -> None:
    copies = [
        f"{path.relative_to(ROOT)}: {match.group(0)!r}"
        for path in (ROOT / "templates").rglob("*.html")
        for pattern in STATED
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert copies == []


def test_the_literal_check_finds_a_copy(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "import datetime as dt\n"
        "LEAD = dt.timedelta(minutes=30)\n"
        "forms_field = dict(min_value=7)\n"
        'MESSAGE = "Sessions must be 7 days apart."\n',
        encoding="utf-8",
    )
    assert len(literal_copies(planted)) == 3


def test_the_limits_are_what_the_domain_says() -> None:
    # DOMAIN.md: the 7-day floor (I1), 30 minutes of anaesthetic cream (B2), 0.25–3.0 mm.
    assert limits.MIN_INTERVAL_DAYS == 7
    assert limits.ANAESTHETIC_LEAD_MINUTES == 30
    assert (Decimal("0.25"), Decimal("3.0")) == (limits.PLAN_DEPTH_MIN_MM, limits.PLAN_DEPTH_MAX_MM)
