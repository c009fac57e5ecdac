from django.urls import path

from patients import views

urlpatterns = [
    path("", views.patient_list, name="patient-list"),
    path("new/", views.patient_create, name="patient-create"),
    path("<uuid:public_id>/edit/", views.patient_edit, name="patient-edit"),
    path("<uuid:public_id>/archive/", views.patient_archive, name="patient-archive"),
    path("<uuid:public_id>/concerns/new/", views.concern_create, name="concern-create"),
]
