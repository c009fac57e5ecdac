"""How django-axes names the account a failed login tried."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

#: Longer than any username Django accepts (150), shorter than axes' column (255).
USERNAME_RECORDED = 160


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The username as typed, made storable: axes writes it to a varchar(255) column, where an
    overlong or NUL-bearing name would make PostgreSQL refuse the row and the login page fail."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username", "")
    return str(raw).replace("\x00", "0x00")[:USERNAME_RECORDED]
