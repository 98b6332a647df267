"""Admin-only REST: users, the run-time settings and the hosts URL downloads may reach."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field
from sqlmodel import Session

from seen.api.auth import UserOut
from seen.api.deps import CurrentAdmin, Paginated, Pagination, in_session
from seen.config import get_settings
from seen.models.users import Role
from seen.services import app_settings, auth, provider_admin, users
from seen.services.provider_admin import ProviderStatus, SyncLogLine

router = APIRouter(prefix="/admin", tags=["admin"])


class UserCreate(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=auth.PASSWORD_MAX_LENGTH)
    role: Role = Role.USER
    display_name: str | None = Field(default=None, max_length=200)


class UserUpdate(BaseModel):
    role: Role | None = None
    disabled: bool | None = None


class SettingsOut(BaseModel):
    registration_open: bool


class SettingsUpdate(BaseModel):
    registration_open: bool | None = None


@router.get("/users", response_model=Paginated[UserOut])
async def list_users(_: CurrentAdmin, paging: Pagination, q: str = "") -> Paginated[UserOut]:
    def work(db: Session) -> Paginated[UserOut]:
        found = users.list_users(session=db, page=paging.page, page_size=paging.page_size, query=q[:200])
        items = [UserOut.of(user) for user in found.items]
        return Paginated[UserOut](items=items, total=found.total, page=paging.page, page_size=paging.page_size)

    return await in_session(work)


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
async def create_user(body: UserCreate, _: CurrentAdmin) -> UserOut:
    def work(db: Session) -> UserOut:
        user = auth.create_user(
            session=db, email=body.email, password=body.password, display_name=body.display_name or "", role=body.role
        )
        return UserOut.of(user)

    return await in_session(work)


@router.patch("/users/{user_id}", response_model=UserOut)
async def update_user(user_id: uuid.UUID, body: UserUpdate, admin: CurrentAdmin) -> UserOut:
    def work(db: Session) -> UserOut:
        user = users.update_user(
            session=db, actor=admin.user, user_id=user_id, role=body.role, is_disabled=body.disabled
        )
        return UserOut.of(user)

    return await in_session(work)


@router.get("/settings", response_model=SettingsOut)
async def read_settings(_: CurrentAdmin) -> SettingsOut:
    return await in_session(lambda db: SettingsOut(registration_open=app_settings.registration_open(session=db)))


@router.patch("/settings", response_model=SettingsOut)
async def update_settings(body: SettingsUpdate, _: CurrentAdmin) -> SettingsOut:
    def work(db: Session) -> SettingsOut:
        if body.registration_open is not None:
            app_settings.set_registration_open(session=db, is_open=body.registration_open)
        return SettingsOut(registration_open=app_settings.registration_open(session=db))

    return await in_session(work)


class ProvidersUpdate(BaseModel):
    """Empty string: back to the environment's value. Absent: unchanged."""

    tmdb_api_key: str | None = Field(default=None, max_length=500)
    tmdb_read_token: str | None = Field(default=None, max_length=2000)
    tmdb_language: str | None = Field(default=None, max_length=16)
    tmdb_region: str | None = Field(default=None, max_length=8)
    igdb_client_id: str | None = Field(default=None, max_length=500)
    igdb_client_secret: str | None = Field(default=None, max_length=500)


class ConnectionTest(BaseModel):
    provider: Literal["tmdb", "igdb"]


class ConnectionResult(BaseModel):
    provider: str
    ok: bool
    message: str


@router.get("/providers", response_model=list[ProviderStatus])
async def read_providers(_: CurrentAdmin) -> list[ProviderStatus]:
    return await in_session(lambda db: provider_admin.provider_statuses(session=db))


@router.patch("/providers", response_model=list[ProviderStatus])
async def update_providers(body: ProvidersUpdate, _: CurrentAdmin) -> list[ProviderStatus]:
    def work(db: Session) -> list[ProviderStatus]:
        app_settings.set_provider_settings(session=db, values=body.model_dump(exclude_none=True))
        return provider_admin.provider_statuses(session=db)

    return await in_session(work)


@router.post("/providers/test", response_model=ConnectionResult)
async def test_provider(body: ConnectionTest, _: CurrentAdmin) -> ConnectionResult:
    settings = await in_session(lambda db: app_settings.provider_settings(session=db))
    ok, message = await anyio.to_thread.run_sync(
        lambda: provider_admin.test_connection(settings=settings, provider=body.provider)
    )
    return ConnectionResult(provider=body.provider, ok=ok, message=message)


@router.get("/sync-log", response_model=list[SyncLogLine])
async def read_sync_log(
    _: CurrentAdmin, limit: Annotated[int, Query(ge=1, le=500)] = 50, failures: bool = False
) -> list[SyncLogLine]:
    return await in_session(lambda db: provider_admin.sync_log(session=db, limit=limit, failures_only=failures))


class DownloadHostsIn(BaseModel):
    entries: list[Annotated[str, Field(max_length=300)]] = Field(
        max_length=app_settings.MAX_DOWNLOAD_ALLOWED_HOSTS,
        description='host names ("nas.lan", "*.lan"), addresses ("192.168.1.20") or networks ("10.0.0.0/8")',
    )


class DownloadHostsOut(BaseModel):
    entries: list[str] = Field(description="the list stored here, normalised")
    from_environment: list[str] = Field(description="SEEN_DOWNLOAD_ALLOWED_HOSTS, also allowed; read-only here")


def _download_hosts(db: Session) -> DownloadHostsOut:
    return DownloadHostsOut(
        entries=app_settings.download_allowed_hosts(session=db),
        from_environment=list(get_settings().download_allowed_hosts),
    )


@router.get("/downloads/allowed-hosts", response_model=DownloadHostsOut, summary="Hosts downloads may reach")
async def read_download_hosts(_: CurrentAdmin) -> DownloadHostsOut:
    """URL downloads never reach private, loopback or link-local addresses, except these hosts and networks."""
    return await in_session(_download_hosts)


@router.put(
    "/downloads/allowed-hosts",
    response_model=DownloadHostsOut,
    summary="Replace the hosts downloads may reach",
    responses={422: {"description": "an entry is neither a host name, an address nor a network"}},
)
async def replace_download_hosts(body: DownloadHostsIn, _: CurrentAdmin) -> DownloadHostsOut:
    """Replace the whole list (an empty list allows only what the environment allows)."""

    def work(db: Session) -> DownloadHostsOut:
        app_settings.set_download_allowed_hosts(session=db, entries=body.entries)
        return _download_hosts(db)

    return await in_session(work)
