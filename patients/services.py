"""Writes of patients and concerns. Each takes the acting user, validates, and saves atomically."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.errors import Conflict, InvalidInput, NotAllowed
from patients.models import (
    CLINICAL_PATIENT_FIELDS,
    CONCERN_FIELDS,
    PATIENT_FIELDS,
    Patient,
    SkinConcern,
)
from patients.selectors import patients_likely_duplicates


def _require(user: User, perm: str, what: str) -> None:
    if not user.has_perm(perm):
        raise NotAllowed(f"Your role does not allow you to {what}.")


def _validated(instance: Any) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        fields = {name: list(messages) for name, messages in error.message_dict.items()}
        first = next(iter(fields.values()))[0]
        raise InvalidInput(first, fields=fields) from None


def _assign(instance: Any, allowed: tuple[str, ...], values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise InvalidInput(f"Unknown field(s): {', '.join(unknown)}.")
    for name, value in values.items():
        setattr(instance, name, value)


class PossibleDuplicate(Conflict):
    """Registration found patients likely to be this one; repeated with the confirmation, it
    registers the patient anyway."""

    code = "possible_duplicate"

    def __init__(self, candidates: list[Patient]) -> None:
        self.candidates = candidates
        names = "; ".join(f"{p.full_name} ({p.mrn})" for p in candidates)
        super().__init__(
            f"This may be a patient already registered with the same date of birth: {names}. "
            "Open their record, or confirm that this is someone else.",
            extra={
                "candidates": [
                    {
                        "id": str(p.public_id),
                        "given_name": p.given_name,
                        "family_name": p.family_name,
                    }
                    for p in candidates
                ]
            },
        )


@transaction.atomic
def patient_create(
    *, acting_user: User, confirm_not_duplicate: bool = False, **values: Any
) -> Patient:
    _require(acting_user, "patients.add_patient", "register patients")
    _require_clinical(acting_user, None, values)
    patient = Patient()
    _assign(patient, PATIENT_FIELDS, values)
    _validated(patient)
    if not confirm_not_duplicate and (
        candidates := patients_likely_duplicates(
            given_name=patient.given_name,
            family_name=patient.family_name,
            date_of_birth=patient.date_of_birth,
        )
    ):
        raise PossibleDuplicate(candidates)
    patient.save()
    return patient


def _require_clinical(user: User, patient: Patient | None, values: dict) -> None:
    changed = [
        name
        for name in CLINICAL_PATIENT_FIELDS
        if name in values
        and (patient is None or getattr(patient, name) != values[name])
        and (patient is not None or values[name] not in (None, ""))
    ]
    if changed:
        _require(user, "patients.change_skinconcern", "record skin type or clinical notes")


@transaction.atomic
def patient_update(*, acting_user: User, patient: Patient, **values: Any) -> Patient:
    _require(acting_user, "patients.change_patient", "edit patients")
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    _require_clinical(acting_user, patient, values)
    _assign(patient, PATIENT_FIELDS, values)
    _validated(patient)
    patient.save()
    return patient


@transaction.atomic
def patient_archive(*, acting_user: User, patient: Patient) -> Patient:
    """Patients are archived, never deleted: their record stays whole."""
    _require(acting_user, "patients.change_patient", "archive patients")
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    patient.status = Patient.Status.ARCHIVED
    patient.save(update_fields=["status", "updated_at"])
    return patient


@transaction.atomic
def patient_restore(*, acting_user: User, patient: Patient) -> Patient:
    _require(acting_user, "patients.change_patient", "restore patients")
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    patient.status = Patient.Status.ACTIVE
    patient.save(update_fields=["status", "updated_at"])
    return patient


@transaction.atomic
def concern_create(
    *, acting_user: User, patient: Patient, **values: Any
) -> SkinConcern:
    _require(acting_user, "patients.add_skinconcern", "record skin concerns")
    if patient.status != Patient.Status.ACTIVE:
        raise Conflict("This patient is archived; restore the record before adding concerns.")
    concern = SkinConcern(patient=patient)
    _assign(concern, CONCERN_FIELDS, values)
    _validated(concern)
    concern.save()
    return concern
