"""Login protection for pages; the API authenticates on its own terms."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase


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
