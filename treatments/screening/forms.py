"""The screening questions, one yes/no per rule."""

from __future__ import annotations

from typing import Any

from django import forms

from clinic.text import REASON_MAX_LENGTH
from evidence.models import ContraindicationRule, RuleSeverity

YES_NO = [("no", "No"), ("yes", "Yes")]


class ScreeningForm(forms.Form):
    """One yes/no question per rule, no default: an unanswered question is an error."""

    override_reason = forms.CharField(
        label="Dermatologist's override: reason",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when a relative contraindication is present.",
    )

    def __init__(self, *args: Any, rules: list[ContraindicationRule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules
        for rule in rules:
            self.fields[f"rule_{rule.code}"] = forms.ChoiceField(
                label=rule.question,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": "Answer this question."},
            )
            if rule.severity == RuleSeverity.FLAG:
                self.fields[f"ack_{rule.code}"] = forms.BooleanField(
                    label="I have seen this warning", required=False
                )

    def rule_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "rule": rule,
                "answer": self[f"rule_{rule.code}"],
                "ack": self[f"ack_{rule.code}"] if f"ack_{rule.code}" in self.fields else None,
            }
            for rule in self.rules
        ]

    def answers(self) -> dict[str, bool]:
        return {
            rule.code: self.cleaned_data[f"rule_{rule.code}"] == "yes"
            for rule in self.rules
            if f"rule_{rule.code}" in self.cleaned_data
        }

    def acknowledged(self) -> set[str]:
        return {rule.code for rule in self.rules if self.cleaned_data.get(f"ack_{rule.code}")}
