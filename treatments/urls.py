from django.urls import path

from treatments import booking_views, views

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
    path("plans/<uuid:public_id>/print/", views.plan_print, name="plan-print"),
    path("sessions/<uuid:public_id>/book/", booking_views.session_booking, name="session-book"),
    path("sessions/<uuid:public_id>/cancel/", booking_views.session_cancel, name="session-cancel"),
    path(
        "sessions/<uuid:public_id>/no-show/", booking_views.session_no_show, name="session-no-show"
    ),
    path(
        "sessions/<uuid:public_id>/check-in/",
        booking_views.session_check_in,
        name="session-check-in",
    ),
    path("sessions/<uuid:public_id>/record/", booking_views.session_record, name="session-record"),
    path("today/", booking_views.today, name="today"),
    path("plans/<uuid:public_id>/calendar.ics", booking_views.plan_ics, name="plan-ics"),
    path("ical/<str:token>.ics", booking_views.practitioner_feed, name="practitioner-feed"),
    path("ical/renew/", booking_views.practitioner_feed_renew, name="practitioner-feed-renew"),
    path("calendar/<str:kind>/<uuid:public_id>/", booking_views.calendar, name="calendar"),
]
