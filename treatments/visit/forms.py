"""What a dermatologist records at a session."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from clinic.text import REASON_MAX_LENGTH
from treatments.models import SESSION_RECORD_FIELDS, TreatmentSession
from treatments.rules.limits import PAIN_SCORE_MAX


class SessionRecordForm(forms.ModelForm):
    """What was done at a session (dermatologists), and the override a relative
    contraindication found at check-in still awaits, if it does."""

    override_reason = forms.CharField(
        label="Override reason", required=False, max_length=REASON_MAX_LENGTH
    )

    class Meta:
        model = TreatmentSession
        fields = SESSION_RECORD_FIELDS
        labels = {"depth_used_mm": "Depth used (mm)", "pain_score": f"Pain (0–{PAIN_SCORE_MAX})"}
        widgets = {
            "anaesthetic_applied_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "adverse_events": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["depth_used_mm"].required = True
        applied_at = cast(forms.DateTimeField, self.fields["anaesthetic_applied_at"])
        applied_at.input_formats = ["%Y-%m-%dT%H:%M"]
