"""Settings from the environment, the generated secret key, password hashing and the signed tokens."""

from __future__ import annotations

import os
import stat
import time
import uuid
from pathlib import Path

import pytest

from seen import config
from seen.config import Settings
from seen.services import security


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """No SEEN_ variable from outside, no .env file, a fresh secret-key cache and settings."""
    for name in list(os.environ):
        if name.startswith("SEEN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    config._stored_secret.cache_clear()
    config.reset_settings()
    yield
    config._stored_secret.cache_clear()
    config.reset_settings()


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


# --- Settings ---------------------------------------------------------------------------------------


def test_settings_are_read_from_seen_prefixed_variables(monkeypatch):
    # Given prefixed and unprefixed variables
    monkeypatch.setenv("SEEN_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("SEEN_LOGIN_MAX_FAILURES_PER_IP", "7")
    monkeypatch.setenv("BCRYPT_ROUNDS", "5")
    # When the settings are read
    read = settings()
    # Then only the prefixed ones count
    assert read.log_level == "DEBUG"
    assert read.login_max_failures_per_ip == 7
    assert read.bcrypt_rounds == 12


def test_settings_are_cached_until_reset(monkeypatch):
    monkeypatch.setenv("SEEN_LOG_LEVEL", "WARNING")
    first = config.get_settings()
    monkeypatch.setenv("SEEN_LOG_LEVEL", "ERROR")
    assert config.get_settings() is first
    config.reset_settings()
    assert config.get_settings().log_level == "ERROR"


def test_an_empty_secret_key_is_generated_once_into_the_data_dir(tmp_path):
    # Given no secret key configured
    data_dir = tmp_path / "data"
    # When the key is needed
    key = settings(data_dir=data_dir, secret_key="").resolved_secret_key
    # Then a long key is written to the data dir, readable by the owner only
    stored = data_dir / "secret_key"
    assert stored.read_text().strip() == key
    assert len(key) >= 32
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    # And it is reused after a restart
    config._stored_secret.cache_clear()
    assert settings(data_dir=data_dir, secret_key="").resolved_secret_key == key
    # And another data dir gets another key
    config._stored_secret.cache_clear()
    assert settings(data_dir=tmp_path / "other", secret_key="").resolved_secret_key != key


def test_a_configured_secret_key_wins_and_writes_nothing(tmp_path):
    assert settings(data_dir=tmp_path, secret_key="configured").resolved_secret_key == "configured"
    assert not (tmp_path / "secret_key").exists()


def test_an_empty_stored_secret_key_is_never_used(tmp_path):
    # Given a key file that something outside the app emptied
    (tmp_path / "secret_key").write_text("")
    # Then the app refuses to sign anything with it, and says what to do
    with pytest.raises(RuntimeError, match="no usable secret"):
        settings(data_dir=tmp_path, secret_key="").resolved_secret_key  # noqa: B018


def test_the_generated_key_file_is_never_left_half_written(tmp_path):
    key = settings(data_dir=tmp_path, secret_key="").resolved_secret_key
    assert len(key) >= 32
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_localhost_origins_include_the_other_loopback_spelling():
    read = settings(public_base_url="http://localhost:3000/")
    assert read.public_base_url == "http://localhost:3000"
    assert read.allowed_origins == ["http://localhost:3000", "http://127.0.0.1:3000"]


def test_a_public_host_allows_only_itself_and_the_extra_origins():
    read = settings(public_base_url="https://seen.example.org", extra_allowed_origins=["https://other.example"])
    assert read.allowed_origins == ["https://seen.example.org", "https://other.example"]


@pytest.mark.parametrize(
    ("base_url", "secure"),
    [("https://seen.example.org", True), ("http://seen.example.org", False), ("http://localhost:3000", False)],
)
def test_secure_cookies_only_over_https(base_url, secure):
    assert settings(public_base_url=base_url).secure_cookies is secure


def test_the_default_database_is_sqlite_in_the_data_dir(tmp_path):
    read = settings(data_dir=tmp_path / "data")
    assert read.resolved_database_url == f"sqlite:///{(tmp_path / 'data' / 'seen.db').resolve()}"
    assert settings(database_url="postgresql://x@h/db").resolved_database_url == "postgresql://x@h/db"


def test_the_embedded_worker_follows_redis_unless_set():
    assert settings().runs_embedded_worker is True
    assert settings(redis_url="redis://h:6379/0").runs_embedded_worker is False
    assert settings(redis_url="redis://h:6379/0", embedded_worker=True).runs_embedded_worker is True


# --- Passwords --------------------------------------------------------------------------------------


@pytest.fixture
def fast_bcrypt(monkeypatch):
    monkeypatch.setenv("SEEN_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("SEEN_SECRET_KEY", "unit-test-key")
    config.reset_settings()


def test_hash_and_verify_a_password(fast_bcrypt):
    hashed = security.hash_password("correct horse battery")
    assert hashed.startswith("$2")
    assert "correct horse battery" not in hashed
    assert security.verify_password("correct horse battery", hashed) is True
    assert security.verify_password("correct horse batterY", hashed) is False
    # Salted: the same password hashes differently each time
    assert security.hash_password("correct horse battery") != hashed


def test_every_character_of_a_long_passphrase_counts(fast_bcrypt):
    # Given a 200-character passphrase (far past bcrypt's 72 bytes)
    passphrase = "".join(chr(ord("a") + index % 26) for index in range(200))
    hashed = security.hash_password(passphrase)
    # When its 150th character is changed
    changed = passphrase[:149] + "#" + passphrase[150:]
    # Then verification fails: nothing was truncated
    assert security.verify_password(passphrase, hashed) is True
    assert security.verify_password(changed, hashed) is False


def test_verify_against_a_broken_hash_is_false(fast_bcrypt):
    assert security.verify_password("anything", "not-a-bcrypt-hash") is False


# --- Tokens -----------------------------------------------------------------------------------------


def test_access_token_round_trip_and_expiry(fast_bcrypt, monkeypatch):
    # Given a token issued at a fixed time
    issued_at = 1_800_000_000.0
    monkeypatch.setattr(time, "time", lambda: issued_at)
    session_id, user_id = uuid.uuid4(), uuid.uuid4()
    token, ttl = security.issue_access_token(session_id=session_id, user_id=user_id)
    # Then it reads back until its lifetime ends
    claims = security.read_access_token(token)
    assert claims is not None
    assert (claims.session_id, claims.user_id, claims.expires_at) == (session_id, user_id, int(issued_at) + ttl)
    monkeypatch.setattr(time, "time", lambda: issued_at + ttl - 1)
    assert security.read_access_token(token) is not None
    # And not after
    monkeypatch.setattr(time, "time", lambda: issued_at + ttl)
    assert security.read_access_token(token) is None


@pytest.mark.parametrize("token", ["", "no-dot", "a.b.c", "!!!.???", "e30.e30"])
def test_malformed_access_tokens_read_as_none(fast_bcrypt, token):
    assert security.read_access_token(token) is None


def test_csrf_token_matches_only_its_own_session(fast_bcrypt):
    session_id = uuid.uuid4()
    token = security.csrf_token_for(session_id)
    assert security.csrf_token_matches(session_id, token) is True
    assert security.csrf_token_matches(uuid.uuid4(), token) is False
    assert security.csrf_token_matches(session_id, "") is False
    assert security.csrf_token_matches(session_id, token[:-1]) is False


def test_csrf_token_depends_on_the_secret_key(fast_bcrypt, monkeypatch):
    session_id = uuid.uuid4()
    token = security.csrf_token_for(session_id)
    monkeypatch.setenv("SEEN_SECRET_KEY", "another-key")
    config.reset_settings()
    assert security.csrf_token_matches(session_id, token) is False
