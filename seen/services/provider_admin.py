"""What admins see and do about the catalogue's providers: settings (secrets masked), connection tests,
recent sync problems."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from seen.config import Settings
from seen.models import media as tables
from seen.models.base import as_utc
from seen.providers.configured import ProviderNotConfigured, igdb_configured, tmdb_configured
from seen.providers.igdb import IgdbClient
from seen.providers.tmdb import TmdbClient
from seen.services import app_settings
from seen.services.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class ProviderField:
    name: str
    value: str  # masked for secrets
    secret: bool
    overridden: bool  # set in /app/admin rather than by the environment


@dataclass(frozen=True, slots=True)
class ProviderStatus:
    name: str  # tmdb | igdb
    configured: bool
    fields: list[ProviderField]
    last_error: str | None
    last_error_at: str | None


@dataclass(frozen=True, slots=True)
class SyncLogLine:
    id: int
    target: str
    provider: str
    status: str
    attempt: int
    duration_ms: int
    detail: str
    created_at: str


_FIELDS = {
    "tmdb": ("tmdb_api_key", "tmdb_read_token", "tmdb_language", "tmdb_region"),
    "igdb": ("igdb_client_id", "igdb_client_secret"),
}


def _last_error(session: Session, provider: str) -> tuple[str | None, str | None]:
    """The newest failure, unless a success came after it (a fixed key clears the warning)."""
    newest = session.exec(
        select(tables.SyncLogEntry)
        .where(tables.SyncLogEntry.provider == provider, col(tables.SyncLogEntry.status).in_(("ok", "failed")))
        .order_by(col(tables.SyncLogEntry.id).desc())
        .limit(1)
    ).first()
    if newest is None or newest.status == "ok":
        return None, None
    return newest.detail, as_utc(newest.created_at).isoformat()


def provider_statuses(*, session: Session) -> list[ProviderStatus]:
    settings = app_settings.provider_settings(session=session)
    overrides = app_settings.provider_overrides(session=session)
    statuses = []
    for provider, names in _FIELDS.items():
        fields = []
        for name in names:
            value = str(getattr(settings, name))
            secret = name in app_settings.SECRET_FIELDS
            fields.append(
                ProviderField(name, app_settings.masked(value) if secret else value, secret, name in overrides)
            )
        error, error_at = _last_error(session, provider)
        configured = tmdb_configured(settings) if provider == "tmdb" else igdb_configured(settings)
        statuses.append(ProviderStatus(provider, configured, fields, error, error_at))
    return statuses


def test_connection(*, settings: Settings, provider: str) -> tuple[bool, str]:
    """Try the credentials now (never cached). Never raises for provider trouble: returns a message."""
    if provider not in _FIELDS:
        raise InvalidInput(f"unknown provider {provider!r}; expected tmdb or igdb")
    try:
        client = (
            TmdbClient(settings, language=settings.tmdb_language, region=settings.tmdb_region)
            if provider == "tmdb"
            else IgdbClient(settings)
        )
    except ProviderNotConfigured as error:
        return False, str(error)
    with client:
        return client.test_connection()


def sync_log(*, session: Session, limit: int = 50, failures_only: bool = False) -> list[SyncLogLine]:
    statement = select(tables.SyncLogEntry).order_by(col(tables.SyncLogEntry.id).desc()).limit(min(max(limit, 1), 500))
    if failures_only:
        statement = statement.where(col(tables.SyncLogEntry.status).in_(("failed", "retry")))
    return [
        SyncLogLine(
            row.id,
            row.target,
            row.provider,
            row.status,
            row.attempt,
            row.duration_ms,
            row.detail,
            as_utc(row.created_at).isoformat(),
        )
        for row in session.exec(statement)
    ]
