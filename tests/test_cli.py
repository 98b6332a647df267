"""The `seen` operator command, run as a real subprocess on a SQLite database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "password123"


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("SEEN_")}
    env.update(
        SEEN_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}",
        SEEN_DATA_DIR=str(tmp_path),
        SEEN_BCRYPT_ROUNDS="4",
    )
    return env


@pytest.fixture
def seen(cli_env: dict[str, str], tmp_path: Path):
    """Run `python -m seen ...` (from a directory without a .env file) and return the finished process."""

    def run(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "seen", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**cli_env, **env},
            cwd=tmp_path,
            timeout=120,
        )

    return run


@pytest.fixture
def migrated(seen) -> None:
    result = seen("migrate")
    assert result.returncode == 0, result.stderr
    assert "database at head" in result.stdout


def test_create_user_makes_an_admin(seen, migrated):
    # When an admin is created with the password piped in
    result = seen("create-user", "a@example.com", "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    # Then it says so
    assert result.returncode == 0, result.stderr
    assert "created admin a@example.com" in result.stdout


def test_create_user_twice_fails_cleanly(seen, migrated):
    # Given an account
    assert seen("create-user", "a@example.com", "--admin", "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    # When the same email is created again
    result = seen("create-user", "A@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    # Then it exits 1 with a message and no traceback
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_create_user_with_a_short_password_fails_cleanly(seen, migrated):
    result = seen("create-user", "a@example.com", "--password-stdin", stdin="short\n")
    assert result.returncode == 1
    assert "at least 8 characters" in result.stderr
    assert "Traceback" not in result.stderr


def test_reset_password_sets_a_password_that_logs_in(seen, migrated, cli_env, tmp_path):
    # Given an account
    assert seen("create-user", "a@example.com", "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    # When its password is reset
    result = seen("reset-password", "a@example.com", "--password-stdin", stdin="another-password\n")
    # Then it succeeds and the new password is the one stored
    assert result.returncode == 0, result.stderr
    assert "password reset for a@example.com" in result.stdout
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "from seen.db import session_scope\n"
            "from seen.services import auth\n"
            "with session_scope() as s:\n"
            "    u = auth.find_user_by_email(session=s, email='a@example.com')\n"
            "    from seen.services.security import verify_password as v\n"
            "    print(v('another-password', u.password_hash), v('password123', u.password_hash))\n",
        ],
        capture_output=True,
        text=True,
        env=cli_env,
        cwd=tmp_path,
        timeout=120,
    )
    assert check.stdout.strip() == "True False", check.stderr


def test_reset_password_of_an_unknown_email_fails_cleanly(seen, migrated):
    result = seen("reset-password", "nobody@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    assert result.returncode == 1
    assert "nobody@example.com" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_masks_the_secret_key(seen):
    # Given a secret key in the environment
    result = seen("config", SEEN_SECRET_KEY="topsecret-xyz")
    # Then the configuration says it is set without showing it
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["SEEN_SECRET_KEY"] == "(set)"
    assert "topsecret-xyz" not in result.stdout
    assert shown["SEEN_BCRYPT_ROUNDS"] == 4
    assert shown["SEEN_DATABASE_URL"].startswith("sqlite:///")


def test_config_says_when_the_secret_key_is_unset(seen):
    result = seen("config")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["SEEN_SECRET_KEY"] == "(unset)"


def test_config_masks_the_database_password(seen):
    result = seen("config", SEEN_DATABASE_URL="postgresql://seen:dbpass-xyz@db.example:5432/seen")
    assert result.returncode == 0, result.stderr
    assert "dbpass-xyz" not in result.stdout
    assert json.loads(result.stdout)["SEEN_DATABASE_URL"] == "postgresql://seen:***@db.example:5432/seen"


def test_config_masks_the_redis_password(seen):
    result = seen("config", SEEN_REDIS_URL="redis://:redispass-xyz@cache.example:6379/0")
    assert result.returncode == 0, result.stderr
    assert "redispass-xyz" not in result.stdout


def test_the_seen_console_script_is_installed():
    # Given the virtualenv's bin directory
    script = Path(sys.executable).parent / "seen"
    # Then the console script is there and answers --help
    assert script.exists()
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for command in ("create-user", "reset-password", "migrate", "config"):
        assert command in result.stdout
