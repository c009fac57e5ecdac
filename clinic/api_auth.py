"""API credentials: expiring, hashed tokens (django-rest-knox), issued behind the same door as
the login page and revoked when they should no longer open it.

- The token login is throttled, locked out by django-axes (429 with Retry-After), asks a
  second factor of the roles that need one, and a success clears the failures.
- Only a token's digest is stored; the token itself is shown once, in the login's answer, and
  by its prefix afterwards. It expires after `API_TOKEN_TTL_HOURS` (a working day).
- Its owner lists and revokes their tokens (here and on the tokens page); a password change or
  a deactivation revokes every token of the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from clinic import two_factor
from clinic.api_errors import error_body
from clinic.login_protection import lockout_message, retry_after_seconds
from clinic.parsers import SafeJSONParser


class TokenLoginSerializer(AuthTokenSerializer):
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="The code from the authenticator app, or a recovery code: required for "
        "the roles that sign in with two factors.",
    )


class TokenSerializer(serializers.Serializer):
    prefix = serializers.CharField(source="token_key")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)


def issue_token(user: User) -> tuple[AuthToken, str]:
    """A new token for `user`: the model (digest and prefix) and the token, shown only now."""
    return AuthToken.objects.create(user=user)


def tokens_of(user: User) -> list[AuthToken]:
    """The user's tokens still valid, newest first."""
    return list(AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created"))


def revoke(user: User, prefix: str) -> int:
    """Revoke the user's token(s) with this prefix; how many went."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=prefix).delete()
    return deleted


@receiver(pre_save, sender=User, dispatch_uid="revoke-tokens-on-password-or-deactivation")
def revoke_on_password_change_or_deactivation(
    sender: type[User], instance: User, **kwargs: Any
) -> None:
    """A new password or a closed account ends every API session, as it ends page sessions."""
    fields = kwargs.get("update_fields")
    if instance.pk is None or (fields is not None and not {"password", "is_active"} & set(fields)):
        return
    before = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        AuthToken.objects.filter(user_id=instance.pk).delete()


class TokenLoginView(APIView):
    # Throttled at the "login" rate; the nesting-safe parser like every other endpoint.
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    parser_classes = [SafeJSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=TokenLoginSerializer,
        responses={
            200: inline_serializer(
                "IssuedToken",
                {
                    "token": serializers.CharField(help_text="Shown once; send as 'Token …'."),
                    "prefix": serializers.CharField(),
                    "expiry": serializers.DateTimeField(),
                },
            )
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not isinstance(request.data, Mapping):
            # The lockout check reads the username before the serializer sees the body.
            message = "Send the login as a JSON object: username, password and otp."
            return Response(error_body(message, "invalid"), status=400)
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
        serializer = TokenLoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user: User = serializer.validated_data["user"]
        if two_factor.required_for(user):
            refusal = two_factor.check_api_code(user, serializer.validated_data.get("otp", ""))
            if refusal is not None:
                return Response(refusal.body, status=refusal.status)
        instance, token = issue_token(user)
        # As a page login does: axes clears the failure count, Django records the login.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response({"token": token, "prefix": instance.token_key, "expiry": instance.expiry})


class TokenListView(APIView):
    """The caller's own tokens, by prefix (the tokens themselves are never shown again)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)  # IsAuthenticated
        return Response(TokenSerializer(tokens_of(user), many=True).data)


class TokenRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, prefix: str) -> Response:
        if not revoke(cast(User, request.user), prefix):  # IsAuthenticated
            return Response(error_body("No token of yours has that prefix.", "not_found"), 404)
        return Response(status=status.HTTP_204_NO_CONTENT)
