"""TMDB v3 client: thin over the HTTP chokepoint (`http.ProviderClient`) and the normaliser (`tmdb_normalise`).

Every method sends one request and returns provider-neutral records (`models`); nothing here touches the
database. Credentials come from settings: the v4 read token is sent as `Authorization: Bearer` (it then
never appears in a URL), otherwise the v3 API key as the `api_key` query parameter. Base URL, language
and region are settings/arguments, so tests and demos point the same client at the local fake.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from seen.config import Settings, get_settings
from seen.providers import tmdb_normalise as normalise
from seen.providers.configured import ProviderNotConfigured, tmdb_configured
from seen.providers.errors import ProviderAuthError, ProviderError, ProviderUnavailable
from seen.providers.http import TMDB_RATE_LIMIT, Closing, ProviderClient
from seen.providers.models import (
    Episode,
    Genre,
    ImageConfiguration,
    MediaDetails,
    MediaSummary,
    Page,
    PersonDetails,
    ReleaseDate,
    Season,
)

log = logging.getLogger(__name__)

# Response cache TTLs, in seconds, per kind of call. Lists move through the day (trending is refreshed by
# a job every 10 minutes); details change rarely and are also kept in the database; genres and the image
# configuration almost never change; search results are asked for again while a user types and refines.
LIST_TTL = 10 * 60
DETAILS_TTL = 24 * 60 * 60
REFERENCE_TTL = 7 * 24 * 60 * 60  # genres, configuration
SEARCH_TTL = 60 * 60

DEFAULT_LANGUAGE = "en-US"
DEFAULT_REGION = "US"
# TMDB ignores anything past a few hundred characters; a longer query is someone pasting a page.
MAX_QUERY_LENGTH = 500

MOVIE_APPEND = ("credits", "external_ids", "release_dates", "recommendations", "similar")
SHOW_APPEND = ("credits", "external_ids", "recommendations", "similar")
PERSON_APPEND = ("combined_credits", "external_ids")

ListKind = Literal["movie", "tv", "show"]
TrendingKind = Literal["movie", "tv", "show", "all"]
SearchKind = Literal["multi", "movie", "tv", "show", "person"]
ChangesKind = Literal["movie", "tv", "show", "person"]

# Our name for TV is "show"; TMDB's paths say "tv". Both spellings are accepted.
_PATH_KINDS = {"movie": "movie", "tv": "tv", "show": "tv", "person": "person", "all": "all", "multi": "multi"}


def _path_kind(kind: str, allowed: Iterable[str]) -> str:
    path = _PATH_KINDS.get(kind)
    if path is None or path not in allowed:
        raise ValueError(f"unsupported TMDB kind {kind!r}; expected one of {sorted(set(allowed))}")
    return path


def _positive(value: int, what: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"{what} must be >= 1, got {value!r}")
    return number


def _param(value: Any) -> str:
    """A filter value as TMDB spells it: lists joined with commas (AND), booleans lower case, dates ISO."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return ",".join(str(item) for item in value)
    return str(value)


def _params(**values: Any) -> dict[str, str]:
    """Query parameters with the unset (None) ones left out."""
    return {name: _param(value) for name, value in values.items() if value is not None}


class TmdbClient(Closing):
    """One TMDB v3 account's client. Use it as a context manager or call `close()`.

    `client_options` go to `ProviderClient` (an injected limiter, sleep or transport in tests).
    Raises `ProviderNotConfigured` when settings hold neither an API key nor a read token.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        language: str = DEFAULT_LANGUAGE,
        region: str = DEFAULT_REGION,
        **client_options: Any,
    ) -> None:
        settings = settings or get_settings()
        if not tmdb_configured(settings):
            raise ProviderNotConfigured(
                "TMDB is not configured: set SEEN_TMDB_API_KEY or SEEN_TMDB_READ_TOKEN", provider="tmdb"
            )
        self.language = language
        self.region = region
        self.base_url = settings.tmdb_base_url.rstrip("/")
        token = settings.tmdb_read_token.strip()
        self.auth_mode: Literal["read_token", "api_key"] = "read_token" if token else "api_key"
        headers = {"Accept": "application/json"}
        params: dict[str, str] = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        else:
            params["api_key"] = settings.tmdb_api_key.strip()
        if language:
            params["language"] = language
        self._http = ProviderClient(
            "tmdb", self.base_url, rate_limit=TMDB_RATE_LIMIT, headers=headers, params=params, **client_options
        )

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str, ttl: int | None, params: Mapping[str, Any] | None = None) -> Any:
        return self._http.request("GET", path, params=params, cache_ttl=ttl).json

    def _region(self) -> dict[str, str]:
        return {"region": self.region} if self.region else {}

    def _list(self, path: str, kind_hint: str | None, page: int, **extra: Any) -> Page[MediaSummary]:
        payload = self._get(path, LIST_TTL, {**_params(page=_positive(page, "page")), **extra})
        return normalise.page(payload, kind_hint)

    # -- lists ---------------------------------------------------------------------------------

    def trending(
        self, kind: TrendingKind = "all", window: Literal["day", "week"] = "week", page: int = 1
    ) -> Page[MediaSummary]:
        """`/trending/{movie|tv|all}/{day|week}`; with "all", items say their own kind (people included)."""
        path_kind = _path_kind(kind, ("movie", "tv", "all"))
        if window not in ("day", "week"):
            raise ValueError(f"unsupported trending window {window!r}; expected 'day' or 'week'")
        hint = None if path_kind == "all" else path_kind
        return self._list(f"/trending/{path_kind}/{window}", hint, page)

    def popular(self, kind: ListKind = "movie", page: int = 1) -> Page[MediaSummary]:
        path_kind = _path_kind(kind, ("movie", "tv"))
        extra = self._region() if path_kind == "movie" else {}
        return self._list(f"/{path_kind}/popular", path_kind, page, **extra)

    def top_rated(self, kind: ListKind = "movie", page: int = 1) -> Page[MediaSummary]:
        path_kind = _path_kind(kind, ("movie", "tv"))
        extra = self._region() if path_kind == "movie" else {}
        return self._list(f"/{path_kind}/top_rated", path_kind, page, **extra)

    def upcoming(self, page: int = 1) -> Page[MediaSummary]:
        """Movies soon in cinemas in the configured region."""
        return self._list("/movie/upcoming", "movie", page, **self._region())

    def now_playing(self, page: int = 1) -> Page[MediaSummary]:
        """Movies in cinemas now in the configured region."""
        return self._list("/movie/now_playing", "movie", page, **self._region())

    def airing_today(self, page: int = 1) -> Page[MediaSummary]:
        return self._list("/tv/airing_today", "tv", page)

    def on_the_air(self, page: int = 1) -> Page[MediaSummary]:
        """Shows with an episode in the next seven days."""
        return self._list("/tv/on_the_air", "tv", page)

    def discover(
        self,
        kind: ListKind = "movie",
        *,
        page: int = 1,
        with_genres: int | str | Iterable[int] | None = None,
        year: int | None = None,
        sort_by: str | None = "popularity.desc",
        **filters: Any,
    ) -> Page[MediaSummary]:
        """`/discover/{movie|tv}`. `year` becomes `primary_release_year` (movies) or `first_air_date_year`
        (shows); any other TMDB filter can be passed by name (`primary_release_year=1999`, `with_keywords=...`);
        None values are left out, lists are joined with commas (all of them must match)."""
        path_kind = _path_kind(kind, ("movie", "tv"))
        year_param = "primary_release_year" if path_kind == "movie" else "first_air_date_year"
        values: dict[str, Any] = {"with_genres": with_genres, year_param: year, "sort_by": sort_by, **filters}
        if path_kind == "movie" and self.region:
            values.setdefault("region", self.region)
        return self._list(f"/discover/{path_kind}", path_kind, page, **_params(**values))

    def genres(self, kind: ListKind = "movie") -> tuple[Genre, ...]:
        path_kind = _path_kind(kind, ("movie", "tv"))
        return normalise.genres(self._get(f"/genre/{path_kind}/list", REFERENCE_TTL))

    def search(
        self, query: str, kind: SearchKind = "multi", page: int = 1, year: int | None = None
    ) -> Page[MediaSummary]:
        """`/search/{multi|movie|tv|person}`. Any text is safe (sent as an encoded query parameter); blank
        text answers an empty page without a request. `year` narrows movie and show searches only."""
        path_kind = _path_kind(kind, ("multi", "movie", "tv", "person"))
        text = " ".join(query.split())[:MAX_QUERY_LENGTH]
        if not text:
            return Page(items=(), page=1, total_pages=1, total_results=0)
        params = _params(query=text, page=_positive(page, "page"), include_adult=False)
        if year is not None and path_kind in ("movie", "tv"):
            params["year" if path_kind == "movie" else "first_air_date_year"] = str(int(year))
        if path_kind == "movie" and self.region:
            params["region"] = self.region
        hint = path_kind if path_kind != "multi" else None
        return normalise.page(self._get(f"/search/{path_kind}", SEARCH_TTL, params), hint)

    def find(self, external_id: str, source: Literal["imdb_id", "tvdb_id"] = "imdb_id") -> tuple[MediaSummary, ...]:
        """`/find/{id}`: the titles (and people) another site's id stands for; an id of any shape is safe."""
        text = "".join(char for char in str(external_id) if char.isalnum())[:40]
        if not text:
            return ()
        return normalise.find(self._get(f"/find/{text}", DETAILS_TTL, {"external_source": source}))

    # -- details -------------------------------------------------------------------------------

    @staticmethod
    def _append(parts: Iterable[str]) -> dict[str, str]:
        joined = ",".join(part for part in parts if part)
        return {"append_to_response": joined} if joined else {}

    def _unusable(self, what: str) -> ProviderError:
        return ProviderError(f"tmdb answered an unusable {what}", provider="tmdb")

    def _with_parts(self, path: str, append: Iterable[str]) -> Any:
        """Details with `append_to_response`; a part the answer lacks (a cache or proxy in between that
        dropped the query, a partial record) is asked for on its own, so a detail page is never half empty."""
        parts = tuple(part for part in append if part)
        payload = self._get(path, DETAILS_TTL, self._append(parts))
        if not isinstance(payload, dict):
            return payload
        for part in parts:
            if part not in payload:
                try:
                    payload[part] = self._get(f"{path}/{part}", DETAILS_TTL)
                except (ProviderError, ValueError) as error:
                    log.info("TMDB detail part unavailable", extra={"path": path, "part": part, "error": str(error)})
        return payload

    def movie(self, tmdb_id: int, append: Iterable[str] = MOVIE_APPEND) -> MediaDetails:
        payload = self._with_parts(f"/movie/{int(tmdb_id)}", append)
        details = normalise.movie_details(payload)
        if details is None:
            raise self._unusable(f"movie payload for {tmdb_id}")
        return details

    def show(self, tmdb_id: int, append: Iterable[str] = SHOW_APPEND) -> MediaDetails:
        payload = self._with_parts(f"/tv/{int(tmdb_id)}", append)
        details = normalise.show_details(payload)
        if details is None:
            raise self._unusable(f"show payload for {tmdb_id}")
        return details

    def season(self, tmdb_id: int, number: int) -> Season:
        payload = self._get(f"/tv/{int(tmdb_id)}/season/{int(number)}", DETAILS_TTL)
        found = normalise.season(payload)
        if found is None:
            raise self._unusable(f"season payload for show {tmdb_id} season {number}")
        return found

    def episode(self, tmdb_id: int, season: int, number: int) -> Episode:
        payload = self._get(f"/tv/{int(tmdb_id)}/season/{int(season)}/episode/{int(number)}", DETAILS_TTL)
        found = normalise.episode(payload)
        if found is None:
            raise self._unusable(f"episode payload for show {tmdb_id} S{season}E{number}")
        return found

    def person(self, tmdb_id: int) -> PersonDetails:
        """A person with their filmography (`combined_credits`) and external ids."""
        payload = self._with_parts(f"/person/{int(tmdb_id)}", PERSON_APPEND)
        found = normalise.person(payload)
        if found is None:
            raise self._unusable(f"person payload for {tmdb_id}")
        return found

    def recommendations(self, kind: ListKind, tmdb_id: int, page: int = 1) -> Page[MediaSummary]:
        path_kind = _path_kind(kind, ("movie", "tv"))
        return self._list(f"/{path_kind}/{int(tmdb_id)}/recommendations", path_kind, page)

    def similar(self, kind: ListKind, tmdb_id: int, page: int = 1) -> Page[MediaSummary]:
        path_kind = _path_kind(kind, ("movie", "tv"))
        return self._list(f"/{path_kind}/{int(tmdb_id)}/similar", path_kind, page)

    def release_dates(self, movie_id: int) -> tuple[ReleaseDate, ...]:
        """Every dated release of a movie, per country and type."""
        return normalise.release_dates(self._get(f"/movie/{int(movie_id)}/release_dates", DETAILS_TTL))

    def changes(
        self,
        kind: ChangesKind = "movie",
        page: int = 1,
        start_date: dt.date | str | None = None,
        end_date: dt.date | str | None = None,
    ) -> Page[int]:
        """Ids changed between two dates (TMDB allows at most 14 days; by default the last day)."""
        path_kind = _path_kind(kind, ("movie", "tv", "person"))
        params = _params(page=_positive(page, "page"), start_date=start_date, end_date=end_date)
        return normalise.changes(self._get(f"/{path_kind}/changes", LIST_TTL, params))

    def configuration(self) -> ImageConfiguration:
        """Where images live and which sizes exist."""
        found = normalise.configuration(self._get("/configuration", REFERENCE_TTL))
        if found is None:
            raise self._unusable("configuration (no image base URL)")
        return found

    # -- admin ---------------------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """Check the credentials with `GET /authentication` (never cached). Never raises: returns
        (ok, a message for the admin page)."""
        credential = "read access token" if self.auth_mode == "read_token" else "API key"
        host = urlsplit(self.base_url).netloc or self.base_url
        try:
            answer = self._http.request("GET", "/authentication")
        except ProviderAuthError:
            return False, f"TMDB rejected the {credential}"
        except ProviderUnavailable as error:
            if error.status is None:
                return False, f"Could not reach TMDB at {host}: check the address and the network"
            return False, f"TMDB is unavailable right now (HTTP {error.status}); try again later"
        except ProviderError as error:
            return False, f"TMDB answered HTTP {error.status} to the connection test"
        except Exception as error:  # a bad base URL and the like: the admin page must get a message, not a 500
            log.warning("TMDB connection test failed", extra={"error": type(error).__name__})
            return False, f"Could not reach TMDB at {host}: {type(error).__name__}"
        body = answer.json if isinstance(answer.json, dict) else {}
        if body.get("success") is False:
            return False, f"TMDB rejected the {credential}"
        return True, f"Connected to TMDB with the {credential}"
