"""A staff member's own sign-in: two-factor setup and verification, and their API tokens."""

from __future__ import annotations

import io
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from clinic import api_auth, two_factor
from clinic.staff import StaffHttpRequest


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="The 6 digits your authenticator app shows now, or a recovery code.",
    )


def _qr_svg(url: str) -> str:
    # One path in the SVG namespace's default form: the rect-per-module image writes "svg:rect"
    # elements, which an HTML page does not draw.
    out = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage).save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]  # drops the XML declaration, to sit inside the page


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: StaffHttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the code, give one code back, keep the recovery codes."""
    if two_factor.has_device(request.user) and not request.user.is_verified():  # type: ignore[attr-defined]
        return redirect(f"{reverse('two-factor-verify')}?next={two_factor.safe_next(request)}")
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.confirm(device, form.cleaned_data["code"]):
            otp_login(request, device)
            codes = two_factor.new_recovery_codes(request.user)
            return render(
                request,
                "clinic/two_factor_codes.html",
                {"codes": codes, "next": two_factor.safe_next(request)},
            )
        form.add_error(
            "code", "That code does not match. Check the phone's clock and try the current one."
        )
    return render(
        request,
        "clinic/two_factor_setup.html",
        {
            "form": form,
            # The SVG is made here from the device's own URL: nothing a user typed is in it.
            "qr": mark_safe(_qr_svg(device.config_url)),  # noqa: S308
            "secret": _grouped_base32(device.bin_key),
            "next": two_factor.safe_next(request),
        },
    )


def _grouped_base32(key: bytes) -> str:
    """The key as an authenticator app asks for it when typed: base32, in groups of four."""
    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: StaffHttpRequest) -> HttpResponse:
    """The second factor at sign-in: a code from the app or a recovery code."""
    if not two_factor.has_device(request.user):
        return redirect(f"{reverse('two-factor-setup')}?next={two_factor.safe_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.matching_device(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if device.name == two_factor.RECOVERY:
                left = device.token_set.count()
                messages.warning(request, f"Recovery code used: {left} left.")
            return redirect(two_factor.safe_next(request))
        form.add_error("code", "That code is not right or has expired. Try the current one.")
    return render(
        request,
        "clinic/two_factor_verify.html",
        {"form": form, "next": two_factor.safe_next(request)},
    )


@never_cache
@require_GET
def tokens(request: StaffHttpRequest) -> HttpResponse:
    return _tokens_page(request, None, "")


def _tokens_page(request: StaffHttpRequest, new: str | None, prefix: str) -> HttpResponse:
    return render(
        request,
        "clinic/tokens.html",
        {
            "tokens": api_auth.tokens_of(request.user),
            "new": new,
            "new_prefix": prefix,
            "two_factor_required": two_factor.has_device(request.user),
        },
    )


@never_cache
@require_POST
def token_create(request: StaffHttpRequest) -> HttpResponse:
    """A new API token, shown once on this page; afterwards only its prefix."""
    instance, token = api_auth.issue_token(request.user)
    return _tokens_page(request, token, instance.token_key)


@require_POST
def token_revoke(request: StaffHttpRequest, prefix: str) -> HttpResponse:
    if api_auth.revoke(request.user, prefix):
        messages.success(request, f"Token {prefix}… revoked: it no longer opens the API.")
    else:
        messages.error(request, "No token of yours has that prefix.")
    return redirect("api-tokens")


@require_POST
def recovery_codes(request: StaffHttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), for a user signed in with two factors."""
    if not two_factor.has_device(request.user):
        return redirect("two-factor-setup")
    codes = two_factor.new_recovery_codes(request.user)
    return render(
        request, "clinic/two_factor_codes.html", {"codes": codes, "next": reverse("api-tokens")}
    )
