from django.urls import path

from evidence import views

urlpatterns = [
    path("", views.indication_list, name="evidence-indications"),
    path("indications/<slug:slug>/", views.indication_detail, name="evidence-indication"),
    path("protocols/<str:code>/", views.protocol_detail, name="evidence-protocol"),
    path("rules/", views.rule_list, name="evidence-rules"),
    path("studies/", views.study_list, name="evidence-studies"),
    path("studies/<slug:code>/", views.study_detail, name="evidence-study"),
]
