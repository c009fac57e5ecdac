"""The clinic's own pages: the start page after login, who is logged in, and a health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinic.models import Practitioner
from clinic.roles import roles_of
from clinic.staff import StaffHttpRequest


@require_GET
def home(request: StaffHttpRequest) -> HttpResponse:
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
def me(request: StaffHttpRequest) -> JsonResponse:
    """Who is logged in, with which roles, and how long an idle session lasts: what a page
    script needs to warn before the idle logout. Also the benchmark's floor (benchmarks/): the
    least a logged-in request can cost on this stack."""
    user = request.user
    return JsonResponse(
        {
            "username": user.get_username(),
            "name": user.get_full_name(),
            "roles": roles_of(user),
            "idle_timeout_minutes": settings.SESSION_IDLE_MINUTES,
        }
    )


@require_GET
@never_cache
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """For a load balancer: answers without a login and without revealing anything."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
