"""Password hashing and the signed tokens: opaque session tokens, access tokens, CSRF tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass

import bcrypt

from seen.config import get_settings


def _prehash(password: str) -> bytes:
    # bcrypt reads at most 72 bytes; hashing first lets every character of a long passphrase count.
    return base64.b64encode(hashlib.sha256(password.encode()).digest())


def hash_password(password: str) -> str:
    rounds = get_settings().bcrypt_rounds
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode()


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(_prehash(password), password_hash.encode())
    except ValueError:
        return False


# A real hash to check against when the account does not exist, so timing does not reveal emails.
_DUMMY_HASH = bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(4)).decode()


def burn_password_check(password: str) -> None:
    verify_password(password, _DUMMY_HASH)


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(message: bytes, purpose: str) -> bytes:
    key = get_settings().resolved_secret_key.encode()
    return hmac.new(key, purpose.encode() + b"\0" + message, hashlib.sha256).digest()


@dataclass(frozen=True)
class AccessClaims:
    session_id: uuid.UUID
    user_id: uuid.UUID
    expires_at: int


def issue_access_token(*, session_id: uuid.UUID, user_id: uuid.UUID) -> tuple[str, int]:
    ttl = get_settings().access_token_ttl_seconds
    payload = json.dumps(
        {"sid": str(session_id), "uid": str(user_id), "exp": int(time.time()) + ttl},
        separators=(",", ":"),
    ).encode()
    return f"{_b64(payload)}.{_b64(_sign(payload, 'access'))}", ttl


def read_access_token(token: str) -> AccessClaims | None:
    """The claims of a well-signed, unexpired access token, else None."""
    try:
        payload_part, signature_part = token.split(".")
        payload = _unb64(payload_part)
        if not hmac.compare_digest(_unb64(signature_part), _sign(payload, "access")):
            return None
        data = json.loads(payload)
        claims = AccessClaims(uuid.UUID(data["sid"]), uuid.UUID(data["uid"]), int(data["exp"]))
    except (ValueError, KeyError, TypeError):
        return None
    return claims if claims.expires_at > time.time() else None


def csrf_token_for(session_id: uuid.UUID) -> str:
    """The CSRF token of a browser session: derived, so nothing more is stored."""
    return _b64(_sign(str(session_id).encode(), "csrf"))


def csrf_token_matches(session_id: uuid.UUID, candidate: str) -> bool:
    return bool(candidate) and hmac.compare_digest(csrf_token_for(session_id), candidate)
