"""Writes the demo's real ids as schemathesis dictionaries, one file per kind, in $FUZZ_IDS.

Run by .ci/fuzz through `manage.py shell` after `seed_demo`: the fuzzer then reaches records
that exist (a booked session, a screening awaiting an override) instead of only 404s.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from clinic.models import Practitioner, Room
from evidence.models import ContraindicationRule, GradingScale, Indication, Protocol, Study
from patients.models import Patient, SkinConcern
from treatments.models import Screening, TreatmentPlan, TreatmentSession


def write(name: str, values: list[object]) -> None:
    if not values:
        raise SystemExit(f"The demo has no {name}: seed_demo changed, and so must the fuzz.")
    lines = [json.dumps(str(value)) for value in values]
    (Path(os.environ["FUZZ_IDS"]) / f"{name}.dict").write_text("\n".join(lines) + "\n")


sessions = TreatmentSession.objects.order_by("pk")
write("patients", list(Patient.objects.values_list("public_id", flat=True)[:20]))
write("concerns", list(SkinConcern.objects.values_list("public_id", flat=True)[:20]))
write("plans", list(TreatmentPlan.objects.values_list("public_id", flat=True)[:20]))
write("screenings", list(Screening.objects.values_list("public_id", flat=True)[:20]))
# Every state a session can be in, so each action meets both its open and its closed doors.
write(
    "sessions",
    [
        public_id
        for status, _ in TreatmentSession._meta.get_field("status").choices or ()
        for public_id in sessions.filter(status=status).values_list("public_id", flat=True)[:4]
    ],
)
write("practitioners", list(Practitioner.objects.values_list("public_id", flat=True)))
write("rooms", list(Room.objects.values_list("public_id", flat=True)))
write("protocols", list(Protocol.objects.values_list("code", flat=True)))
write("indications", list(Indication.objects.values_list("slug", flat=True)))
write("studies", list(Study.objects.values_list("code", flat=True)[:20]))
write("rules", list(ContraindicationRule.objects.values_list("code", flat=True)))
write("scales", list(GradingScale.objects.values_list("code", flat=True)))
