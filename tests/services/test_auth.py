"""Accounts, logins, sessions and tokens, on a real database (SQLite, and PostgreSQL + Redis when configured)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from seen.db import session_scope
from seen.models.base import utcnow
from seen.models.users import AuthSession, Role, User
from seen.services import app_settings, auth, users
from seen.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Throttled, Unauthorized

PASSWORD = "correct horse battery"
IP = "10.0.0.1"


def make_user(session: Session, email: str, *, password: str = PASSWORD, role: Role | None = None) -> User:
    user = auth.create_user(session=session, email=email, password=password, role=role)
    session.commit()
    return user


def session_row(session: Session, auth_session_id: uuid.UUID) -> AuthSession:
    row = session.get(AuthSession, auth_session_id)
    assert row is not None
    session.refresh(row)
    return row


def flip_char(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


# --- Registration ---------------------------------------------------------------------------------


def test_first_account_is_admin_even_when_user_role_asked_and_second_is_user(session):
    # Given an empty database
    # When two accounts are created, both asking for the user role
    first = auth.create_user(session=session, email="first@example.com", password=PASSWORD, role=Role.USER)
    second = auth.create_user(session=session, email="second@example.com", password=PASSWORD, role=Role.USER)
    session.commit()
    # Then the first one is the admin and the second a plain user
    assert first.role == Role.ADMIN
    assert second.role == Role.USER


def test_register_refuses_when_registration_is_closed(session):
    # Given an existing account and registration closed by an admin
    make_user(session, "admin@example.com")
    app_settings.set_registration_open(session=session, is_open=False)
    session.commit()
    # When someone registers
    with pytest.raises(Forbidden) as caught:
        auth.register(session=session, email="new@example.com", password=PASSWORD)
    # Then they are refused with a code the pages can word
    assert caught.value.code == "registration_closed"
    assert auth.find_user_by_email(session=session, email="new@example.com") is None


def test_register_always_allows_the_very_first_account(session):
    # Given registration closed in the database before anyone exists
    app_settings.set_registration_open(session=session, is_open=False)
    session.commit()
    # When the first person registers
    user = auth.register(session=session, email="owner@example.com", password=PASSWORD)
    session.commit()
    # Then the account exists and is the admin
    assert user.role == Role.ADMIN
    assert auth.user_count(session=session) == 1


def test_database_setting_overrides_the_environment_default(session, settings_env):
    # Given the environment closes registration and a first account exists
    settings_env(REGISTRATION_OPEN="false")
    make_user(session, "owner@example.com")
    assert app_settings.registration_open(session=session) is False
    with pytest.raises(Forbidden):
        auth.register(session=session, email="early@example.com", password=PASSWORD)
    # When an admin opens registration in the database
    app_settings.set_registration_open(session=session, is_open=True)
    session.commit()
    # Then registering works despite the environment
    assert app_settings.registration_open(session=session) is True
    user = auth.register(session=session, email="late@example.com", password=PASSWORD)
    assert user.role == Role.USER


def test_database_setting_can_close_what_the_environment_opens(session, settings_env):
    settings_env(REGISTRATION_OPEN="true")
    make_user(session, "owner@example.com")
    app_settings.set_registration_open(session=session, is_open=False)
    session.commit()
    assert app_settings.registration_open(session=session) is False
    with pytest.raises(Forbidden):
        auth.register(session=session, email="x@example.com", password=PASSWORD)


@pytest.mark.parametrize("duplicate", ["taken@example.com", "TAKEN@Example.COM", "  taken@example.com  "])
def test_duplicate_email_is_a_conflict(session, duplicate):
    # Given an account
    make_user(session, "taken@example.com")
    # When another uses the same email in another case or with spaces
    with pytest.raises(Conflict) as caught:
        auth.create_user(session=session, email=duplicate, password=PASSWORD)
    # Then it is refused as taken
    assert caught.value.code == "email_taken"
    assert auth.user_count(session=session) == 1


def test_email_is_stored_normalised(session):
    user = make_user(session, "  Mixed.Case@Example.COM ")
    assert user.email == "mixed.case@example.com"


@pytest.mark.parametrize("email", ["", "plainaddress", "a@b", "two@@example.com", "sp ace@example.com"])
def test_invalid_email_is_refused(session, email):
    with pytest.raises(InvalidInput) as caught:
        auth.create_user(session=session, email=email, password=PASSWORD)
    assert caught.value.code == "invalid_email"


def test_short_password_is_refused(session):
    with pytest.raises(InvalidInput) as caught:
        auth.create_user(session=session, email="a@example.com", password="short7!")
    assert caught.value.code == "weak_password"


def test_password_over_1024_chars_is_refused_but_1024_is_accepted(session):
    with pytest.raises(InvalidInput) as caught:
        auth.create_user(session=session, email="a@example.com", password="x" * 1025)
    assert caught.value.code == "invalid_password"
    user = auth.create_user(session=session, email="b@example.com", password="x" * 1024)
    assert user.email == "b@example.com"


def test_passwords_are_stored_as_bcrypt_hashes(session):
    # When an account is created
    user = make_user(session, "a@example.com")
    # Then only a bcrypt hash is stored
    stored = session.exec(select(User.password_hash).where(User.id == user.id)).one()
    assert stored.startswith("$2")
    assert PASSWORD not in stored


# --- Logging in -------------------------------------------------------------------------------------


def test_authenticate_with_the_right_password_returns_the_user(session):
    user = make_user(session, "a@example.com")
    found = auth.authenticate(session=session, email=" A@Example.com ", password=PASSWORD, client_ip=IP)
    assert found.id == user.id
    assert found.last_login_at is not None


def test_authenticate_with_a_wrong_password_is_unauthorized(session):
    make_user(session, "a@example.com")
    with pytest.raises(Unauthorized) as caught:
        auth.authenticate(session=session, email="a@example.com", password="wrong password", client_ip=IP)
    assert caught.value.code == "invalid_credentials"


def test_authenticate_with_an_unknown_email_is_unauthorized(session):
    make_user(session, "a@example.com")
    with pytest.raises(Unauthorized) as caught:
        auth.authenticate(session=session, email="nobody@example.com", password=PASSWORD, client_ip=IP)
    assert caught.value.code == "invalid_credentials"


def test_account_is_throttled_after_too_many_failures_even_with_the_right_password(session, settings_env):
    # Given an account that allows three failures
    settings_env(LOGIN_MAX_FAILURES_PER_ACCOUNT="3")
    make_user(session, "a@example.com")
    # When three wrong passwords are tried
    for _ in range(3):
        with pytest.raises(Unauthorized):
            auth.authenticate(session=session, email="a@example.com", password="wrong password", client_ip=IP)
    # Then even the right password is throttled, with a wait
    with pytest.raises(Throttled) as caught:
        auth.authenticate(session=session, email="a@example.com", password=PASSWORD, client_ip=IP)
    assert caught.value.retry_after > 0
    assert caught.value.code == "too_many_attempts"


def test_address_is_throttled_across_emails_while_another_address_still_logs_in(session, settings_env):
    # Given an address limit of four failures
    settings_env(LOGIN_MAX_FAILURES_PER_IP="4")
    make_user(session, "a@example.com")
    # When one address fails with four different emails
    for number in range(4):
        with pytest.raises(Unauthorized):
            auth.authenticate(
                session=session, email=f"guess{number}@example.com", password="wrong password", client_ip=IP
            )
    # Then that address is throttled even for a real account with its right password
    with pytest.raises(Throttled) as caught:
        auth.authenticate(session=session, email="a@example.com", password=PASSWORD, client_ip=IP)
    assert caught.value.retry_after > 0
    # And another address still logs in
    user = auth.authenticate(session=session, email="a@example.com", password=PASSWORD, client_ip="10.0.0.2")
    assert user.email == "a@example.com"


def test_a_successful_login_clears_the_account_failures(session, settings_env):
    # Given an account limit of three and two failures
    settings_env(LOGIN_MAX_FAILURES_PER_ACCOUNT="3")
    make_user(session, "a@example.com")
    for _ in range(2):
        with pytest.raises(Unauthorized):
            auth.authenticate(session=session, email="a@example.com", password="wrong password", client_ip=IP)
    # When the right password is given
    auth.authenticate(session=session, email="a@example.com", password=PASSWORD, client_ip=IP)
    # Then two more failures do not reach the limit
    for _ in range(2):
        with pytest.raises(Unauthorized):
            auth.authenticate(session=session, email="a@example.com", password="wrong password", client_ip=IP)
    user = auth.authenticate(session=session, email="a@example.com", password=PASSWORD, client_ip=IP)
    assert user.email == "a@example.com"


def test_disabled_user_cannot_log_in(session):
    # Given a disabled account
    make_user(session, "admin@example.com")
    user = make_user(session, "user@example.com")
    user.is_disabled = True
    session.add(user)
    session.commit()
    # When it logs in with the right password
    with pytest.raises(Forbidden) as caught:
        auth.authenticate(session=session, email="user@example.com", password=PASSWORD, client_ip=IP)
    # Then it is told the account is disabled
    assert caught.value.code == "account_disabled"


# --- Browser sessions -------------------------------------------------------------------------------


def test_browser_session_resolves_to_its_user(session):
    user = make_user(session, "a@example.com")
    auth_session, token = auth.start_browser_session(session=session, user=user, user_agent="UA", client_ip=IP)
    session.commit()
    found = auth.resolve_browser_session(session=session, token=token)
    assert found is not None
    assert found.user.id == user.id
    assert found.auth_session.id == auth_session.id
    # Only the token's hash is stored
    assert session_row(session, auth_session.id).token_hash != token


def test_browser_session_with_a_wrong_token_is_nobody(session):
    user = make_user(session, "a@example.com")
    _, token = auth.start_browser_session(session=session, user=user)
    session.commit()
    assert auth.resolve_browser_session(session=session, token=token + "x") is None
    assert auth.resolve_browser_session(session=session, token="") is None


def test_revoked_browser_session_is_nobody(session):
    user = make_user(session, "a@example.com")
    auth_session, token = auth.start_browser_session(session=session, user=user)
    session.commit()
    auth.end_session(session=session, auth_session_id=auth_session.id)
    session.commit()
    assert auth.resolve_browser_session(session=session, token=token) is None


def test_expired_browser_session_is_nobody(session):
    user = make_user(session, "a@example.com")
    auth_session, token = auth.start_browser_session(session=session, user=user)
    auth_session.expires_at = utcnow() - timedelta(minutes=1)
    session.add(auth_session)
    session.commit()
    assert auth.resolve_browser_session(session=session, token=token) is None


def test_api_refresh_token_is_not_a_browser_session(session):
    user = make_user(session, "a@example.com")
    pair = auth.start_api_session(session=session, user=user)
    session.commit()
    assert auth.resolve_browser_session(session=session, token=pair.refresh_token) is None


# --- Access and refresh tokens ----------------------------------------------------------------------


def test_access_token_resolves_to_its_user_and_session(session):
    user = make_user(session, "a@example.com")
    pair = auth.start_api_session(session=session, user=user)
    session.commit()
    found = auth.resolve_access_token(session=session, token=pair.access_token)
    assert found is not None
    assert found.user.id == user.id
    assert found.auth_session.id == pair.session_id
    assert pair.expires_in > 0


def test_tampered_access_token_is_refused(session):
    user = make_user(session, "a@example.com")
    pair = auth.start_api_session(session=session, user=user)
    session.commit()
    payload, signature = pair.access_token.split(".")
    tampered = f"{payload}.{flip_char(signature, len(signature) // 2)}"
    assert tampered != pair.access_token
    assert auth.resolve_access_token(session=session, token=tampered) is None
    assert auth.resolve_access_token(session=session, token="not-a-token") is None


def test_access_token_of_a_revoked_session_is_refused(session):
    user = make_user(session, "a@example.com")
    pair = auth.start_api_session(session=session, user=user)
    session.commit()
    auth.end_session(session=session, auth_session_id=pair.session_id)
    session.commit()
    assert auth.resolve_access_token(session=session, token=pair.access_token) is None


def test_access_token_signed_with_another_secret_key_is_refused(session, settings_env):
    # Given a token issued under one key
    user = make_user(session, "a@example.com")
    pair = auth.start_api_session(session=session, user=user)
    session.commit()
    assert auth.resolve_access_token(session=session, token=pair.access_token) is not None
    # When the server's key changes
    settings_env(SECRET_KEY="another-secret-" + uuid.uuid4().hex)
    # Then the token no longer resolves
    assert auth.resolve_access_token(session=session, token=pair.access_token) is None


def test_refresh_rotates_the_refresh_token(session):
    # Given an API session
    user = make_user(session, "a@example.com")
    first = auth.start_api_session(session=session, user=user)
    session.commit()
    # When it is refreshed
    second = auth.refresh(session=session, refresh_token=first.refresh_token)
    session.commit()
    # Then the pair is new, for the same session, and the new access token works
    assert second.refresh_token != first.refresh_token
    assert second.session_id == first.session_id
    assert auth.resolve_access_token(session=session, token=second.access_token) is not None
    # And the new refresh token works once more
    third = auth.refresh(session=session, refresh_token=second.refresh_token)
    session.commit()
    assert third.refresh_token not in {first.refresh_token, second.refresh_token}


def test_old_refresh_token_fails_and_replaying_it_revokes_the_session(session):
    # Given a session refreshed once
    user = make_user(session, "a@example.com")
    first = auth.start_api_session(session=session, user=user)
    session.commit()
    second = auth.refresh(session=session, refresh_token=first.refresh_token)
    session.commit()
    # When the old refresh token is presented again
    with pytest.raises(Unauthorized):
        auth.refresh(session=session, refresh_token=first.refresh_token)
    session.commit()
    # Then the whole session is ended: the new refresh token and access token fail too
    assert session_row(session, first.session_id).revoked_at is not None
    with pytest.raises(Unauthorized):
        auth.refresh(session=session, refresh_token=second.refresh_token)
    assert auth.resolve_access_token(session=session, token=second.access_token) is None


def test_replay_revocation_survives_the_unit_of_work(session):
    # Given a session refreshed once
    user = make_user(session, "a@example.com")
    first = auth.start_api_session(session=session, user=user)
    session.commit()
    second = auth.refresh(session=session, refresh_token=first.refresh_token)
    session.commit()
    # When the old refresh token is replayed through the unit of work every adapter uses
    with pytest.raises(Unauthorized), session_scope() as replay:
        auth.refresh(session=replay, refresh_token=first.refresh_token)
    # Then the session is revoked for good
    with session_scope() as later, pytest.raises(Unauthorized):
        auth.refresh(session=later, refresh_token=second.refresh_token)


def test_refresh_with_an_unknown_token_is_unauthorized(session):
    make_user(session, "a@example.com")
    with pytest.raises(Unauthorized) as caught:
        auth.refresh(session=session, refresh_token="made-up")
    assert caught.value.code == "invalid_refresh_token"


def test_refresh_of_an_ended_session_is_unauthorized(session):
    user = make_user(session, "a@example.com")
    pair = auth.start_api_session(session=session, user=user)
    session.commit()
    auth.end_session(session=session, auth_session_id=pair.session_id)
    session.commit()
    with pytest.raises(Unauthorized) as caught:
        auth.refresh(session=session, refresh_token=pair.refresh_token)
    assert caught.value.code == "session_ended"


# --- Passwords and sessions -------------------------------------------------------------------------


def test_change_password_with_the_wrong_current_password_is_refused(session):
    user = make_user(session, "a@example.com")
    with pytest.raises(InvalidInput) as caught:
        auth.change_password(
            session=session, user=user, current_password="not it", new_password="new password 1", keep_session_id=None
        )
    assert caught.value.code == "wrong_password"
    assert auth.authenticate(session=session, email="a@example.com", password=PASSWORD, client_ip=IP)


def test_change_password_ends_every_other_session_and_the_new_password_works(session):
    # Given a user with three sessions
    user = make_user(session, "a@example.com")
    kept = auth.start_api_session(session=session, user=user)
    other_api = auth.start_api_session(session=session, user=user)
    other_browser, other_cookie = auth.start_browser_session(session=session, user=user)
    session.commit()
    # When the password is changed from one of them
    ended = auth.change_password(
        session=session,
        user=user,
        current_password=PASSWORD,
        new_password="a brand new password",
        keep_session_id=kept.session_id,
    )
    session.commit()
    # Then the two others are ended and the current one stays
    assert ended == 2
    assert auth.resolve_access_token(session=session, token=kept.access_token) is not None
    assert auth.resolve_access_token(session=session, token=other_api.access_token) is None
    assert auth.resolve_browser_session(session=session, token=other_cookie) is None
    assert session_row(session, other_browser.id).revoked_at is not None
    # And only the new password logs in
    with pytest.raises(Unauthorized):
        auth.authenticate(session=session, email="a@example.com", password=PASSWORD, client_ip=IP)
    assert auth.authenticate(session=session, email="a@example.com", password="a brand new password", client_ip=IP)


def test_list_sessions_leaves_out_revoked_and_expired_ones(session):
    # Given a live, a revoked and an expired session
    user = make_user(session, "a@example.com")
    live = auth.start_api_session(session=session, user=user)
    revoked = auth.start_api_session(session=session, user=user)
    expired, _ = auth.start_browser_session(session=session, user=user)
    session.commit()
    auth.end_session(session=session, auth_session_id=revoked.session_id)
    expired.expires_at = utcnow() - timedelta(seconds=1)
    session.add(expired)
    session.commit()
    # When the user's sessions are listed
    listed = auth.list_sessions(session=session, user_id=user.id)
    # Then only the live one is there
    assert [row.id for row in listed] == [live.session_id]


def test_revoking_another_users_session_is_not_found(session):
    # Given two users
    alice = make_user(session, "alice@example.com")
    bob = make_user(session, "bob@example.com")
    bobs = auth.start_api_session(session=session, user=bob)
    session.commit()
    # When Alice tries to end Bob's session
    with pytest.raises(NotFound):
        auth.revoke_session(session=session, user_id=alice.id, auth_session_id=bobs.session_id)
    session.commit()
    # Then it is not found and Bob's session still works
    assert auth.resolve_access_token(session=session, token=bobs.access_token) is not None


def test_revoking_own_session_ends_it(session):
    user = make_user(session, "a@example.com")
    pair = auth.start_api_session(session=session, user=user)
    session.commit()
    auth.revoke_session(session=session, user_id=user.id, auth_session_id=pair.session_id)
    session.commit()
    assert auth.resolve_access_token(session=session, token=pair.access_token) is None
    with pytest.raises(NotFound):
        auth.revoke_session(session=session, user_id=user.id, auth_session_id=pair.session_id)
    with pytest.raises(NotFound):
        auth.revoke_session(session=session, user_id=user.id, auth_session_id=uuid.uuid4())


def test_purge_deletes_sessions_expired_or_revoked_over_a_week_ago(session):
    # Given sessions in every state
    user = make_user(session, "a@example.com")
    now = utcnow()
    states = {
        "live": {},
        "expired_long_ago": {"expires_at": now - timedelta(days=8)},
        "expired_yesterday": {"expires_at": now - timedelta(days=1)},
        "revoked_long_ago": {"revoked_at": now - timedelta(days=8)},
        "revoked_yesterday": {"revoked_at": now - timedelta(days=1)},
    }
    ids = {}
    for name, values in states.items():
        row, _ = auth.start_browser_session(session=session, user=user)
        for field, value in values.items():
            setattr(row, field, value)
        session.add(row)
        ids[name] = row.id
    session.commit()
    # When the purge runs
    removed = auth.purge_expired_sessions(session=session)
    session.commit()
    session.expunge_all()
    # Then only the ones past the week are gone
    assert removed == 2
    remaining = set(session.exec(select(AuthSession.id)).all())
    assert remaining == {ids["live"], ids["expired_yesterday"], ids["revoked_yesterday"]}


# --- Admin on users ---------------------------------------------------------------------------------


def test_the_last_active_admin_cannot_be_demoted_or_disabled(session):
    # Given one admin and one user
    admin = make_user(session, "admin@example.com")
    make_user(session, "user@example.com")
    # When the admin is demoted or disabled
    with pytest.raises(Conflict) as demoted:
        users.update_user(session=session, actor=admin, user_id=admin.id, role=Role.USER)
    with pytest.raises(Conflict) as disabled:
        users.update_user(session=session, actor=admin, user_id=admin.id, is_disabled=True)
    # Then both are refused and the admin stays
    assert demoted.value.code == "last_admin"
    assert disabled.value.code == "last_admin"
    session.refresh(admin)
    assert admin.role == Role.ADMIN
    assert admin.is_disabled is False


def test_a_disabled_admin_does_not_count_as_an_active_admin(session):
    # Given two admins, one of them disabled
    admin = make_user(session, "admin@example.com")
    other = make_user(session, "other@example.com", role=Role.ADMIN)
    users.update_user(session=session, actor=admin, user_id=other.id, is_disabled=True)
    session.commit()
    # When the active one is demoted
    with pytest.raises(Conflict) as caught:
        users.update_user(session=session, actor=admin, user_id=admin.id, role=Role.USER)
    # Then it is refused: it is the last active admin
    assert caught.value.code == "last_admin"


def test_an_admin_can_be_demoted_when_another_admin_remains(session):
    admin = make_user(session, "admin@example.com")
    other = make_user(session, "other@example.com", role=Role.ADMIN)
    updated = users.update_user(session=session, actor=admin, user_id=other.id, role=Role.USER)
    session.commit()
    assert updated.role == Role.USER


def test_an_admin_cannot_disable_themself(session):
    # Given two admins (so the last-admin rule is not what refuses)
    admin = make_user(session, "admin@example.com")
    make_user(session, "other@example.com", role=Role.ADMIN)
    # When an admin disables their own account
    with pytest.raises(Conflict) as caught:
        users.update_user(session=session, actor=admin, user_id=admin.id, is_disabled=True)
    # Then it is refused
    assert caught.value.code == "self_disable"
    session.refresh(admin)
    assert admin.is_disabled is False


def test_disabling_a_user_ends_their_sessions(session):
    # Given a user logged in twice
    admin = make_user(session, "admin@example.com")
    user = make_user(session, "user@example.com")
    pair = auth.start_api_session(session=session, user=user)
    browser, cookie = auth.start_browser_session(session=session, user=user)
    session.commit()
    # When an admin disables them
    updated = users.update_user(session=session, actor=admin, user_id=user.id, is_disabled=True)
    session.commit()
    # Then both sessions are revoked
    assert updated.is_disabled is True
    assert session_row(session, pair.session_id).revoked_at is not None
    assert session_row(session, browser.id).revoked_at is not None
    assert auth.resolve_access_token(session=session, token=pair.access_token) is None
    assert auth.resolve_browser_session(session=session, token=cookie) is None


def test_update_user_with_an_unknown_id_is_not_found(session):
    admin = make_user(session, "admin@example.com")
    with pytest.raises(NotFound):
        users.update_user(session=session, actor=admin, user_id=uuid.uuid4(), role=Role.ADMIN)


def test_update_user_with_an_unknown_role_is_invalid(session):
    admin = make_user(session, "admin@example.com")
    user = make_user(session, "user@example.com")
    with pytest.raises(InvalidInput):
        users.update_user(session=session, actor=admin, user_id=user.id, role="superuser")


def test_list_users_pages_and_counts(session):
    # Given five users
    for number in range(5):
        make_user(session, f"user{number}@example.com")
    # When they are listed two per page
    pages = [users.list_users(session=session, page=page, page_size=2) for page in (1, 2, 3, 4)]
    # Then every page knows the total and the pages hold 2, 2, 1 and 0 users, each once
    assert [page.total for page in pages] == [5, 5, 5, 5]
    assert [len(page.items) for page in pages] == [2, 2, 1, 0]
    emails = [user.email for page in pages for user in page.items]
    assert sorted(emails) == [f"user{number}@example.com" for number in range(5)]


def test_list_users_filters_by_email_or_display_name(session):
    # Given users with different emails and names
    make_user(session, "alice@example.com")
    bob = make_user(session, "bob@example.org")
    carol = make_user(session, "carol@example.com")
    auth.update_profile(session=session, user=carol, display_name="Carol Zebra")
    session.commit()
    # When filtered
    by_email = users.list_users(session=session, page=1, page_size=20, query="EXAMPLE.ORG")
    by_name = users.list_users(session=session, page=1, page_size=20, query="zebra")
    nothing = users.list_users(session=session, page=1, page_size=20, query="nobody")
    # Then only the matching users come back, with their own total
    assert [u.id for u in by_email.items] == [bob.id]
    assert by_email.total == 1
    assert [u.id for u in by_name.items] == [carol.id]
    assert by_name.total == 1
    assert nothing.items == []
    assert nothing.total == 0
