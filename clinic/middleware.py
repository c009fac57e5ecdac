"""Login protection for pages; the API authenticates on its own terms."""

from __future__ import annotations

import time
from typing import Any

import pghistory
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.db import connection
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseBase, JsonResponse
from django.urls import is_valid_path

from clinic.error_pages import uri_too_long


class PageLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a login. /api/ is left to DRF, which checks the session or token on
    every view (IsAuthenticated by default) and answers 401/403 in JSON instead of a redirect
    that an API client cannot follow."""

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class AddressLengthMiddleware:
    """An address longer than URL_MAX_LENGTH is a 414 in the app's own shape (JSON under /api/,
    a page elsewhere). gunicorn sets no request-line limit of its own (clinic/gunicorn_conf.py),
    so the app, not gunicorn's bare HTML page, answers every length that reaches it."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if len(request.get_full_path()) > settings.URL_MAX_LENGTH:
            return uri_too_long(request)
        return self.get_response(request)


class RejectNulMiddleware:
    """A NUL character in a URL or query string is never meaningful; PostgreSQL cannot even
    store it. Answer 400 instead of letting it reach a query."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": "The address may not contain NUL characters.",
                        "code": "invalid",
                        "fields": {},
                    },
                    status=400,
                )
            return HttpResponseBadRequest("The address may not contain NUL characters.")
        return self.get_response(request)


class ApiTrailingSlashMiddleware:
    """/api/patients means /api/patients/. Pages get Django's redirect; an API client's POST
    would be lost to one (or, in DEBUG, stopped with an error), so the API is served directly."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if path.startswith("/api/") and not path.endswith("/"):
            urlconf = getattr(request, "urlconf", None)
            if not is_valid_path(path, urlconf) and is_valid_path(f"{path}/", urlconf):
                request.path_info = f"{path}/"
        return self.get_response(request)


LAST_SEEN = "last_seen"
#: Renew the idle clock at most this often, so active users cost one session write a minute.
RENEW_EVERY_SECONDS = 60


def mark_seen(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """On login the idle clock starts (connected in ClinicConfig.ready)."""
    request.session[LAST_SEEN] = int(time.time())


class IdleTimeoutMiddleware:
    """Log out a session left idle for SESSION_IDLE_MINUTES (shared front-desk tablets)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_SEEN, now)
            if now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
            elif now - last >= RENEW_EVERY_SECONDS or LAST_SEEN not in request.session:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class HistoryContextMiddleware:
    """Tags every database change made while serving a request with who made it, from which
    address and through which URL; PostgreSQL triggers (django-pghistory) store that context
    with each history row. SQLite has no triggers, so there the middleware steps aside."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if connection.vendor != "postgresql" or request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        user = (
            request.user.pk
            if getattr(request, "user", None) and request.user.is_authenticated
            else None
        )
        with pghistory.context(
            user=user,
            url=request.path[:300],
            ip=request.META.get("REMOTE_ADDR"),
            method=request.method,
        ):
            return self.get_response(request)
