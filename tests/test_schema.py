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


def test_a_refused_check_in_is_the_error_shape_with_the_session_when_blocked(
    schema: dict,
) -> None:
    components = schema["components"]["schemas"]
    responses = schema["paths"]["/api/sessions/{public_id}/check-in/"]["post"]["responses"]
    refused = responses["409"]["content"]["application/json"]["schema"]["$ref"].rsplit("/")[-1]
    # A state refusal (not booked) has no session; a contraindication's block carries it.
    assert set(components[refused]["required"]) == set(components["Error"]["required"])
    checked_in = responses["200"]["content"]["application/json"]["schema"]
    assert components[refused]["properties"]["session"]["allOf"] == [checked_in]
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


def _resolved(schema: dict, node: dict) -> dict:
    """A schema node with its $ref and single allOf (drf-spectacular's nullable refs) followed."""
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        elif len(node.get("allOf", [])) == 1:
            node = node["allOf"][0]
        else:
            return node


def _points_into(schema: dict, node: dict, pointer: str) -> bool:
    """Whether the JSON pointer names something the (response) schema node documents."""
    for token in pointer.strip("/").split("/"):
        node = _resolved(schema, node)
        if token.isdigit():
            if node.get("type") != "array":
                return False
            node = node["items"]
        elif token in node.get("properties", {}):
            node = node["properties"][token]
        else:
            return False
    return True


def _operations(schema: dict) -> dict[str, tuple[dict, dict]]:
    """operationId -> (the operation, its path's parameters by (in, name))."""
    return {
        operation["operationId"]: (
            operation,
            {(p["in"], p["name"]): p for p in operation.get("parameters", [])},
        )
        for operations in schema["paths"].values()
        for operation in operations.values()
    }


def _link_problems(schema: dict, source: dict, status: str, name: str, link: dict) -> list[str]:
    operations = _operations(schema)
    at = f"{source['operationId']} {status} -> {name}"
    if link["operationId"] not in operations:
        return [f"{at}: no such operation"]
    target, target_parameters = operations[link["operationId"]]
    response = source["responses"][status]["content"]["application/json"]["schema"]
    source_parameters = {(p["in"], p["name"]) for p in source.get("parameters", [])}
    problems = []

    def check_expression(expression: str) -> None:
        if expression.startswith("$response.body#"):
            if not _points_into(schema, response, expression.removeprefix("$response.body#")):
                problems.append(f"{at}: {expression} is not in the response")
        elif expression.startswith(("$request.path.", "$request.query.")):
            location, parameter = expression.removeprefix("$request.").split(".", 1)
            if (location, parameter) not in source_parameters:
                problems.append(f"{at}: {expression} is not a {location} parameter")
        else:
            problems.append(f"{at}: {expression} is no expression")

    for key, expression in link.get("parameters", {}).items():
        location, parameter = key.split(".")
        if (location, parameter) not in target_parameters:
            problems.append(f"{at}: {key} is not a parameter of the target")
        check_expression(expression)
    if "requestBody" in link:
        body = target["requestBody"]["content"]["application/json"]["schema"]
        properties = _resolved(schema, body)["properties"]
        for field, expression in link["requestBody"].items():
            if field not in properties:
                problems.append(f"{at}: {field} is not in the target's body")
            check_expression(expression)
    return problems


def test_every_link_hands_a_documented_value_to_a_documented_parameter(schema: dict) -> None:
    links = [
        (operation, status, name, link)
        for operation, _ in _operations(schema).values()
        for status, response in operation["responses"].items()
        for name, link in response.get("links", {}).items()
    ]
    assert len(links) > 0
    assert [p for args in links for p in _link_problems(schema, *args)] == []


def test_every_operation_on_one_record_is_reached_by_a_link(schema: dict) -> None:
    """The fuzzer's stateful phase follows links: an operation that needs an id and that no
    link reaches would only ever be tried with ids it made up."""
    operations = _operations(schema)
    reached = {
        link["operationId"]
        for operation, _ in operations.values()
        for response in operation["responses"].values()
        for link in response.get("links", {}).values()
    }
    needing_an_id = {
        operation_id
        for operation_id, (_, parameters) in operations.items()
        if any(location == "path" for location, _ in parameters)
    }
    assert needing_an_id - reached == set()


def test_the_clinics_day_is_linked_from_a_new_patient_to_the_visit(schema: dict) -> None:
    def targets(operation_id: str, status: str) -> set[str]:
        operation, _ = _operations(schema)[operation_id]
        return {link["operationId"] for link in operation["responses"][status]["links"].values()}

    assert {"patients_retrieve", "patients_partial_update", "patients_concerns_create"} <= (
        targets("patients_create", "201")
    )
    assert "plans_create" in targets("patients_concerns_create", "201")
    assert {"sessions_availability_list", "sessions_book_create"} <= targets("plans_create", "201")
    assert "sessions_book_create" in targets("sessions_availability_list", "200")
    assert {"sessions_check_in_create", "sessions_reschedule_create", "sessions_cancel_create"} <= (
        targets("sessions_book_create", "200")
    )
    assert "sessions_record_create" in targets("sessions_check_in_create", "200")
    assert "screenings_override_create" in targets("screenings_rescreen_create", "201")


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


def test_a_text_that_may_not_be_blank_is_documented_as_more_than_white_space(
    schema: dict,
) -> None:
    """DRF strips text before it checks it is not blank: the schema's pattern refuses what the
    API refuses ("\\r" as an override's reason), and a password, never stripped, has none."""
    import re

    components = schema["components"]["schemas"]
    pattern = components["OverrideRequest"]["properties"]["reason"]["pattern"]
    assert re.search(pattern, "\r\n\t \x1d\u3000") is None and re.search(pattern, " Acne ")
    # Exactly what str.strip() removes, in any engine: no \s, whose meaning differs.
    assert "\\s" not in pattern
    kept = [code for code in range(0x110000) if re.search(pattern, chr(code)) is None]
    assert kept == [code for code in range(0x110000) if chr(code).isspace()]
    assert "pattern" not in components["TokenLoginRequest"]["properties"]["password"]
    assert "pattern" not in components["PatientRequest"]["properties"]["email"]["oneOf"][0]


def test_the_schema_is_generated_by_one_thread_at_a_time() -> None:
    """drf-spectacular's generator keeps process-wide state, so gunicorn's threads take turns."""
    import threading
    import time

    from rest_framework.test import APIRequestFactory

    from clinic.api_schema_view import SchemaView

    inside, most = [0], [0]
    guard = threading.Lock()

    class CountingGenerator:
        def __init__(self, **kwargs: object) -> None:
            pass

        def get_schema(self, **kwargs: object) -> dict:
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.05)  # long enough for the other threads to arrive while this one runs
            with guard:
                inside[0] -= 1
            return {"openapi": "3.0.3"}

    view = SchemaView(generator_class=CountingGenerator)
    view.format_kwarg = None
    request = view.initialize_request(APIRequestFactory().get("/api/schema/"))
    request.version = None
    answers: list[int] = []

    def ask() -> None:
        answers.append(view._get_schema_response(request).status_code)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 4
    assert most[0] == 1
