"""The access log: every request that shows patient data is written down.

Whatever shows a patient's data (a page's view, an API serializer, an admin list or change
page, an export, a calendar feed) calls `shown()` with those patients while the request runs.
`AccessLogMiddleware` then writes one `PatientAccess` row for the request, naming every patient
shown, in two INSERTs however many there were. The log is append-only (the admin offers neither
change nor delete).

The request being served is held in a context variable, so a serializer or template tag deep
inside a response can report what it shows without the request being threaded through to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from axes.helpers import get_client_ip_address
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponseBase

from patients.models import AccessedPatient, Patient, PatientAccess

Channel = PatientAccess.Channel


@dataclass
class _Shown:
    patient_ids: dict[int, None] = field(default_factory=dict)  # an ordered set
    channel: str | None = None
    reader: User | None = None  # who reads, where it is not the logged-in user
    request: HttpRequest | None = None


_current: ContextVar[_Shown | None] = ContextVar("patients_shown", default=None)


def shown(
    patients: Iterable[Patient | int | None] | Patient | int | None,
    *,
    channel: str | None = None,
    reader: User | None = None,
) -> None:
    """Note patients (instances or primary keys) whose data this response shows.

    `channel` overrides the one the URL implies (an export, a feed); `reader` names the user a
    request without a login reads for (a practitioner's calendar feed, opened by its token).
    A redirect or a failure (3xx, 5xx) showed nothing, so its notes are dropped.
    Outside a request (a management command, a test calling a serializer) it does nothing.
    """
    current = _current.get()
    if current is None:
        return
    if patients is None or isinstance(patients, Patient | int):
        patients = [patients]
    for patient in patients:
        pk = patient.pk if isinstance(patient, Patient) else patient
        if pk is not None:
            current.patient_ids[pk] = None
    if channel is not None:
        current.channel = channel
    if reader is not None:
        current.reader = reader


def current_user() -> User | None:
    """The user the request being served is for (DRF's authentication included), or None
    outside a request. Representations use it to leave out what this user may not see."""
    current = _current.get()
    user = getattr(current.request, "user", None) if current is not None else None
    return user if isinstance(user, User) else None


def client_address(request: HttpRequest) -> str | None:
    """The caller's address, resolved as for login lockouts (X-Forwarded-For behind the
    configured number of trusted proxies)."""
    return get_client_ip_address(request) or None


def _channel_of(path: str) -> str:
    if path.startswith("/api/"):
        return Channel.API
    if path.startswith("/admin/"):
        return Channel.ADMIN
    return Channel.PAGE


def write(request: HttpRequest, noted: _Shown) -> PatientAccess | None:
    reader = noted.reader or request.user
    if not noted.patient_ids or not isinstance(reader, User):  # anonymous reads nothing
        return None
    access = PatientAccess.objects.create(
        user=reader,
        channel=noted.channel or _channel_of(request.path),
        method=(request.method or "GET")[:8],
        path=request.get_full_path()[:300],
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        patient_count=len(noted.patient_ids),
    )
    AccessedPatient.objects.bulk_create(
        AccessedPatient(access=access, patient_id=pk) for pk in noted.patient_ids
    )
    return access


class AccessLogMiddleware:
    """Collects what a request shows and writes its access-log row when the response is ready.

    Sits after authentication; DRF's token authentication sets the user on the underlying
    request, so API reads name their token's owner.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        noted = _Shown(request=request)
        token = _current.set(noted)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if response.status_code < 300 or 400 <= response.status_code < 500:
            write(request, noted)
        return response
