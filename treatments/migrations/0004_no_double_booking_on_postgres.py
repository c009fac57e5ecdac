"""No two bookings of one practitioner, or of one room, may overlap — enforced by PostgreSQL.

Exclusion constraints over the booked time range (btree_gist lets them mix `=` on the
practitioner or room with `&&` on the range). Cancelled sessions free their slot. SQLite cannot
hold these constraints: there, the booking service's locked check inside a transaction is the
guard, and this migration does nothing.
"""

from django.db import migrations

ACTIVE = "status <> 'cancelled' AND starts_at IS NOT NULL"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE treatments_treatmentsession ADD CONSTRAINT session_no_practitioner_overlap "
    "EXCLUDE USING gist (practitioner_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    f"WHERE ({ACTIVE})",
    "ALTER TABLE treatments_treatmentsession ADD CONSTRAINT session_no_room_overlap "
    "EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    f"WHERE ({ACTIVE})",
]
BACKWARD = [
    "ALTER TABLE treatments_treatmentsession DROP CONSTRAINT IF EXISTS session_no_room_overlap",
    "ALTER TABLE treatments_treatmentsession "
    "DROP CONSTRAINT IF EXISTS session_no_practitioner_overlap",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("treatments", "0003_session_blocked_status_and_who_changed_it")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
