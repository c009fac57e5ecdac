"""What every API endpoint shares: role permissions, pagination and the query parameters.

The error shape lives in `clinic.api_errors` (DRF imports these classes while it loads its views,
so this module must not import `rest_framework.views`)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.request import Request

from clinic.errors import InvalidInput
from clinic.ids import parse_public_id

if TYPE_CHECKING:  # a mixin for DRF's generic views; importing them here would be circular
    from rest_framework.generics import GenericAPIView

    _GenericView = GenericAPIView[Any]
else:
    _GenericView = object


class RoleModelPermissions(DjangoModelPermissions):
    """Model permissions of the user's role, reads included (DRF lets any reader GET)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class Pagination(PageNumberPagination):
    """Pages as the schema documents them. DRF quietly reads a page or page_size it cannot use
    as the default (and "last" as a page number); here that is a 400 saying what would do. A
    page past the end stays DRF's 404, a size above the largest is the largest."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def _number(self, request: Request, name: str) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        # ASCII digits only: int() would also read " 7", "+7", "٧" and "1_0". Past 19 digits a
        # number is past any last page and any largest size (and past what int() will read).
        digits = raw.lstrip("0")[:19] if raw.isascii() and raw.isdigit() else ""
        if digits:
            return int(digits)
        message = f"{name} must be a whole number from 1."
        raise InvalidInput(message, fields={name: [message]})

    def get_page_size(self, request: Request) -> int:
        size = self._number(request, self.page_size_query_param)
        return min(size, self.max_page_size) if size else self.page_size

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return self._number(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page, {self.page_size} unless given; a number above "
                    f"{self.max_page_size} gives {self.max_page_size}."
                )
        return parameters


#: A day in a query string: exactly YYYY-MM-DD, which is what the schema's `date` format allows
#: (Python's fromisoformat also reads 20270301 and 2027-W09-1).
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def query_day(
    request: Request, name: str, *, earliest: dt.date = dt.date.min, latest: dt.date = dt.date.max
) -> dt.date | None:
    """The day a query parameter names, None without one; a 400 naming it for anything else,
    an empty value included."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        if not ISO_DAY.fullmatch(raw):
            raise ValueError
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be YYYY-MM-DD.", fields={name: ["YYYY-MM-DD."]}) from None
    if not earliest <= day <= latest:
        message = f"{name} must be from {earliest.isoformat()} to {latest.isoformat()}."
        raise InvalidInput(message, fields={name: [message]})
    return day


def query_public_id(request: Request, name: str) -> uuid.UUID | None:
    """The record a query parameter names by its public id, None without one. Like an id in the
    address, anything that is not a UUID (an empty value included) names nothing: a 404."""
    raw = request.query_params.get(name)
    return None if raw is None else parse_public_id(raw)


def query_choice(request: Request, name: str, choices: Collection[str]) -> str | None:
    """One of `choices` from a query parameter, None without one; a 400 naming the choices for
    anything else, so a misspelt filter is not silently no filter."""
    raw = request.query_params.get(name)
    if raw is None or raw in choices:
        return raw
    message = f"{name} must be one of: {', '.join(choices)}."
    raise InvalidInput(message, fields={name: [message]})


class PublicIdLookupMixin(_GenericView):
    """Look objects up by their UUID; a malformed id is a 404, not a 400 or a 500."""

    lookup_field = "public_id"

    def get_object(self) -> Any:
        self.kwargs[self.lookup_field] = parse_public_id(self.kwargs[self.lookup_field])
        return super().get_object()


class ChangeOnPostPermissions(RoleModelPermissions):
    """For endpoints whose POST actions change an existing record (book, cancel, check in):
    they need the change permission, not the add permission."""

    perms_map = {
        **RoleModelPermissions.perms_map,
        "POST": ["%(app_label)s.change_%(model_name)s"],
    }
