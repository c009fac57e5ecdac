"""Every door to an account is guarded alike: the login page, the admin's and the API's token
endpoint are throttled and locked out, say so with 429 and Retry-After, and a success clears
the count. No answer tells a stranger which usernames exist."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"
ADDRESS = "203.0.113.7"


def token(client: Client, username: str, password: str) -> Any:
    return client.post(
        "/api/auth/token/", {"username": username, "password": password}, REMOTE_ADDR=ADDRESS
    )


def test_the_token_endpoint_is_throttled_at_the_login_rate() -> None:
    client = Client()
    answers = [token(client, f"guess{n}", "wrong").status_code for n in range(11)]
    assert answers[:10] == [400] * 10  # distinct names: no lockout, only the rate
    assert answers[10] == 429


def test_a_successful_token_login_clears_the_failures() -> None:
    factories.UserFactory(username="alice", password=PASSWORD)
    client = Client()
    for _ in range(2):
        for _ in range(4):
            assert token(client, "alice", "wrong").status_code == 400
        assert "token" in token(client, "alice", PASSWORD).json()


@pytest.mark.parametrize("username", ["alice", "nobody-by-this-name"])
def test_a_locked_out_api_login_is_told_so_whether_or_not_the_account_exists(
    username: str,
) -> None:
    factories.UserFactory(username="alice", password=PASSWORD)
    client = Client()
    for _ in range(5):
        token(client, username, "wrong")
    locked = token(client, username, PASSWORD if username == "alice" else "wrong")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    body = locked.json()
    assert body["code"] == "locked_out" and "try again in 15 minutes" in body["detail"]
    assert username not in body["detail"]


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_locked_out_page_login_says_so_with_retry_after(url: str) -> None:
    factories.UserFactory(username="alice", password=PASSWORD, is_staff=True)
    client = Client()
    for _ in range(5):
        client.post(url, {"username": "alice", "password": "wrong"}, REMOTE_ADDR=ADDRESS)
    locked = client.post(url, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=ADDRESS)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "try again in 15 minutes" in locked.content.decode()


def test_deeply_nested_json_to_the_token_endpoint_is_a_400() -> None:
    depth = 5000
    body = '{"username": ' + "[" * depth + '"x"' + "]" * depth + ', "password": "x"}'
    response = Client().post("/api/auth/token/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("body", ["[null, null]", '"dermatologist"', "42", "null"])
def test_a_token_request_whose_body_is_not_an_object_is_a_400(body: str) -> None:
    response = Client().post("/api/auth/token/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "JSON object" in response.json()["detail"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_token_logins_lock_and_clear_with_real_transactions() -> None:
    factories.UserFactory(username="alice", password=PASSWORD)
    client = Client()
    for _ in range(4):
        assert token(client, "alice", "wrong").status_code == 400
    assert "token" in token(client, "alice", PASSWORD).json()  # clears the four
    for _ in range(5):
        token(client, "alice", "wrong")
    assert token(client, "alice", PASSWORD).status_code == 429
