"""Phone numbers: checked with Google's libphonenumber (`phonenumbers`) and stored in E.164, so
the same number typed two ways is one number and a message provider can dial it."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

INVALID = (
    "Enter a phone number that can be dialled, e.g. 020 7946 0958 or +44 20 7946 0958 "
    "(numbers without a country code are read as {region})."
)


def normalised_phone(raw: str, region: str) -> str:
    """E.164 (+442079460958) for a valid number, "" for none; ValidationError otherwise."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID.format(region=region), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(stored: str) -> str:
    """How a stored number reads: national format at home, international otherwise. A number
    stored before numbers were checked reads as it was typed."""
    if not stored:
        return ""
    region = settings.CLINIC_PHONE_REGION
    try:
        number = phonenumbers.parse(stored, region)
    except phonenumbers.NumberParseException:
        return stored
    if not phonenumbers.is_valid_number(number):
        return stored
    national = phonenumbers.region_code_for_number(number) == region
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if national
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


class PhoneNumberField(models.CharField):
    """A CharField whose cleaning (`full_clean`, so forms, the admin and every service) checks
    the number and stores it normalised."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value is None:
            return value
        return normalised_phone(value, settings.CLINIC_PHONE_REGION)

    def get_prep_value(self, value: Any) -> Any:
        # CharField would run to_python on every save and query: a number stored before this
        # check (or by a bulk load) must not make an archive or a search fail. Cleaning checks.
        return models.Field.get_prep_value(self, value)
