"""Trigram indexes for the patient search on PostgreSQL.

The search matches each word anywhere in a name (`icontains`, i.e. UPPER(name) LIKE '%WORD%'),
which no b-tree can serve: on 100,000 patients it read the whole table (77 ms). pg_trgm's GIN
indexes on the same UPPER() expressions answer it from the index. SQLite has no pg_trgm; there
this migration does nothing.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS patient_family_name_trgm ON patients_patient "
    "USING gin (UPPER(family_name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS patient_given_name_trgm ON patients_patient "
    "USING gin (UPPER(given_name::text) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS patient_given_name_trgm",
    "DROP INDEX IF EXISTS patient_family_name_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("patients", "0004_bounded_free_text")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
