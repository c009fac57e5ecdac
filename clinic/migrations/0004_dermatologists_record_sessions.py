"""Recording what was done at a session is clinical: dermatologists (and clinic admins) only."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAME = "record_treatmentsession"


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="treatments", codename=CODENAME)
    for name in ("Dermatologist", "Clinic admin"):
        Group.objects.get_or_create(name=name)[0].permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="treatments", codename=CODENAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0003_clinic_admin_manages_api_tokens"),
        ("treatments", "0002_cancellable_drafts_screening_checks"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
