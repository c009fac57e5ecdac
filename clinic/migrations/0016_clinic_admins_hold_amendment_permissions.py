"""Clinic admins hold every permission of the clinic's apps: the session amendments' too
(made only through the amend service; the admin shows them read-only)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [f"{action}_sessionamendment" for action in ("view", "add", "change", "delete")]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get_or_create(name="Clinic admin")[0].permissions.add(
        *Permission.objects.filter(content_type__app_label="treatments", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Clinic admin"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="treatments", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0015_clinic_profile_edited_by_clinic_admins"),
        ("treatments", "0011_session_cartridge_lot_and_amendments"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
