"""The knowledge base's scales as the concern rule (evidence.scales) reads them: one place that
turns rows into facts, for the model's validation, the form's choices, the serializer and the
admin alike."""

from __future__ import annotations

from collections.abc import Iterable

from evidence.models import GradingScale, Indication
from evidence.scales import ScaleFacts, concern_scale_error, grades_concern, level_label


def scale_facts(scale: GradingScale, indication_ids: Iterable[int]) -> ScaleFacts:
    return ScaleFacts(
        code=scale.code, name=scale.name, kind=scale.kind, indications=frozenset(indication_ids)
    )


def concern_grading_errors(
    *, indication: Indication | None, scale: GradingScale | None, grade: str
) -> dict[str, str]:
    """Field errors of a concern's scale and baseline grade (three queries at most)."""
    if scale is None:
        return (
            {"grading_scale": "Choose the scale the baseline grade is recorded on."}
            if grade
            else {}
        )
    if indication is None:
        return {}
    facts = scale_facts(scale, scale.indications.values_list("pk", flat=True))
    problem = concern_scale_error(
        facts,
        indication=indication.pk,
        indication_name=indication.name,
        indication_count=Indication.objects.count(),
    )
    if problem:
        return {"grading_scale": problem}
    if grade_problem := scale.grade_error(grade):
        return {"baseline_grade": grade_problem}
    return {}


class ConcernScales:
    """Every scale that grades some indication's concerns, grouped for a form's choices by the
    indications each may grade: one query for the scales and their links, given the
    indications (which the form reads for its own choices anyway)."""

    def __init__(self, indications: list[Indication] | None = None) -> None:
        if indications is None:
            indications = list(Indication.objects.all())
        by_pk = {i.pk: i for i in indications}
        links = (
            GradingScale.indications.through.objects.select_related("gradingscale")
            .exclude(gradingscale__kind=GradingScale.Kind.DESCRIPTIVE)
            .order_by("gradingscale__code", "indication_id")
        )
        linked: dict[GradingScale, list[int]] = {}
        for link in links:
            linked.setdefault(link.gradingscale, []).append(link.indication_id)
        self.by_indication: dict[Indication, list[GradingScale]] = {}
        self.scales: list[GradingScale] = []
        for scale, indication_ids in linked.items():
            facts = scale_facts(scale, indication_ids)
            mine = [
                by_pk[pk]
                for pk in indication_ids
                if pk in by_pk
                and grades_concern(facts, indication=pk, indication_count=len(indications))
            ]
            if mine:
                self.scales.append(scale)
            for indication in mine:
                self.by_indication.setdefault(indication, []).append(scale)

    def scale_choices(self) -> list[tuple[str, list[tuple[int, str]]]]:
        return [
            (indication.name, [(s.pk, f"{s.code} {s.name}") for s in scales])
            for indication, scales in sorted(self.by_indication.items(), key=lambda i: i[0].name)
        ]

    def grade_choices(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The named grades of each levels scale, as "CODE:value" (a grade names its scale, so
        a grade of another scale is caught)."""
        return [
            (
                f"{scale.code} {scale.name}",
                [
                    (f"{scale.code}:{level['value']}", level_label(level["value"], level["label"]))
                    for level in scale.levels
                ],
            )
            for scale in self.scales
            if scale.kind == GradingScale.Kind.LEVELS
        ]
