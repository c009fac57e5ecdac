"""Practitioner absences, and a secret token per practitioner for their iCal feed.

The token column is added empty, filled row by row (each practitioner needs their own secret),
then made unique and required.
"""

import secrets

import django.db.models.deletion
from django.db import migrations, models

import clinic.models


def fill_tokens(apps, schema_editor):
    Practitioner = apps.get_model("clinic", "Practitioner")
    for practitioner in Practitioner.objects.filter(calendar_token__isnull=True):
        practitioner.calendar_token = secrets.token_urlsafe(32)
        practitioner.save(update_fields=["calendar_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_dermatologists_record_sessions"),
    ]

    operations = [
        migrations.AddField(
            model_name="practitioner",
            name="calendar_token",
            field=models.CharField(max_length=64, null=True, editable=False),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="practitioner",
            name="calendar_token",
            field=models.CharField(
                default=clinic.models.new_calendar_token,
                editable=False,
                help_text="Secret part of the practitioner's iCal feed address; renew it to revoke.",
                max_length=64,
                unique=True,
            ),
        ),
        migrations.CreateModel(
            name="PractitionerAbsence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_at", models.DateTimeField()),
                ("ends_at", models.DateTimeField()),
                ("reason", models.CharField(max_length=200)),
                (
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="absences",
                        to="clinic.practitioner",
                    ),
                ),
            ],
            options={
                "ordering": ["starts_at"],
                "indexes": [models.Index(fields=["practitioner", "starts_at"], name="absence_practitioner_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="absence_ends_after_start",
                        violation_error_message="An absence ends after it starts.",
                    )
                ],
            },
        ),
    ]
