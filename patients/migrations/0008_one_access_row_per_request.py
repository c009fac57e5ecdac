"""The access log keeps one row per request, naming every patient it showed (through
AccessedPatient), instead of one row per patient. Each old row becomes a request naming its
one patient."""

import django.db.models.deletion
from django.db import migrations, models


def name_each_patient(apps, schema_editor):
    PatientAccess = apps.get_model("patients", "PatientAccess")
    AccessedPatient = apps.get_model("patients", "AccessedPatient")
    rows = PatientAccess.objects.values_list("pk", "patient_id").iterator(chunk_size=2000)
    batch = []
    for access_id, patient_id in rows:
        batch.append(AccessedPatient(access_id=access_id, patient_id=patient_id))
        if len(batch) == 2000:
            AccessedPatient.objects.bulk_create(batch)
            batch = []
    AccessedPatient.objects.bulk_create(batch)
    PatientAccess.objects.update(patient_count=1)


def one_patient_each(apps, schema_editor):
    PatientAccess = apps.get_model("patients", "PatientAccess")
    AccessedPatient = apps.get_model("patients", "AccessedPatient")
    for named in AccessedPatient.objects.order_by("access_id", "patient_id").iterator():
        PatientAccess.objects.filter(pk=named.access_id, patient__isnull=True).update(
            patient_id=named.patient_id
        )
    PatientAccess.objects.filter(patient__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("patients", "0007_normalise_stored_phones")]

    operations = [
        migrations.AlterField(
            model_name="patientaccess",
            name="patient",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="patients.patient",
            ),
        ),
        migrations.AddField(
            model_name="patientaccess",
            name="method",
            field=models.CharField(default="GET", max_length=8),
        ),
        migrations.AddField(
            model_name="patientaccess",
            name="patient_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="patientaccess",
            name="channel",
            field=models.CharField(
                choices=[
                    ("page", "Page"),
                    ("api", "API"),
                    ("export", "Export"),
                    ("admin", "Admin"),
                    ("feed", "Calendar feed"),
                ],
                max_length=8,
            ),
        ),
        migrations.CreateModel(
            name="AccessedPatient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "access",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="patients.patientaccess",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.patient",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["patient", "access"], name="accessed_patient_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("access", "patient"), name="accessed_patient_once"
                    )
                ],
            },
        ),
        migrations.RunPython(name_each_patient, one_patient_each),
        migrations.RemoveIndex(model_name="patientaccess", name="access_patient_idx"),
        migrations.RemoveField(model_name="patientaccess", name="patient"),
        migrations.AddField(
            model_name="patientaccess",
            name="patients",
            field=models.ManyToManyField(
                related_name="accesses", through="patients.AccessedPatient", to="patients.patient"
            ),
        ),
        migrations.AlterModelOptions(
            name="patientaccess",
            options={
                "ordering": ["-accessed_at"],
                "verbose_name": "patient data access",
                "verbose_name_plural": "patient data accesses",
            },
        ),
    ]
