"""Login protection around django-axes: how it names the account a failed login tried, and
what a locked-out person is told, on every door."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

#: Longer than any username Django accepts (150), shorter than axes' column (255).
USERNAME_RECORDED = 160


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The username as typed, made storable: axes writes it to a varchar(255) column, where an
    overlong or NUL-bearing name would make PostgreSQL refuse the row and the login page fail."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username", "")
    return str(raw).replace("\x00", "0x00")[:USERNAME_RECORDED]


def retry_after_seconds(request: HttpRequest) -> int:
    """How long a lockout lasts from now, for the Retry-After header."""
    cool_off = get_cool_off(request)
    return max(1, int(cool_off.total_seconds())) if cool_off else 1


def lockout_message(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return (
        "Too many failed logins from this address for this username: try again in "
        f"{minutes} minute{'s' if minutes != 1 else ''}, or ask a clinic administrator to "
        "unlock it."
    )


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """A lockout says so, with 429 and Retry-After, on the pages, the admin and the API. It
    names no account: the lock is on this address and this typed name, whether or not such an
    account exists, so it tells a stranger nothing about which usernames are real."""
    seconds = retry_after_seconds(request)
    message = lockout_message(seconds)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "locked_out", "fields": {}}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response
