"""Clinic admins read the change history of clinical records; nobody writes it by hand."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EVENTS = {
    "patients": ["patientevent", "skinconcernevent"],
    "treatments": [
        "treatmentplanevent", "treatmentsessionevent", "screeningevent", "screeninganswerevent",
    ],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admins = Group.objects.get_or_create(name="Clinic admin")[0]
    for app_label, models in EVENTS.items():
        for model in models:
            found = Permission.objects.filter(
                content_type__app_label=app_label, content_type__model=model
            )
            admins.permissions.add(*found.filter(codename=f"view_{model}"))
            admins.permissions.remove(*found.exclude(codename=f"view_{model}"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Clinic admin"):
        for app_label, models in EVENTS.items():
            group.permissions.remove(*Permission.objects.filter(
                content_type__app_label=app_label, content_type__model__in=models
            ))


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0009_clinic_admins_read_the_access_log"),
        ("patients", "0003_change_history"),
        ("treatments", "0006_change_history"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
