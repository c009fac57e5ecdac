"""Two-factor sign-in (TOTP with recovery codes, django-otp) for the roles that need it.

`TWO_FACTOR_ROLES` (by default clinic admins and dermatologists, who approve plans, override
contraindications and manage users) sign in with a password and a code from an authenticator
app, or one of ten single-use recovery codes. The same rule holds on every door:

- pages and the admin: `TwoFactorMiddleware` sends a signed-in user of such a role who has not
  given a code to set up an authenticator (the first time) or to give a code;
- the API: a token is issued only with a valid code (`check_api_code`), and a session-signed
  request without one is refused in JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.roles import roles_of

RECOVERY_CODES = 10
AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"


def required_for(user: User | AnonymousUser) -> bool:
    return bool(set(roles_of(user)) & set(settings.TWO_FACTOR_ROLES))


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: User) -> TOTPDevice:
    """The authenticator being set up (unconfirmed), made once and kept until confirmed, so
    reloading the page shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh single-use codes, replacing any earlier ones; shown once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def confirm(device: TOTPDevice, code: str) -> bool:
    if not device.verify_token(code.strip().replace(" ", "")):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


def matching_device(user: User, code: str) -> Any:
    """The confirmed device this code belongs to (TOTP or a recovery code, which it uses up),
    or None. django-otp throttles repeated failures per device."""
    code = code.strip().replace(" ", "")
    if not code or len(code) > 20:
        return None
    return match_token(user, code)


@dataclass(frozen=True)
class Refusal:
    status: int
    body: dict[str, Any]


def check_api_code(user: User, code: str) -> Refusal | None:
    """Why an API sign-in of a two-factor role is refused, or None when its code is good."""
    if not has_device(user):
        return Refusal(
            403,
            {
                "detail": "Your role signs in with two factors: set up an authenticator app "
                "on the web first (it asks you at your next sign-in).",
                "code": "two_factor_setup_required",
                "fields": {},
            },
        )
    if not code:
        message = "Give the code from your authenticator app (or a recovery code)."
    elif matching_device(user, code) is None:
        message = "That code is not right or has expired. Try the current one."
    else:
        return None
    return Refusal(400, {"detail": message, "code": "invalid", "fields": {"otp": [message]}})


def safe_next(request: HttpRequest, fallback: str = "/") -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


#: Where a user who still owes a code may go: the two-factor pages, signing out, static files
#: and the health checks. (The calendar feed is opened without a session, so never stopped.)
OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/healthz", "/readyz")


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware: a signed-in user of a two-factor role who has not
    given a code this session reaches nothing but the two-factor pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware
            and not request.path.startswith(OPEN_PREFIXES)
            and required_for(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": "Your role signs in with two factors: give your code on the "
                        "web, or use an API token issued with one.",
                        "code": "two_factor_required",
                        "fields": {},
                    },
                    status=403,
                )
            step = "two-factor-verify" if has_device(user) else "two-factor-setup"
            return HttpResponseRedirect(
                f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)
