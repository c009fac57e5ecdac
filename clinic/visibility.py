"""Minimum necessary: which parts of a patient's record only clinicians see.

The front desk books, registers and checks patients in: it sees demographics, plans and their
sessions' times, and screening results (whether a session may go ahead), but not clinical notes,
skin type, grades, treatment parameters, session records, adverse events or screening answers.
Whoever holds `SEES_CLINICAL` (dermatologists and clinic admins) sees everything.

This is the one declaration: API representations drop these fields, the schema marks them as
optional, pages ask `sees_clinical`, and the admin leaves them out of its lists, forms and
inlines. Fields are named as on the models (and, identically, in the API).
"""

from __future__ import annotations

from typing import Any, Protocol

SEES_CLINICAL = "patients.view_clinical_record"

#: model label → the fields only clinicians see.
CLINICAL_FIELDS: dict[str, tuple[str, ...]] = {
    "patients.patient": ("fitzpatrick_type", "notes"),
    "patients.skinconcern": ("grading_scale", "baseline_grade", "notes"),
    "treatments.treatmentplan": ("needle_depth_mm", "departure_reason"),
    "treatments.treatmentsession": (
        "depth_used_mm",
        "area",
        "device",
        "needle_cartridge",
        "cartridge_lot",
        "anaesthetic_applied_at",
        "pain_score",
        "adverse_events",
        "notes",
        "outcome_grade",
        "amendments",
    ),
    "treatments.screening": ("answers", "notes", "override_reason"),
    # That planning was refused, by whom and when, is the front desk's to see (as a screening's
    # result is); which contraindication refused it is clinical.
    "treatments.planrefusal": ("rules", "reason"),
}

#: Records that are clinical as a whole: each screening answer, each amendment of a session
#: record (its old and new values are the record's).
CLINICAL_RECORDS: frozenset[str] = frozenset(
    {"treatments.screeninganswer", "treatments.sessionamendment"}
)


class _User(Protocol):
    def has_perm(self, perm: str, obj: Any = None) -> bool: ...


def sees_clinical(user: _User | None) -> bool:
    """Whether this user sees the clinical record. Nobody known (no request): no."""
    return user is not None and user.has_perm(SEES_CLINICAL)


def hidden_fields(user: _User | None, label: str) -> frozenset[str]:
    """The fields of model `label` (app_label.modelname) this user does not see."""
    if sees_clinical(user):
        return frozenset()
    return frozenset(CLINICAL_FIELDS.get(label, ()))


def hides_record(user: _User | None, label: str) -> bool:
    return label in CLINICAL_RECORDS and not sees_clinical(user)


class _Request(Protocol):
    user: _User


def template_context(request: _Request) -> dict[str, bool]:
    """A context processor: pages ask `sees_clinical` before showing a clinical field."""
    return {"sees_clinical": sees_clinical(getattr(request, "user", None))}
