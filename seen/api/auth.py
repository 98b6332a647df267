"""Accounts over REST: JSON endpoints for API clients, form endpoints for the browser's login pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from seen.api.deps import (
    SESSION_COOKIE,
    THEME_COOKIE,
    CurrentCaller,
    check_same_origin,
    client_ip,
    in_session,
    request_origin,
)
from seen.config import get_settings
from seen.models.base import as_utc
from seen.models.users import AuthSession, User
from seen.services import auth
from seen.services.errors import ServiceError, Throttled
from seen.services.security import csrf_token_matches

router = APIRouter(prefix="/auth", tags=["auth"])

DEFAULT_NEXT = "/app/dashboard"


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: str
    disabled: bool
    theme: str
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            role=user.role,
            disabled=user.is_disabled,
            theme=user.theme,
            created_at=as_utc(user.created_at),
            last_login_at=as_utc(user.last_login_at) if user.last_login_at else None,
        )


class RegisterIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=auth.PASSWORD_MAX_LENGTH)
    display_name: str | None = Field(default=None, max_length=200)


class LoginIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=auth.PASSWORD_MAX_LENGTH)


class RefreshIn(BaseModel):
    refresh_token: str = Field(max_length=200)


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    session_id: uuid.UUID
    user: UserOut


class MeUpdate(BaseModel):
    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    theme: str | None = Field(default=None, max_length=16)


class PasswordChangeIn(BaseModel):
    current_password: str = Field(max_length=auth.PASSWORD_MAX_LENGTH)
    new_password: str = Field(max_length=auth.PASSWORD_MAX_LENGTH)


class PasswordChangeOut(BaseModel):
    sessions_ended: int


class SessionOut(BaseModel):
    id: uuid.UUID
    kind: str
    user_agent: str
    ip_address: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool

    @classmethod
    def of(cls, row: AuthSession, current_id: uuid.UUID) -> SessionOut:
        return cls(
            id=row.id,
            kind=row.kind,
            user_agent=row.user_agent,
            ip_address=row.ip_address,
            created_at=as_utc(row.created_at),
            last_used_at=as_utc(row.last_used_at),
            expires_at=as_utc(row.expires_at),
            current=row.id == current_id,
        )


class SessionsOut(BaseModel):
    items: list[SessionOut]
    total: int


def _token_out(pair: auth.TokenPair, user: User) -> TokenOut:
    return TokenOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        session_id=pair.session_id,
        user=UserOut.of(user),
    )


def _client(request: Request) -> tuple[str, str]:
    return request.headers.get("user-agent", ""), client_ip(request)


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=TokenOut)
async def register(body: RegisterIn, request: Request) -> TokenOut:
    """Create an account (the first one becomes admin) and log it in."""
    user_agent, ip = _client(request)

    def work(db: Session) -> TokenOut:
        user = auth.register(session=db, email=body.email, password=body.password, display_name=body.display_name or "")
        return _token_out(auth.start_api_session(session=db, user=user, user_agent=user_agent, client_ip=ip), user)

    return await in_session(work)


@router.post(
    "/login",
    response_model=TokenOut,
    responses={429: {"description": "Too many failed attempts; see Retry-After."}},
)
async def login(body: LoginIn, request: Request) -> TokenOut:
    user_agent, ip = _client(request)

    def work(db: Session) -> TokenOut:
        user = auth.authenticate(session=db, email=body.email, password=body.password, client_ip=ip)
        return _token_out(auth.start_api_session(session=db, user=user, user_agent=user_agent, client_ip=ip), user)

    return await in_session(work)


@router.post("/refresh", response_model=TokenOut)
async def refresh(body: RefreshIn) -> TokenOut:
    """Swap a refresh token for a new access + refresh pair; the old refresh token stops working."""

    def work(db: Session) -> TokenOut:
        pair = auth.refresh(session=db, refresh_token=body.refresh_token)
        return _token_out(pair, auth.get_user(session=db, user_id=pair.user_id))

    return await in_session(work)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(caller: CurrentCaller) -> Response:
    """End the caller's session (the access token's, or the cookie's)."""
    await in_session(lambda db: auth.end_session(session=db, auth_session_id=caller.auth_session.id))
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    if caller.via_cookie:
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=UserOut)
async def me(caller: CurrentCaller) -> UserOut:
    return UserOut.of(caller.user)


@router.patch("/me", response_model=UserOut)
async def update_me(body: MeUpdate, caller: CurrentCaller) -> UserOut:
    def work(db: Session) -> UserOut:
        user = auth.get_user(session=db, user_id=caller.user.id)
        auth.update_profile(session=db, user=user, display_name=body.display_name, email=body.email, theme=body.theme)
        return UserOut.of(user)

    return await in_session(work)


@router.post("/me/password", response_model=PasswordChangeOut)
async def change_password(body: PasswordChangeIn, caller: CurrentCaller) -> PasswordChangeOut:
    """Set a new password; every other session of the account is ended."""

    def work(db: Session) -> PasswordChangeOut:
        ended = auth.change_password(
            session=db,
            user=auth.get_user(session=db, user_id=caller.user.id),
            current_password=body.current_password,
            new_password=body.new_password,
            keep_session_id=caller.auth_session.id,
        )
        return PasswordChangeOut(sessions_ended=ended)

    return await in_session(work)


@router.get("/sessions", response_model=SessionsOut)
async def sessions(caller: CurrentCaller) -> SessionsOut:
    def work(db: Session) -> SessionsOut:
        rows = auth.list_sessions(session=db, user_id=caller.user.id)
        return SessionsOut(items=[SessionOut.of(row, caller.auth_session.id) for row in rows], total=len(rows))

    return await in_session(work)


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke(session_id: uuid.UUID, caller: CurrentCaller) -> Response:
    await in_session(lambda db: auth.revoke_session(session=db, user_id=caller.user.id, auth_session_id=session_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- Browser forms -------------------------------------------------------------------------------
# The login and register pages post real HTML forms here. The answer is a 303 redirect that sets
# (or clears) the HttpOnly session cookie, so the next page opens a websocket that carries it.


def safe_next(target: str | None) -> str:
    """Only same-site paths: never another host (`//evil`, `https://...`) or a backslash trick."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return DEFAULT_NEXT
    if target.startswith(("/login", "/register")):
        return DEFAULT_NEXT
    return target


def next_from_login_page(request: Request) -> str:
    """The `next` of the login page the form was posted from. The page fills its hidden `next` field once
    its state has loaded; a quick submit can beat that, and the Referer (same origin, checked before) still
    names where the person was going."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.path.rstrip("/") != "/login":
        return ""
    return parse_qs(referer.query).get("next", [""])[0][:2000]


def page_url(request: Request, path: str) -> str:
    """Where to send the browser after a form post: back to the origin the form came from.

    In production pages and API share one origin and the path is enough. In development the pages
    are served on another port than the API, so the redirect must name the page's (allowed) origin.
    """
    origin = request_origin(request)
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return path if not origin or origin == own else f"{origin}{path}"


def _back_to(request: Request, page: str, next_path: str, error: ServiceError) -> RedirectResponse:
    # Only the code travels in the URL; the page words it, so a crafted link cannot put text on it.
    query = {"error": error.code}
    if next_path != DEFAULT_NEXT:
        query["next"] = next_path
    if isinstance(error, Throttled):
        query["retry_after"] = str(error.retry_after)
    return RedirectResponse(page_url(request, f"{page}?{urlencode(query)}"), status_code=status.HTTP_303_SEE_OTHER)


def _logged_in(request: Request, user: User, token: str, next_path: str) -> RedirectResponse:
    settings = get_settings()
    response = RedirectResponse(page_url(request, next_path), status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.browser_session_ttl_days * 86400,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    # Readable on purpose: the page's first-paint script applies the account's theme from it.
    response.set_cookie(
        THEME_COOKIE, user.theme, max_age=365 * 86400, path="/", samesite="lax", secure=settings.secure_cookies
    )
    return response


def _start_browser_session(request: Request, db: Session, user: User) -> str:
    user_agent, ip = _client(request)
    _, token = auth.start_browser_session(session=db, user=user, user_agent=user_agent, client_ip=ip)
    return token


@router.post("/browser/login", include_in_schema=False)
async def browser_login(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=auth.PASSWORD_MAX_LENGTH)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    check_same_origin(request)
    next_path = safe_next(next or next_from_login_page(request))

    def work(db: Session) -> tuple[User, str] | ServiceError:
        try:
            user = auth.authenticate(session=db, email=email, password=password, client_ip=client_ip(request))
        except ServiceError as error:
            return error
        return user, _start_browser_session(request, db, user)

    outcome = await in_session(work)
    if isinstance(outcome, ServiceError):
        return _back_to(request, "/login", next_path, outcome)
    return _logged_in(request, *outcome, next_path)


@router.post("/browser/register", include_in_schema=False)
async def browser_register(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=auth.PASSWORD_MAX_LENGTH)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> RedirectResponse:
    check_same_origin(request)

    def work(db: Session) -> tuple[User, str]:
        user = auth.register(session=db, email=email, password=password, display_name=display_name)
        return user, _start_browser_session(request, db, user)

    try:
        outcome = await in_session(work)
    except ServiceError as error:
        return _back_to(request, "/register", DEFAULT_NEXT, error)
    return _logged_in(request, *outcome, DEFAULT_NEXT)


@router.post("/browser/logout", include_in_schema=False)
async def browser_logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> RedirectResponse:
    check_same_origin(request)
    token = request.cookies.get(SESSION_COOKIE, "")

    def work(db: Session) -> None:
        found = auth.resolve_browser_session(session=db, token=token)
        if found is not None and csrf_token_matches(found.auth_session.id, csrf_token):
            auth.end_session(session=db, auth_session_id=found.auth_session.id)

    await in_session(work)
    response = RedirectResponse(page_url(request, "/login?signed_out=1"), status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
