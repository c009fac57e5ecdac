"""Forms for registering patients and recording concerns."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from evidence.models import GradingScale
from patients.models import (
    CLINICAL_PATIENT_FIELDS,
    CONCERN_FIELDS,
    PATIENT_FIELDS,
    Patient,
    SkinConcern,
)


class DateInput(forms.DateInput):
    input_type = "date"


class PatientForm(forms.ModelForm):
    def __init__(self, *args: Any, clinical: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not clinical:  # skin type and clinical notes are recorded by dermatologists
            for name in CLINICAL_PATIENT_FIELDS:
                del self.fields[name]

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {
            "date_of_birth": DateInput(format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class ConcernForm(forms.ModelForm):
    class Meta:
        model = SkinConcern
        fields = CONCERN_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "baseline_grade": "A grade or score on the chosen scale, e.g. 3 or 12.5.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only scales that grade something; descriptive ones have no single grade.
        cast(forms.ModelChoiceField, self.fields["grading_scale"]).queryset = (
            GradingScale.objects.exclude(kind=GradingScale.Kind.DESCRIPTIVE).order_by("code")
        )
