"""Each role holds exactly the permissions it is meant to, no more."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from clinic import roles
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

EVIDENCE_VIEW = {
    f"evidence.view_{m}"
    for m in ("study", "indication", "finding", "protocol", "contraindicationrule", "gradingscale")
}
CLINIC_VIEW = {
    f"clinic.view_{m}"
    for m in ("practitioner", "room", "openinghours", "closure", "practitionerabsence")
}


def crud(app: str, model: str) -> set[str]:
    return {f"{app}.{action}_{model}" for action in ("view", "add", "change")}


EXPECTED = {
    roles.DERMATOLOGIST: EVIDENCE_VIEW
    | CLINIC_VIEW
    | crud("patients", "patient")
    | crud("patients", "skinconcern")
    | crud("treatments", "treatmentplan")
    | {"treatments.approve_treatmentplan"}
    | crud("treatments", "treatmentsession")
    | {"treatments.record_treatmentsession"}
    | crud("treatments", "screening")
    | {"treatments.override_screening"}
    | crud("treatments", "screeninganswer")
    | crud("treatments", "consultation")
    | {"treatments.view_planrefusal"}
    | {"patients.view_clinical_record"},
    roles.FRONT_DESK: EVIDENCE_VIEW
    | CLINIC_VIEW
    | crud("patients", "patient")
    | {"patients.view_skinconcern"}
    | {
        "treatments.view_treatmentplan",
        "treatments.view_treatmentsession",
        "treatments.change_treatmentsession",
        "treatments.view_screening",
        "treatments.add_screening",
        "treatments.view_screeninganswer",
        "treatments.add_screeninganswer",
    }
    | crud("treatments", "consultation")
    | {"treatments.view_planrefusal"},
}


def permissions_of(group_name: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group_name).permissions.select_related("content_type")
    }


@pytest.mark.parametrize("role", [roles.DERMATOLOGIST, roles.FRONT_DESK])
def test_each_role_has_exactly_its_intended_permissions(role: str) -> None:
    assert permissions_of(role) == EXPECTED[role]


def test_clinic_admins_hold_every_permission_of_the_clinic_apps() -> None:
    every = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.filter(
            content_type__app_label__in=[
                "patients",
                "treatments",
                "evidence",
                "clinic",
                "auth",
                "authtoken",
                "axes",
                "knox",
                "otp_totp",
                "otp_static",
            ]
        ).select_related("content_type")
    }
    # The access log is read, never written by hand, by anyone.
    written_log = {
        f"patients.{a}_{model}"
        for a in ("add", "change", "delete")
        for model in ("patientaccess", "accessedpatient")
    } | {
        f"{app}.{action}_{model}event"
        for app, model in (
            ("patients", "patient"),
            ("patients", "skinconcern"),
            ("treatments", "treatmentplan"),
            ("treatments", "treatmentsession"),
            ("treatments", "screening"),
            ("treatments", "screeninganswer"),
            ("treatments", "consultation"),
            ("treatments", "planrefusal"),
        )
        for action in ("add", "change", "delete")
    }
    # Credentials are revoked in the admin, never made or edited there (a token for someone
    # else, or their authenticator's secret, would let the admin act as them).
    made_by_their_owner = {
        f"{app}.{action}_{model}"
        for app, model in (
            ("knox", "authtoken"),
            ("otp_totp", "totpdevice"),
            ("otp_static", "staticdevice"),
        )
        for action in ("add", "change")
    } | {f"otp_static.{action}_statictoken" for action in ("view", "add", "change", "delete")}
    # The clinic's identity is one record, edited, never deleted.
    kept = {"clinic.delete_clinicprofile"}
    assert permissions_of(roles.CLINIC_ADMIN) == every - written_log - made_by_their_owner - kept
    assert "patients.view_patientaccess" in every
    assert {"treatments.approve_treatmentplan", "auth.change_user", "authtoken.add_token"} <= every


def test_front_desk_cannot_approve_plans_or_override_contraindications(front_desk: Persona) -> None:
    user = front_desk.user
    assert not user.has_perm("treatments.approve_treatmentplan")
    assert not user.has_perm("treatments.override_screening")
    assert user.has_perm("patients.add_patient")
    assert user.has_perm("treatments.change_treatmentsession")


def test_nobody_but_clinic_admins_may_delete(dermatologist: Persona, front_desk: Persona) -> None:
    for client in (dermatologist, front_desk):
        perms = client.user.get_all_permissions()
        assert not [p for p in perms if ".delete_" in p]


def test_roles_of_names_the_user_roles(dermatologist: Persona) -> None:
    assert roles.roles_of(dermatologist.user) == [roles.DERMATOLOGIST]
