"""The arrows between apps point one way.

evidence depends on nothing; patients may use evidence; treatments uses both. `clinic` is the
project package: its shared modules (models, errors, ids, API helpers) sit beneath every app,
while its urls and demo data sit on top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "evidence": {"patients", "treatments", "clinic", "benchmarks"},
    "patients": {"treatments", "benchmarks"},
    "treatments": {"benchmarks"},
    "clinic": {"benchmarks"},
}
CLINIC_BASE_MODULES = [
    "models.py",
    "errors.py",
    "ids.py",
    "api.py",
    "api_errors.py",
    "roles.py",
    "forms.py",
    "transactions.py",
    "staff.py",
    "visibility.py",
]


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_only_what_lies_beneath_it(app: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & FORBIDDEN[app])
        for path in (ROOT / app).rglob("*.py")
    }
    assert {path: apps for path, apps in offenders.items() if apps} == {}


@pytest.mark.parametrize("module", CLINIC_BASE_MODULES)
def test_clinic_shared_modules_depend_on_no_app(module: str) -> None:
    assert imported_apps(ROOT / "clinic" / module) & {"patients", "treatments", "evidence"} == set()


# --- Services: every public write is one transaction -----------------------------------------

SERVICE_MODULES = sorted(
    path
    for folder in ("patients", "treatments", "clinic", "evidence")
    for path in (ROOT / folder).rglob("services.py")
)
#: Public functions of service modules that only read or compute: nothing to make atomic.
READS = {
    "treatments/booking/services.py": {
        "procedure_duration",
        "booking_window",
        "session_availability",
        # The checks booking and consultations share: they read and refuse, never write.
        "with_names",
        "check_when",
        "check_slot",
        "clashing",
        "describe_held",
    },
    "treatments/consultation/services.py": {
        "consultation_duration",
        "consultation_availability",
    },
    "treatments/planning/services.py": {
        "plan_parameters",
        "plan_parameters_from",
        "plan_schedule_preview",
    },
    "treatments/screening/services.py": {
        "screening_evaluate",
        "screening_assess",
    },
}
#: Services that are not atomic themselves by design: each write in them is an atomic service
#: of its own. Planning refused for an absolute contraindication rolls the attempt back but
#: keeps its record (`plan_refusal_record`), which one transaction around both would undo.
COMPOSED: dict[str, set[str]] = {
    "treatments/planning/services.py": {"plan_create", "plan_screen"},
}
#: `transaction.atomic`, bare or called (`savepoint=False` joins a caller's transaction).
ATOMIC = {"transaction.atomic"}


def _decorator_names(node: ast.FunctionDef) -> set[str]:
    return {ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list}


def unatomic_services(path: Path) -> list[str]:
    relative = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{relative}:{node.name}"
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and not node.name.startswith("_")
        and node.name not in READS.get(relative, set())
        and node.name not in COMPOSED.get(relative, set())
        and not _decorator_names(node) & ATOMIC
    ]


def test_there_are_service_modules_to_check() -> None:
    assert len(SERVICE_MODULES) >= 5


@pytest.mark.parametrize("path", SERVICE_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_public_service_that_writes_is_atomic(path: Path) -> None:
    assert unatomic_services(path) == []


def test_the_atomic_check_finds_a_service_outside_a_transaction(tmp_path: Path) -> None:
    planted = tmp_path / "services.py"
    planted.write_text(
        "from django.db import transaction\n"
        "@transaction.atomic\ndef session_fine(): ...\n"
        "@transaction.atomic(savepoint=False)\ndef session_joins(): ...\n"
        "def session_no_show(): ...\n",
        encoding="utf-8",
    )
    assert unatomic_services(planted) == ["services.py:session_no_show"]


# --- The rules are pure ----------------------------------------------------------------------

RULES = sorted((ROOT / "treatments" / "rules").glob("*.py"))
#: The rules may read the names of choices from the models, nothing else of the ORM.
CHOICES = {"Modality", "RuleAppliesTo", "RuleSeverity", "ScreeningResult", "SessionStatus"}


def impurities(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(("django.db", "django.conf", "django.http")):
                found.append(f"imports {node.module}")
            elif node.module.endswith(".models"):
                found += [
                    f"imports {node.module}.{a.name}" for a in node.names if a.name not in CHOICES
                ]
            elif node.module.startswith("treatments.") and not node.module.startswith(
                "treatments.rules"
            ):
                found.append(f"imports {node.module}")
        elif isinstance(node, ast.Import):
            found += [f"imports {a.name}" for a in node.names if a.name.startswith("django")]
        elif isinstance(node, ast.Attribute) and node.attr in {"objects", "select_for_update"}:
            found.append(f"uses .{node.attr}")
    return found


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_the_rules_touch_no_database_settings_or_request(path: Path) -> None:
    assert impurities(path) == []


def test_each_subpackage_has_what_it_does_in_its_own_modules() -> None:
    for package in ("planning", "screening", "booking", "visit"):
        modules = {path.name for path in (ROOT / "treatments" / package).glob("*.py")}
        assert {"services.py", "api.py"} <= modules, package
