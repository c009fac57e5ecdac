"""Admin for the clinic's resources."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.authtoken.models import TokenProxy

from clinic.models import (
    Closure,
    OpeningHours,
    Practitioner,
    PractitionerAbsence,
    Room,
    new_calendar_token,
)


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
