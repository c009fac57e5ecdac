"""Reads what the load scenarios need from the seeded database: logged-in sessions and API
tokens for the benchmark's staff, and pools of patients, plans, practitioners and bookable
sessions. Writes one JSON file. Run by benchmarks/run.py in the app's own environment."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from clinic.models import Closure, Practitioner  # noqa: E402
from patients.models import Patient  # noqa: E402
from treatments.models import TreatmentPlan, TreatmentSession  # noqa: E402

POOL = 3000


def session_cookie(user: User) -> str:
    """A logged-in session made the way the test client's force_login makes one."""
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def main(out: Path) -> None:
    rng = random.Random(7)  # noqa: S311 - choosing test data, not secrets
    today = timezone.localdate()
    desk = list(User.objects.filter(username__startswith="bench-desk-").order_by("username"))
    derms = list(User.objects.filter(username__startswith="bench-derm-").order_by("username"))
    patients = list(Patient.objects.values_list("public_id", "family_name", "given_name", "mrn"))
    sample = rng.sample(patients, min(POOL, len(patients)))
    plans = list(
        TreatmentPlan.objects.filter(status="active").values_list("public_id", flat=True)[:50_000]
    )
    # The next session of a series: planned, with nothing earlier still waiting to be booked.
    earlier_open = TreatmentSession.objects.filter(
        plan=OuterRef("plan"), number__lt=OuterRef("number"), status="planned"
    )
    closed = [
        start + dt.timedelta(days=n)
        for start, end in Closure.objects.values_list("start_date", "end_date")
        for n in range((end - start).days + 1)
    ]
    bookable = list(
        TreatmentSession.objects.filter(
            status="planned",
            plan__status="active",
            plan__modality="mn",
            target_date__gte=today + dt.timedelta(days=4),
            target_date__lte=today + dt.timedelta(days=150),
        )
        .exclude(Exists(earlier_open))
        # Targets on open days only: a Sunday's empty answer would flatter the figures.
        .exclude(target_date__week_day=1)
        .exclude(target_date__in=closed)
        .values_list("public_id", "target_date")
    )
    rng.shuffle(bookable)
    data = {
        "desk_sessions": [session_cookie(u) for u in desk],
        "derm_sessions": [session_cookie(u) for u in derms],
        "desk_tokens": [Token.objects.get_or_create(user=u)[0].key for u in desk],
        "patients": [str(p[0]) for p in sample],
        "search_terms": [p[1] for p in sample[:500]]
        + [f"{p[2]} {p[1]}" for p in sample[500:800]]
        + [p[3] for p in sample[800:1000]],
        "plans": [str(p) for p in rng.sample(plans, min(POOL, len(plans)))],
        "practitioners": [str(p) for p in Practitioner.objects.values_list("public_id", flat=True)],
        "bookable": [[str(s), day.isoformat()] for s, day in bookable],
        "today": today.isoformat(),
    }
    out.write_text(json.dumps(data))
    print(  # noqa: T201
        f"prepared {len(data['desk_sessions'])} desk and {len(data['derm_sessions'])} "
        f"dermatologist sessions, {len(data['bookable']):,} bookable sessions"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
