"""URLs of the whole project."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import account_views, views

admin.site.site_header = "Microneedling clinic — administration"
admin.site.site_title = "Clinic admin"
admin.site.index_title = "Patients, treatments and the evidence base"
# The sidebar repeats the index and squeezes wide clinical tables on a tablet.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", views.home, name="home"),
    path("worklist/<slug:name>/", views.worklist, name="worklist"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", http_method_names=["get", "post"]
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/me/", views.me, name="me"),
    path("accounts/two-factor/", account_views.verify, name="two-factor-verify"),
    path("accounts/two-factor/setup/", account_views.setup, name="two-factor-setup"),
    path("accounts/two-factor/recovery/", account_views.recovery_codes, name="two-factor-recovery"),
    path("accounts/tokens/", account_views.tokens, name="api-tokens"),
    path("accounts/tokens/new/", account_views.token_create, name="api-token-create"),
    path(
        "accounts/tokens/<str:prefix>/revoke/",
        account_views.token_revoke,
        name="api-token-revoke",
    ),
    path("patients/", include("patients.urls")),
    path("evidence/", include("evidence.urls")),
    path("", include("treatments.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("clinic.api_urls")),
]

handler400 = "clinic.error_pages.bad_request"
handler403 = "clinic.error_pages.permission_denied"
handler404 = "clinic.error_pages.page_not_found"
handler500 = "clinic.error_pages.server_error"
