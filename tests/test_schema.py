"""The OpenAPI schema generates cleanly: every endpoint documented, no warnings."""

from __future__ import annotations

import io
import json
import uuid

import pytest
import yaml
from django.core.management import call_command

from tests.conftest import Persona


@pytest.mark.django_db
def test_the_openapi_schema_validates_without_warnings() -> None:
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    paths = set(schema["paths"])
    for path in (
        "/api/patients/",
        "/api/plans/",
        "/api/plans/preview/",
        "/api/sessions/{public_id}/availability/",
        "/api/sessions/{public_id}/book/",
        "/api/sessions/{public_id}/reschedule/",
        "/api/sessions/{public_id}/cancel/",
        "/api/sessions/{public_id}/check-in/",
        "/api/sessions/{public_id}/no-show/",
        "/api/screenings/rescreen/",
    ):
        assert path in paths, path


@pytest.fixture(scope="module")
def schema() -> dict:
    out = io.StringIO()
    call_command("spectacular", stdout=out)
    return yaml.safe_load(out.getvalue())


def test_every_operation_documents_every_error_in_the_one_shape(schema: dict) -> None:
    from clinic.api_schema import READS, WRITES

    error = {"$ref": "#/components/schemas/Error"}
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "code", "fields"}
    missing = [
        f"{method.upper()} {path} {status}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status in (READS if method == "get" else WRITES)
        if status not in operation["responses"]
    ]
    assert missing == []
    not_the_shape = [
        f"{method.upper()} {path} {status}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status in WRITES
        and response.get("content", {}).get("application/json", {}).get("schema") != error
        and not (path.endswith("/check-in/") and status == "409")  # the blocked session itself
    ]
    assert not_the_shape == []


def test_a_blocked_check_in_is_the_error_shape_with_the_session(schema: dict) -> None:
    components = schema["components"]["schemas"]
    responses = schema["paths"]["/api/sessions/{public_id}/check-in/"]["post"]["responses"]
    blocked = responses["409"]["content"]["application/json"]["schema"]["$ref"].rsplit("/")[-1]
    assert set(components[blocked]["required"]) == {*components["Error"]["required"], "session"}
    checked_in = responses["200"]["content"]["application/json"]["schema"]
    assert components[blocked]["properties"]["session"] == checked_in
    assert {"screening", "screening_result", "awaiting_override"} <= set(
        components[checked_in["$ref"].rsplit("/")[-1]]["required"]
    )


def test_availability_is_documented_as_the_array_it_returns(schema: dict) -> None:
    ok = schema["paths"]["/api/sessions/{public_id}/availability/"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Slot"},
    }


def test_a_new_concern_is_documented_as_created(schema: dict) -> None:
    responses = schema["paths"]["/api/patients/{public_id}/concerns/"]["post"]["responses"]
    assert "201" in responses and "200" not in responses


@pytest.mark.django_db
def test_errors_about_items_of_a_list_come_as_the_flat_messages_documented(
    front_desk: Persona,
) -> None:
    response = front_desk.post(
        "/api/screenings/rescreen/",
        data=json.dumps(
            {"session": str(uuid.uuid4()), "changed": True, "acknowledged": [None, "C" * 20]}
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    messages = response.json()["fields"]["acknowledged"]
    assert all(isinstance(message, str) for message in messages)
    assert messages[0].startswith("0: ") and messages[1].startswith("1: ")


def test_every_time_the_api_takes_is_documented_as_needing_its_offset(schema: dict) -> None:
    from clinic.api_fields import AWARE_HELP

    times = [
        (name, field, properties[field])
        for name, component in schema["components"]["schemas"].items()
        if name.endswith("Request")
        for properties in [component.get("properties", {})]
        for field in properties
        if properties[field].get("format") == "date-time"
    ]
    assert times, "no request takes a time: the test looks in the wrong place"
    assert [
        f"{name}.{field}"
        for name, field, prop in times
        if AWARE_HELP not in prop.get("description", "")
    ] == []



def test_the_documented_days_of_the_session_list_are_the_days_it_takes() -> None:
    import datetime as dt
    import re

    from treatments.booking.selectors import DAY_PATTERN, EARLIEST_DAY, LATEST_DAY

    one_day = dt.timedelta(days=1)
    for day in (EARLIEST_DAY, LATEST_DAY):
        assert re.fullmatch(DAY_PATTERN, day.isoformat())
    for day in (EARLIEST_DAY - one_day, LATEST_DAY + one_day):
        assert not re.fullmatch(DAY_PATTERN, day.isoformat())
