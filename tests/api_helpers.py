"""Small helpers for API tests."""

from __future__ import annotations

import functools
import io
import json
from typing import Any

from django.test import Client


def post(client: Client, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data, default=str), content_type="application/json")


def patch(client: Client, url: str, data: Any) -> Any:
    return client.patch(url, data=json.dumps(data, default=str), content_type="application/json")


def assert_error(response: Any, status: int, code: str, *fields: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"detail", "code", "fields"}
    assert body["code"] == code
    assert body["detail"]
    for field in fields:
        assert field in body["fields"], body
    return body


@functools.cache
def _openapi() -> Any:
    import schemathesis
    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    return schemathesis.openapi.from_dict(json.loads(out.getvalue()))


def assert_conforms(response: Any, method: str, path: str) -> None:
    """The response is what the OpenAPI schema documents for `method path` (a template such as
    /api/sessions/{public_id}/check-in/) at its status: checked by schemathesis, the fuzzer's
    own validator."""
    import requests
    from schemathesis.core.transport import Response

    answer = Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=response.content,
        request=requests.Request(method, f"http://testserver{path}").prepare(),
        elapsed=0.0,
        verify=False,
    )
    operation = _openapi()[path][method.upper()]
    documented = operation.definition.raw["responses"]
    assert str(response.status_code) in documented, f"{response.status_code} is not documented"
    operation.validate_response(answer)
