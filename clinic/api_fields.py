"""What every API input shares: each field takes only the JSON type its schema documents, and a
time comes with its UTC offset or not at all.

Imports no app: the serializers of every app build on it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, cast

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

#: What the schema says of every time the API takes.
AWARE_HELP = (
    "An ISO 8601 time with its UTC offset, e.g. 2027-03-01T10:00:00+00:00; a time without one "
    "is refused."
)
#: What a time without an offset gets back, naming the field.
NAIVE_MESSAGE = (
    "{field} has no UTC offset: give the time with its offset, e.g. 2027-03-01T10:00:00+00:00."
)


class AwareDateTimeField(serializers.DateTimeField):
    """A moment, given with its UTC offset. DRF reads "2027-03-01T10:00" in the server's time
    zone, which is a setting (CLINIC_TIME_ZONE, TIME_ZONE), not something the client knows: the
    same request could mean another hour after a configuration change, or across daylight
    saving. Refusing it leaves no guess to make."""

    default_error_messages = {"naive": NAIVE_MESSAGE}

    def __init__(self, **kwargs: Any) -> None:
        help_text = kwargs.pop("help_text", "")
        kwargs["help_text"] = f"{help_text} {AWARE_HELP}".strip()
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> dt.datetime:
        parsed: dt.datetime | None = None
        if isinstance(value, dt.datetime):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None  # DRF's own parsing below names what is wrong with it
        if parsed is not None and timezone.is_naive(parsed):
            self.fail("naive", field=self.field_name or "The time")
        return super().to_internal_value(value)


def decimal_pattern(field: serializers.DecimalField) -> str:
    """How a decimal is written, as the API takes and answers it: digits, and a point with digits
    after it, within the field's digits. drf-spectacular's own pattern also allows "", "-" and
    ".", and Python would read "1e0", " 1.5", "+1.5" and "1_0" too."""
    whole = "+" if field.max_whole_digits is None else f"{{1,{max(field.max_whole_digits, 1)}}}"
    places = "+" if field.decimal_places is None else f"{{1,{field.decimal_places}}}"
    fraction = rf"(?:\.[0-9]{places})?" if field.decimal_places != 0 else ""
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    return rf"^{sign}[0-9]{whole}{fraction}$"


class DecimalPatternExtension(OpenApiSerializerFieldExtension):
    """Every decimal in the schema carries `decimal_pattern`, the one the API checks input with."""

    target_class = "rest_framework.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if schema.get("type") == "string":
            schema["pattern"] = decimal_pattern(self.target)
        return schema


def _wants(field: serializers.Field) -> tuple[tuple[type, ...], str] | None:
    """The Python types a JSON value for `field` may arrive as, and their name for a message;
    None for a field that reads any JSON."""
    if isinstance(field, serializers.BooleanField):
        return (bool,), "true or false"
    if isinstance(field, serializers.IntegerField):
        return (int,), "a whole number"
    if isinstance(field, serializers.FloatField):
        return (int, float), "a number"
    if isinstance(field, serializers.MultipleChoiceField | serializers.ManyRelatedField):
        return (list,), "a list"
    if isinstance(field, serializers.ChoiceField):
        numeric = field.choices and all(
            isinstance(key, int) and not isinstance(key, bool) for key in field.choices
        )
        return ((int,), "a whole number") if numeric else ((str,), "a string")
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        return (list,), "a list"
    if isinstance(field, serializers.DictField | serializers.Serializer):
        return (dict,), "an object"
    if isinstance(
        field,
        serializers.CharField  # email, slug and regex fields too
        | serializers.UUIDField
        | serializers.DateField
        | serializers.DateTimeField
        | serializers.TimeField
        | serializers.DecimalField  # documented as a string ("1.25"), as it is answered
        | serializers.RelatedField,
    ):
        return (str,), "a string"
    return None


def _json_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def type_errors(field: serializers.Field, value: Any) -> list[str] | dict[Any, Any] | None:
    """What is wrong with the JSON type of `value` for `field` (items of lists and objects
    included), shaped as DRF shapes its errors; None when nothing is. Null is left to the field,
    which knows whether it allows it."""
    wants = _wants(field)
    if value is None or wants is None:
        return None
    types, name = wants
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        return [f"Must be {name}, not {_json_name(value)}."]
    if isinstance(field, serializers.DecimalField) and not re.fullmatch(
        decimal_pattern(field), str(value)
    ):
        return [
            f"Write the number like 1.25: at most {field.max_whole_digits} digits before the "
            f"point and {field.decimal_places} after it."
        ]
    child = getattr(field, "child", None)
    if child is None or isinstance(field, serializers.ListSerializer):
        return None  # a nested serializer checks its own fields
    items = enumerate(value) if isinstance(value, list) else cast(dict, value).items()
    errors = {key: problem for key, item in items if (problem := type_errors(child, item))}
    return errors or None


class StrictTypes(serializers.Serializer):
    """Input as typed: DRF would read "4" as 4, 0 as the text "0" and "yes" as true, so a client
    sending the wrong type would be guessed around instead of told, and the schema's types would
    not be the API's. Put first among a serializer's bases."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = {
                name: problem
                for name, field in self.fields.items()
                if not field.read_only
                and name in data
                and (problem := type_errors(field, data[name]))
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
