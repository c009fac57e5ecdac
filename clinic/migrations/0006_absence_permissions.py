"""Clinic admins manage practitioner absences; everyone who books sees them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    absence = Permission.objects.filter(
        content_type__app_label="clinic", content_type__model="practitionerabsence"
    )
    Group.objects.get_or_create(name="Clinic admin")[0].permissions.add(*absence)
    for name in ("Dermatologist", "Front desk"):
        Group.objects.get_or_create(name=name)[0].permissions.add(
            *absence.filter(codename="view_practitionerabsence")
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    absence = Permission.objects.filter(
        content_type__app_label="clinic", content_type__model="practitionerabsence"
    )
    for group in Group.objects.all():
        group.permissions.remove(*absence)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0005_absences_and_calendar_tokens")]

    operations = [migrations.RunPython(grant, revoke)]
