"""The access log: every read of a patient's record is written down.

Called by each page, API endpoint and export that shows a patient's record. One INSERT per
read; the log is append-only (the admin offers neither change nor delete).
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.http import HttpRequest

from clinic.staff import StaffHttpRequest, StaffRequest
from patients.models import Patient, PatientAccess


def client_address(request: HttpRequest) -> str | None:
    """The caller's address, resolved as for login lockouts (X-Forwarded-For behind the
    configured number of trusted proxies)."""
    return get_client_ip_address(request) or None


def record_access(
    request: StaffHttpRequest | StaffRequest, patient: Patient, channel: str
) -> None:
    PatientAccess.objects.create(
        patient=patient,
        user=request.user,
        channel=channel,
        path=request.get_full_path()[:300],
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
