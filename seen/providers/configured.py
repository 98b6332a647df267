"""Whether a provider has credentials, and the error a client raises when it has none.

Callers ask `tmdb_configured` / `igdb_configured` first to choose between the real service and the demo
catalogue; a client built without credentials raises `ProviderNotConfigured` instead of sending a request
that can only answer 401.
"""

from __future__ import annotations

from seen.config import Settings
from seen.providers.errors import ProviderError


class ProviderNotConfigured(ProviderError):
    """The provider's credentials are not set (no TMDB key or read token, no IGDB client id and secret)."""


def tmdb_configured(settings: Settings) -> bool:
    """A TMDB v3 API key or a v4 read token is set."""
    return bool(settings.tmdb_api_key.strip() or settings.tmdb_read_token.strip())


def igdb_configured(settings: Settings) -> bool:
    """Both halves of the Twitch client credentials are set."""
    return bool(settings.igdb_client_id.strip() and settings.igdb_client_secret.strip())
