"""What Django itself answers when a request fails before or outside a view: under /api/ the
API's one JSON error shape, elsewhere a page of the site with a way back."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from clinic.api_errors import error_body


def _for(request: HttpRequest, status: int, code: str, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(message, code), status=status)
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return _for(
            request,
            413,
            "too_large",
            "Too large",
            "The request is larger than this server accepts; send less at a time.",
        )
    return _for(request, 400, "bad_request", "Bad request", "The request could not be read.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _for(
        request,
        403,
        "permission_denied",
        "Not for your role",
        "Your role does not give access to this. Ask a clinic administrator if it should.",
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _for(request, 404, "not_found", "Not found", "There is nothing at this address.")


def uri_too_long(request: HttpRequest) -> HttpResponse:
    return _for(
        request,
        414,
        "uri_too_long",
        "Address too long",
        f"The address is longer than {settings.URL_MAX_LENGTH:,} characters; send fewer or "
        "shorter parameters.",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: whatever failed may fail again there."""
    message = "Something went wrong on our side; nothing you sent was saved. Try again."
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(message, "server_error"), status=500)
    return HttpResponse(loader.get_template("500.html").render({"message": message}), status=500)
