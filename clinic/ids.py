"""Public ids: UUIDs in URLs and the API, never database keys."""

from __future__ import annotations

import uuid

from django.http import Http404


def parse_public_id(value: uuid.UUID | str) -> uuid.UUID:
    """A public id from a URL or request; anything that is not a UUID is simply not found."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, AttributeError, TypeError):
        raise Http404("No such record.") from None
