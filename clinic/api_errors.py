"""One error shape for the whole API: {"detail", "code", "fields"} with 400/403/404/409."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from clinic.errors import ClinicError


def _messages(detail: Any, path: tuple[str, ...] = ()) -> list[str]:
    """Every message beneath one field, as the flat list the schema promises; a message about
    an item of a list or a key of an object says which ("2: Not a valid code.")."""
    if isinstance(detail, dict):
        return [
            message
            for key, value in detail.items()
            for message in _messages(value, (*path, str(key)))
        ]
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item, path)]
    return [f"{'.'.join(path)}: {detail}" if path else str(detail)]


def _flatten(detail: Any) -> dict[str, list[str]] | list[str]:
    """DRF's nested errors in the one shape: {field: [message, ...]}."""
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    return _messages(detail)


def _first_message(value: Any) -> str | None:
    """The first human message in a nested error structure."""
    if isinstance(value, str):
        return value
    items = value.values() if isinstance(value, dict) else value
    for item in items:
        message = _first_message(item)
        if message:
            return message
    return None


def error_body(detail: str, code: str, fields: dict[str, Any] | None = None, **extra: Any) -> dict:
    return {"detail": detail, "code": code, "fields": fields or {}, **extra}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ClinicError):
        return Response(
            error_body(exc.message, exc.code, exc.fields, **exc.extra), status=exc.status
        )
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        return Response(
            error_body(exc.messages[0], "invalid", fields), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        flat = _flatten(exc.detail)
        fields = flat if isinstance(flat, dict) else {"non_field_errors": flat}
        message = _first_message(fields) or "Invalid input."
        response.data = error_body(message, "invalid", fields)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = error_body(str(exc.detail), code)
    return response
