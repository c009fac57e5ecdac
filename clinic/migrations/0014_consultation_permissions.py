"""Consultations: every role books, cancels and sees them (the front desk above all); clinic
admins hold every permission of the clinic's apps, these included, and read their change
history."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CRUD = ("view", "add", "change")
ROLES = {
    "Front desk": [f"{action}_consultation" for action in CRUD],
    "Dermatologist": [f"{action}_consultation" for action in CRUD],
    "Clinic admin": [f"{action}_consultation" for action in (*CRUD, "delete")]
    + ["view_consultationevent"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group = Group.objects.get_or_create(name=name)[0]
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="treatments", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="treatments", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0013_credentials_are_revoked_not_read"),
        ("treatments", "0010_consultations"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
