"""Who may make which clinical decision: plain facts about a person in, yes or no out.

The permissions come from the person's roles (`clinic/roles.py`, groups made by migrations);
clinical decisions also need an active dermatologist practitioner record, so a clinic admin who
holds every permission still cannot plan, override or record.
"""

from __future__ import annotations

from dataclasses import dataclass

PLAN_PERMS = frozenset({"treatments.add_treatmentplan", "treatments.approve_treatmentplan"})
OVERRIDE_PERM = "treatments.override_screening"
RECORD_PERM = "treatments.record_treatmentsession"
SCREEN_PERM = "treatments.add_screening"
BOOK_PERM = "treatments.change_treatmentsession"

ONLY_DERMATOLOGISTS_PLAN = "Only a dermatologist can plan a treatment series."
NOT_LINKED = "Your account is not linked to an active dermatologist."
ONLY_DERMATOLOGISTS_OVERRIDE = "Only a dermatologist can override a relative contraindication."
ONLY_DERMATOLOGISTS_RECORD = "Only a dermatologist records what was done at a session."


@dataclass(frozen=True)
class Clinician:
    """What the rules need to know about the person acting."""

    perms: frozenset[str]
    active_dermatologist: bool

    def has(self, perm: str) -> bool:
        return perm in self.perms


def plan_refusal(who: Clinician) -> str | None:
    """Planning approves the plan at once: the planning permissions and a dermatologist."""
    if not who.perms >= PLAN_PERMS:
        return ONLY_DERMATOLOGISTS_PLAN
    if not who.active_dermatologist:
        return NOT_LINKED
    return None


def may_plan(who: Clinician) -> bool:
    return plan_refusal(who) is None


def may_override(who: Clinician) -> bool:
    return who.has(OVERRIDE_PERM) and who.active_dermatologist


def may_record(who: Clinician) -> bool:
    return who.has(RECORD_PERM) and who.active_dermatologist
