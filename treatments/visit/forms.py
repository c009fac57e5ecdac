"""What a dermatologist records at a session, and the amendment of a completed record."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from clinic.text import REASON_MAX_LENGTH
from evidence.models import GradingScale
from evidence.scales import level_label
from treatments.models import SESSION_RECORD_FIELDS, TreatmentSession
from treatments.rules import record as record_rules
from treatments.rules.limits import PAIN_SCORE_MAX
from treatments.visit.selectors import record_problems

OVERRIDE_REQUIRED = "Record your override of the relative contraindication before the procedure."


def grade_field(scale: GradingScale | None) -> forms.Field | None:
    """The outcome grade as the concern's scale takes it: its named grades as a choice, a
    number within its range, nothing for a descriptive scale (the findings go in the notes),
    and free text only when the concern has no scale."""
    label = f"Outcome ({scale.name})" if scale is not None else "Outcome grade"
    if scale is None:
        return forms.CharField(label=label, required=False, max_length=20)
    if scale.kind == GradingScale.Kind.LEVELS:
        choices = [("", "—")] + [
            (str(level["value"]), level_label(level["value"], level["label"]))
            for level in scale.levels
        ]
        return forms.ChoiceField(label=label, required=False, choices=choices)
    if scale.kind == GradingScale.Kind.RANGE:
        low = f"{scale.range_min.normalize():f}" if scale.range_min is not None else None
        high = f"{scale.range_max.normalize():f}" if scale.range_max is not None else None
        span = f"from {low}" + (f" to {high}" if high is not None else "")
        return forms.CharField(
            label=label,
            required=False,
            max_length=20,
            help_text=f"A score {span}{f' {scale.unit}' if scale.unit else ''}.",
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        )
    return None


class SessionRecordForm(forms.ModelForm):
    """What was done at a session (dermatologists), and the override a relative
    contraindication found at check-in still awaits, if it does. Every problem is shown on one
    submit: the fields' own checks and the record's rules (treatments.rules.record) together."""

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

    def __init__(self, *args: Any, awaiting_override: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.awaiting_override = awaiting_override
        self.fields["depth_used_mm"].required = True
        applied_at = cast(forms.DateTimeField, self.fields["anaesthetic_applied_at"])
        applied_at.input_formats = ["%Y-%m-%dT%H:%M"]
        concern = self.instance.plan.concern
        grade = grade_field(concern.grading_scale if concern.grading_scale_id else None)
        if grade is None:
            del self.fields["outcome_grade"]
        else:
            self.fields["outcome_grade"] = grade

    def record_values(self) -> dict[str, Any]:
        """The record's fields as cleaned (those the form offers)."""
        return {
            name: self.cleaned_data[name] for name in SESSION_RECORD_FIELDS if name in self.fields
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = {name: cleaned[name] for name in SESSION_RECORD_FIELDS if name in cleaned}
        for name, messages in record_problems(session=self.instance, values=values).items():
            # A field that failed its own check already says why; __all__ goes above the form.
            if name not in self.errors and (name in self.fields or name == "__all__"):
                for message in messages:
                    self.add_error(None if name == "__all__" else name, message)
        if self.awaiting_override and not cleaned.get("override_reason", "").strip():
            self.add_error("override_reason", OVERRIDE_REQUIRED)
        return cleaned

    def _post_clean(self) -> None:
        # The record's rules, model validation included, ran in clean() on a copy; writing the
        # values onto the session here would show them as if saved when the page re-renders.
        pass


class SessionAmendForm(SessionRecordForm):
    """A correction of a completed record: the fields as recorded, to change, and the reason."""

    reason = forms.CharField(
        label="Reason for the amendment",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the amendment, with each field's old and new value.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["override_reason"]

    def changes(self) -> dict[str, Any]:
        """The fields changed from the record, with their new values."""
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in SESSION_RECORD_FIELDS and name in self.cleaned_data
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        problems = record_rules.amendment_errors(reason=cleaned.get("reason", ""))
        if "reason" not in self.errors:
            for message in problems.get("reason", []):
                self.add_error("reason", message)
        if not self.changes() and not self.errors:
            self.add_error(None, record_rules.NOTHING_CHANGED)
        return cleaned
