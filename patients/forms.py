"""Forms for registering patients and recording concerns."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from evidence.models import GradingScale
from patients.grading import ConcernScales
from patients.models import (
    ADDRESS_FIELDS,
    CLINICAL_PATIENT_FIELDS,
    CONCERN_FIELDS,
    CONTACT_PREFERENCE_FIELDS,
    EMERGENCY_CONTACT_FIELDS,
    GP_FIELDS,
    PATIENT_FIELDS,
    Patient,
    SkinConcern,
)


class DateInput(forms.DateInput):
    input_type = "date"


class PatientForm(forms.ModelForm):
    #: The page's sections, in order (the contact preferences are one group of checkboxes).
    SECTIONS = (
        ("Patient", ("given_name", "family_name", "date_of_birth", "sex")),
        ("Contact", ("phone", "email")),
        ("May we contact them by…", CONTACT_PREFERENCE_FIELDS),
        ("Address", ADDRESS_FIELDS),
        ("Emergency contact", EMERGENCY_CONTACT_FIELDS),
        ("GP", GP_FIELDS),
        ("Clinical", CLINICAL_PATIENT_FIELDS),
    )

    def __init__(self, *args: Any, clinical: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not clinical:  # skin type and clinical notes are recorded by dermatologists
            for name in CLINICAL_PATIENT_FIELDS:
                del self.fields[name]
        for name in ("phone", "emergency_contact_phone", "gp_phone"):
            self.fields[name].widget.attrs.update({"type": "tel", "autocomplete": "off"})

    def sections(self) -> list[tuple[str, bool, list[forms.BoundField]]]:
        """(legend, whether it is a group of checkboxes, its fields) for each section shown."""
        return [
            (
                legend,
                names is CONTACT_PREFERENCE_FIELDS,
                [self[n] for n in names if n in self.fields],
            )
            for legend, names in self.SECTIONS
            if any(n in self.fields for n in names)
        ]

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {
            "date_of_birth": DateInput(format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class ConcernForm(forms.ModelForm):
    """A concern, graded only on its indication's own scales (patients.grading): a named grade
    is chosen from the scale's grades, a numeric score typed."""

    baseline_grade = forms.ChoiceField(
        label="Baseline grade",
        required=False,
        help_text="For a scale of named grades: one of the chosen scale's grades.",
    )
    baseline_score = forms.CharField(
        label="Baseline score",
        required=False,
        max_length=20,
        help_text="For a numeric scale (a score such as 12 or 12.5).",
    )

    class Meta:
        model = SkinConcern
        fields = CONCERN_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One read of the indications serves their choices and the rule's count of them.
        indication_field = cast(forms.ModelChoiceField, self.fields["indication"])
        indications = list(indication_field.queryset or [])
        indication_field.widget.choices = [("", "---------")] + [
            (i.pk, indication_field.label_from_instance(i)) for i in indications
        ]
        scales = ConcernScales(indications)
        self._scales = {s.code: s for s in scales.scales}
        self._scored = False
        scale_field = cast(forms.ModelChoiceField, self.fields["grading_scale"])
        scale_field.queryset = GradingScale.objects.filter(
            pk__in=[s.pk for s in scales.scales]
        ).order_by("code")
        scale_field.help_text = "Only the scales that grade this indication's severity."
        scale_field.widget.choices = [("", "---------"), *scales.scale_choices()]
        grade_field = cast(forms.ChoiceField, self.fields["baseline_grade"])
        grade_field.choices = [("", "---------"), *scales.grade_choices()]
        # For concern-scales.js: once an indication is chosen, only its own scales are offered
        # (the server still refuses another's, in clean()).
        self.scales_by_indication = {
            str(indication.pk): [scale.pk for scale in found]
            for indication, found in scales.by_indication.items()
        }
        self.scale_codes = {str(scale.pk): scale.code for scale in scales.scales}

    @property
    def concern_scales(self) -> dict[str, Any]:
        """What concern-scales.js reads (as JSON on the page): each indication's scales, each
        scale's code (its grades' values start with it) and the fields' ids."""
        return {
            "by_indication": self.scales_by_indication,
            "codes": self.scale_codes,
            "fields": {
                name: self[name].id_for_label
                for name in ("indication", "grading_scale", "baseline_grade")
            },
        }
        self.order_fields([*CONCERN_FIELDS[:4], "baseline_score", "notes"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scale: GradingScale | None = data.get("grading_scale")
        choice = data.pop("baseline_grade", "") or ""
        score = (data.pop("baseline_score", "") or "").strip()
        grade = ""
        if choice:
            code, _, grade = choice.partition(":")
            if scale is None and "grading_scale" not in self.errors:
                # A named grade says its scale: no need to choose it twice.
                scale = data["grading_scale"] = self._scales.get(code)
            elif scale is not None and code != scale.code:
                self.add_error(
                    "baseline_grade", f"That grade is not one of {scale.name}'s; choose one of its."
                )
        if score:
            if scale is not None and scale.kind != GradingScale.Kind.RANGE:
                self.add_error(
                    "baseline_score", f"{scale.name} has named grades; choose one above."
                )
            elif choice:
                self.add_error("baseline_score", "Give a grade or a score, not both.")
            grade = score
            self._scored = True
        if scale is not None and scale.kind == GradingScale.Kind.RANGE and choice:
            self.add_error("baseline_grade", f"{scale.name} takes a score; type it below.")
        data["baseline_grade"] = grade
        # The model's own check (the rule) runs on the value given, in _post_clean.
        return data

    def add_error(self, field: str | None, error: Any) -> None:
        # The model checks the one baseline value; a typed score's error goes next to it.
        if (
            self._scored
            and isinstance(error, ValidationError)
            and "baseline_grade" in getattr(error, "error_dict", {})
        ):
            error.error_dict["baseline_score"] = error.error_dict.pop("baseline_grade")
        super().add_error(field, error)
