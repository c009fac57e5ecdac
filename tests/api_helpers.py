"""Small helpers for API tests."""

from __future__ import annotations

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
