"""EXPLAIN ANALYZE of the queries behind the day calendar, availability, today's list and the
patient search, captured from the app's own selectors on the seeded database. Prints JSON:
for each, the SQL, the plan, and the best execution time of five runs (a warm cache)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic.models import Practitioner  # noqa: E402
from patients.selectors import patients_search  # noqa: E402
from treatments.booking import selectors  # noqa: E402
from treatments.booking import services as session_services  # noqa: E402
from treatments.models import TreatmentSession  # noqa: E402


def captured(call: Callable[[], object], pattern: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        call()
    matches = [q["sql"] for q in queries.captured_queries if re.search(pattern, q["sql"])]
    if not matches:
        raise SystemExit(f"no query matched {pattern!r}")
    return matches[0]


def explain(sql: str) -> dict[str, object]:
    best, plan = float("inf"), ""
    with connection.cursor() as cursor:
        for _ in range(5):
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            lines = [row[0] for row in cursor.fetchall()]
            timing = re.search(r"Execution Time: ([\d.]+) ms", "\n".join(lines))
            if timing is None:
                raise SystemExit(f"EXPLAIN gave no execution time for {sql!r}")
            ms = float(timing.group(1))
            if ms < best:
                best, plan = ms, "\n".join(lines)
    return {"sql": sql, "plan": plan, "ms": best}


def main() -> None:
    today = timezone.localdate()
    practitioner = Practitioner.objects.order_by("pk").first()
    session = (
        TreatmentSession.objects.filter(status="planned", target_date__gt=today)
        .order_by("target_date")
        .first()
    )
    if session is None:
        raise SystemExit("no planned session to explain: seed the database first")
    user = User.objects.get(username="bench-desk-01")
    busiest = today - dt.timedelta(days=7)
    results = {
        "day calendar (one practitioner, one day)": explain(
            captured(
                lambda: selectors.sessions_between(busiest, busiest, practitioner=practitioner),
                r'FROM "treatments_treatmentsession"',
            )
        ),
        "availability (bookings in the 11-day window)": explain(
            captured(
                lambda: session_services.session_availability(session=session),
                r'FROM "treatments_treatmentsession".*"ends_at" >',
            )
        ),
        "today's list (every booking of a day)": explain(
            captured(lambda: selectors.sessions_for_day(today), r'"treatments_treatmentsession"')
        ),
        "patient search (two name words)": explain(
            captured(
                lambda: list(patients_search(user, "Amelia Khan")[:25]),
                r'FROM "patients_patient"',
            )
        ),
    }
    counts = {
        "sessions": TreatmentSession.objects.count(),
        "timed": TreatmentSession.objects.filter(starts_at__isnull=False).count(),
    }
    print(json.dumps({"counts": counts, "queries": results}))  # noqa: T201


if __name__ == "__main__":
    main()
