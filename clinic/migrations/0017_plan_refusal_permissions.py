"""Plan refusals: every role sees that planning was refused, by whom and when (which rule is
clinical: clinic.visibility); nobody adds or changes one by hand (the planning service records
them), and clinic admins, who hold every permission of the clinic's apps, read their history."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Front desk": ["view_planrefusal"],
    "Dermatologist": ["view_planrefusal"],
    "Clinic admin": [f"{action}_planrefusal" for action in ("view", "add", "change", "delete")]
    + ["view_planrefusalevent"],
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
            *Permission.objects.filter(content_type__app_label="treatments", codename__in=codenames)
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
        ("clinic", "0016_clinic_admins_hold_amendment_permissions"),
        ("treatments", "0012_plan_refusals"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
