"""Dermatologists and clinic admins see the clinical record; the front desk does not
(clinic.visibility)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SEES = ("Dermatologist", "Clinic admin")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="patients", codename="view_clinical_record"
    )
    for name in SEES:
        Group.objects.get_or_create(name=name)[0].permissions.add(permission)
    Group.objects.get_or_create(name="Front desk")[0].permissions.remove(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.all():
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="patients", codename="view_clinical_record"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0011_clinic_admins_read_who_was_named"),
        ("patients", "0009_clinical_record_permission"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
