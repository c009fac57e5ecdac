"""The access log names its patients in AccessedPatient: clinic admins read it, as they read
the log; nobody writes it by hand."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admins = Group.objects.get_or_create(name="Clinic admin")[0]
    admins.permissions.add(
        Permission.objects.get(content_type__app_label="patients", codename="view_accessedpatient")
    )
    # Whatever an earlier "all permissions" grant swept in: the log is never written by hand.
    admins.permissions.remove(
        *Permission.objects.filter(
            content_type__app_label="patients",
            codename__in=[
                "add_accessedpatient",
                "change_accessedpatient",
                "delete_accessedpatient",
            ],
        )
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.all():
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="patients", codename__endswith="_accessedpatient"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0010_clinic_admins_read_change_history"),
        ("patients", "0008_one_access_row_per_request"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
