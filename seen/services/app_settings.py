"""Settings admins change at run time, stored in the database over the environment's defaults."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError as PydanticValidationError
from sqlmodel import Session

from seen import cache
from seen.config import Settings, get_settings
from seen.db import after_commit
from seen.models.base import utcnow
from seen.models.system import AppSetting
from seen.services.errors import InvalidInput

REGISTRATION_OPEN = "registration_open"
# Read through the shared cache (every calendar read asks for the TMDB region). A change drops the key once
# committed; until then its session reads the database, and the lifetime bounds what a read racing a change
# may have put back.
CACHED_SECONDS = 300
_CHANGED = "seen.app_settings.changed"  # session.info: keys this session's transaction has written


def _cache_key(key: str) -> str:
    return cache.key("app-setting", key)


def stored_value(*, session: Session, key: str) -> Any | None:
    changed = key in session.info.get(_CHANGED, ())
    store = cache.get_cache()
    hit = None if changed else store.get_json(_cache_key(key))
    if isinstance(hit, dict) and "value" in hit:
        return hit["value"]
    row = session.get(AppSetting, key)
    value = None if row is None else row.value
    if not changed:
        store.set_json(_cache_key(key), {"value": value}, CACHED_SECONDS)
    return value


def store_value(*, session: Session, key: str, value: Any) -> None:
    row = session.get(AppSetting, key) or AppSetting(key=key, value=value)
    row.value = value
    row.updated_at = utcnow()
    session.add(row)
    session.info.setdefault(_CHANGED, set()).add(key)

    def committed() -> None:
        session.info.get(_CHANGED, set()).discard(key)
        cache.get_cache().delete(_cache_key(key))

    after_commit(session, committed)


def registration_open(*, session: Session) -> bool:
    stored = stored_value(session=session, key=REGISTRATION_OPEN)
    return get_settings().registration_open if stored is None else bool(stored)


def set_registration_open(*, session: Session, is_open: bool) -> None:
    store_value(session=session, key=REGISTRATION_OPEN, value=bool(is_open))


# Provider settings admins may set in /app/admin over the environment's values. Secrets among them are
# stored as given (like the environment holds them) and never sent back to a browser: see `masked`.
PROVIDER_FIELDS = (
    "tmdb_api_key",
    "tmdb_read_token",
    "igdb_client_id",
    "igdb_client_secret",
    "tmdb_language",
    "tmdb_region",
)
SECRET_FIELDS = frozenset({"tmdb_api_key", "tmdb_read_token", "igdb_client_secret"})
_PROVIDER_KEY = "providers"


def provider_overrides(*, session: Session) -> dict[str, str]:
    stored = stored_value(session=session, key=_PROVIDER_KEY)
    if not isinstance(stored, dict):
        return {}
    return {name: str(value) for name, value in stored.items() if name in PROVIDER_FIELDS and value is not None}


def provider_settings(*, session: Session) -> Settings:
    """The environment's settings with the admin's provider overrides on top: what provider clients use."""
    overrides = provider_overrides(session=session)
    settings = get_settings()
    return settings.model_copy(update=overrides) if overrides else settings


def set_provider_settings(*, session: Session, values: dict[str, str | None]) -> Settings:
    """Store overrides; an empty string clears a field back to the environment's value. Validated first."""
    unknown = set(values) - set(PROVIDER_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown provider settings: {', '.join(sorted(unknown))}")
    merged = provider_overrides(session=session)
    for name, value in values.items():
        if value is None:
            continue
        value = value.strip()
        if value:
            merged[name] = value
        else:
            merged.pop(name, None)
    try:
        candidate = Settings.model_validate({**get_settings().model_dump(), **merged})
    except PydanticValidationError as error:
        fields = ", ".join(str(problem["loc"][0]) for problem in error.errors() if problem.get("loc"))
        raise InvalidInput(f"invalid provider settings: {fields}") from error
    store_value(session=session, key=_PROVIDER_KEY, value=merged)
    return candidate


def masked(value: str) -> str:
    """Enough of a secret to recognise it, never enough to use it."""
    if not value:
        return ""
    return "••••" + value[-4:] if len(value) > 8 else "••••"


_DOWNLOAD_ALLOWED_HOSTS = "download_allowed_hosts"
MAX_DOWNLOAD_ALLOWED_HOSTS = 200


def download_allowed_hosts(*, session: Session) -> list[str]:
    """Hosts and networks admins allowed URL downloads to reach, on top of SEEN_DOWNLOAD_ALLOWED_HOSTS."""
    stored = stored_value(session=session, key=_DOWNLOAD_ALLOWED_HOSTS)
    return [str(entry) for entry in stored] if isinstance(stored, list) else []


def set_download_allowed_hosts(*, session: Session, entries: list[str]) -> list[str]:
    """Replace the admins' allow-list; each entry is validated (InvalidInput) and stored normalised."""
    # Imported here: `seen.downloads.sources` reads these settings, so a top-level import would be circular.
    from seen.downloads.sources import AllowList

    if len(entries) > MAX_DOWNLOAD_ALLOWED_HOSTS:
        raise InvalidInput(f"At most {MAX_DOWNLOAD_ALLOWED_HOSTS} allowed hosts can be stored.")
    normalised = list(AllowList.from_entries(entries).entries)
    store_value(session=session, key=_DOWNLOAD_ALLOWED_HOSTS, value=normalised)
    return normalised
