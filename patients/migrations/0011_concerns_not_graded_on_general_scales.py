"""Concerns graded on a scale that grades no concern (the skin phototype, pain: linked to every
indication) keep what was recorded in their notes, and lose the grade that the rule
(evidence.scales) now refuses, so that every concern validates."""

from django.db import migrations
from django.db.models import Count

from evidence.scales import ScaleFacts, is_general


def move_general_grades_to_notes(apps, schema_editor):
    Indication = apps.get_model("evidence", "Indication")
    GradingScale = apps.get_model("evidence", "GradingScale")
    SkinConcern = apps.get_model("patients", "SkinConcern")
    count = Indication.objects.count()
    general = [
        scale
        for scale in GradingScale.objects.annotate(n=Count("indications"))
        if is_general(
            ScaleFacts(scale.code, scale.name, scale.kind, frozenset(range(scale.n))),
            indication_count=count,
        )
    ]
    for scale in general:
        for concern in SkinConcern.objects.filter(grading_scale=scale):
            if concern.baseline_grade:
                line = f"Baseline recorded on {scale.name}: {concern.baseline_grade}."
                concern.notes = f"{concern.notes}\n{line}".strip()
            concern.grading_scale = None
            concern.baseline_grade = ""
            concern.save(update_fields=["notes", "grading_scale", "baseline_grade"])


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0010_address_emergency_contact_gp_and_contact_preferences"),
        ("evidence", "0002_protocol_column_checks"),
    ]

    operations = [
        # Reversing keeps the notes: the refused grade is not put back on a refused scale.
        migrations.RunPython(move_general_grades_to_notes, migrations.RunPython.noop),
    ]
