"""What the treatment APIs share."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from clinic.staff import StaffRequest
from patients.access_log import record_access
from patients.models import PatientAccess


class AccessLoggedRetrieveMixin:
    """Reading one record of a patient (GET on the detail) writes an access-log row."""

    get_object: Any
    get_serializer: Any
    request: StaffRequest

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        patient = getattr(instance, "patient", None) or instance.plan.patient
        record_access(self.request, patient, PatientAccess.Channel.API)  # the same, typed
        return Response(self.get_serializer(instance).data)
