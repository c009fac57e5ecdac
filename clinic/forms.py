"""One way for every page to show a service's refusal on its form."""

from __future__ import annotations

from django import forms

from clinic.errors import ClinicError


def add_errors(form: forms.BaseForm, error: ClinicError) -> None:
    """Show a domain error on the form, field by field where it names one of the form's
    fields, and above the form otherwise."""
    above_the_form: dict[str | None, list[str]] = {None: [error.message]}
    for field, messages in (error.fields or above_the_form).items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
