"""The planning flow's parameters form."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils import timezone

from clinic.errors import ClinicError
from clinic.forms import add_errors
from clinic.text import REASON_MAX_LENGTH
from evidence.models import Protocol
from patients.forms import DateInput
from treatments.planning import services
from treatments.rules.limits import (
    MAX_INTERVAL_DAYS,
    MAX_SESSIONS,
    MIN_INTERVAL_DAYS,
    MIN_SESSIONS,
    PLAN_DEPTH_MAX_MM,
    PLAN_DEPTH_MIN_MM,
)


class ProtocolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Protocol) -> str:
        return f"{obj.code} — {obj.title} ({obj.get_modality_display()})"


class PlanParametersForm(forms.Form):
    protocol = ProtocolChoiceField(
        queryset=Protocol.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    sessions = forms.IntegerField(min_value=MIN_SESSIONS, max_value=MAX_SESSIONS)
    interval_days = forms.IntegerField(
        label="Interval (days)",
        min_value=MIN_INTERVAL_DAYS,
        max_value=MAX_INTERVAL_DAYS,
        help_text=f"Never under {MIN_INTERVAL_DAYS} days between sessions on the same area.",
    )
    depth_mm = forms.DecimalField(
        label="Needle depth (mm)",
        max_digits=3,
        decimal_places=2,
        min_value=PLAN_DEPTH_MIN_MM,
        max_value=PLAN_DEPTH_MAX_MM,
    )
    start_date = forms.DateField(
        label="First session on or after", widget=DateInput(format="%Y-%m-%d")
    )
    departure_reason = forms.CharField(
        label="Reason for departing from the protocol",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when sessions, interval or depth fall outside the protocol's ranges.",
    )

    def __init__(self, *args: Any, protocols: Iterable[Protocol], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.protocols = list(protocols)
        cast(ProtocolChoiceField, self.fields["protocol"]).queryset = Protocol.objects.filter(
            pk__in=[p.pk for p in self.protocols]
        ).order_by("modality", "code")
        self.params: services.PlanParameters[Protocol] | None = None

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if self.errors or data is None:
            return data
        try:
            self.params = services.plan_parameters_from(data)
        except ClinicError as error:
            add_errors(self, error)
        return data

    #: The submit button that asks for the chosen protocol's defaults instead of continuing.
    USE_PROTOCOL = "use_protocol"

    @classmethod
    def from_post(cls, data: QueryDict, *, protocols: Iterable[Protocol]) -> PlanParametersForm:
        """The submitted form; or, when "Use this protocol" was pressed (the page without
        JavaScript), an unbound one with the chosen protocol's defaults and the first date and
        reason as typed."""
        protocols = list(protocols)
        if cls.USE_PROTOCOL not in data:
            return cls(data, protocols=protocols)
        chosen = next((p for p in protocols if str(p.pk) == data.get("protocol")), None)
        if chosen is None:  # nothing (or another concern's protocol) chosen: say so
            return cls(data, protocols=protocols)
        initial = cls.initial_for(chosen)
        typed = cls(data, protocols=protocols)
        for name in ("start_date", "departure_reason"):
            field = typed.fields[name]
            # A value that does not clean leaves the default; it is checked when the form is sent.
            with contextlib.suppress(forms.ValidationError):
                initial[name] = field.clean(field.widget.value_from_datadict(data, {}, name))
        return cls(initial=initial, protocols=protocols)

    def protocol_defaults(self) -> dict[str, dict[str, str]]:
        """Each offered protocol's defaults by its choice value, for the page's script
        (clinic/static/clinic/protocol-defaults.js) to fill in when a protocol is chosen."""
        defaults = {}
        for protocol in self.protocols:  # the rows the view read, not another query
            values = self.initial_for(protocol)
            defaults[str(protocol.pk)] = {
                name: "" if values[name] is None else str(values[name])
                for name in ("sessions", "interval_days", "depth_mm")
            }
        return defaults

    @staticmethod
    def initial_for(protocol: Protocol) -> dict[str, Any]:
        return {
            "protocol": protocol,
            "sessions": protocol.default_sessions,
            "interval_days": protocol.default_interval_days,
            "depth_mm": protocol.depth_max_mm if protocol.depth_max_mm is not None else None,
            "start_date": timezone.localdate(),
        }


class PlanScheduleForm(forms.Form):
    """A plan's session count and interval, changed after planning."""

    sessions = forms.IntegerField(
        label="Number of sessions", min_value=MIN_SESSIONS, max_value=MAX_SESSIONS
    )
    interval_days = forms.IntegerField(
        label="Interval (days)", min_value=MIN_INTERVAL_DAYS, max_value=MAX_INTERVAL_DAYS
    )
    departure_reason = forms.CharField(
        label="Reason, if this departs from the protocol's ranges",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
