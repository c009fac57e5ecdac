"""The clinic's identity: one row, made here with the defaults; clinic admins edit it (and
may make it again if it is ever missing), no role deletes it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

EDITS = ("view_clinicprofile", "change_clinicprofile", "add_clinicprofile")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="clinic", codename__in=EDITS)
    Group.objects.get_or_create(name="Clinic admin")[0].permissions.add(*permissions)
    apps.get_model("clinic", "ClinicProfile").objects.get_or_create(pk=1)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = Permission.objects.filter(content_type__app_label="clinic", codename__in=EDITS)
    for group in Group.objects.all():
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0014_consultation_permissions'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClinicProfile',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ('name', models.CharField(default='Microneedling clinic', max_length=120)),
                ('address', models.TextField(blank=True, help_text='As on a letter: one line per line.', max_length=400)),
                ('phone', models.CharField(blank=True, help_text='The number patients call about their treatment.', max_length=32)),
                ('email', models.EmailField(blank=True, max_length=254)),
                ('logo', models.BinaryField(blank=True, default=b'')),
                ('logo_content_type', models.CharField(blank=True, editable=False, max_length=20)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'clinic profile',
                'verbose_name_plural': 'clinic profile',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='clinic_profile_is_one_row')],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
