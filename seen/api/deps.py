"""What REST routes share: database work off the event loop, the caller, pagination, the client address."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Generic, TypeVar
from urllib.parse import urlsplit

import anyio
from fastapi import Depends, Query, Request
from pydantic import BaseModel
from sqlmodel import Session

from seen.config import get_settings
from seen.db import session_scope
from seen.models.users import AuthSession, Role, User
from seen.services import auth
from seen.services.errors import Forbidden, Unauthorized
from seen.services.security import csrf_token_matches

SESSION_COOKIE = "seen_session"
THEME_COOKIE = "seen_theme"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DATABASE_THREADS = 8

T = TypeVar("T")


@lru_cache
def _database_threads() -> anyio.CapacityLimiter:
    # A few threads keep the database busy; dozens would only fight over the GIL and the pool.
    return anyio.CapacityLimiter(DATABASE_THREADS)


async def in_session(work: Callable[[Session], T]) -> T:
    """Run a request's blocking database work in one worker thread, in one transaction.

    One hop per unit of work: the connection is taken and given back inside the same thread, so a
    request never holds a connection while it waits for a thread (the pool cannot starve the thread
    pool), and the event loop never blocks. The transaction commits before the response is sent.
    """

    def run() -> T:
        with session_scope() as session:
            return work(session)

    return await anyio.to_thread.run_sync(run, limiter=_database_threads())


def client_ip(request: Request) -> str:
    if get_settings().trust_proxy_headers:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return request.client.host if request.client else ""


def request_origin(request: Request) -> str:
    """The Origin of a request, or the origin part of its Referer when a browser sent no Origin."""
    origin = request.headers.get("origin", "")
    if origin:
        return origin
    referer = urlsplit(request.headers.get("referer", ""))
    return f"{referer.scheme}://{referer.netloc}" if referer.scheme and referer.netloc else ""


def check_same_origin(request: Request) -> None:
    if request_origin(request) not in get_settings().allowed_origins:
        raise Forbidden("Cross-site request refused.", code="csrf_failed")


@dataclass(frozen=True)
class Caller:
    user: User
    auth_session: AuthSession
    via_cookie: bool


async def current_caller(request: Request) -> Caller:
    """The user behind a Bearer access token, or behind the session cookie (with CSRF checks on writes)."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("Use an Authorization: Bearer access token.")
        found = await in_session(lambda db: auth.resolve_access_token(session=db, token=token.strip()))
        if found is None:
            raise Unauthorized("The access token is invalid or expired.", code="invalid_token")
        return Caller(found.user, found.auth_session, via_cookie=False)
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if request.method in UNSAFE_METHODS and cookie:
        check_same_origin(request)
    found = await in_session(lambda db: auth.resolve_browser_session(session=db, token=cookie)) if cookie else None
    if found is None:
        raise Unauthorized("Log in first.", code="not_authenticated")
    if request.method in UNSAFE_METHODS and not csrf_token_matches(
        found.auth_session.id, request.headers.get(CSRF_HEADER, "")
    ):
        raise Forbidden("Missing or wrong CSRF token.", code="csrf_failed")
    return Caller(found.user, found.auth_session, via_cookie=True)


CurrentCaller = Annotated[Caller, Depends(current_caller)]


async def current_admin(caller: CurrentCaller) -> Caller:
    if caller.user.role != Role.ADMIN:
        raise Forbidden("Admins only.", code="admin_only")
    return caller


CurrentAdmin = Annotated[Caller, Depends(current_admin)]


@dataclass(frozen=True)
class PageParams:
    page: int
    page_size: int


def page_params(
    page: Annotated[int, Query(ge=1, le=100_000, description="1-based page number")] = 1,
    page_size: Annotated[int, Query(ge=1, le=100, description="items per page")] = 20,
) -> PageParams:
    return PageParams(page, page_size)


Pagination = Annotated[PageParams, Depends(page_params)]


class Paginated(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int
