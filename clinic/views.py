"""The clinic's own pages: the start page after login and a health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinic.models import Practitioner
from clinic.roles import roles_of


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    practitioner = Practitioner.objects.filter(user=request.user).first()
    return render(
        request,
        "clinic/home.html",
        {
            "roles": roles_of(request.user),
            "practitioner": practitioner,
        },
    )


@require_GET
@never_cache
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """For a load balancer: answers without a login and without revealing anything."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
