from django.urls import path

from treatments import views

urlpatterns = [
    path("patients/<uuid:public_id>/", views.patient_detail, name="patient-detail"),
    path(
        "patients/<uuid:public_id>/concerns/<uuid:concern_id>/plan/",
        views.plan_parameters,
        name="plan-parameters",
    ),
    path(
        "patients/<uuid:public_id>/concerns/<uuid:concern_id>/plan/screening/",
        views.plan_screening,
        name="plan-screening",
    ),
    path(
        "patients/<uuid:public_id>/concerns/<uuid:concern_id>/plan/confirm/",
        views.plan_confirm,
        name="plan-confirm",
    ),
    path("plans/<uuid:public_id>/", views.plan_detail, name="plan-detail"),
]
