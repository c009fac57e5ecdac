"""Load the knowledge base from its versioned data file, idempotently.

The file (`evidence/data/knowledge.toml`) is checked whole before anything is written; rows are
upserted by their stable codes inside one transaction, so a broken file changes nothing and a
second run of the same file changes nothing either.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from evidence.models import (
    ContraindicationRule,
    Finding,
    GradingScale,
    Indication,
    Modality,
    Protocol,
    Provenance,
    RuleAppliesTo,
    RuleSeverity,
    ScaleKind,
    Study,
    StudyDesign,
)

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "knowledge.toml"

BASIS_KINDS = frozenset(
    {"label", "review", "consensus", "guideline", "trial_excl", "case_report", "expert", "none"}
)

M = TypeVar("M", bound=models.Model)


class KnowledgeFileError(Exception):
    """The data file is unreadable or inconsistent; nothing was written."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listed = "\n".join(f"  - {problem}" for problem in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{path}: {len(problems)} problem(s); nothing was loaded.\n{listed}{more}")


@dataclass
class LoadReport:
    version: str
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    not_in_file: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))

    def lines(self) -> list[str]:
        lines = [f"Knowledge base version {self.version}:"]
        for section in SECTIONS:
            lines.append(
                f"  {section.plural:<20} {self.created[section.key]:>3} created, "
                f"{self.updated[section.key]:>3} updated, "
                f"{self.unchanged[section.key]:>3} unchanged"
            )
        for plural, codes in self.not_in_file.items():
            if codes:
                lines.append(
                    f"  note: {len(codes)} {plural} in the database are no longer in the file "
                    f"(kept, since records may point at them): {', '.join(codes[:10])}"
                )
        return lines


# --- The file's shape -------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One key of a section: its type, whether required, and the values it may take."""

    type: type | tuple[type, ...]
    required: bool = False
    choices: frozenset[str] | None = None


STR, INT, BOOL = Spec(str), Spec(int), Spec(bool)
REQ_STR = Spec(str, required=True)
NUMBER = Spec((int, float))
STR_LIST = Spec(list)
PROVENANCE = Spec(str, required=True, choices=frozenset(Provenance.values))


@dataclass(frozen=True)
class Section:
    key: str
    plural: str
    code_key: str
    fields: dict[str, Spec]


SECTIONS = (
    Section(
        "study",
        "studies",
        "code",
        {
            "code": REQ_STR,
            "ref": INT,
            "authors": REQ_STR,
            "title": REQ_STR,
            "journal": STR,
            "year": INT,
            "volume": STR,
            "issue": STR,
            "pages": STR,
            "doi": STR,
            "pmid": STR,
            "pmcid": STR,
            "url": STR,
            "design": Spec(str, required=True, choices=frozenset(StudyDesign.values)),
            "level": INT,
            "provenance": PROVENANCE,
            "provenance_note": STR,
            "source_document": BOOL,
            "summary": REQ_STR,
        },
    ),
    Section(
        "indication",
        "indications",
        "slug",
        {"slug": REQ_STR, "name": REQ_STR, "description": STR, "skin_concern": BOOL},
    ),
    Section(
        "scale",
        "grading scales",
        "code",
        {
            "code": REQ_STR,
            "name": REQ_STR,
            "records": REQ_STR,
            "kind": Spec(str, required=True, choices=frozenset(ScaleKind.values)),
            "levels": Spec(list),
            "range_min": NUMBER,
            "range_max": NUMBER,
            "unit": STR,
            "indications": STR_LIST,
            "study": REQ_STR,
            "supporting_studies": STR_LIST,
            "provenance": PROVENANCE,
            "provenance_note": STR,
        },
    ),
    Section(
        "finding",
        "findings",
        "",
        {
            "indication": REQ_STR,
            "study": REQ_STR,
            "claim": REQ_STR,
            "population": STR,
            "regimen": STR,
            "depth": STR,
            "adjunct": STR,
            "provenance": PROVENANCE,
        },
    ),
    Section(
        "protocol",
        "protocols",
        "code",
        {
            "code": REQ_STR,
            "indication": REQ_STR,
            "modality": Spec(str, required=True, choices=frozenset(Modality.values)),
            "title": REQ_STR,
            "physician_defined": BOOL,
            "specialist_only": BOOL,
            "default_sessions": INT,
            "sessions_min": INT,
            "sessions_max": INT,
            "default_interval_days": INT,
            "interval_min_days": INT,
            "interval_max_days": INT,
            "depth_min_mm": NUMBER,
            "depth_max_mm": NUMBER,
            "depth_note": STR,
            "adjuncts": STR_LIST,
            "outcome_scales": STR_LIST,
            "study": REQ_STR,
            "supporting_studies": STR_LIST,
            "provenance": PROVENANCE,
            "provenance_note": STR,
            "requires_clinician_review": BOOL,
            "notes": STR,
        },
    ),
    Section(
        "rule",
        "contraindication rules",
        "code",
        {
            "code": REQ_STR,
            "condition": REQ_STR,
            "question": REQ_STR,
            "severity": Spec(str, required=True, choices=frozenset(RuleSeverity.values)),
            "severity_note": STR,
            "temporary": BOOL,
            "applies_to": Spec(str, required=True, choices=frozenset(RuleAppliesTo.values)),
            "action": REQ_STR,
            "basis": STR_LIST,
            "study": REQ_STR,
            "supporting_studies": STR_LIST,
            "provenance": PROVENANCE,
            "provenance_note": STR,
            "exception_indications": STR_LIST,
            "only_indications": STR_LIST,
            "exception_severity": Spec(str, choices=frozenset({"", *RuleSeverity.values})),
            "exception_action": STR,
        },
    ),
)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}
TOP_LEVEL = {"version", "source", *SECTION_BY_KEY}


def read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise KnowledgeFileError(path, ["the file does not exist"]) from None
    except tomllib.TOMLDecodeError as error:
        raise KnowledgeFileError(path, [f"not valid TOML: {error}"]) from None
    except UnicodeDecodeError as error:
        raise KnowledgeFileError(path, [f"not UTF-8 text: {error}"]) from None


def _label(section: Section, index: int, item: dict[str, Any]) -> str:
    code = item.get(section.code_key) if section.code_key else None
    if section.key == "finding":
        code = f"{item.get('indication')}/{item.get('study')}"
    return f"{section.key}[{index}] ({code!s})" if code else f"{section.key}[{index}]"


def check_shape(data: dict[str, Any]) -> list[str]:
    """Every problem of keys, types and cross-references, without touching the database."""
    problems: list[str] = []
    for key in sorted(set(data) - TOP_LEVEL):
        problems.append(f"unknown top-level key {key!r}")
    if not isinstance(data.get("version"), str) or not data.get("version"):
        problems.append("'version' (a non-empty string) is missing")

    codes: dict[str, set[str]] = {}
    for section in SECTIONS:
        items = data.get(section.key, [])
        if not isinstance(items, list) or not items:
            problems.append(f"section [[{section.key}]] is missing or empty")
            data[section.key] = []
            continue
        seen: set[str] = set()
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                problems.append(f"{section.key}[{index}] is not a table ([[{section.key}]])")
                continue
            label = _label(section, index, item)
            for key in sorted(set(item) - set(section.fields)):
                problems.append(f"{label}: unknown key {key!r}")
            for key, spec in section.fields.items():
                value = item.get(key)
                if value is None:
                    if spec.required:
                        problems.append(f"{label}: {key!r} is required")
                    continue
                if isinstance(value, bool) and spec.type is not bool:
                    problems.append(f"{label}: {key!r} must not be true/false")
                elif not isinstance(value, spec.type):
                    problems.append(f"{label}: {key!r} has the wrong type ({type(value).__name__})")
                elif spec is STR_LIST and not all(isinstance(v, str) for v in value):
                    problems.append(f"{label}: {key!r} must be a list of strings")
                elif spec.required and isinstance(value, str) and not value.strip():
                    problems.append(f"{label}: {key!r} is empty")
                elif spec.choices is not None and value not in spec.choices:
                    problems.append(
                        f"{label}: {key!r} is {value!r}, not one of "
                        f"{', '.join(sorted(c for c in spec.choices if c))}"
                    )
            code = (
                f"{item.get('indication')}/{item.get('study')}"
                if section.key == "finding"
                else item.get(section.code_key)
            )
            if isinstance(code, str):
                if code in seen:
                    problems.append(f"{label}: duplicate {section.key} {code!r}")
                seen.add(code)
        codes[section.key] = seen

    if problems:  # cross-references are only worth checking once every item has its shape
        return problems

    dois: dict[str, str] = {}
    for item in data.get("study", []):
        doi = item.get("doi") or ""
        if doi:
            if doi in dois:
                problems.append(f"study {item.get('code')!r}: DOI {doi} is also {dois[doi]!r}")
            dois[doi] = item.get("code", "?")

    def refs(section_key: str, key: str, target: str, many: bool = False) -> None:
        section = SECTION_BY_KEY[section_key]
        for index, item in enumerate(data.get(section_key, [])):
            values = item.get(key) or []
            for value in values if many else [values]:
                if value and value not in codes.get(target, set()):
                    problems.append(
                        f"{_label(section, index, item)}: {key} {value!r} is not a known {target}"
                    )

    for section_key in ("scale", "finding", "protocol", "rule"):
        refs(section_key, "study", "study")
    for section_key in ("scale", "protocol", "rule"):
        refs(section_key, "supporting_studies", "study", many=True)
    refs("scale", "indications", "indication", many=True)
    refs("finding", "indication", "indication")
    refs("protocol", "indication", "indication")
    refs("protocol", "outcome_scales", "scale", many=True)
    refs("rule", "exception_indications", "indication", many=True)
    refs("rule", "only_indications", "indication", many=True)

    for index, item in enumerate(data.get("rule", [])):
        unknown = set(item.get("basis") or []) - BASIS_KINDS
        if unknown:
            problems.append(
                f"{_label(SECTION_BY_KEY['rule'], index, item)}: unknown basis "
                f"{', '.join(sorted(map(str, unknown)))}"
            )

    supported = {item.get("indication") for item in data.get("finding", [])}
    for slug in sorted(codes.get("indication", set()) - supported):
        problems.append(f"indication {slug!r} has no finding: every indication needs a study")
    return problems


# --- Writing ----------------------------------------------------------------------------------


def _decimal(value: float | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _same(current: Any, new: Any) -> bool:
    if isinstance(current, Decimal) or isinstance(new, Decimal):
        return current is not None and new is not None and Decimal(current) == Decimal(new)
    return current == new


class _Writer:
    def __init__(self, report: LoadReport) -> None:
        self.report = report
        self.problems: list[str] = []

    def upsert(
        self,
        section: str,
        label: str,
        model: type[M],
        lookup: dict[str, Any],
        values: dict[str, Any],
        m2m: dict[str, list[models.Model]] | None = None,
    ) -> M | None:
        existing = model._default_manager.filter(**lookup).first()
        created = existing is None
        instance = model(**lookup) if existing is None else existing
        changed = created
        for name, value in values.items():
            if created or not _same(getattr(instance, name), value):
                setattr(instance, name, value)
                changed = True
        try:
            instance.full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                where = "" if name == "__all__" else f"{name}: "
                self.problems.extend(f"{label}: {where}{message}" for message in messages)
            return None
        if changed:
            instance.save()
        for name, targets in (m2m or {}).items():
            manager = getattr(instance, name)
            wanted = {target.pk for target in targets}
            if created or set(manager.values_list("pk", flat=True)) != wanted:
                manager.set(targets)
                changed = True
        if created:
            self.report.created[section] += 1
        elif changed:
            self.report.updated[section] += 1
        else:
            self.report.unchanged[section] += 1
        return instance


def _study_values(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "reference_number": item.get("ref"),
        "authors": item["authors"],
        "title": item["title"],
        "journal": item.get("journal", ""),
        "year": item.get("year"),
        "volume": item.get("volume", ""),
        "issue": item.get("issue", ""),
        "pages": item.get("pages", ""),
        "doi": item.get("doi", ""),
        "pmid": item.get("pmid", ""),
        "pmcid": item.get("pmcid", ""),
        "url": item.get("url", ""),
        "design": item["design"],
        "level_of_evidence": item.get("level"),
        "provenance": item["provenance"],
        "provenance_note": item.get("provenance_note", ""),
        "source_document": item.get("source_document", False),
        "summary": item["summary"],
    }


def _write(data: dict[str, Any], report: LoadReport) -> list[str]:
    writer = _Writer(report)
    studies: dict[str, Study] = {}
    for index, item in enumerate(data["study"]):
        label = _label(SECTION_BY_KEY["study"], index, item)
        study = writer.upsert("study", label, Study, {"code": item["code"]}, _study_values(item))
        if study is not None:
            studies[item["code"]] = study
    if writer.problems:
        return writer.problems

    indications: dict[str, Indication] = {}
    for index, item in enumerate(data["indication"]):
        indication = writer.upsert(
            "indication",
            _label(SECTION_BY_KEY["indication"], index, item),
            Indication,
            {"slug": item["slug"]},
            {
                "name": item["name"],
                "description": item.get("description", ""),
                "is_skin_concern": item.get("skin_concern", True),
            },
        )
        if indication is not None:
            indications[item["slug"]] = indication
    if writer.problems:
        return writer.problems

    def many(mapping: dict[str, Any], keys: list[str] | None) -> list[Any]:
        return [mapping[key] for key in keys or []]

    scales: dict[str, GradingScale] = {}
    for index, item in enumerate(data["scale"]):
        scale = writer.upsert(
            "scale",
            _label(SECTION_BY_KEY["scale"], index, item),
            GradingScale,
            {"code": item["code"]},
            {
                "name": item["name"],
                "records": item["records"],
                "kind": item["kind"],
                "levels": item.get("levels", []),
                "range_min": _decimal(item.get("range_min")),
                "range_max": _decimal(item.get("range_max")),
                "unit": item.get("unit", ""),
                "study": studies[item["study"]],
                "provenance": item["provenance"],
                "provenance_note": item.get("provenance_note", ""),
            },
            {
                "indications": many(indications, item.get("indications")),
                "supporting_studies": many(studies, item.get("supporting_studies")),
            },
        )
        if scale is not None:
            scales[item["code"]] = scale

    for index, item in enumerate(data["finding"]):
        writer.upsert(
            "finding",
            _label(SECTION_BY_KEY["finding"], index, item),
            Finding,
            {"indication": indications[item["indication"]], "study": studies[item["study"]]},
            {
                "claim": item["claim"],
                "population": item.get("population", ""),
                "regimen": item.get("regimen", ""),
                "depth": item.get("depth", ""),
                "adjunct": item.get("adjunct", ""),
                "provenance": item["provenance"],
                "provenance_note": item.get("provenance_note", ""),
            },
        )
    if writer.problems:
        return writer.problems

    for index, item in enumerate(data["protocol"]):
        writer.upsert(
            "protocol",
            _label(SECTION_BY_KEY["protocol"], index, item),
            Protocol,
            {"code": item["code"]},
            {
                "indication": indications[item["indication"]],
                "modality": item["modality"],
                "title": item["title"],
                "physician_defined": item.get("physician_defined", False),
                "specialist_only": item.get("specialist_only", False),
                **{
                    name: item.get(name)
                    for name in (
                        "default_sessions",
                        "sessions_min",
                        "sessions_max",
                        "default_interval_days",
                        "interval_min_days",
                        "interval_max_days",
                    )
                },
                "depth_min_mm": _decimal(item.get("depth_min_mm")),
                "depth_max_mm": _decimal(item.get("depth_max_mm")),
                "depth_note": item.get("depth_note", ""),
                "adjuncts": item.get("adjuncts", []),
                "study": studies[item["study"]],
                "provenance": item["provenance"],
                "provenance_note": item.get("provenance_note", ""),
                "requires_clinician_review": item.get("requires_clinician_review", True),
                "notes": item.get("notes", ""),
            },
            {
                "outcome_scales": many(scales, item.get("outcome_scales")),
                "supporting_studies": many(studies, item.get("supporting_studies")),
            },
        )

    for index, item in enumerate(data["rule"]):
        writer.upsert(
            "rule",
            _label(SECTION_BY_KEY["rule"], index, item),
            ContraindicationRule,
            {"code": item["code"]},
            {
                "condition": item["condition"],
                "question": item["question"],
                "severity": item["severity"],
                "severity_note": item.get("severity_note", ""),
                "temporary": item.get("temporary", False),
                "applies_to": item["applies_to"],
                "action": item["action"],
                "basis": item.get("basis", []),
                "study": studies[item["study"]],
                "provenance": item["provenance"],
                "provenance_note": item.get("provenance_note", ""),
                "exception_severity": item.get("exception_severity", ""),
                "exception_action": item.get("exception_action", ""),
                "display_order": index,
            },
            {
                "supporting_studies": many(studies, item.get("supporting_studies")),
                "exception_indications": many(indications, item.get("exception_indications")),
                "only_indications": many(indications, item.get("only_indications")),
            },
        )
    return writer.problems


def _stale(data: dict[str, Any]) -> dict[str, list[str]]:
    def missing(model: type[models.Model], field_name: str, section: str) -> list[str]:
        in_file = {item.get(field_name) for item in data[section]}
        return sorted(
            code
            for code in model._default_manager.values_list(field_name, flat=True)
            if code not in in_file
        )

    return {
        "studies": missing(Study, "code", "study"),
        "indications": missing(Indication, "slug", "indication"),
        "protocols": missing(Protocol, "code", "protocol"),
        "contraindication rules": missing(ContraindicationRule, "code", "rule"),
        "grading scales": missing(GradingScale, "code", "scale"),
    }


def load_knowledge(path: Path = DEFAULT_PATH, *, dry_run: bool = False) -> LoadReport:
    """Check the file, then upsert it all in one transaction. Raises KnowledgeFileError."""
    data = read_file(path)
    problems = check_shape(data)
    if problems:
        raise KnowledgeFileError(path, problems)
    report = LoadReport(version=data["version"])
    with transaction.atomic():
        problems = _write(data, report)
        if problems:
            transaction.set_rollback(True)
            raise KnowledgeFileError(path, problems)
        report.not_in_file = _stale(data)
        if dry_run:
            transaction.set_rollback(True)
    return report
