"""Clinic admins issue and revoke API tokens (the authtoken app arrived with the API)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admins, _ = Group.objects.get_or_create(name="Clinic admin")
    admins.permissions.add(*Permission.objects.filter(content_type__app_label="authtoken"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Clinic admin"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="authtoken"))


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0002_create_roles"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
