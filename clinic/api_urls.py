"""/api/: one router for every resource, the OpenAPI schema and its docs (no CDN)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from clinic.api_auth import TokenListView, TokenLoginView, TokenRevokeView
from clinic.api_schema_view import SchemaView
from evidence import api as evidence_api
from patients import api as patients_api
from treatments.booking.api import SessionViewSet
from treatments.consultation.api import ConsultationViewSet
from treatments.planning.api import PlanRefusalViewSet, PlanViewSet
from treatments.screening.api import ScreeningViewSet

app_name = "api"


router = DefaultRouter()
router.include_root_view = False
router.include_format_suffixes = False  # JSON only: no /api/patients.json twins to guard
router.register("patients", patients_api.PatientViewSet, basename="patient")
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-refusals", PlanRefusalViewSet, basename="plan-refusal")
router.register("screenings", ScreeningViewSet, basename="screening")
router.register("sessions", SessionViewSet, basename="session")
router.register("consultations", ConsultationViewSet, basename="consultation")
router.register("evidence/studies", evidence_api.StudyViewSet, basename="study")
router.register("evidence/indications", evidence_api.IndicationViewSet, basename="indication")
router.register("evidence/protocols", evidence_api.ProtocolViewSet, basename="protocol")
router.register("evidence/rules", evidence_api.ContraindicationRuleViewSet, basename="rule")
router.register("evidence/scales", evidence_api.GradingScaleViewSet, basename="scale")

urlpatterns = [
    path("", include(router.urls)),
    # Password guessing is throttled here (scope "login") and locked out by django-axes.
    path("auth/token/", TokenLoginView.as_view(), name="token"),
    path("auth/tokens/", TokenListView.as_view(), name="token-list"),
    path("auth/tokens/<str:prefix>/", TokenRevokeView.as_view(), name="token-revoke"),
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the CSP needs no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
