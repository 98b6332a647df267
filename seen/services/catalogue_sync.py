"""Bringing the catalogue from its sources into the database: Discover sections, genres, title details.

Sources per kind: TMDB for movies and shows, IGDB for games, each replaced by the bundled demo catalogue
while it is not configured. Every provider call goes through `attempt`: up to three tries with backoff, each
one written to the sync log in its own transaction (so a failure is recorded even when the work rolls
back). A failing provider never empties what is stored: sections and details stay as last synced, and
pages keep serving them.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete
from sqlmodel import Session, col, select

from seen.cache import get_cache, key
from seen.config import Settings
from seen.db import session_scope
from seen.jobs import enqueue
from seen.models import media as tables
from seen.models.base import as_utc, utcnow
from seen.providers import demo
from seen.providers import models as records
from seen.providers.configured import igdb_configured, tmdb_configured
from seen.providers.errors import ProviderAuthError, ProviderError, ProviderNotFound, ProviderUnavailable
from seen.providers.igdb import IgdbClient
from seen.providers.tmdb import TmdbClient
from seen.services import app_settings, catalogue, catalogue_bulk, job_runs, tracking
from seen.services.errors import NotFound
from seen.services.sections import sections_of_job

log = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS = 3
# Backoff between attempts: base * 2**n with full jitter, capped; a provider's Retry-After wins when longer.
RETRY_BASE_SECONDS = 2.0
RETRY_CAP_SECONDS = 30.0
LIST_PAGES = 2  # 40 titles per TMDB list
GAME_LIST_SIZE = 40
SYNC_LOG_KEEP_DAYS = 90
# A stale title is queued for refresh at most once per this many seconds, however often it is viewed.
REFRESH_DEBOUNCE_SECONDS = 15 * 60
DEMO_MARKER = "demo_catalogue"


class SyncFailed(Exception):
    """Every attempt failed; the sync log has each one."""


# -- sources -------------------------------------------------------------------------------------------


@dataclass
class Sources:
    """The provider clients for one job or request; `None` where the demo catalogue stands in."""

    settings: Settings
    tmdb: TmdbClient | None = None
    igdb: IgdbClient | None = None
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def provider_for(self, kind: str) -> str:
        if kind == "game":
            return "igdb" if self.igdb is not None else catalogue.DEMO
        return "tmdb" if self.tmdb is not None else catalogue.DEMO

    @property
    def demo_kinds(self) -> tuple[str, ...]:
        return tuple(kind for kind in tables.MEDIA_KINDS if self.provider_for(kind) == catalogue.DEMO)

    def close(self) -> None:
        for closer in self._closers:
            closer()


def build_sources(settings: Settings, *, fresh: bool = False) -> Sources:
    """Clients for the configured providers. `fresh`: skip the response cache (jobs refreshing data)."""
    sources = Sources(settings=settings)
    if tmdb_configured(settings):
        sources.tmdb = TmdbClient(
            settings, language=settings.tmdb_language, region=settings.tmdb_region, read_cache=not fresh
        )
        sources._closers.append(sources.tmdb.close)
    if igdb_configured(settings):
        sources.igdb = IgdbClient(settings, read_cache=not fresh)
        sources._closers.append(sources.igdb.close)
    return sources


@contextmanager
def open_sources(settings: Settings | None = None, *, fresh: bool = False) -> Iterator[Sources]:
    if settings is None:
        with session_scope() as session:
            settings = app_settings.provider_settings(session=session)
    sources = build_sources(settings, fresh=fresh)
    try:
        yield sources
    finally:
        sources.close()


# -- attempts and the sync log ---------------------------------------------------------------------------


def record(
    *, target: str, provider: str, status: str, attempt: int = 1, duration_ms: int = 0, detail: str = ""
) -> None:
    with session_scope() as session:
        session.add(
            tables.SyncLogEntry(
                target=target[:200],
                provider=provider,
                status=status,
                attempt=attempt,
                duration_ms=duration_ms,
                detail=detail[:2000],
            )
        )


def _delay(attempt: int, error: ProviderError) -> float:
    delay = random.uniform(0, min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** (attempt - 1)))
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        delay = max(delay, min(float(retry_after), RETRY_CAP_SECONDS))
    return delay


def attempt(
    *,
    target: str,
    provider: str,
    call: Callable[[], T],
    sleep: Callable[[float], None] = time.sleep,
    attempts: int = ATTEMPTS,
) -> T:
    """Run a provider call up to `attempts` times. A refused key or a missing item is not retried."""
    for number in range(1, attempts + 1):
        started = time.monotonic()
        try:
            result = call()
        except (ProviderAuthError, ProviderNotFound) as error:
            record(
                target=target,
                provider=provider,
                status="failed",
                attempt=number,
                duration_ms=_ms(started),
                detail=_describe(error),
            )
            raise SyncFailed(_describe(error)) from error
        except ProviderError as error:
            last = number == attempts
            record(
                target=target,
                provider=provider,
                status="failed" if last else "retry",
                attempt=number,
                duration_ms=_ms(started),
                detail=_describe(error),
            )
            log.warning("provider call failed", extra={"target": target, "attempt": number, "error": _describe(error)})
            if last:
                raise SyncFailed(_describe(error)) from error
            sleep(_delay(number, error))
        else:
            record(target=target, provider=provider, status="ok", attempt=number, duration_ms=_ms(started))
            return result
    raise AssertionError("unreachable")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(error: ProviderError) -> str:
    if isinstance(error, ProviderAuthError):
        return f"{error.provider}: credentials refused (check them in /app/admin)"
    if isinstance(error, ProviderNotFound):
        return f"{error.provider}: not found"
    if isinstance(error, ProviderUnavailable):
        status = f"HTTP {error.status}" if error.status else "unreachable"
        return f"{error.provider}: unavailable ({status})"
    return f"{error.provider}: {error}"


def _store_summaries(*, session: Session, items: tuple[records.MediaSummary, ...], kind: str | None) -> list[int]:
    ids = []
    for summary in items:
        if kind is not None and summary.kind != kind:
            continue
        try:
            ids.append(catalogue.store_summary(session=session, summary=summary).id)
        except catalogue.UnusableRecord as error:
            log.info("provider record skipped", extra={"reason": str(error)})
    return ids


# -- the demo catalogue ------------------------------------------------------------------------------------


def _demo_version() -> str:
    digest = hashlib.sha256()
    for title in demo.titles():
        digest.update(title.slug.encode())
        digest.update(repr(title.details).encode())
    return digest.hexdigest()[:16]


def seed_demo(*, kinds: tuple[str, ...] = tables.MEDIA_KINDS, wait_seconds: float = 300.0) -> int:
    """Store the bundled catalogue's titles of these kinds (skipped when this version is already stored).

    The section jobs all start by seeding and may start together: one stores, the others wait for it, so
    none of them computes its section from a half-stored catalogue.
    """
    if not kinds:
        return 0
    marker = f"{_demo_version()}:{','.join(sorted(kinds))}"
    deadline = time.monotonic() + wait_seconds
    while True:
        with session_scope() as session:
            if app_settings.stored_value(session=session, key=DEMO_MARKER) == marker:
                return 0
        with job_runs.exclusive("catalogue.seed_demo", ttl_seconds=int(wait_seconds)) as acquired:
            if acquired:
                return _store_demo(kinds, marker)
        if time.monotonic() > deadline:
            raise SyncFailed("the demo catalogue is being stored by another process for too long")
        time.sleep(0.5)


def demo_addon_slug(parent_slug: str) -> Callable[[records.MediaSummary], str]:
    """DLC and expansions in the demo catalogue have no slug of their own: they take their game's."""
    return lambda summary: f"{parent_slug}--{demo.slugify(summary.title)}"


def _store_demo(kinds: tuple[str, ...], marker: str) -> int:
    chosen = [title for title in demo.titles() if title.details.summary.kind in kinds]
    with session_scope() as session:
        if app_settings.stored_value(session=session, key=DEMO_MARKER) == marker:
            return 0
        for kind in kinds:
            catalogue.store_genres(session=session, kind=kind, genres=demo.genres(kind))
        stored_slugs = set(
            session.exec(
                select(tables.MediaExternalId.external_id).where(tables.MediaExternalId.provider == catalogue.DEMO)
            )
        )
        # First start: everything is new, so one bulk insert (seconds instead of a minute on a small machine).
        new = [title for title in chosen if title.slug not in stored_slugs]
        catalogue_bulk.insert_titles(
            session=session,
            titles=[catalogue_bulk.NewTitle(t.details, t.slug, demo_addon_slug(t.slug)) for t in new],
            person_slug=demo.person_slug,
        )
        # A newer bundled catalogue: titles already stored are updated in place (their ids, and so whatever
        # users attached to them, stay).
        for title in chosen:
            if title.slug in stored_slugs:
                catalogue.store_details(
                    session=session,
                    details=title.details,
                    demo_slug=title.slug,
                    person_slug=demo.person_slug,
                    addon_slug=demo_addon_slug(title.slug),
                )
        app_settings.store_value(session=session, key=DEMO_MARKER, value=marker)
    log.info("demo catalogue stored", extra={"titles": len(chosen), "new": len(new)})
    return len(chosen)


def retire_demo(*, kinds: tuple[str, ...]) -> int:
    """Once a real provider serves a kind, the demo titles of that kind leave the catalogue (and search)."""
    if not kinds:
        return 0
    with session_scope() as session:
        result = session.exec(
            delete(tables.MediaItem).where(
                col(tables.MediaItem.source) == catalogue.DEMO,
                col(tables.MediaItem.kind).in_(kinds),
                # Titles users track stay (with what they recorded), demo or not.
                col(tables.MediaItem.id).not_in(tracking.tracked_media_ids()),
            )
        )
        removed = result.rowcount or 0
        if removed:
            catalogue.changed(session)
            session.exec(
                delete(tables.Person)
                .where(col(tables.Person.source) == catalogue.DEMO)
                .where(col(tables.Person.id).not_in(select(tables.MediaCredit.person_id)))
            )
            # The next time a kind falls back to the demo catalogue, it is stored again.
            app_settings.store_value(session=session, key=DEMO_MARKER, value="")
    if removed:
        log.info("demo titles retired", extra={"kinds": list(kinds), "titles": removed})
    return removed


def _demo_ids(*, session: Session, slugs: tuple[str, ...], kind: str) -> list[int]:
    if not slugs:
        return []
    rows = session.exec(
        select(tables.MediaExternalId.external_id, tables.MediaExternalId.media_id).where(
            tables.MediaExternalId.provider == catalogue.DEMO, col(tables.MediaExternalId.external_id).in_(slugs)
        )
    ).all()
    by_slug = dict(rows)
    return [by_slug[slug] for slug in slugs if slug in by_slug]


# -- sections ----------------------------------------------------------------------------------------------


def _fetch_section(sources: Sources, name: str, kind: str) -> tuple[records.MediaSummary, ...]:
    if kind == "game":
        assert sources.igdb is not None
        if name == "recent_games":
            return sources.igdb.recently_released(limit=GAME_LIST_SIZE).items
        return sources.igdb.most_anticipated(limit=GAME_LIST_SIZE).items
    tmdb = sources.tmdb
    assert tmdb is not None
    fetchers: dict[str, Callable[[int], records.Page[records.MediaSummary]]] = {
        "trending": lambda page: tmdb.trending(kind, "day", page),
        "popular": lambda page: tmdb.popular(kind, page),
        "top_rated": lambda page: tmdb.top_rated(kind, page),
        "upcoming": lambda page: tmdb.upcoming(page),
        "now_playing": lambda page: tmdb.now_playing(page),
        "airing_today": lambda page: tmdb.airing_today(page),
    }
    items: list[records.MediaSummary] = []
    for page in range(1, LIST_PAGES + 1):
        result = fetchers[name](page)
        items.extend(result.items)
        if page >= result.total_pages:
            break
    return tuple(items)


def sync_sections(*, job: str, today: date | None = None) -> list[str]:
    """Refresh every section the job owns; returns one report line per section and kind."""
    from seen.services import catalogue_views

    report: list[str] = []
    genres_checked: set[str] = set()
    with open_sources(fresh=True) as sources:
        seed_demo(kinds=sources.demo_kinds)
        retire_demo(kinds=tuple(kind for kind in tables.MEDIA_KINDS if kind not in sources.demo_kinds))
        for section in sections_of_job(job):
            for kind in section.kinds:
                provider = sources.provider_for(kind)
                target = f"section:{section.name}:{kind}"
                if provider == catalogue.DEMO:
                    slugs = demo.section(section.name, today=today or date.today(), kind=kind, limit=60)
                    with session_scope() as session:
                        ids = _demo_ids(session=session, slugs=slugs, kind=kind)
                        catalogue.replace_section(session=session, section=section.name, kind=kind, media_ids=ids)
                    record(target=target, provider=provider, status="ok", detail=f"{len(ids)} titles")
                    report.append(f"{target}: {len(ids)} (demo)")
                    continue
                try:
                    items = attempt(
                        target=target,
                        provider=provider,
                        call=lambda s=section.name, k=kind: _fetch_section(sources, s, k),
                    )
                except SyncFailed as error:
                    report.append(f"{target}: kept previous ({error})")
                    continue
                if kind not in genres_checked:
                    genres_checked.add(kind)
                    _genres_before_summaries(sources, kind, items)
                with session_scope() as session:
                    ids = _store_summaries(session=session, items=items, kind=kind)
                    if ids:  # an empty answer is more likely a provider hiccup than an empty world
                        catalogue.replace_section(session=session, section=section.name, kind=kind, media_ids=ids)
                report.append(f"{target}: {len(ids)}")
    catalogue_views.invalidate_discover()
    return report


def _genre_fetcher(sources: Sources, kind: str) -> Callable[[], tuple[records.Genre, ...]]:
    if kind == "game":
        assert sources.igdb is not None
        return sources.igdb.genres
    tmdb = sources.tmdb
    assert tmdb is not None
    return lambda: tmdb.genres(kind)


def _sync_kind_genres(sources: Sources, kind: str) -> str:
    provider = sources.provider_for(kind)
    if provider == catalogue.DEMO:
        genres = demo.genres(kind)
    else:
        try:
            genres = attempt(target=f"genres:{kind}", provider=provider, call=_genre_fetcher(sources, kind))
        except SyncFailed as error:
            return f"genres:{kind}: kept previous ({error})"
    with session_scope() as session:
        count = catalogue.store_genres(session=session, kind=kind, genres=genres)
    return f"genres:{kind}: {count}"


def _genres_before_summaries(sources: Sources, kind: str, items: tuple[records.MediaSummary, ...]) -> None:
    """Lists name genres by id only, so a title stored before its kind's genre list is known would stay
    without genres until its details are fetched (on a new install the list and genre syncs start side by
    side). A list with genre ids, of a kind whose genres were never stored, fetches that genre list first;
    genres the provider adds later arrive with the scheduled genre sync."""
    provider = "igdb" if kind == "game" else "tmdb"
    if not any(summary.genre_ids for summary in items if summary.kind == kind):
        return
    with session_scope() as session:
        known = session.exec(
            select(tables.Genre.id).where(tables.Genre.provider == provider, tables.Genre.kind == kind).limit(1)
        ).first()
    if known is None:
        _sync_kind_genres(sources, kind)


def sync_genres() -> list[str]:
    report = []
    with open_sources(fresh=True) as sources:
        for kind in tables.MEDIA_KINDS:
            report.append(_sync_kind_genres(sources, kind))
        if sources.igdb is not None:
            # Game payloads name platforms by id only; the list gives them their names.
            igdb = sources.igdb
            try:
                platforms = attempt(target="platforms", provider="igdb", call=igdb.platforms)
            except SyncFailed as error:
                report.append(f"platforms: kept previous ({error})")
            else:
                with session_scope() as session:
                    for platform in platforms:
                        catalogue.platform_row(session=session, platform=platform)
                report.append(f"platforms: {len(platforms)}")
    return report


# -- details, seasons, people ------------------------------------------------------------------------------


def _external_id(session: Session, media_id: int, provider: str) -> str | None:
    return session.exec(
        select(tables.MediaExternalId.external_id).where(
            tables.MediaExternalId.media_id == media_id, tables.MediaExternalId.provider == provider
        )
    ).first()


def is_stale(synced_at: datetime | None, settings: Settings) -> bool:
    if synced_at is None:
        return True
    return as_utc(synced_at) < utcnow() - timedelta(days=settings.catalogue_stale_days)


def refresh_media(*, media_id: int, sources: Sources | None = None, attempts: int = ATTEMPTS) -> str:
    """Fetch and store one title's details. Returns "ok"; raises NotFound or SyncFailed.

    Jobs make `ATTEMPTS` attempts; a reader waiting for the answer makes one (the HTTP chokepoint has
    already retried inside it), so a page is never held up by backoff."""
    if sources is None:
        with open_sources(fresh=True) as opened:
            return refresh_media(media_id=media_id, sources=opened, attempts=attempts)
    with session_scope() as session:
        media = session.get(tables.MediaItem, media_id)
        if media is None:
            raise NotFound("No such title")
        kind, source = media.kind, media.source
        slug = _external_id(session, media_id, catalogue.DEMO)
        tmdb_id = _external_id(session, media_id, "tmdb")
        igdb_id = _external_id(session, media_id, "igdb")
    target = f"media:{media_id}"
    if slug is not None and source == catalogue.DEMO:
        title = demo.by_slug(slug)
        if title is None:
            raise SyncFailed("demo title no longer bundled")
        details = title.details
    elif kind == "game":
        if igdb_id is None or sources.igdb is None:
            record(target=target, provider="igdb", status="skipped", detail="IGDB is not configured")
            raise SyncFailed("IGDB is not configured")
        igdb = sources.igdb
        details = attempt(target=target, provider="igdb", call=lambda: igdb.game(int(igdb_id)), attempts=attempts)
    else:
        if tmdb_id is None or sources.tmdb is None:
            record(target=target, provider="tmdb", status="skipped", detail="TMDB is not configured")
            raise SyncFailed("TMDB is not configured")
        tmdb = sources.tmdb
        fetch = tmdb.movie if kind == "movie" else tmdb.show
        details = attempt(target=target, provider="tmdb", call=lambda: fetch(int(tmdb_id)), attempts=attempts)
    asked = {"igdb": igdb_id, "tmdb": tmdb_id}.get("igdb" if kind == "game" else "tmdb")
    answered = details.summary.ids.igdb if kind == "game" else details.summary.ids.tmdb
    if source != catalogue.DEMO and (answered is None or str(answered) != asked):
        # Storing it would attach another title's facts (or ids) to this row.
        record(target=target, provider=source, status="failed", detail=f"asked for {asked}, got {answered}")
        raise SyncFailed("the provider answered with another title")
    with session_scope() as session:
        catalogue.store_details(
            session=session,
            details=details,
            demo_slug=slug if source == catalogue.DEMO else None,
            person_slug=demo.person_slug if source == catalogue.DEMO else None,
            addon_slug=demo_addon_slug(slug) if source == catalogue.DEMO and slug else None,
        )
    return "ok"


def refresh_season(*, media_id: int, number: int, sources: Sources | None = None, attempts: int = ATTEMPTS) -> str:
    if sources is None:
        with open_sources(fresh=True) as opened:
            return refresh_season(media_id=media_id, number=number, sources=opened, attempts=attempts)
    with session_scope() as session:
        tmdb_id = _external_id(session, media_id, "tmdb")
    if tmdb_id is None or sources.tmdb is None:
        raise SyncFailed("episodes come with the title's details")
    tmdb = sources.tmdb
    season = attempt(
        target=f"season:{media_id}:{number}",
        provider="tmdb",
        call=lambda: tmdb.season(int(tmdb_id), number),
        attempts=attempts,
    )
    with session_scope() as session:
        catalogue.store_season(session=session, media_id=media_id, season=season)
    return "ok"


def refresh_person(*, person_id: int, sources: Sources | None = None, attempts: int = ATTEMPTS) -> str:
    if sources is None:
        with open_sources(fresh=True) as opened:
            return refresh_person(person_id=person_id, sources=opened, attempts=attempts)
    with session_scope() as session:
        person = session.get(tables.Person, person_id)
        if person is None:
            raise NotFound("No such person")
        provider, _, external_id = person.external_id.partition(":")
    if provider != "tmdb" or sources.tmdb is None:
        raise SyncFailed("people come with the titles' credits")
    tmdb = sources.tmdb
    target = f"person:{person_id}"
    details = attempt(target=target, provider="tmdb", call=lambda: tmdb.person(int(external_id)), attempts=attempts)
    if str(details.person.ids.tmdb) != external_id:
        record(
            target=target,
            provider="tmdb",
            status="failed",
            detail=f"asked for {external_id}, got {details.person.ids.tmdb}",
        )
        raise SyncFailed("the provider answered with another person")
    with session_scope() as session:
        catalogue.store_person(session=session, details=details)
    return "ok"


@dataclass(frozen=True, slots=True)
class Freshness:
    """How a read found its data: "fresh", "stale" (served, refresh queued) or "missing" (not yet fetched);
    `notice` says why details could not be brought when it failed."""

    state: str
    notice: str | None = None


def queue_refresh(actor: str, **kwargs: Any) -> bool:
    """Queue a background refresh unless one was queued for the same thing recently."""
    marker = key("refresh-queued", actor, *(f"{k}={v}" for k, v in sorted(kwargs.items())))
    if not get_cache().add_json(marker, 1, REFRESH_DEBOUNCE_SECONDS):
        return False
    try:
        enqueue(actor, **kwargs)
    except Exception:  # the broker being down must not break a page view; the weekly job catches up
        log.warning("could not queue a refresh", extra={"actor": actor}, exc_info=True)
        get_cache().delete(marker)
        return False
    return True


def _database_first(
    *,
    synced_at: datetime | None,
    settings: Settings,
    fetch: Callable[[], object],
    refresh_job: tuple[str, dict],
    what: str,
) -> Freshness:
    """The one rule of a read: fresh is served, stale is served while a job refreshes it, missing is fetched
    now (one attempt) and a failed fetch becomes a notice next to what is stored."""
    if synced_at is None:
        try:
            fetch()
        except SyncFailed as error:
            return Freshness("missing", f"{what} could not be loaded right now: {error}")
        return Freshness("fresh")
    if is_stale(synced_at, settings):
        actor, arguments = refresh_job
        queue_refresh(actor, **arguments)
        return Freshness("stale")
    return Freshness("fresh")


def ensure_media(*, media_id: int, settings: Settings) -> Freshness:
    with session_scope() as session:
        media = session.get(tables.MediaItem, media_id)
        if media is None:
            raise NotFound("No such title")
        synced_at, source = media.details_synced_at, media.source
    if source == catalogue.DEMO:
        return Freshness("fresh")  # the bundled catalogue is all there is to know
    return _database_first(
        synced_at=synced_at,
        settings=settings,
        fetch=lambda: refresh_media(media_id=media_id, attempts=1),
        refresh_job=("catalogue.refresh_media", {"media_id": media_id}),
        what="Details",
    )


def ensure_season(*, media_id: int, number: int, settings: Settings) -> Freshness:
    with session_scope() as session:
        season = session.exec(
            select(tables.ShowSeason).where(tables.ShowSeason.media_id == media_id, tables.ShowSeason.number == number)
        ).first()
        if season is None:
            raise NotFound("No such season")
        synced_at = season.episodes_synced_at
        has_tmdb = _external_id(session, media_id, "tmdb") is not None
    if not has_tmdb:
        return Freshness("fresh")  # demo seasons come with their episodes
    return _database_first(
        synced_at=synced_at,
        settings=settings,
        fetch=lambda: refresh_season(media_id=media_id, number=number, attempts=1),
        refresh_job=("catalogue.refresh_season", {"media_id": media_id, "number": number}),
        what="Episodes",
    )


def ensure_person(*, person_id: int, settings: Settings) -> Freshness:
    with session_scope() as session:
        person = session.get(tables.Person, person_id)
        if person is None:
            raise NotFound("No such person")
        synced_at, source = person.details_synced_at, person.source
    if source != "tmdb":
        return Freshness("fresh")
    return _database_first(
        synced_at=synced_at,
        settings=settings,
        fetch=lambda: refresh_person(person_id=person_id, attempts=1),
        refresh_job=("catalogue.refresh_person", {"person_id": person_id}),
        what="Details",
    )


def provider_search(*, query: str, kinds: set[str], sources: Sources) -> list[int]:
    """Ask the configured providers too and store what they found; returns our ids in their order."""
    ids: list[int] = []
    if sources.tmdb is not None and kinds & {"movie", "show"}:
        tmdb = sources.tmdb
        try:
            page = attempt(target="search:tmdb", provider="tmdb", call=lambda: tmdb.search(query, "multi"), attempts=1)
        except SyncFailed:
            page = None
        if page is not None:
            with session_scope() as session:
                ids += [
                    media_id
                    for media_id in _store_summaries(session=session, items=page.items, kind=None)
                    if session.get(tables.MediaItem, media_id).kind in kinds
                ]
    if sources.igdb is not None and "game" in kinds:
        igdb = sources.igdb
        try:
            games = attempt(target="search:igdb", provider="igdb", call=lambda: igdb.search_games(query), attempts=1)
        except SyncFailed:
            games = None
        if games is not None:
            with session_scope() as session:
                ids += _store_summaries(session=session, items=games.items, kind="game")
    return ids


# -- maintenance -----------------------------------------------------------------------------------------


def refresh_stale(*, limit: int = 200) -> list[str]:
    with session_scope() as session:
        settings = app_settings.provider_settings(session=session)
        cutoff = utcnow() - timedelta(days=settings.catalogue_stale_days)
        ids = session.exec(
            select(tables.MediaItem.id)
            .where(col(tables.MediaItem.source) != catalogue.DEMO)
            .where(col(tables.MediaItem.details_synced_at).is_not(None))
            .where(col(tables.MediaItem.details_synced_at) < cutoff)
            .order_by(col(tables.MediaItem.details_synced_at))
            .limit(limit)
        ).all()
    refreshed, failed = 0, 0
    with open_sources(settings, fresh=True) as sources:
        for media_id in ids:
            try:
                refresh_media(media_id=media_id, sources=sources)
                refreshed += 1
            except (SyncFailed, NotFound):
                failed += 1
    return [f"refreshed {refreshed}", f"failed {failed}"]


def cleanup_sync_log(*, keep_days: int = SYNC_LOG_KEEP_DAYS) -> int:
    cutoff = datetime.now(UTC) - timedelta(days=keep_days)
    with session_scope() as session:
        result = session.exec(delete(tables.SyncLogEntry).where(col(tables.SyncLogEntry.created_at) < cutoff))
        return result.rowcount or 0
