"""The API's token login, behind the same door as the login page: throttled, locked out by
django-axes (429 with Retry-After), and a success clears the failures."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_logged_in
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from clinic.api_errors import error_body
from clinic.login_protection import lockout_message, retry_after_seconds
from clinic.parsers import SafeJSONParser


class TokenLoginView(ObtainAuthToken):
    # DRF's view turns throttling off and parses JSON with the stock parser; this one is
    # throttled at the "login" rate and refuses deep nesting like every other endpoint.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    parser_classes = [SafeJSONParser, FormParser, MultiPartParser]

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        credentials = {"username": request.data.get("username")}
        # Django's authenticate() reads the lockout backend's refusal as a wrong password, so
        # the lock is checked before the password is.
        if AxesProxyHandler.is_locked(request._request, credentials):
            seconds = retry_after_seconds(request._request)
            return Response(
                error_body(lockout_message(seconds), "locked_out"),
                status=429,
                headers={"Retry-After": str(seconds)},
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        # As a page login does: axes clears the failure count, Django records the login.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response({"token": token.key})
