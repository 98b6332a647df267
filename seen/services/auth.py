"""Accounts, logins and sessions: registration, login with throttling, tokens, profile, passwords."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, or_, update
from sqlmodel import Session, col, select

from seen.config import get_settings
from seen.models.base import as_utc, utcnow
from seen.models.users import AuthSession, Role, SessionKind, Theme, User
from seen.services import app_settings, throttle
from seen.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from seen.services.security import (
    burn_password_check,
    hash_password,
    issue_access_token,
    new_opaque_token,
    read_access_token,
    token_digest,
    verify_password,
)

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
PASSWORD_MAX_LENGTH = 1024
DISPLAY_NAME_MAX_LENGTH = 80
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True)
class Authenticated:
    user: User
    auth_session: AuthSession


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        raise InvalidInput("Enter a valid email address.", code="invalid_email")
    return email


def check_password_rules(password: str) -> None:
    minimum = get_settings().password_min_length
    if len(password or "") < minimum:
        raise InvalidInput(f"Use a password of at least {minimum} characters.", code="weak_password")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidInput("That password is too long.", code="invalid_password")


def clean_display_name(display_name: str | None) -> str:
    name = " ".join((display_name or "").split())
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise InvalidInput(f"Keep the name under {DISPLAY_NAME_MAX_LENGTH} characters.")
    return name


def user_count(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def get_user(*, session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def find_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def create_user(
    *, session: Session, email: str, password: str, display_name: str = "", role: Role | None = None
) -> User:
    """A new account. The very first account is an admin whatever role was asked for."""
    email = normalise_email(email)
    check_password_rules(password)
    if find_user_by_email(session=session, email=email):
        raise Conflict("An account with this email already exists.", code="email_taken")
    first = user_count(session=session) == 0
    user = User(
        email=email,
        display_name=clean_display_name(display_name) or email.split("@")[0],
        password_hash=hash_password(password),
        role=Role.ADMIN if first else (role or Role.USER),
    )
    session.add(user)
    session.flush()
    return user


def register(*, session: Session, email: str, password: str, display_name: str = "") -> User:
    """Self-service sign-up: allowed while registration is open, and always for the first account."""
    if user_count(session=session) > 0 and not app_settings.registration_open(session=session):
        raise Forbidden("Registration is closed. Ask an admin for an account.", code="registration_closed")
    return create_user(session=session, email=email, password=password, display_name=display_name)


def authenticate(*, session: Session, email: str, password: str, client_ip: str) -> User:
    """The user whose credentials these are. Throttled per account and per address."""
    email = (email or "").strip().lower()[:254]
    throttle.check_login_allowed(email=email, client_ip=client_ip)
    user = find_user_by_email(session=session, email=email) if email else None
    if user is None:
        burn_password_check(password or "")
        valid = False
    else:
        valid = verify_password((password or "")[:PASSWORD_MAX_LENGTH], user.password_hash)
    if not valid:
        throttle.record_login_failure(email=email, client_ip=client_ip)
        raise Unauthorized("Wrong email or password.", code="invalid_credentials")
    if user.is_disabled:
        raise Forbidden("This account is disabled. Ask an admin.", code="account_disabled")
    throttle.clear_account_failures(email=email)
    user.last_login_at = utcnow()
    session.add(user)
    return user


def _new_session(
    *, session: Session, user: User, kind: SessionKind, ttl: timedelta, user_agent: str, client_ip: str
) -> tuple[AuthSession, str]:
    token = new_opaque_token()
    now = utcnow()
    auth_session = AuthSession(
        user_id=user.id,
        kind=kind,
        token_hash=token_digest(token),
        user_agent=(user_agent or "")[:300],
        ip_address=(client_ip or "")[:64],
        created_at=now,
        last_used_at=now,
        expires_at=now + ttl,
    )
    session.add(auth_session)
    session.flush()
    return auth_session, token


def start_browser_session(
    *, session: Session, user: User, user_agent: str = "", client_ip: str = ""
) -> tuple[AuthSession, str]:
    """A cookie login; returns the session and the raw token for the cookie."""
    ttl = timedelta(days=get_settings().browser_session_ttl_days)
    return _new_session(
        session=session, user=user, kind=SessionKind.BROWSER, ttl=ttl, user_agent=user_agent, client_ip=client_ip
    )


def start_api_session(*, session: Session, user: User, user_agent: str = "", client_ip: str = "") -> TokenPair:
    ttl = timedelta(days=get_settings().refresh_token_ttl_days)
    auth_session, refresh_token = _new_session(
        session=session, user=user, kind=SessionKind.API, ttl=ttl, user_agent=user_agent, client_ip=client_ip
    )
    access_token, expires_in = issue_access_token(session_id=auth_session.id, user_id=user.id)
    return TokenPair(access_token, refresh_token, expires_in, auth_session.id, user.id)


def _is_live(auth_session: AuthSession, now: datetime) -> bool:
    return auth_session.revoked_at is None and as_utc(auth_session.expires_at) > now


def _touch(*, session: Session, auth_session: AuthSession, now: datetime) -> None:
    if now - as_utc(auth_session.last_used_at) >= LAST_USED_RESOLUTION:
        auth_session.last_used_at = now
        session.add(auth_session)


# Built once: these run on every authenticated request, and building the expression costs more than
# running it. The session and its enabled user come back in one query.
_SESSION_WITH_USER = select(AuthSession, User).join(User, col(User.id) == col(AuthSession.user_id))
_BY_ID = _SESSION_WITH_USER.where(
    col(AuthSession.id) == bindparam("session_id"), col(AuthSession.user_id) == bindparam("user_id")
)
_BY_BROWSER_TOKEN = _SESSION_WITH_USER.where(
    col(AuthSession.token_hash) == bindparam("token_hash"), col(AuthSession.kind) == SessionKind.BROWSER
)


def _authenticated(*, session: Session, statement, params: dict) -> Authenticated | None:
    row = session.exec(statement, params=params).first()
    if row is None:
        return None
    auth_session, user = row
    now = utcnow()
    if not _is_live(auth_session, now) or user.is_disabled:
        return None
    _touch(session=session, auth_session=auth_session, now=now)
    return Authenticated(user, auth_session)


def resolve_browser_session(*, session: Session, token: str) -> Authenticated | None:
    """Who holds this session cookie, if it is still valid."""
    if not token:
        return None
    return _authenticated(session=session, statement=_BY_BROWSER_TOKEN, params={"token_hash": token_digest(token)})


def resolve_access_token(*, session: Session, token: str) -> Authenticated | None:
    """Who holds this access token. Revoking the session ends its access tokens at once."""
    claims = read_access_token(token)
    if claims is None:
        return None
    return _authenticated(
        session=session, statement=_BY_ID, params={"session_id": claims.session_id, "user_id": claims.user_id}
    )


def refresh(*, session: Session, refresh_token: str) -> TokenPair:
    """Swap a refresh token for a new pair. A replayed old token revokes the whole session."""
    digest = token_digest(refresh_token or "")
    auth_session = session.exec(
        select(AuthSession).where(AuthSession.token_hash == digest, AuthSession.kind == SessionKind.API)
    ).first()
    if auth_session is None:
        replayed = session.exec(select(AuthSession).where(AuthSession.previous_token_hash == digest)).first()
        if replayed is not None and replayed.revoked_at is None:
            replayed.revoked_at = utcnow()
            session.add(replayed)
            # Commit now: the error raised below rolls the caller's unit of work back, and a stolen
            # token chain must stay revoked whatever happens to the rest of the request.
            session.commit()
        raise Unauthorized("This refresh token is not valid. Log in again.", code="invalid_refresh_token")
    authenticated = _authenticated(
        session=session, statement=_BY_ID, params={"session_id": auth_session.id, "user_id": auth_session.user_id}
    )
    if authenticated is None:
        raise Unauthorized("This session has ended. Log in again.", code="session_ended")
    new_refresh = new_opaque_token()
    auth_session.previous_token_hash = digest
    auth_session.token_hash = token_digest(new_refresh)
    auth_session.last_used_at = utcnow()
    session.add(auth_session)
    access_token, expires_in = issue_access_token(session_id=auth_session.id, user_id=auth_session.user_id)
    return TokenPair(access_token, new_refresh, expires_in, auth_session.id, auth_session.user_id)


def end_session(*, session: Session, auth_session_id: uuid.UUID) -> None:
    auth_session = session.get(AuthSession, auth_session_id)
    if auth_session is not None and auth_session.revoked_at is None:
        auth_session.revoked_at = utcnow()
        session.add(auth_session)


def list_sessions(*, session: Session, user_id: uuid.UUID) -> list[AuthSession]:
    """The user's live sessions, newest activity first."""
    now = utcnow()
    rows = session.exec(
        select(AuthSession)
        .where(AuthSession.user_id == user_id, col(AuthSession.revoked_at).is_(None))
        .order_by(col(AuthSession.last_used_at).desc())
    ).all()
    return [row for row in rows if as_utc(row.expires_at) > now]


def revoke_session(*, session: Session, user_id: uuid.UUID, auth_session_id: uuid.UUID) -> None:
    """End one of the user's own sessions; another user's session id is simply not found."""
    auth_session = session.get(AuthSession, auth_session_id)
    if auth_session is None or auth_session.user_id != user_id or auth_session.revoked_at is not None:
        raise NotFound("No such session.")
    auth_session.revoked_at = utcnow()
    session.add(auth_session)


def revoke_all_sessions(*, session: Session, user_id: uuid.UUID, except_id: uuid.UUID | None = None) -> int:
    statement = (
        update(AuthSession)
        .where(col(AuthSession.user_id) == user_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    if except_id is not None:
        statement = statement.where(col(AuthSession.id) != except_id)
    return session.exec(statement).rowcount  # type: ignore[call-overload]


def update_profile(
    *,
    session: Session,
    user: User,
    display_name: str | None = None,
    email: str | None = None,
    theme: str | None = None,
) -> User:
    if display_name is not None:
        cleaned = clean_display_name(display_name)
        if not cleaned:
            raise InvalidInput("The name cannot be empty.")
        user.display_name = cleaned
    if email is not None:
        new_email = normalise_email(email)
        if new_email != user.email:
            if find_user_by_email(session=session, email=new_email):
                raise Conflict("An account with this email already exists.", code="email_taken")
            user.email = new_email
    if theme is not None:
        if theme not in set(Theme):
            raise InvalidInput("Theme must be dark, light or system.")
        user.theme = theme
    user.updated_at = utcnow()
    session.add(user)
    return user


def change_password(
    *, session: Session, user: User, current_password: str, new_password: str, keep_session_id: uuid.UUID | None
) -> int:
    """Set a new password and end every other session; returns how many were ended."""
    if not verify_password((current_password or "")[:PASSWORD_MAX_LENGTH], user.password_hash):
        raise InvalidInput("The current password is wrong.", code="wrong_password")
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    user.updated_at = utcnow()
    session.add(user)
    return revoke_all_sessions(session=session, user_id=user.id, except_id=keep_session_id)


def set_password(*, session: Session, user: User, new_password: str) -> None:
    """An operator's reset: new password, every session ended."""
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    user.updated_at = utcnow()
    session.add(user)
    revoke_all_sessions(session=session, user_id=user.id)


def purge_expired_sessions(*, session: Session, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete sessions that expired or were revoked more than `older_than` ago."""
    cutoff = utcnow() - older_than
    result = session.exec(
        delete(AuthSession).where(or_(col(AuthSession.expires_at) < cutoff, col(AuthSession.revoked_at) < cutoff))
    )
    return result.rowcount  # type: ignore[attr-defined]
