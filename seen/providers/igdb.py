"""IGDB v4 client through Twitch client-credentials OAuth, thin over the HTTP chokepoint and `igdb_normalise`.

IGDB takes Apicalypse queries as POST bodies (`fields ...; where ...; sort ...; limit ...;`). Bodies are
built here from constants and numbers; the only free text (search) goes through `quote`, which escapes
backslashes and double quotes and drops control characters, so user input can never close the string and
add clauses. Responses are cached by body through the chokepoint.

Tokens: `TwitchTokens` asks Twitch for an app access token, keeps it in memory and, with Redis configured,
in the cache under `seen:v1:igdb:token:{client_id}` so every process shares it, until shortly before it
expires. `IgdbClient` renews it once on a 401 (a revoked or expired token) and retries the request.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

import redis

from seen import cache
from seen.config import Settings, get_settings
from seen.providers import igdb_normalise as normalise
from seen.providers.coerce import as_dict, as_float, as_int, as_list, as_str, collect
from seen.providers.configured import ProviderNotConfigured, igdb_configured
from seen.providers.errors import ProviderAuthError, ProviderError, ProviderNotFound, ProviderUnavailable
from seen.providers.http import IGDB_RATE_LIMIT, TWITCH_RATE_LIMIT, Closing, ProviderClient
from seen.providers.models import Genre, MediaDetails, MediaSummary, Page, Platform, TimeToBeat

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Moment = int | float | dt.datetime | dt.date

# Response cache TTLs, in seconds: game lists are refreshed hourly by a job, so 10 minutes keeps them fresh;
# details change rarely (and live in the database too); platforms and genres almost never change; search
# results are asked for again while a user types and refines.
LIST_TTL = 10 * 60
DETAILS_TTL = 24 * 60 * 60
REFERENCE_TTL = 7 * 24 * 60 * 60  # platforms, genres
SEARCH_TTL = 60 * 60

RECENT_DAYS = 60
# Default `now` is rounded down to this many seconds so repeated list calls share one cached body.
NOW_GRANULARITY = LIST_TTL
MAX_LIMIT = 500  # IGDB's own cap per query
MAX_SEARCH_LENGTH = 255
# popularity_types: 1 visits, 2 want to play, 3 playing, 4 played. "Want to play" is what anticipation means.
WANT_TO_PLAY = 2
# A token is renewed this long before Twitch says it expires (or a tenth of its life, if that is shorter).
RENEW_EARLY_SECONDS = 300
DEFAULT_TOKEN_LIFETIME = 3600

SUMMARY_FIELDS = (
    "name",
    "summary",
    "first_release_date",
    "cover.image_id",
    "genres.name",
    "platforms.name",
    "platforms.abbreviation",
    "total_rating",
    "total_rating_count",
    "hypes",
)
# Details add what only a game's own page shows.
DETAIL_FIELDS = (
    *SUMMARY_FIELDS,
    "franchises.name",
    "involved_companies.company.name",
    "involved_companies.developer",
    "involved_companies.publisher",
    "screenshots.image_id",
    "release_dates.date",
    "release_dates.platform.name",
    "release_dates.region",
    "release_dates.human",
    "dlcs.name",
    "expansions.name",
    "similar_games.name",
    "url",
)


# -- Apicalypse --------------------------------------------------------------------------------


def quote(text: str, max_length: int = MAX_SEARCH_LENGTH) -> str:
    """Free text as an Apicalypse string literal: control characters become spaces, whitespace is
    collapsed, the text is cut to `max_length`, and backslashes and double quotes are escaped."""
    printable = "".join(char if char.isprintable() else " " for char in text)
    cleaned = " ".join(printable.split())[:max_length]
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fields(names: Iterable[str]) -> str:
    return ",".join(names)


def query(*clauses: str) -> str:
    """Clauses joined into one body, each ended by `;` (empty clauses are left out)."""
    return " ".join(f"{clause.strip().rstrip(';')};" for clause in clauses if clause.strip())


def id_list(ids: Iterable[int]) -> str:
    """`(1,2,3)` for `where id = (...)`; every id is forced through int()."""
    return "(" + ",".join(str(int(value)) for value in ids) + ")"


def _limit(value: int) -> int:
    return max(1, min(MAX_LIMIT, int(value)))


def epoch(moment: Moment) -> int:
    """Unix seconds of a timestamp, an aware or naive (taken as UTC) datetime, or a date (its midnight UTC)."""
    if isinstance(moment, dt.datetime):
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
        return int(aware.timestamp())
    if isinstance(moment, dt.date):
        return int(dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.UTC).timestamp())
    return int(moment)


# -- tokens ------------------------------------------------------------------------------------


class TwitchTokens(Closing):
    """App access tokens for IGDB from Twitch's client-credentials grant, cached until shortly before expiry.

    Thread-safe: concurrent callers wait for one fetch. `client_options` go to the chokepoint client
    (an injected limiter or sleep in tests). Secrets travel in the form body, never in a URL or a log.
    """

    def __init__(self, settings: Settings | None = None, *, clock: Clock = time.time, **client_options: Any) -> None:
        settings = settings or get_settings()
        if not igdb_configured(settings):
            raise ProviderNotConfigured(
                "IGDB is not configured: set SEEN_IGDB_CLIENT_ID and SEEN_IGDB_CLIENT_SECRET", provider="igdb"
            )
        self.client_id = settings.igdb_client_id.strip()
        self._client_secret = settings.igdb_client_secret.strip()
        self._shared = settings.uses_redis
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self._http = ProviderClient(
            "twitch",
            settings.twitch_token_url,
            rate_limit=TWITCH_RATE_LIMIT,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            **client_options,
        )

    @property
    def cache_key(self) -> str:
        return cache.key("igdb", "token", self.client_id)

    def close(self) -> None:
        self._http.close()

    def get(self) -> str:
        """A valid token: from memory, else from the shared cache, else a new one from Twitch."""
        with self._lock:
            now = self._clock()
            if self._token is not None and now < self._expires_at:
                return self._token
            stored = self._read_shared(now)
            if stored is not None:
                self._token, self._expires_at = stored
                return stored[0]
            return self._fetch(now)

    def renew(self) -> str:
        """Ask Twitch for a new token now, whatever is cached (the connection test checks the credentials)."""
        with self._lock:
            return self._fetch(self._clock())

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached token (only if it is still `token`, when given: another thread or process may
        already have replaced a revoked token with a good one)."""
        with self._lock:
            if token is None or token == self._token:
                self._token, self._expires_at = None, 0.0
            if not self._shared:
                return
            try:
                stored = cache.get_cache().get_json(self.cache_key)
                if token is None or (isinstance(stored, dict) and stored.get("access_token") == token):
                    cache.get_cache().delete(self.cache_key)
            except redis.RedisError as error:
                log.warning("IGDB token cache unavailable", extra={"error": str(error)})

    def _read_shared(self, now: float) -> tuple[str, float] | None:
        if not self._shared:
            return None
        try:
            stored = as_dict(cache.get_cache().get_json(self.cache_key)) or {}
        except redis.RedisError as error:
            log.warning("IGDB token cache unavailable", extra={"error": str(error)})
            return None
        token, expires_at = as_str(stored.get("access_token")), as_float(stored.get("expires_at"))
        if token is None or expires_at is None or now >= expires_at:
            return None
        return token, expires_at

    def _fetch(self, now: float) -> str:
        form = {
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "grant_type": "client_credentials",
        }
        try:
            answer = self._http.request("POST", "", content=urlencode(form))
        except ProviderUnavailable:
            raise
        except ProviderError as error:
            # Twitch answers 400 for an unknown client id and 403 for a wrong secret.
            if error.status in (400, 401, 403):
                raise ProviderAuthError(
                    f"Twitch rejected the IGDB client id or secret (HTTP {error.status})",
                    provider="twitch",
                    status=error.status,
                ) from error
            raise
        body = as_dict(answer.json) or {}
        token = as_str(body.get("access_token"))
        if token is None:
            raise ProviderError("twitch answered a token response without an access_token", provider="twitch")
        lifetime = as_int(body.get("expires_in")) or DEFAULT_TOKEN_LIFETIME
        expires_at = now + lifetime - min(RENEW_EARLY_SECONDS, lifetime / 10)
        self._token, self._expires_at = token, expires_at
        if self._shared:
            stored = {"access_token": token, "expires_at": expires_at}
            try:
                cache.get_cache().set_json(self.cache_key, stored, max(1, int(expires_at - now)))
            except redis.RedisError as error:
                log.warning("IGDB token cache unavailable", extra={"error": str(error)})
        log.info("IGDB access token issued", extra={"expires_in": lifetime})
        return token


# -- IGDB --------------------------------------------------------------------------------------


class IgdbClient(Closing):
    """IGDB v4 queries returning provider-neutral records. Use it as a context manager or call `close()`.

    `tokens` defaults to a `TwitchTokens` for the same settings; `clock` gives the default `now` of the
    date-bounded lists; `client_options` go to the chokepoint client of the IGDB requests.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        tokens: TwitchTokens | None = None,
        clock: Clock = time.time,
        **client_options: Any,
    ) -> None:
        settings = settings or get_settings()
        if not igdb_configured(settings):
            raise ProviderNotConfigured(
                "IGDB is not configured: set SEEN_IGDB_CLIENT_ID and SEEN_IGDB_CLIENT_SECRET", provider="igdb"
            )
        self._owns_tokens = tokens is None
        self.tokens = tokens or TwitchTokens(settings)
        self.base_url = settings.igdb_base_url.rstrip("/")
        self._clock = clock
        self._http = ProviderClient(
            "igdb",
            self.base_url,
            rate_limit=IGDB_RATE_LIMIT,
            headers={"Client-ID": self.tokens.client_id, "Accept": "application/json", "Content-Type": "text/plain"},
            cache_methods=frozenset({"POST"}),
            **client_options,
        )

    def close(self) -> None:
        self._http.close()
        if self._owns_tokens:
            self.tokens.close()

    def _post(self, endpoint: str, body: str, ttl: int | None) -> Any:
        """One Apicalypse query; on a 401 the token is renewed once and the query sent again."""
        token = self.tokens.get()
        try:
            return self._send(endpoint, body, ttl, token)
        except ProviderAuthError:
            log.info("IGDB refused the access token; renewing it", extra={"endpoint": endpoint})
            self.tokens.invalidate(token)
            return self._send(endpoint, body, ttl, self.tokens.get())

    def _send(self, endpoint: str, body: str, ttl: int | None, token: str) -> Any:
        # The token travels with this request only: another thread may be renewing it meanwhile.
        auth = {"Authorization": f"Bearer {token}"}
        return self._http.request("POST", f"/{endpoint}", content=body, cache_ttl=ttl, headers=auth).json

    def _now(self, now: Moment | None) -> int:
        if now is not None:
            return epoch(now)
        current = int(self._clock())
        return current - current % NOW_GRANULARITY

    @staticmethod
    def _page(payload: Any) -> Page[MediaSummary]:
        items, skipped = collect(payload, normalise.game_summary, "IGDB game", log)
        return Page(items=items, page=1, total_pages=1, total_results=len(items), skipped=skipped)

    # -- games ---------------------------------------------------------------------------------

    def search_games(self, text: str, limit: int = 20) -> Page[MediaSummary]:
        """Games matching free text (any length or charset is safe); blank text answers an empty page."""
        literal = quote(text)
        if literal == '""':
            return Page(items=(), page=1, total_pages=1, total_results=0)
        body = query(f"search {literal}", f"fields {fields(SUMMARY_FIELDS)}", f"limit {_limit(limit)}")
        return self._page(self._post("games", body, SEARCH_TTL))

    def game(self, igdb_id: int) -> MediaDetails:
        """One game with platforms, genres, franchises, companies, screenshots, per-platform release dates,
        DLCs, expansions and similar games expanded. Raises `ProviderNotFound` when IGDB has no such id."""
        wanted = int(igdb_id)
        body = query(f"fields {fields(DETAIL_FIELDS)}", f"where id = {wanted}", "limit 1")
        rows = as_list(self._post("games", body, DETAILS_TTL))
        row = next((item for item in rows if isinstance(item, dict) and as_int(item.get("id")) == wanted), None)
        details = normalise.game_details(row) if row is not None else None
        if details is None:
            raise ProviderNotFound(f"igdb has no game {wanted}", provider="igdb", status=404)
        return details

    def recently_released(self, limit: int = 20, now: Moment | None = None) -> Page[MediaSummary]:
        """Games first released in the last 60 days up to `now`, newest first."""
        until = self._now(now)
        since = until - RECENT_DAYS * 24 * 60 * 60
        body = query(
            f"fields {fields(SUMMARY_FIELDS)}",
            f"where first_release_date >= {since} & first_release_date <= {until}",
            "sort first_release_date desc",
            f"limit {_limit(limit)}",
        )
        return self._page(self._post("games", body, LIST_TTL))

    def most_anticipated(
        self, limit: int = 20, now: Moment | None = None, *, use_popularity: bool = True
    ) -> Page[MediaSummary]:
        """Unreleased games (first release after `now`), the most awaited first: ranked by IGDB's "want to
        play" popularity primitives when that endpoint answers, otherwise (or with nothing usable) by hypes."""
        moment = self._now(now)
        if use_popularity:
            try:
                ranked = self._anticipated_by_popularity(limit, moment)
            except (ProviderUnavailable, ProviderAuthError):
                raise
            except ProviderError as error:
                log.info("IGDB popularity primitives unavailable; ranking by hypes", extra={"error": str(error)})
                ranked = None
            if ranked is not None and ranked.items:
                return ranked
        return self.most_hyped(limit, moment)

    def most_hyped(self, limit: int = 20, now: Moment | None = None) -> Page[MediaSummary]:
        """Unreleased games ranked by IGDB hypes (follows before release)."""
        body = query(
            f"fields {fields(SUMMARY_FIELDS)}",
            f"where first_release_date > {self._now(now)} & hypes != null",
            "sort hypes desc",
            f"limit {_limit(limit)}",
        )
        return self._page(self._post("games", body, LIST_TTL))

    def _anticipated_by_popularity(self, limit: int, now: int) -> Page[MediaSummary] | None:
        primitives = query(
            "fields game_id,value,popularity_type",
            f"where popularity_type = {WANT_TO_PLAY}",
            "sort value desc",
            f"limit {MAX_LIMIT}",
        )
        order: dict[int, int] = {}
        for row in as_list(self._post("popularity_primitives", primitives, LIST_TTL)):
            game_id = as_int((as_dict(row) or {}).get("game_id"))
            if game_id is not None and game_id not in order:
                order[game_id] = len(order)
        if not order:
            return None
        body = query(
            f"fields {fields(SUMMARY_FIELDS)}",
            f"where id = {id_list(order)} & first_release_date > {now}",
            f"limit {MAX_LIMIT}",
        )
        page = self._page(self._post("games", body, LIST_TTL))
        # The game query cannot sort by another endpoint's value; restore the popularity order here.
        ranked = sorted(
            (item for item in page.items if item.ids.igdb in order), key=lambda item: order[item.ids.igdb or 0]
        )[: _limit(limit)]
        return Page(items=tuple(ranked), total_results=len(ranked), skipped=page.skipped)

    def time_to_beat(self, igdb_id: int) -> TimeToBeat | None:
        """Seconds to finish a game (hastily / normally / completely) from `game_time_to_beats`; None when
        nobody has reported times yet."""
        wanted = int(igdb_id)
        body = query("fields game_id,hastily,normally,completely,count", f"where game_id = {wanted}", "limit 1")
        rows = [row for row in as_list(self._post("game_time_to_beats", body, DETAILS_TTL)) if isinstance(row, dict)]
        row = next((item for item in rows if as_int(item.get("game_id")) == wanted), None)
        return normalise.time_to_beat(row) if row is not None else None

    # -- reference lists -----------------------------------------------------------------------

    def platforms(self) -> tuple[Platform, ...]:
        body = query("fields id,name,abbreviation", "sort id asc", f"limit {MAX_LIMIT}")
        items, _ = collect(self._post("platforms", body, REFERENCE_TTL), normalise.platform, "IGDB platform", log)
        return items

    def genres(self) -> tuple[Genre, ...]:
        body = query("fields id,name", "sort id asc", f"limit {MAX_LIMIT}")
        items, _ = collect(self._post("genres", body, REFERENCE_TTL), normalise.genre, "IGDB genre", log)
        return items

    # -- admin ---------------------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """Fetch a fresh token (so the credentials themselves are checked) and run one small uncached query.
        Never raises: returns (ok, a message for the admin page)."""
        try:
            self._send("games", query("fields id", "limit 1"), None, self.tokens.renew())
        except ProviderAuthError as error:
            if error.provider == "twitch":
                return False, "Twitch rejected the IGDB client id or secret"
            return False, "IGDB refused the access token issued for this client id"
        except ProviderUnavailable as error:
            where = "Twitch" if error.provider == "twitch" else "IGDB"
            if error.status is None:
                return False, f"Could not reach {where}: check the address and the network"
            return False, f"{where} is unavailable right now (HTTP {error.status}); try again later"
        except ProviderError as error:
            where = "Twitch" if error.provider == "twitch" else "IGDB"
            return False, f"{where} answered HTTP {error.status} to the connection test"
        except Exception as error:  # a bad base URL and the like: the admin page must get a message, not a 500
            log.warning("IGDB connection test failed", extra={"error": type(error).__name__})
            host = urlsplit(self.base_url).netloc or self.base_url
            return False, f"Could not reach IGDB at {host}: {type(error).__name__}"
        return True, "Connected to IGDB"
