"""Forms of the planning flow: parameters, then screening."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone

from clinic.errors import ClinicError
from evidence.models import ContraindicationRule, Protocol, RuleSeverity
from patients.forms import DateInput
from treatments import services
from treatments.models import SESSION_RECORD_FIELDS, TreatmentSession

YES_NO = [("no", "No"), ("yes", "Yes")]


class ProtocolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Protocol) -> str:
        return f"{obj.code} — {obj.title} ({obj.get_modality_display()})"


class PlanParametersForm(forms.Form):
    protocol = ProtocolChoiceField(
        queryset=Protocol.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    sessions = forms.IntegerField(min_value=1, max_value=services.MAX_SESSIONS)
    interval_days = forms.IntegerField(
        label="Interval (days)",
        min_value=7,
        max_value=services.MAX_INTERVAL_DAYS,
        help_text="Never under 7 days between sessions on the same area.",
    )
    depth_mm = forms.DecimalField(
        label="Needle depth (mm)", max_digits=3, decimal_places=2, min_value=0.25, max_value=3.0
    )
    start_date = forms.DateField(
        label="First session on or after", widget=DateInput(format="%Y-%m-%d")
    )
    departure_reason = forms.CharField(
        label="Reason for departing from the protocol",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when sessions, interval or depth fall outside the protocol's ranges.",
    )

    def __init__(self, *args: Any, protocols: Iterable[Protocol], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["protocol"].queryset = Protocol.objects.filter(
            pk__in=[p.pk for p in protocols]
        ).order_by("modality", "code")
        self.params: services.PlanParameters | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.params = services.plan_parameters_from(data)
        except ClinicError as error:
            for field, messages in error.fields.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data

    @staticmethod
    def initial_for(protocol: Protocol) -> dict[str, Any]:
        return {
            "protocol": protocol,
            "sessions": protocol.default_sessions,
            "interval_days": protocol.default_interval_days,
            "depth_mm": protocol.depth_max_mm if protocol.depth_max_mm is not None else None,
            "start_date": timezone.localdate(),
        }


class ScreeningForm(forms.Form):
    """One yes/no question per rule, no default: an unanswered question is an error."""

    override_reason = forms.CharField(
        label="Dermatologist's override: reason",
        required=False,
        max_length=2000,
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


class SessionRecordForm(forms.ModelForm):
    """What was done at a session (dermatologists)."""

    class Meta:
        model = TreatmentSession
        fields = SESSION_RECORD_FIELDS
        labels = {"depth_used_mm": "Depth used (mm)", "pain_score": "Pain (0–10)"}
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
        self.fields["anaesthetic_applied_at"].input_formats = ["%Y-%m-%dT%H:%M"]
