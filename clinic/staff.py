"""Request types for views that only logged-in staff reach.

Every page needs a login (`PageLoginRequiredMiddleware`; the few `login_not_required` views
take a plain `HttpRequest`) and the API requires an authenticated user (`IsAuthenticated`, the
default permission class), so in those views `request.user` is a `User`, never
`AnonymousUser`. These classes say so to the type checker; they add nothing at run time (an
annotation without a value creates no attribute).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from rest_framework.request import Request


class StaffHttpRequest(HttpRequest):
    """A page request from a logged-in user."""

    user: User


class StaffRequest(Request):
    """An API request that passed authentication."""

    user: User
