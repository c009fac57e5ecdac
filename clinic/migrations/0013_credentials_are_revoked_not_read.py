"""API tokens become knox's (hashed, expiring): the old plain-text, never-expiring DRF tokens are
deleted, so their holders sign in again. Clinic admins see and revoke tokens, authenticators
and recovery codes; nobody creates or reads one in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = (("knox", "authtoken"), ("otp_totp", "totpdevice"), ("otp_static", "staticdevice"))


def forward(apps, schema_editor):
    apps.get_model("authtoken", "Token").objects.all().delete()
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admins = Group.objects.get_or_create(name="Clinic admin")[0]
    for app_label, model in MODELS:
        admins.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"view_{model}", f"delete_{model}"],
            )
        )


def backward(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.all():
        for app_label, _ in MODELS:
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label))


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0012_clinicians_see_the_clinical_record"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("knox", "0009_extend_authtoken_field"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(forward, backward)]
