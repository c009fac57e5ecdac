from django.urls import path

from treatments.booking import views as booking
from treatments.chart import views as chart
from treatments.consultation import views as consultation
from treatments.planning import views as planning
from treatments.visit import views as visit

urlpatterns = [
    path("patients/<uuid:public_id>/", chart.patient_detail, name="patient-detail"),
    path(
        "patients/<uuid:public_id>/concerns/<uuid:concern_id>/plan/",
        planning.plan_parameters,
        name="plan-parameters",
    ),
    path(
        "patients/<uuid:public_id>/concerns/<uuid:concern_id>/plan/screening/",
        planning.plan_screening,
        name="plan-screening",
    ),
    path(
        "patients/<uuid:public_id>/concerns/<uuid:concern_id>/plan/confirm/",
        planning.plan_confirm,
        name="plan-confirm",
    ),
    path(
        "patients/<uuid:public_id>/consultation/",
        consultation.consultation_book,
        name="consultation-book",
    ),
    path(
        "consultations/<uuid:public_id>/",
        consultation.consultation_detail,
        name="consultation-detail",
    ),
    path(
        "consultations/<uuid:public_id>/cancel/",
        consultation.consultation_cancel,
        name="consultation-cancel",
    ),
    path(
        "consultations/<uuid:public_id>/attend/",
        consultation.consultation_attend,
        name="consultation-attend",
    ),
    path("plans/<uuid:public_id>/", planning.plan_detail, name="plan-detail"),
    path("plans/<uuid:public_id>/print/", planning.plan_print, name="plan-print"),
    path("plans/<uuid:public_id>/schedule/", planning.plan_schedule, name="plan-schedule"),
    path(
        "plans/<uuid:public_id>/book-series/",
        booking.plan_book_series,
        name="plan-book-series",
    ),
    path("sessions/<uuid:public_id>/book/", booking.session_booking, name="session-book"),
    path("sessions/<uuid:public_id>/cancel/", booking.session_cancel, name="session-cancel"),
    path("sessions/<uuid:public_id>/no-show/", visit.session_no_show, name="session-no-show"),
    path("sessions/<uuid:public_id>/check-in/", visit.session_check_in, name="session-check-in"),
    path("sessions/<uuid:public_id>/", visit.session_detail, name="session-detail"),
    path("sessions/<uuid:public_id>/record/", visit.session_record, name="session-record"),
    path("sessions/<uuid:public_id>/rescreen/", visit.session_rescreen, name="session-rescreen"),
    path("sessions/<uuid:public_id>/reopen/", visit.session_reopen, name="session-reopen"),
    path("today/", visit.today, name="today"),
    path("plans/<uuid:public_id>/calendar.ics", booking.plan_ics, name="plan-ics"),
    path("ical/<str:token>.ics", booking.practitioner_feed, name="practitioner-feed"),
    path("ical/renew/", booking.practitioner_feed_renew, name="practitioner-feed-renew"),
    path("calendar/book-here/", booking.calendar_book_here, name="calendar-book-here"),
    path("calendar/<str:kind>/", booking.calendar_all, name="calendar-all"),
    path("calendar/<str:kind>/<uuid:public_id>/", booking.calendar, name="calendar"),
]
