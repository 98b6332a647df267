"""Accounts over real HTTP: the JSON API, the admin API, and the browser's cookie + CSRF flow."""

from __future__ import annotations

import uuid
from http.cookies import SimpleCookie

import httpx
import pytest

from seen.services.security import csrf_token_for

PASSWORD = "correct horse battery"
ORIGIN = "http://testserver.local"
EVIL_ORIGIN = "https://evil.example"


def register(client: httpx.Client, email: str, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/auth/register", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    return response.json()


def login(client: httpx.Client, email: str, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    """The one error shape: {"error": {"code", "message"}} (plus details for validation errors)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    return body["error"]


def set_cookies(response: httpx.Response) -> dict[str, SimpleCookie]:
    """Each Set-Cookie header of a response, parsed, by cookie name."""
    parsed = {}
    for header in response.headers.get_list("set-cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            parsed[name] = cookie
    return parsed


def browser_login(client: httpx.Client, email: str, password: str = PASSWORD, **extra: str) -> httpx.Response:
    form = {"email": email, "password": password, "next": "/app/library", **extra}
    response = client.post("/api/v1/auth/browser/login", data=form, headers={"Origin": ORIGIN}, follow_redirects=False)
    # The tests send cookies explicitly; nothing should ride along from the client's jar.
    client.cookies.clear()
    return response


def session_cookie(response: httpx.Response) -> str:
    cookies = set_cookies(response)
    assert "seen_session" in cookies, response.headers
    value = cookies["seen_session"]["seen_session"].value
    assert value
    return value


def cookie_header(token: str) -> dict[str, str]:
    return {"Cookie": f"seen_session={token}"}


# --- Register and log in ----------------------------------------------------------------------------


def test_register_makes_the_first_account_admin_and_the_second_a_user(client):
    # When two people register
    first = register(client, "first@example.com")
    second = register(client, "second@example.com")
    # Then both get a token pair, the first as admin
    for body in (first, second):
        assert body["access_token"]
        assert body["refresh_token"]
        assert body["token_type"] == "bearer"
        assert body["expires_in"] > 0
    assert first["user"]["role"] == "admin"
    assert first["user"]["email"] == "first@example.com"
    assert second["user"]["role"] == "user"


def test_login_returns_a_token_pair_that_authenticates(client):
    register(client, "a@example.com")
    body = login(client, "A@example.com")
    assert body["user"]["email"] == "a@example.com"
    me = client.get("/api/v1/auth/me", headers=bearer(body))
    assert me.status_code == 200
    assert me.json()["email"] == "a@example.com"


def test_login_with_a_wrong_password_is_401_in_the_error_shape(client):
    register(client, "a@example.com")
    response = client.post("/api/v1/auth/login", json={"email": "a@example.com", "password": "wrong password"})
    assert response.status_code == 401
    body = response.json()
    assert body == {"error": {"code": "invalid_credentials", "message": body["error"]["message"]}}
    assert body["error"]["message"]


def test_login_is_throttled_with_retry_after(client, settings_env):
    # Given an account that allows three failures
    settings_env(LOGIN_MAX_FAILURES_PER_ACCOUNT="3")
    register(client, "a@example.com")
    for _ in range(3):
        failed = client.post("/api/v1/auth/login", json={"email": "a@example.com", "password": "wrong password"})
        assert failed.status_code == 401
    # When the right password comes next
    response = client.post("/api/v1/auth/login", json={"email": "a@example.com", "password": PASSWORD})
    # Then it is 429 with a wait in seconds
    assert_error(response, 429, "too_many_attempts")
    assert int(response.headers["retry-after"]) > 0


# --- The caller's account ---------------------------------------------------------------------------


def test_me_needs_a_valid_bearer_token(client):
    tokens = register(client, "a@example.com")
    assert client.get("/api/v1/auth/me", headers=bearer(tokens)).status_code == 200
    assert_error(client.get("/api/v1/auth/me"), 401, "not_authenticated")
    assert_error(client.get("/api/v1/auth/me", headers={"Authorization": "Bearer garbage"}), 401, "invalid_token")
    assert_error(client.get("/api/v1/auth/me", headers={"Authorization": "Basic abc"}), 401, "unauthorized")


def test_patch_me_changes_name_and_theme_and_refuses_a_bad_theme(client):
    tokens = register(client, "a@example.com")
    response = client.patch(
        "/api/v1/auth/me", json={"display_name": "  Ada   Lovelace ", "theme": "light"}, headers=bearer(tokens)
    )
    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == "Ada Lovelace"
    assert response.json()["theme"] == "light"
    assert client.get("/api/v1/auth/me", headers=bearer(tokens)).json()["theme"] == "light"
    assert_error(client.patch("/api/v1/auth/me", json={"theme": "neon"}, headers=bearer(tokens)), 422, "invalid")


def test_changing_the_password_ends_the_other_session(client):
    # Given one account logged in twice
    other = register(client, "a@example.com")
    current = login(client, "a@example.com")
    # When the password is changed from one session
    response = client.post(
        "/api/v1/auth/me/password",
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
        headers=bearer(current),
    )
    # Then the other session is ended and the current one goes on
    assert response.status_code == 200, response.text
    assert response.json() == {"sessions_ended": 1}
    assert_error(client.get("/api/v1/auth/me", headers=bearer(other)), 401, "invalid_token")
    assert client.get("/api/v1/auth/me", headers=bearer(current)).status_code == 200
    # And the new password logs in
    assert login(client, "a@example.com", "a brand new password")["user"]["email"] == "a@example.com"


def test_changing_the_password_with_a_wrong_current_one_is_422(client):
    tokens = register(client, "a@example.com")
    response = client.post(
        "/api/v1/auth/me/password",
        json={"current_password": "not it", "new_password": "a brand new password"},
        headers=bearer(tokens),
    )
    assert_error(response, 422, "wrong_password")


def test_sessions_lists_both_logins_with_the_current_one_flagged(client):
    first = register(client, "a@example.com")
    second = login(client, "a@example.com")
    response = client.get("/api/v1/auth/sessions", headers=bearer(second))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    flags = {item["id"]: item["current"] for item in body["items"]}
    assert flags == {second["session_id"]: True, first["session_id"]: False}


def test_deleting_own_other_session_ends_it(client):
    first = register(client, "a@example.com")
    second = login(client, "a@example.com")
    response = client.delete(f"/api/v1/auth/sessions/{first['session_id']}", headers=bearer(second))
    assert response.status_code == 204
    assert_error(client.get("/api/v1/auth/me", headers=bearer(first)), 401, "invalid_token")
    assert client.get("/api/v1/auth/me", headers=bearer(second)).status_code == 200


def test_deleting_another_users_session_is_404_and_leaves_it(client):
    alice = register(client, "alice@example.com")
    bob = register(client, "bob@example.com")
    response = client.delete(f"/api/v1/auth/sessions/{bob['session_id']}", headers=bearer(alice))
    assert_error(response, 404, "not_found")
    assert client.get("/api/v1/auth/me", headers=bearer(bob)).status_code == 200


def test_deleting_a_malformed_session_id_is_422(client):
    tokens = register(client, "a@example.com")
    error = assert_error(client.delete("/api/v1/auth/sessions/not-a-uuid", headers=bearer(tokens)), 422, "invalid")
    assert error["details"][0]["field"] == "session_id"


def test_refresh_rotates_over_http(client):
    # Given a pair
    first = register(client, "a@example.com")
    # When it is refreshed
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert response.status_code == 200, response.text
    second = response.json()
    # Then the new pair works and the old refresh token does not
    assert second["refresh_token"] != first["refresh_token"]
    assert second["session_id"] == first["session_id"]
    assert client.get("/api/v1/auth/me", headers=bearer(second)).status_code == 200
    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_error(replay, 401, "invalid_refresh_token")


def test_replaying_an_old_refresh_token_over_http_ends_the_session(client):
    first = register(client, "a@example.com")
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}).json()
    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    after = client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status_code == 401


def test_logout_ends_the_token(client):
    tokens = register(client, "a@example.com")
    response = client.post("/api/v1/auth/logout", headers=bearer(tokens))
    assert response.status_code == 204
    assert_error(client.get("/api/v1/auth/me", headers=bearer(tokens)), 401, "invalid_token")


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('{"email": "a@example.com"}', "password"),
        ("{not json", None),
        ('["a list"]', None),
    ],
)
def test_invalid_bodies_are_422_with_details(client, content, field):
    response = client.post("/api/v1/auth/login", content=content, headers={"Content-Type": "application/json"})
    error = assert_error(response, 422, "invalid")
    assert set(error) == {"code", "message", "details"}
    assert error["details"]
    if field:
        assert field in [detail["field"] for detail in error["details"]]


# --- Admin ------------------------------------------------------------------------------------------


def test_admin_endpoints_refuse_a_non_admin(client):
    register(client, "admin@example.com")
    user = register(client, "user@example.com")
    assert_error(client.get("/api/v1/admin/users", headers=bearer(user)), 403, "admin_only")
    assert_error(client.get("/api/v1/admin/settings", headers=bearer(user)), 403, "admin_only")
    assert_error(client.get("/api/v1/admin/users"), 401, "not_authenticated")


def test_admin_lists_users_in_pages(client):
    admin = register(client, "admin@example.com")
    for number in range(3):
        register(client, f"user{number}@example.com")
    response = client.get("/api/v1/admin/users", params={"page": 2, "page_size": 3}, headers=bearer(admin))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "total", "page", "page_size"}
    assert body["total"] == 4
    assert body["page"] == 2
    assert body["page_size"] == 3
    assert len(body["items"]) == 1
    filtered = client.get("/api/v1/admin/users", params={"q": "user1"}, headers=bearer(admin)).json()
    assert [item["email"] for item in filtered["items"]] == ["user1@example.com"]


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 101}, {"page_size": 0}, {"page": "x"}])
def test_admin_pagination_out_of_range_is_422(client, params):
    admin = register(client, "admin@example.com")
    response = client.get("/api/v1/admin/users", params=params, headers=bearer(admin))
    assert_error(response, 422, "invalid")


def test_admin_creates_users_and_a_duplicate_is_409(client):
    admin = register(client, "admin@example.com")
    payload = {"email": "new@example.com", "password": PASSWORD, "role": "user", "display_name": "New"}
    created = client.post("/api/v1/admin/users", json=payload, headers=bearer(admin))
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "new@example.com"
    assert created.json()["role"] == "user"
    assert login(client, "new@example.com")["user"]["display_name"] == "New"
    duplicate = client.post("/api/v1/admin/users", json={**payload, "email": "NEW@example.com"}, headers=bearer(admin))
    assert_error(duplicate, 409, "email_taken")


def test_admin_promotes_and_disables_a_user(client):
    # Given an admin and a logged-in user
    admin = register(client, "admin@example.com")
    user = register(client, "user@example.com")
    user_id = user["user"]["id"]
    # When the admin makes them admin
    promoted = client.patch(f"/api/v1/admin/users/{user_id}", json={"role": "admin"}, headers=bearer(admin))
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["role"] == "admin"
    # And then disables them
    disabled = client.patch(f"/api/v1/admin/users/{user_id}", json={"disabled": True}, headers=bearer(admin))
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["disabled"] is True
    # Then their token stops working and they cannot log in
    assert_error(client.get("/api/v1/auth/me", headers=bearer(user)), 401, "invalid_token")
    refused = client.post("/api/v1/auth/login", json={"email": "user@example.com", "password": PASSWORD})
    assert_error(refused, 403, "account_disabled")


def test_admin_cannot_demote_the_last_admin_over_http(client):
    admin = register(client, "admin@example.com")
    response = client.patch(f"/api/v1/admin/users/{admin['user']['id']}", json={"role": "user"}, headers=bearer(admin))
    assert_error(response, 409, "last_admin")


def test_admin_patch_of_an_unknown_user_is_404(client):
    admin = register(client, "admin@example.com")
    response = client.patch(f"/api/v1/admin/users/{uuid.uuid4()}", json={"role": "admin"}, headers=bearer(admin))
    assert_error(response, 404, "not_found")


def test_admin_closes_registration(client):
    # Given an admin
    admin = register(client, "admin@example.com")
    assert client.get("/api/v1/admin/settings", headers=bearer(admin)).json() == {"registration_open": True}
    # When registration is closed
    response = client.patch("/api/v1/admin/settings", json={"registration_open": False}, headers=bearer(admin))
    assert response.status_code == 200
    assert response.json() == {"registration_open": False}
    assert client.get("/api/v1/admin/settings", headers=bearer(admin)).json() == {"registration_open": False}
    # Then self-service registration is refused
    refused = client.post("/api/v1/auth/register", json={"email": "late@example.com", "password": PASSWORD})
    assert_error(refused, 403, "registration_closed")


# --- Browser cookie + CSRF --------------------------------------------------------------------------


def test_browser_login_sets_an_httponly_lax_cookie_and_redirects(client):
    # Given an account
    register(client, "a@example.com")
    # When the login form is posted from the app's origin
    response = browser_login(client, "a@example.com")
    # Then it redirects to next with the session and theme cookies
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver.local/app/library"
    cookies = set_cookies(response)
    session = cookies["seen_session"]["seen_session"]
    assert session.value
    assert session["httponly"] is True
    assert session["samesite"].lower() == "lax"
    assert session["path"] == "/"
    assert cookies["seen_theme"]["seen_theme"].value == "dark"


def test_browser_login_with_a_wrong_password_goes_back_without_a_cookie(client):
    register(client, "a@example.com")
    response = browser_login(client, "a@example.com", "wrong password", next="")
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver.local/login?error=invalid_credentials"
    assert "seen_session" not in set_cookies(response)


def test_browser_login_from_a_foreign_origin_is_refused(client):
    register(client, "a@example.com")
    response = client.post(
        "/api/v1/auth/browser/login",
        data={"email": "a@example.com", "password": PASSWORD},
        headers={"Origin": EVIL_ORIGIN},
        follow_redirects=False,
    )
    assert_error(response, 403, "csrf_failed")
    assert "seen_session" not in set_cookies(response)


def test_browser_login_submitted_before_the_page_filled_next_still_goes_there(client):
    # Given a login page opened at /login?next=/app/admin whose hidden field was still empty on submit
    register(client, "a@example.com")
    response = client.post(
        "/api/v1/auth/browser/login",
        data={"email": "a@example.com", "password": PASSWORD, "next": ""},
        headers={"Origin": ORIGIN, "Referer": f"{ORIGIN}/login?next=%2Fapp%2Fadmin"},
        follow_redirects=False,
    )
    client.cookies.clear()
    # Then the redirect still goes where the person was going; a foreign or unsafe target never does
    assert response.headers["location"] == "http://testserver.local/app/admin"
    unsafe = client.post(
        "/api/v1/auth/browser/login",
        data={"email": "a@example.com", "password": PASSWORD},
        headers={"Origin": ORIGIN, "Referer": f"{ORIGIN}/login?next=//evil.example"},
        follow_redirects=False,
    )
    client.cookies.clear()
    assert unsafe.headers["location"] == "http://testserver.local/app/dashboard"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil.example", ""])
def test_browser_login_never_redirects_off_site(client, target):
    register(client, "a@example.com")
    response = browser_login(client, "a@example.com", next=target)
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver.local/app/dashboard"


def test_cookie_session_reads_and_needs_csrf_to_write(client):
    # Given a browser login
    register(client, "a@example.com")
    token = session_cookie(browser_login(client, "a@example.com"))
    cookie = cookie_header(token)
    # When it reads
    me = client.get("/api/v1/auth/me", headers=cookie)
    # Then the cookie authenticates
    assert me.status_code == 200
    assert me.json()["email"] == "a@example.com"
    sessions = client.get("/api/v1/auth/sessions", headers=cookie).json()["items"]
    current = [item for item in sessions if item["current"]]
    assert len(current) == 1
    assert current[0]["kind"] == "browser"
    csrf = csrf_token_for(uuid.UUID(current[0]["id"]))
    # And a write without the CSRF token is refused
    no_token = client.patch("/api/v1/auth/me", json={"theme": "light"}, headers={**cookie, "Origin": ORIGIN})
    assert_error(no_token, 403, "csrf_failed")
    wrong_token = client.patch(
        "/api/v1/auth/me",
        json={"theme": "light"},
        headers={**cookie, "Origin": ORIGIN, "X-CSRF-Token": csrf_token_for(uuid.uuid4())},
    )
    assert_error(wrong_token, 403, "csrf_failed")
    # And the right token from a foreign origin is refused too
    foreign = client.patch(
        "/api/v1/auth/me", json={"theme": "light"}, headers={**cookie, "Origin": EVIL_ORIGIN, "X-CSRF-Token": csrf}
    )
    assert_error(foreign, 403, "csrf_failed")
    assert client.get("/api/v1/auth/me", headers=cookie).json()["theme"] == "dark"
    # And the right token from the app's origin works
    allowed = client.patch(
        "/api/v1/auth/me", json={"theme": "light"}, headers={**cookie, "Origin": ORIGIN, "X-CSRF-Token": csrf}
    )
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["theme"] == "light"


def test_browser_logout_clears_the_cookie_and_ends_the_session(client):
    # Given a browser login and its CSRF token
    register(client, "a@example.com")
    token = session_cookie(browser_login(client, "a@example.com"))
    cookie = cookie_header(token)
    current = next(item for item in client.get("/api/v1/auth/sessions", headers=cookie).json()["items"])
    csrf = csrf_token_for(uuid.UUID(current["id"]))
    # When the logout form is posted
    response = client.post(
        "/api/v1/auth/browser/logout",
        data={"csrf_token": csrf},
        headers={**cookie, "Origin": ORIGIN},
        follow_redirects=False,
    )
    client.cookies.clear()
    # Then it redirects to the login page, clears the cookie, and the old cookie is dead
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver.local/login?signed_out=1"
    cleared = set_cookies(response)["seen_session"]["seen_session"]
    assert cleared.value == ""
    assert cleared["max-age"] == "0"
    assert_error(client.get("/api/v1/auth/me", headers=cookie), 401, "not_authenticated")


def test_browser_logout_without_the_csrf_token_keeps_the_session(client):
    register(client, "a@example.com")
    token = session_cookie(browser_login(client, "a@example.com"))
    cookie = cookie_header(token)
    response = client.post(
        "/api/v1/auth/browser/logout",
        data={"csrf_token": "forged"},
        headers={**cookie, "Origin": ORIGIN},
        follow_redirects=False,
    )
    client.cookies.clear()
    assert response.status_code == 303
    assert client.get("/api/v1/auth/me", headers=cookie).status_code == 200


# --- OpenAPI ----------------------------------------------------------------------------------------


def test_openapi_lists_the_routes(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/auth/login", "/api/v1/admin/users", "/api/v1/health/ready"):
        assert path in paths
    # The browser form endpoints are not part of the public API
    assert "/api/v1/auth/browser/login" not in paths


def test_form_redirects_stay_relative_when_pages_and_api_share_an_origin(client, settings_env, api_base_url):
    # Given the production layout: the form is posted from the API's own origin
    settings_env(EXTRA_ALLOWED_ORIGINS=f'["{api_base_url}"]')
    client.post("/api/v1/auth/register", json={"email": "same@example.com", "password": "password123"})
    # When the browser logs in through the form
    response = client.post(
        "/api/v1/auth/browser/login",
        data={"email": "same@example.com", "password": "password123", "next": "/app/movies"},
        headers={"Origin": api_base_url},
        follow_redirects=False,
    )
    # Then the redirect is a plain path on the same origin
    assert response.status_code == 303
    assert response.headers["location"] == "/app/movies"
