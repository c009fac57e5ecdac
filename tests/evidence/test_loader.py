"""load_knowledge: idempotent upserts, and a broken file changes nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from evidence.loader import (
    DEFAULT_PATH,
    KnowledgeFileError,
    check_shape,
    load_knowledge,
    read_file,
)
from evidence.models import (
    ContraindicationRule,
    Finding,
    GradingScale,
    Indication,
    Protocol,
    Study,
)

pytestmark = pytest.mark.django_db

ORIGINAL = DEFAULT_PATH.read_text(encoding="utf-8")
MODELS = (Study, Indication, Finding, Protocol, ContraindicationRule, GradingScale)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def edited(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of the shipped file with the first match of each pattern replaced."""
    text = ORIGINAL
    for pattern, replacement in replacements:
        text, n = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
        assert n == 1, pattern
    path = tmp_path / "knowledge.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_second_load_changes_nothing() -> None:
    before = counts()
    report = load_knowledge()
    assert not report.changed
    assert counts() == before
    assert sum(report.unchanged.values()) == sum(before.values())


def test_it_loads_everything_into_an_empty_database() -> None:
    ContraindicationRule.objects.all().delete()
    Protocol.objects.all().delete()
    GradingScale.objects.all().delete()
    Finding.objects.all().delete()
    Indication.objects.all().delete()
    Study.objects.all().delete()
    report = load_knowledge()
    assert report.created["study"] == Study.objects.count() > 78
    assert report.created["protocol"] == 12
    assert report.created["rule"] == 27
    assert report.created["scale"] == 20


def test_an_edited_item_is_updated_in_place(tmp_path: Path) -> None:
    path = edited(tmp_path, (r'^summary = ".*"$', 'summary = "Rewritten summary."'))
    before = counts()
    report = load_knowledge(path)
    assert report.updated["study"] == 1
    assert Study.objects.filter(summary="Rewritten summary.").count() == 1
    assert counts() == before


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        ((r'^design = ".*"$', 'design = "rtc"'), "'design' is 'rtc', not one of"),
        ((r'^study = ".*"$', 'study = "nobody-1999"'), "study 'nobody-1999' is not a known study"),
        ((r"^interval_min_days = \d+$", "interval_min_days = 5"), "at least 7 days apart"),
        ((r"^depth_max_mm = .*$", "depth_max_mm = 3.5"), "cannot exceed 3.0 mm"),
        ((r'^severity = ".*"$', 'severity = "sometimes"'), "'severity' is 'sometimes'"),
        ((r'^code = "IND-02"$', 'code = "IND-01"'), "duplicate protocol 'IND-01'"),
        ((r"^version = .*$", "version = 3"), "'version' (a non-empty string) is missing"),
        ((r'^authors = ".*"$', "authors = 12"), "'authors' has the wrong type"),
        ((r'^claim = ".*"$', 'claim = "x"\nsurprise = 1'), "unknown key 'surprise'"),
        ((r"^\[\[study\]\]$", "[[study"), "not valid TOML"),
        ((r'^study = ".*"$', 'study = ["ablon-2018"]'), "'study' has the wrong type"),
        ((r"^outcome_scales = \[.*\]$", "outcome_scales = [6]"), "must be a list of strings"),
        ((r'^study = ".*"$', "# no study"), "'study' is required"),
    ],
)
def test_a_broken_file_is_refused_with_the_problem_named_and_nothing_changes(
    tmp_path: Path, replacement: tuple[str, str], message: str
) -> None:
    # The first study's summary changes too: it must not be written either.
    path = edited(
        tmp_path, (r'^summary = ".*"$', 'summary = "Should never be saved."'), replacement
    )
    before = counts()
    with pytest.raises(KnowledgeFileError) as error:
        load_knowledge(path)
    assert message in str(error.value)
    assert "nothing was loaded" in str(error.value)
    assert counts() == before
    assert not Study.objects.filter(summary="Should never be saved.").exists()


def test_a_duplicate_doi_is_refused(tmp_path: Path) -> None:
    first, second = re.findall(r'^doi = "(10\..+)"$', ORIGINAL, flags=re.MULTILINE)[:2]
    path = edited(tmp_path, (f'^doi = "{re.escape(second)}"$', f'doi = "{first}"'))
    with pytest.raises(KnowledgeFileError, match=f"DOI {re.escape(first)} is also"):
        load_knowledge(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeFileError, match="does not exist"):
        load_knowledge(tmp_path / "nope.toml")


def test_the_command_reports_and_fails_cleanly(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("load_knowledge", stdout=out)
    assert "already up to date" in out.getvalue()
    assert "12 unchanged" in out.getvalue()
    bad = edited(tmp_path, (r'^design = ".*"$', 'design = "rtc"'))
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_knowledge", "--file", str(bad), stdout=io.StringIO())


def test_check_mode_writes_nothing(tmp_path: Path) -> None:
    path = edited(tmp_path, (r'^summary = ".*"$', 'summary = "Only checked."'))
    out = io.StringIO()
    call_command("load_knowledge", "--file", str(path), "--check", stdout=out)
    assert "nothing written" in out.getvalue()
    assert not Study.objects.filter(summary="Only checked.").exists()


def test_an_item_that_is_not_a_table_is_named() -> None:
    data = read_file(DEFAULT_PATH)
    data["indication"] = [1, *data["indication"]]
    assert "indication[0] is not a table ([[indication]])" in check_shape(data)
