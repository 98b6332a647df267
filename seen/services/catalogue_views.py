"""Reading the catalogue for pages and the API: cards, sections, browsing, detail views, search.

Everything returns plain dataclasses (no ORM rows leave this module). Section pages are cached under
`seen:v1:discover:{hash}` for ten minutes; a section sync bumps a generation number that is part of the
hash, so fresh data shows at once without enumerating keys. Image fields are our own image URLs.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field

from sqlalchemy import func
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from seen.cache import DISCOVER, generation, get_cache, key, next_generation
from seen.models import media as tables
from seen.providers.configured import igdb_configured, tmdb_configured
from seen.services import app_settings, images, search
from seen.services.errors import InvalidInput, NotFound
from seen.services.sections import SECTIONS

DISCOVER_TTL = 10 * 60
SUGGEST_TTL = 5 * 60
MAX_PAGE_SIZE = 100
SORTS = {
    "popularity": (col(tables.MediaItem.popularity).desc().nulls_last(),),
    "rating": (
        col(tables.MediaItem.vote_average).desc().nulls_last(),
        col(tables.MediaItem.vote_count).desc().nulls_last(),
    ),
    "release_date": (col(tables.MediaItem.release_date).desc().nulls_last(),),
    "title": (col(tables.MediaItem.title),),
}
KIND_ROUTES = {"movie": "movies", "show": "shows", "game": "games"}
PROVIDER_NAMES = {"tmdb": "TMDB", "igdb": "IGDB"}


def media_href(kind: str, media_id: int) -> str:
    return f"/app/{KIND_ROUTES[kind]}/{media_id}"


def person_href(person_id: int) -> str:
    return f"/app/people/{person_id}"


def _image_provider(source: str) -> str:
    return source if source in ("tmdb", "igdb", "demo") else "tmdb"


@dataclass(frozen=True, slots=True)
class MediaCard:
    id: int
    type: str
    title: str
    year: int | None
    release_date: str | None
    vote_average: float | None
    poster_url: str | None
    href: str


@dataclass(frozen=True, slots=True)
class CardPage:
    items: list[MediaCard]
    total: int
    page: int
    page_size: int


CARD_COLUMNS = ("id", "kind", "source", "title", "year", "release_date", "vote_average", "poster_path")


def card(media: tables.MediaItem, size: str = "md") -> MediaCard:
    poster_kind = "cover" if media.kind == "game" else "poster"
    return MediaCard(
        id=media.id,
        type=media.kind,
        title=media.title,
        year=media.year,
        release_date=media.release_date.isoformat() if media.release_date else None,
        vote_average=round(media.vote_average, 1) if media.vote_average is not None else None,
        poster_url=images.image_url(_image_provider(media.source), poster_kind, media.poster_path, size),
        href=media_href(media.kind, media.id),
    )


def cards_for(*, session: Session, media_ids: Sequence[int]) -> list[MediaCard]:
    """Cards in the order of the ids given (missing ids dropped)."""
    if not media_ids:
        return []
    media = tables.MediaItem
    # Only what a card shows: the raw provider payload and the long texts are most of a row's weight.
    statement = (
        select(media)
        .where(col(media.id).in_(media_ids))
        .options(load_only(*(getattr(media, name) for name in CARD_COLUMNS)))
    )
    rows = {row.id: row for row in session.exec(statement)}
    return [card(rows[media_id]) for media_id in media_ids if media_id in rows]


def _page_bounds(page: int, page_size: int) -> tuple[int, int]:
    if page < 1:
        raise InvalidInput("page must be 1 or more")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    return (page - 1) * page_size, page_size


# -- Discover ------------------------------------------------------------------------------------------


def invalidate_discover() -> None:
    """Called after a section sync: every cached Discover page is from an older generation from now on."""
    next_generation(DISCOVER)


def discover_section(
    *,
    session: Session,
    section: str,
    kind: str | None = None,
    genre_id: int | None = None,
    page: int = 1,
    page_size: int = 20,
) -> CardPage:
    if section not in SECTIONS:
        raise InvalidInput(f"unknown section {section!r}; expected one of {', '.join(SECTIONS)}")
    kinds = SECTIONS[section].kinds
    if kind is not None and kind not in kinds:
        return CardPage([], 0, page, page_size)
    offset, limit = _page_bounds(page, page_size)
    query = {
        "section": section,
        "kind": kind,
        "genre": genre_id,
        "page": page,
        "size": page_size,
        "gen": generation(DISCOVER),
    }
    cache_name = key("discover", hashlib.sha1(json.dumps(query, sort_keys=True).encode()).hexdigest()[:20])
    cached = get_cache().get_json(cache_name)
    if cached is not None:
        return CardPage([MediaCard(**item) for item in cached["items"]], cached["total"], page, page_size)
    statement = select(tables.DiscoverEntry.media_id).where(tables.DiscoverEntry.section == section)
    if kind is not None:
        statement = statement.where(tables.DiscoverEntry.kind == kind)
    if genre_id is not None:
        statement = statement.join(
            tables.MediaGenre, col(tables.MediaGenre.media_id) == col(tables.DiscoverEntry.media_id)
        ).where(tables.MediaGenre.genre_id == genre_id)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ids = session.exec(
        statement.order_by(col(tables.DiscoverEntry.position), col(tables.DiscoverEntry.kind))
        .offset(offset)
        .limit(limit)
    ).all()
    result = CardPage(cards_for(session=session, media_ids=ids), total, page, page_size)
    get_cache().set_json(cache_name, {"items": [asdict(item) for item in result.items], "total": total}, DISCOVER_TTL)
    return result


def browse(
    *,
    session: Session,
    kind: str,
    genre_id: int | None = None,
    year: int | None = None,
    platform_id: int | None = None,
    sort: str = "popularity",
    page: int = 1,
    page_size: int = 24,
) -> CardPage:
    """The Movies / Shows / Games pages: everything stored of one kind, filtered and sorted."""
    if kind not in tables.MEDIA_KINDS:
        raise InvalidInput(f"unknown type {kind!r}")
    if sort not in SORTS:
        raise InvalidInput(f"unknown sort {sort!r}; expected one of {', '.join(SORTS)}")
    offset, limit = _page_bounds(page, page_size)
    statement = select(tables.MediaItem.id).where(tables.MediaItem.kind == kind)
    if genre_id is not None:
        statement = statement.where(
            col(tables.MediaItem.id).in_(
                select(tables.MediaGenre.media_id).where(tables.MediaGenre.genre_id == genre_id)
            )
        )
    if year is not None:
        statement = statement.where(tables.MediaItem.year == year)
    if platform_id is not None:
        statement = statement.where(
            col(tables.MediaItem.id).in_(
                select(tables.MediaPlatform.media_id).where(tables.MediaPlatform.platform_id == platform_id)
            )
        )
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ids = session.exec(statement.order_by(*SORTS[sort], col(tables.MediaItem.id)).offset(offset).limit(limit)).all()
    return CardPage(cards_for(session=session, media_ids=ids), total, page, page_size)


@dataclass(frozen=True, slots=True)
class GenreView:
    id: int
    type: str
    name: str


def list_genres(*, session: Session, kind: str | None = None) -> list[GenreView]:
    statement = select(tables.Genre).order_by(col(tables.Genre.kind), col(tables.Genre.name))
    if kind is not None:
        statement = statement.where(tables.Genre.kind == kind)
    # One name per kind: a genre known under two providers' ids shows once (the first stored wins).
    seen: set[tuple[str, str]] = set()
    views = []
    for row in session.exec(statement):
        if (row.kind, row.name) in seen:
            continue
        seen.add((row.kind, row.name))
        views.append(GenreView(row.id, row.kind, row.name))
    return views


@dataclass(frozen=True, slots=True)
class PlatformView:
    id: int
    name: str
    abbreviation: str | None = None


def list_platforms(*, session: Session) -> list[PlatformView]:
    used = select(tables.MediaPlatform.platform_id).distinct()
    rows = session.exec(
        select(tables.Platform).where(col(tables.Platform.id).in_(used)).order_by(col(tables.Platform.name))
    )
    return [PlatformView(row.id, row.name, row.abbreviation) for row in rows]


def catalogue_sources(*, session: Session) -> dict[str, str]:
    """Which source serves each kind now ("tmdb", "igdb" or "demo"), for the "demo catalogue" label."""
    settings = app_settings.provider_settings(session=session)
    movies_and_shows = "tmdb" if tmdb_configured(settings) else "demo"
    return {
        "movie": movies_and_shows,
        "show": movies_and_shows,
        "game": "igdb" if igdb_configured(settings) else "demo",
    }


def catalogue_is_empty(*, session: Session) -> bool:
    """True before the first sync has stored anything (the pages then say the catalogue is on its way)."""
    return session.exec(select(tables.MediaItem.id).limit(1)).first() is None


def provider_notice(*, session: Session) -> str | None:
    """When a section's newest sync failed at a provider in use: what users are told next to the lists."""
    latest = (
        select(func.max(tables.SyncLogEntry.id))
        .where(
            col(tables.SyncLogEntry.target).startswith("section:"),
            col(tables.SyncLogEntry.status).in_(("ok", "failed")),
        )
        .group_by(col(tables.SyncLogEntry.target))
    )
    failing = set(
        session.exec(
            select(tables.SyncLogEntry.provider)
            .where(col(tables.SyncLogEntry.id).in_(latest), tables.SyncLogEntry.status == "failed")
            .distinct()
        )
    )
    in_use = set(catalogue_sources(session=session).values())
    problems = [PROVIDER_NAMES[provider] for provider in sorted(failing & in_use) if provider in PROVIDER_NAMES]
    if not problems:
        return None
    return f"{' and '.join(problems)} could not be reached at the last sync: some lists are as last synced."


# -- detail views ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreditView:
    person_id: int
    name: str
    role: str
    character: str | None
    job: str | None
    profile_url: str | None
    href: str


@dataclass(frozen=True, slots=True)
class SeasonSummary:
    number: int
    title: str
    air_date: str | None
    episode_count: int | None
    poster_url: str | None
    href: str


@dataclass(frozen=True, slots=True)
class ReleaseView:
    date: str | None
    country: str | None
    platform: str | None
    type: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class MediaView:
    id: int
    type: str
    title: str
    original_title: str | None
    year: int | None
    release_date: str | None
    overview: str | None
    tagline: str | None
    status: str | None
    runtime: int | None
    vote_average: float | None
    vote_count: int | None
    original_language: str | None
    poster_url: str | None
    backdrop_url: str | None
    source: str
    genres: list[GenreView]
    external_ids: dict[str, str]
    number_of_seasons: int | None = None
    number_of_episodes: int | None = None
    networks: list[str] = field(default_factory=list)
    seasons: list[SeasonSummary] = field(default_factory=list)
    cast: list[CreditView] = field(default_factory=list)
    crew: list[CreditView] = field(default_factory=list)
    platforms: list[PlatformView] = field(default_factory=list)
    release_dates: list[ReleaseView] = field(default_factory=list)
    franchises: list[str] = field(default_factory=list)
    companies: list[dict] = field(default_factory=list)
    screenshot_urls: list[str] = field(default_factory=list)
    time_to_beat_hours: dict[str, float] = field(default_factory=dict)
    dlcs: list[MediaCard] = field(default_factory=list)
    expansions: list[MediaCard] = field(default_factory=list)
    recommendations: list[MediaCard] = field(default_factory=list)
    similar: list[MediaCard] = field(default_factory=list)
    details_loaded: bool = False
    synced_at: str | None = None


def _profile_url(person: tables.Person, size: str = "sm") -> str | None:
    if person.profile_path:
        return images.image_url("tmdb", "profile", person.profile_path, size)
    if person.source == "demo":
        return images.image_url("demo", "profile", "demo/" + person.external_id.split(":", 1)[1], size)
    return None


def _credits(*, session: Session, media_id: int) -> tuple[list[CreditView], list[CreditView]]:
    rows = session.exec(
        select(tables.MediaCredit, tables.Person)
        .join(tables.Person, col(tables.Person.id) == col(tables.MediaCredit.person_id))
        .where(tables.MediaCredit.media_id == media_id)
        .order_by(col(tables.MediaCredit.position))
    ).all()
    cast, crew = [], []
    for credit, person in rows:
        view = CreditView(
            person.id,
            person.name,
            credit.role,
            credit.character,
            credit.job,
            _profile_url(person),
            person_href(person.id),
        )
        (cast if credit.role == "cast" else crew).append(view)
    return cast[:40], crew[:40]


def _related(*, session: Session, media_id: int) -> dict[str, list[MediaCard]]:
    rows = session.exec(
        select(tables.MediaRelation)
        .where(tables.MediaRelation.media_id == media_id)
        .order_by(col(tables.MediaRelation.position))
    ).all()
    by_relation: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_relation[row.relation].append(row.related_id)
    return {relation: cards_for(session=session, media_ids=ids[:20]) for relation, ids in by_relation.items()}


def media_view(*, session: Session, media_id: int) -> MediaView:
    media = session.get(tables.MediaItem, media_id)
    if media is None:
        raise NotFound("No such title")
    provider = _image_provider(media.source)
    genres = session.exec(
        select(tables.Genre)
        .join(tables.MediaGenre, col(tables.MediaGenre.genre_id) == col(tables.Genre.id))
        .where(tables.MediaGenre.media_id == media_id)
        .order_by(col(tables.Genre.name))
    ).all()
    external = {
        row.provider: row.external_id
        for row in session.exec(select(tables.MediaExternalId).where(tables.MediaExternalId.media_id == media_id))
    }
    seasons = session.exec(
        select(tables.ShowSeason).where(tables.ShowSeason.media_id == media_id).order_by(col(tables.ShowSeason.number))
    ).all()
    platforms = session.exec(
        select(tables.Platform)
        .join(tables.MediaPlatform, col(tables.MediaPlatform.platform_id) == col(tables.Platform.id))
        .where(tables.MediaPlatform.media_id == media_id)
        .order_by(col(tables.Platform.name))
    ).all()
    releases = session.exec(
        select(tables.MediaReleaseDate, tables.Platform)
        .join(tables.Platform, col(tables.Platform.id) == col(tables.MediaReleaseDate.platform_id), isouter=True)
        .where(tables.MediaReleaseDate.media_id == media_id)
        .order_by(col(tables.MediaReleaseDate.release_date).nulls_last())
    ).all()
    cast, crew = _credits(session=session, media_id=media_id)
    related = _related(session=session, media_id=media_id)
    poster_kind = "cover" if media.kind == "game" else "poster"
    beat = {
        name: round(seconds / 3600, 1)
        for name, seconds in (
            ("hastily", media.time_to_beat_hastily),
            ("normally", media.time_to_beat_normally),
            ("completely", media.time_to_beat_completely),
        )
        if seconds
    }
    return MediaView(
        id=media.id,
        type=media.kind,
        title=media.title,
        original_title=media.original_title if media.original_title != media.title else None,
        year=media.year,
        release_date=media.release_date.isoformat() if media.release_date else None,
        overview=media.overview,
        tagline=media.tagline,
        status=media.status,
        runtime=media.runtime,
        vote_average=round(media.vote_average, 1) if media.vote_average is not None else None,
        vote_count=media.vote_count,
        original_language=media.original_language,
        poster_url=images.image_url(provider, poster_kind, media.poster_path, "lg"),
        backdrop_url=images.image_url(provider, "backdrop", media.backdrop_path, "lg"),
        source=media.source,
        genres=[GenreView(genre.id, genre.kind, genre.name) for genre in genres],
        external_ids=external,
        number_of_seasons=media.number_of_seasons,
        number_of_episodes=media.number_of_episodes,
        networks=list(media.networks or []),
        seasons=[
            SeasonSummary(
                season.number,
                season.title,
                season.air_date.isoformat() if season.air_date else None,
                season.episode_count,
                images.image_url(provider, "poster", season.poster_path, "sm"),
                f"{media_href(media.kind, media.id)}/season/{season.number}",
            )
            for season in seasons
        ],
        cast=cast,
        crew=crew,
        platforms=[PlatformView(p.id, p.name, p.abbreviation) for p in platforms],
        release_dates=[
            ReleaseView(
                release.release_date.isoformat() if release.release_date else None,
                release.country,
                platform.name if platform is not None else None,
                release.release_type,
                release.note,
            )
            for release, platform in releases
        ],
        franchises=list(media.franchises or []),
        companies=list(media.companies or []),
        screenshot_urls=[
            url
            for path in (media.screenshots or [])[:12]
            if (url := images.image_url(provider, "screenshot", path, "md"))
        ],
        time_to_beat_hours=beat,
        dlcs=related.get("dlc", []),
        expansions=related.get("expansion", []),
        recommendations=related.get("recommendation", []),
        similar=related.get("similar", []),
        details_loaded=media.details_synced_at is not None,
        synced_at=media.details_synced_at.isoformat() if media.details_synced_at else None,
    )


@dataclass(frozen=True, slots=True)
class EpisodeView:
    season_number: int
    episode_number: int
    title: str
    overview: str | None
    air_date: str | None
    runtime: int | None
    still_url: str | None
    vote_average: float | None


@dataclass(frozen=True, slots=True)
class SeasonView:
    media_id: int
    show_title: str
    show_href: str
    number: int
    title: str
    overview: str | None
    air_date: str | None
    episode_count: int | None
    poster_url: str | None
    episodes: list[EpisodeView]
    seasons: list[int]


def season_view(*, session: Session, media_id: int, number: int) -> SeasonView:
    media = session.get(tables.MediaItem, media_id)
    if media is None or media.kind != "show":
        raise NotFound("No such show")
    season = session.exec(
        select(tables.ShowSeason).where(tables.ShowSeason.media_id == media_id, tables.ShowSeason.number == number)
    ).first()
    if season is None:
        raise NotFound("No such season")
    provider = _image_provider(media.source)
    episodes = session.exec(
        select(tables.ShowEpisode)
        .where(tables.ShowEpisode.media_id == media_id, tables.ShowEpisode.season_number == number)
        .order_by(col(tables.ShowEpisode.episode_number))
    ).all()
    numbers = session.exec(
        select(tables.ShowSeason.number)
        .where(tables.ShowSeason.media_id == media_id)
        .order_by(col(tables.ShowSeason.number))
    ).all()
    return SeasonView(
        media_id=media.id,
        show_title=media.title,
        show_href=media_href("show", media.id),
        number=season.number,
        title=season.title,
        overview=season.overview,
        air_date=season.air_date.isoformat() if season.air_date else None,
        episode_count=season.episode_count,
        poster_url=images.image_url(provider, "poster", season.poster_path or media.poster_path, "md"),
        episodes=[
            EpisodeView(
                episode.season_number,
                episode.episode_number,
                episode.title,
                episode.overview,
                episode.air_date.isoformat() if episode.air_date else None,
                episode.runtime,
                images.image_url(provider, "still", episode.still_path, "sm"),
                episode.vote_average,
            )
            for episode in episodes
        ],
        seasons=list(numbers),
    )


@dataclass(frozen=True, slots=True)
class FilmographyLine:
    media: MediaCard
    role: str
    character: str | None
    job: str | None


@dataclass(frozen=True, slots=True)
class PersonView:
    id: int
    name: str
    biography: str | None
    birthday: str | None
    deathday: str | None
    place_of_birth: str | None
    known_for_department: str | None
    profile_url: str | None
    credits: list[FilmographyLine]
    details_loaded: bool


def person_view(*, session: Session, person_id: int) -> PersonView:
    person = session.get(tables.Person, person_id)
    if person is None:
        raise NotFound("No such person")
    rows = session.exec(
        select(tables.MediaCredit, tables.MediaItem)
        .join(tables.MediaItem, col(tables.MediaItem.id) == col(tables.MediaCredit.media_id))
        .where(tables.MediaCredit.person_id == person_id)
        .order_by(col(tables.MediaItem.release_date).desc().nulls_last())
    ).all()
    return PersonView(
        id=person.id,
        name=person.name,
        biography=person.biography,
        birthday=person.birthday.isoformat() if person.birthday else None,
        deathday=person.deathday.isoformat() if person.deathday else None,
        place_of_birth=person.place_of_birth,
        known_for_department=person.known_for_department,
        profile_url=_profile_url(person, "md"),
        credits=[FilmographyLine(card(media), credit.role, credit.character, credit.job) for credit, media in rows],
        details_loaded=person.details_synced_at is not None or person.source != "tmdb",
    )


# -- search ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchItem:
    id: int
    type: str  # movie | show | game | person
    title: str
    year: int | None
    image_url: str | None
    href: str


def _search_items(*, session: Session, hits: Sequence[search.SearchHit]) -> list[SearchItem]:
    media_ids = [hit.id for hit in hits if hit.kind != "person"]
    person_ids = [hit.id for hit in hits if hit.kind == "person"]
    cards = {c.id: c for c in cards_for(session=session, media_ids=media_ids)}
    people = {
        p.id: p
        for p in (
            session.exec(select(tables.Person).where(col(tables.Person.id).in_(person_ids))) if person_ids else []
        )
    }
    items = []
    for hit in hits:
        if hit.kind == "person":
            person = people.get(hit.id)
            if person is not None:
                items.append(
                    SearchItem(person.id, "person", person.name, None, _profile_url(person), person_href(person.id))
                )
        elif (found := cards.get(hit.id)) is not None:
            poster = found.poster_url.replace("/md/", "/sm/") if found.poster_url else None
            items.append(SearchItem(found.id, found.type, found.title, found.year, poster, found.href))
    return items


SEARCH_KINDS = ("movie", "show", "game", "person")


def _kinds(kinds: Collection[str] | None) -> tuple[str, ...]:
    chosen = tuple(kinds) if kinds else SEARCH_KINDS
    unknown = [kind for kind in chosen if kind not in SEARCH_KINDS]
    if unknown:
        raise InvalidInput(f"unknown type {unknown[0]!r}; expected one of {', '.join(SEARCH_KINDS)}")
    return chosen


def suggest(*, session: Session, query: str, kinds: Collection[str] | None = None, limit: int = 8) -> list[SearchItem]:
    """Suggestions while typing: the local catalogue only (fast), cached briefly per normalised query."""
    chosen = _kinds(kinds)
    text = search.normalise(query)[:100]
    if not text:
        return []
    cache_name = key("suggest", hashlib.sha1(f"{text}|{','.join(chosen)}|{limit}".encode()).hexdigest()[:20])
    cached = get_cache().get_json(cache_name)
    if cached is not None:
        return [SearchItem(**item) for item in cached]
    found = search.search_catalogue(session=session, query=query, kinds=chosen, limit=limit)
    items = _search_items(session=session, hits=found.hits)
    get_cache().set_json(cache_name, [asdict(item) for item in items], SUGGEST_TTL)
    return items


def search_page(
    *,
    session: Session,
    query: str,
    kinds: Collection[str] | None = None,
    page: int = 1,
    page_size: int = 20,
    extra_media_ids: Sequence[int] = (),
) -> tuple[list[SearchItem], int]:
    """A results page: local hits, then (after them) titles the providers found that the local ranking did
    not (`extra_media_ids`, already stored by the caller). Returns the items and an estimated total."""
    chosen = _kinds(kinds)
    offset, limit = _page_bounds(page, page_size)
    found = search.search_catalogue(session=session, query=query, kinds=chosen, limit=limit, offset=offset)
    hits = list(found.hits)
    ranked = {(hit.kind, hit.id) for hit in hits}
    extras: list[search.SearchHit] = []
    if extra_media_ids:
        kinds_by_id = dict(
            session.exec(
                select(tables.MediaItem.id, tables.MediaItem.kind).where(col(tables.MediaItem.id).in_(extra_media_ids))
            ).all()
        )
        for media_id in extra_media_ids:
            media_kind = kinds_by_id.get(media_id)
            if media_kind in chosen and (media_kind, media_id) not in ranked:
                ranked.add((media_kind, media_id))
                extras.append(search.SearchHit(kind=media_kind, id=media_id, title="", year=None, score=0.0))
    # Provider-only hits fill the page's free slots; they are usually ranked locally on the next search.
    hits += extras[: max(0, limit - len(hits))]
    return _search_items(session=session, hits=hits), max(found.total_estimate, offset + len(hits))
