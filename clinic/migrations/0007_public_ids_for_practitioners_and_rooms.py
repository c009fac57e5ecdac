"""UUID public ids for practitioners and rooms, as for every record the API names."""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    for name in ("Practitioner", "Room"):
        model = apps.get_model("clinic", name)
        for row in model.objects.filter(public_id__isnull=True):
            row.public_id = uuid.uuid4()
            row.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("clinic", "0006_absence_permissions")]

    operations = [
        migrations.AddField("practitioner", "public_id", models.UUIDField(null=True, editable=False)),
        migrations.AddField("room", "public_id", models.UUIDField(null=True, editable=False)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            "practitioner", "public_id",
            models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
        migrations.AlterField(
            "room", "public_id", models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
        ),
    ]
