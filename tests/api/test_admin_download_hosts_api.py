"""The admins' list of hosts URL downloads may reach, over real HTTP on both backends: read, replaced, validated
(the bad entry named), admins only, CSRF-checked for browser sessions."""

from __future__ import annotations

import uuid

import httpx
import pytest

from seen.services.security import csrf_token_for
from tests.api.test_auth_api import ORIGIN, assert_error, bearer, browser_login, cookie_header, register, session_cookie

URL = "/api/v1/admin/downloads/allowed-hosts"


@pytest.fixture
def admin(client: httpx.Client) -> dict[str, str]:
    return bearer(register(client, "ada@example.com"))  # the first account is the admin


@pytest.fixture
def user(client: httpx.Client, admin) -> dict[str, str]:
    return bearer(register(client, "bob@example.com"))


def test_the_list_is_read_replaced_and_normalised(client: httpx.Client, admin, settings_env) -> None:
    settings_env(DOWNLOAD_ALLOWED_HOSTS='["media.example.org"]')
    # At first nothing is stored; the environment's list is shown beside it
    assert client.get(URL, headers=admin).json() == {"entries": [], "from_environment": ["media.example.org"]}
    # When the admin stores hosts, addresses and networks
    entries = ["NAS.lan", "*.home.arpa", "192.168.1.20", "10.0.0.0/8", "[::1]", "  ", "192.168.1.20"]
    stored = client.put(URL, json={"entries": entries}, headers=admin)
    # Then they come back normalised (lower case, no blanks or repeats) and read back the same
    assert stored.status_code == 200, stored.text
    assert stored.json()["entries"] == ["nas.lan", "*.home.arpa", "192.168.1.20", "10.0.0.0/8", "::1"]
    assert client.get(URL, headers=admin).json() == stored.json()
    # And an empty list clears it
    assert client.put(URL, json={"entries": []}, headers=admin).json()["entries"] == []


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (["nas.lan", "not a host!"], "'not a host!' is not a host name"),
        (["10.0.0.0/33"], "10.0.0.0/33"),
        (["http://nas.lan/"], "http://nas.lan/"),
        ([f"host{number}.lan" for number in range(201)], "200"),
        (["x" * 301], "entries.0"),
        ("nas.lan", "entries"),
    ],
)
def test_a_bad_entry_is_a_422_naming_it_and_nothing_changes(
    client: httpx.Client, admin, entries: object, message: str
) -> None:
    client.put(URL, json={"entries": ["nas.lan"]}, headers=admin)
    answer = client.put(URL, json={"entries": entries}, headers=admin)
    assert message in assert_error(answer, 422, "invalid")["message"]
    assert client.get(URL, headers=admin).json()["entries"] == ["nas.lan"]
    assert "entries" in assert_error(client.put(URL, json={}, headers=admin), 422, "invalid")["message"]


def test_admins_only(client: httpx.Client, admin, user) -> None:
    assert_error(client.get(URL, headers=user), 403, "admin_only")
    assert_error(client.put(URL, json={"entries": ["127.0.0.1"]}, headers=user), 403, "admin_only")
    assert_error(client.get(URL), 401, "not_authenticated")
    assert_error(client.put(URL, json={"entries": ["127.0.0.1"]}), 401, "not_authenticated")
    assert client.get(URL, headers=admin).json()["entries"] == []


def test_a_browser_session_needs_the_csrf_token(client: httpx.Client, admin) -> None:
    cookie = cookie_header(session_cookie(browser_login(client, "ada@example.com")))
    current = next(item for item in client.get("/api/v1/auth/sessions", headers=cookie).json()["items"])
    csrf = csrf_token_for(uuid.UUID(current["id"]))
    refused = client.put(URL, json={"entries": ["nas.lan"]}, headers={**cookie, "Origin": ORIGIN})
    assert_error(refused, 403, "csrf_failed")
    assert client.get(URL, headers=cookie).json()["entries"] == []
    accepted = client.put(
        URL, json={"entries": ["nas.lan"]}, headers={**cookie, "Origin": ORIGIN, "X-CSRF-Token": csrf}
    )
    assert accepted.status_code == 200 and accepted.json()["entries"] == ["nas.lan"]
