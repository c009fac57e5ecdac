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
    "evidence": {"patients", "treatments", "clinic"},
    "patients": {"treatments"},
}
CLINIC_BASE_MODULES = ["models.py", "errors.py", "ids.py", "api.py", "api_errors.py", "roles.py"]


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
