"""The clinic's own pages: the start page after login, who is logged in, and a health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinic.models import Practitioner
from clinic.readiness import readiness
from clinic.roles import CLINIC_ADMIN, roles_of
from clinic.staff import StaffHttpRequest
from evidence.models import UNCONFIRMED_PROVENANCE
from patients.access_log import shown
from treatments.rules.limits import BOOKING_NOTICE_DAYS
from treatments.worklist.selectors import LIST_PAGES, patients_of, worklist_in_full, worklists


@require_GET
def home(request: StaffHttpRequest) -> HttpResponse:
    """Each role starts at its worklist; a user with several roles sees each role's lists."""
    practitioner = Practitioner.objects.filter(user=request.user).first()
    roles = roles_of(request.user)
    today = timezone.localdate()
    lists = worklists(roles, today)
    shown(lists.patient_ids())
    return render(
        request,
        "clinic/home.html",
        {
            "roles": roles,
            "practitioner": practitioner,
            "lists": lists,
            "is_clinic_admin": CLINIC_ADMIN in roles,
            "notice_days": BOOKING_NOTICE_DAYS,
            "today": today,
            # The admin's filter for the knowledge base's unconfirmed tags.
            "unconfirmed": ",".join(sorted(UNCONFIRMED_PROVENANCE)),
        },
    )


@require_GET
def worklist(request: StaffHttpRequest, name: str) -> HttpResponse:
    """One worklist in full (the home page shows its first few)."""
    page = LIST_PAGES.get(name)
    if page is None:
        raise Http404("No such list.")
    if page.role not in roles_of(request.user):
        raise PermissionDenied(f"This is the {page.role.lower()}'s list.")
    today = timezone.localdate()
    found = worklist_in_full(name, today)
    shown(patients_of(found))
    return render(
        request,
        "clinic/worklist_page.html",
        {
            "page": page,
            "found": found,
            "template": f"clinic/worklist/{page.include}.html",
            "today": today,
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
    """Liveness: the process answers. It asks no dependency, so an outage elsewhere does not get
    a healthy server restarted; readiness (`readyz`) reports the dependencies."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
@login_not_required
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness, for a load balancer: 503 when the database is unreachable, and each
    dependency's state (database, cache) without anything about the data."""
    ready, checks = readiness()
    degraded = any(state == "down" for state in checks.values())
    return JsonResponse(
        {"status": "degraded" if ready and degraded else "ready" if ready else "unready", **checks},
        status=200 if ready else 503,
    )
