"""Create the three staff roles with their model permissions.

The lists are frozen here on purpose: a later change to a role is a new migration, so every
database carries the same history.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CRUD = ("view", "add", "change")

DERMATOLOGIST = {
    # Everything clinical: patients, concerns, plans (approve too), sessions, screenings (override).
    "patients": {"patient": CRUD, "skinconcern": CRUD},
    "treatments": {
        "treatmentplan": (*CRUD, "approve"),
        "treatmentsession": CRUD,
        "screening": (*CRUD, "override"),
        "screeninganswer": CRUD,
    },
    "evidence": {m: ("view",) for m in (
        "study", "indication", "finding", "protocol", "contraindicationrule", "gradingscale",
    )},
    "clinic": {m: ("view",) for m in ("practitioner", "room", "openinghours", "closure")},
}

FRONT_DESK = {
    # Patients and bookings; may record the re-screen at check-in, never approve or override.
    "patients": {"patient": CRUD, "skinconcern": ("view",)},
    "treatments": {
        "treatmentplan": ("view",),
        "treatmentsession": ("view", "change"),
        "screening": ("view", "add"),
        "screeninganswer": ("view", "add"),
    },
    "evidence": {m: ("view",) for m in (
        "study", "indication", "finding", "protocol", "contraindicationrule", "gradingscale",
    )},
    "clinic": {m: ("view",) for m in ("practitioner", "room", "openinghours", "closure")},
}

#: Clinic admins hold every permission of these apps, the admin site's users and groups included.
CLINIC_ADMIN_APPS = ("patients", "treatments", "evidence", "clinic", "auth")

CUSTOM_CODENAMES = {
    ("treatmentplan", "approve"): "approve_treatmentplan",
    ("screening", "override"): "override_screening",
}


def codenames(spec):
    for app_label, models in spec.items():
        for model, actions in models.items():
            for action in actions:
                yield app_label, CUSTOM_CODENAMES.get((model, action), f"{action}_{model}")


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(spec):
        found = []
        for app_label, codename in codenames(spec):
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return found

    Group.objects.get_or_create(name="Dermatologist")[0].permissions.set(
        permissions(DERMATOLOGIST)
    )
    Group.objects.get_or_create(name="Front desk")[0].permissions.set(permissions(FRONT_DESK))
    Group.objects.get_or_create(name="Clinic admin")[0].permissions.set(
        Permission.objects.filter(content_type__app_label__in=CLINIC_ADMIN_APPS)
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Dermatologist", "Front desk", "Clinic admin"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("clinic", "0001_initial"),
        ("evidence", "0001_initial"),
        ("patients", "0001_initial"),
        ("treatments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
