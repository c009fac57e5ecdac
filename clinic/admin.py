"""Admin for the clinic's resources."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.authtoken.models import TokenProxy

from clinic.logo import MAX_UPLOAD_BYTES, logo_check_size, logo_clean, logo_data_uri
from clinic.models import (
    ClinicProfile,
    Closure,
    OpeningHours,
    Practitioner,
    PractitionerAbsence,
    Room,
    new_calendar_token,
)
from patients.phones import normalised_phone


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "is_dermatologist", "registration_number", "active")
    list_filter = ("is_dermatologist", "active")
    list_select_related = ("user",)
    search_fields = ("user__first_name", "user__last_name", "user__username", "registration_number")
    autocomplete_fields = ("user",)
    actions = ["renew_calendar_token"]

    @admin.action(description="Renew the calendar feed address (revokes the old one)")
    def renew_calendar_token(self, request: HttpRequest, queryset: QuerySet[Practitioner]) -> None:
        for practitioner in queryset:
            practitioner.calendar_token = new_calendar_token()
            practitioner.save(update_fields=["calendar_token"])
        self.message_user(request, f"Renewed {queryset.count()} calendar address(es).")


@admin.register(PractitionerAbsence)
class PractitionerAbsenceAdmin(admin.ModelAdmin):
    list_display = ("practitioner", "starts_at", "ends_at", "reason")
    list_filter = ("practitioner",)
    list_select_related = ("practitioner__user",)
    search_fields = ("reason", "practitioner__user__last_name")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("practitioner",)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "has_rf_device", "active", "notes")
    list_filter = ("has_rf_device", "active")
    search_fields = ("name",)


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ("weekday", "opens", "closes")
    list_filter = ("weekday",)


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("start_date", "end_date", "reason")
    search_fields = ("reason",)
    date_hierarchy = "start_date"


class ClinicProfileForm(forms.ModelForm):
    logo_upload = forms.FileField(
        label="Logo",
        required=False,
        help_text=(
            f"A PNG or JPEG of at most {MAX_UPLOAD_BYTES // 1024} KB; it is resized to fit "
            "600×200 pixels and shown on every page and on the printout."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta:
        model = ClinicProfile
        fields = ("name", "address", "phone", "email")

    def clean_phone(self) -> str:
        return normalised_phone(self.cleaned_data.get("phone", ""), settings.CLINIC_PHONE_REGION)

    def clean_logo_upload(self) -> tuple[bytes, str] | None:
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        logo_check_size(upload.size or 0)  # before it is read into memory
        return logo_clean(upload.read(MAX_UPLOAD_BYTES + 1))

    def save(self, commit: bool = True) -> ClinicProfile:
        profile: ClinicProfile = super().save(commit=False)
        logo = self.cleaned_data.get("logo_upload")
        if logo:
            profile.logo, profile.logo_content_type = logo
        elif self.cleaned_data.get("remove_logo"):
            profile.logo, profile.logo_content_type = b"", ""
        if commit:
            profile.save()
        return profile


@admin.register(ClinicProfile)
class ClinicProfileAdmin(admin.ModelAdmin):
    """One record: the list is its change page, and it is never deleted (the pages fall back to
    defaults without it, but a clinic has a name)."""

    form = ClinicProfileForm
    fields = ("name", "address", "phone", "email", "current_logo", "logo_upload", "remove_logo")
    readonly_fields = ("current_logo",)

    @admin.display(description="Current logo")
    def current_logo(self, obj: ClinicProfile) -> str:
        uri = logo_data_uri(bytes(obj.logo or b""), obj.logo_content_type)
        if not uri:
            return "None yet"
        return format_html('<img src="{}" alt="The clinic\'s logo" style="max-height:80px">', uri)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return (
            super().has_add_permission(request)
            and not ClinicProfile.objects.filter(pk=ClinicProfile.SINGLETON_ID).exists()
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if (
            self.has_view_or_change_permission(request)
            and ClinicProfile.objects.filter(pk=ClinicProfile.SINGLETON_ID).exists()
        ):
            return HttpResponseRedirect(
                reverse("admin:clinic_clinicprofile_change", args=[ClinicProfile.SINGLETON_ID])
            )
        return super().changelist_view(request, extra_context)


class ClinicUserAdmin(UserAdmin):
    """Staff accounts. Only a superuser grants superuser status or single permissions, and
    nobody changes their own roles: a clinic admin cannot raise their own privileges."""

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ("is_superuser", "user_permissions")
            if obj is not None and obj.pk == request.user.pk:
                readonly += ("groups", "is_staff", "is_active")
        return readonly


admin.site.unregister(User)
admin.site.register(User, ClinicUserAdmin)


# --- Credentials -------------------------------------------------------------------------------
# The libraries' own admins would let a clinic admin mint a token for a dermatologist (knox's add
# form shows the new token) or read an authenticator's secret (django-otp's shows the key and its
# QR code), and so act as a role they do not hold. Here a clinic admin sees who holds which
# credential and can revoke it (a lost phone, a leaver), never create or read one.


class RevokeOnlyAdmin(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


for model in (AuthToken, TokenProxy, TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(AuthToken)
class AuthTokenAdmin(RevokeOnlyAdmin):
    list_display = ("token_key", "user", "created", "expiry")
    list_select_related = ("user",)
    search_fields = ("user__username", "token_key")
    fields = ("token_key", "user", "created", "expiry")
    readonly_fields = fields


@admin.register(TOTPDevice)
class AuthenticatorAdmin(RevokeOnlyAdmin):
    list_display = ("user", "name", "confirmed", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "last_used_at")
    readonly_fields = fields


@admin.register(StaticDevice)
class RecoveryCodesAdmin(RevokeOnlyAdmin):
    list_display = ("user", "name", "confirmed")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed")
    readonly_fields = fields
