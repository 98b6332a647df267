"""Writing the catalogue: provider records (`seen.providers.models`) stored as rows, idempotently.

Titles are found again by their external ids (per kind: TMDB movie and TV ids overlap), so a summary seen
in a list, then the full details, then a refresh all land on one row. A summary never erases what details
wrote; details replace the title's genres, credits, seasons, platforms, release dates and relations.
Malformed records (no title, no usable id) are skipped with a log line by the callers in `catalogue_sync`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from seen import cache
from seen.db import after_commit_once, upsert_insert
from seen.models import media as tables
from seen.models.base import utcnow
from seen.providers import models as records
from seen.services.search import normalise

log = logging.getLogger(__name__)

DEMO = "demo"


@dataclass(frozen=True, slots=True)
class Identity:
    """How a record is recognised: its kind and its ids at each provider (a demo slug counts as one)."""

    kind: str
    ids: records.ExternalIds
    demo_slug: str | None = None

    def pairs(self) -> list[tuple[str, str]]:
        found = [
            (provider, str(value))
            for provider, value in (
                ("tmdb", self.ids.tmdb),
                ("igdb", self.ids.igdb),
                ("imdb", self.ids.imdb),
                ("tvdb", self.ids.tvdb),
            )
            if value not in (None, "")
        ]
        if self.demo_slug:
            found.append((DEMO, self.demo_slug))
        return found


class UnusableRecord(ValueError):
    """A provider record that cannot become a row (no title, no id)."""


def find_media(*, session: Session, identity: Identity) -> tables.MediaItem | None:
    # The strongest id first: the provider's own (tmdb/igdb/demo), then cross references (imdb, tvdb).
    for provider, value in identity.pairs():
        row = session.exec(
            select(tables.MediaItem)
            .join(tables.MediaExternalId, col(tables.MediaExternalId.media_id) == col(tables.MediaItem.id))
            .where(
                tables.MediaExternalId.kind == identity.kind,
                tables.MediaExternalId.provider == provider,
                tables.MediaExternalId.external_id == value,
            )
        ).first()
        if row is not None:
            return row
    return None


def _link_ids(*, session: Session, media: tables.MediaItem, identity: Identity) -> None:
    known = {
        (row.provider, row.external_id)
        for row in session.exec(select(tables.MediaExternalId).where(tables.MediaExternalId.media_id == media.id))
    }
    for provider, value in identity.pairs():
        if (provider, value) in known:
            continue
        # Another row may already hold this id (two summaries that turned out to be one title): keep the first.
        taken = session.exec(
            select(tables.MediaExternalId.id).where(
                tables.MediaExternalId.kind == identity.kind,
                tables.MediaExternalId.provider == provider,
                tables.MediaExternalId.external_id == value,
            )
        ).first()
        if taken is None:
            session.add(
                tables.MediaExternalId(media_id=media.id, kind=identity.kind, provider=provider, external_id=value)
            )


def _source_for(identity: Identity) -> str:
    if identity.demo_slug:
        return DEMO
    return "igdb" if identity.kind == "game" else "tmdb"


def genre_rows(*, session: Session, kind: str, genres: Iterable[records.Genre]) -> list[tables.Genre]:
    """The rows for these genres, created or renamed as needed (IGDB may name a genre only in its list)."""
    rows = []
    for genre in genres:
        row = session.exec(
            select(tables.Genre).where(
                tables.Genre.provider == genre.provider, tables.Genre.kind == kind, tables.Genre.provider_id == genre.id
            )
        ).first()
        if row is None:
            if not genre.name:
                continue
            # A list's sync and the genre sync may store the same new genre at once: the later keeps the row.
            values = {"provider": genre.provider, "kind": kind, "provider_id": genre.id, "name": genre.name[:120]}
            session.exec(
                upsert_insert(session, tables.Genre)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["provider", "kind", "provider_id"])
            )
            row = session.exec(
                select(tables.Genre).where(
                    tables.Genre.provider == genre.provider,
                    tables.Genre.kind == kind,
                    tables.Genre.provider_id == genre.id,
                )
            ).one()
        elif genre.name and row.name != genre.name:
            row.name = genre.name[:120]
            session.add(row)
        rows.append(row)
    return rows


def store_genres(*, session: Session, kind: str, genres: Iterable[records.Genre]) -> int:
    return len(genre_rows(session=session, kind=kind, genres=genres))


def _summary_genres(summary: records.MediaSummary) -> list[records.Genre]:
    provider = "igdb" if summary.kind == "game" else "tmdb"
    names = dict(zip(summary.genre_ids, summary.genre_names, strict=False))
    return [records.Genre(provider, genre_id, names.get(genre_id)) for genre_id in summary.genre_ids]


def _set_genres(*, session: Session, media: tables.MediaItem, genres: list[tables.Genre]) -> None:
    session.exec(delete(tables.MediaGenre).where(col(tables.MediaGenre.media_id) == media.id))
    for genre_id in dict.fromkeys(genre.id for genre in genres):
        session.add(tables.MediaGenre(media_id=media.id, genre_id=genre_id))


def _apply_summary(media: tables.MediaItem, summary: records.MediaSummary) -> None:
    media.title = summary.title[:500]
    media.original_title = (summary.original_title or None) and summary.original_title[:500]
    media.search_text = normalise(summary.title, summary.original_title)[:1100]
    # A summary only adds: fields it lacks keep what details (or an earlier list) said.
    for name in (
        "year",
        "release_date",
        "overview",
        "poster_path",
        "backdrop_path",
        "popularity",
        "vote_average",
        "vote_count",
        "original_language",
    ):
        value = getattr(summary, name)
        if value is not None:
            setattr(media, name, value)
    media.updated_at = utcnow()


def changed(session: Session) -> None:
    """The catalogue changes in this transaction: views cached from it (the calendar's months) are stale once
    it commits. Every write here says so; writes elsewhere call it themselves."""
    after_commit_once(session, cache.CATALOGUE, lambda: cache.next_generation(cache.CATALOGUE))


def store_summary(*, session: Session, summary: records.MediaSummary, demo_slug: str | None = None) -> tables.MediaItem:
    """Insert or update a title from a list, a search or a relation; returns the row (flushed, with its id)."""
    if summary.kind not in tables.MEDIA_KINDS:
        raise UnusableRecord(f"not a catalogue kind: {summary.kind!r}")
    if not summary.title.strip():
        raise UnusableRecord("record has no title")
    identity = Identity(summary.kind, summary.ids, demo_slug)
    if not identity.pairs():
        raise UnusableRecord(f"record {summary.title!r} has no id")
    media = find_media(session=session, identity=identity)
    if media is None:
        media = tables.MediaItem(kind=summary.kind, source=_source_for(identity), title=summary.title)
    changed(session)
    _apply_summary(media, summary)
    media.summary_synced_at = utcnow()
    session.add(media)
    session.flush()
    _link_ids(session=session, media=media, identity=identity)
    if summary.genre_ids and media.details_synced_at is None:
        _set_genres(
            session=session,
            media=media,
            genres=genre_rows(session=session, kind=summary.kind, genres=_summary_genres(summary)),
        )
    return media


def _person_row(*, session: Session, person: records.Person, demo_slug: str | None) -> tables.Person | None:
    external_id = demo_slug if demo_slug else (str(person.ids.tmdb) if person.ids.tmdb is not None else None)
    if external_id is None or not person.name.strip():
        return None
    key = f"{DEMO}:{external_id}" if demo_slug else f"tmdb:{external_id}"
    row = session.exec(select(tables.Person).where(tables.Person.external_id == key)).first()
    if row is None:
        row = tables.Person(source=DEMO if demo_slug else "tmdb", external_id=key, name=person.name[:300])
    row.name = person.name[:300]
    row.search_text = normalise(person.name)[:300]
    for name in (
        "profile_path",
        "known_for_department",
        "biography",
        "birthday",
        "deathday",
        "place_of_birth",
        "popularity",
    ):
        value = getattr(person, name)
        if value is not None:
            setattr(row, name, value)
    if person.ids.imdb:
        row.imdb_id = person.ids.imdb
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def _credit_row(
    *, media_id: int, person_id: int, credit: records.Credit | records.PersonCredit, position: int
) -> tables.MediaCredit:
    return tables.MediaCredit(
        media_id=media_id,
        person_id=person_id,
        role=credit.role,
        character=(credit.character or None) and credit.character[:500],
        job=(credit.job or None) and credit.job[:120],
        department=(credit.department or None) and credit.department[:120],
        position=position,
    )


def _store_credits(
    *, session: Session, media: tables.MediaItem, credits: Sequence[records.Credit], person_slug=None
) -> None:
    session.exec(delete(tables.MediaCredit).where(col(tables.MediaCredit.media_id) == media.id))
    for position, credit in enumerate(credits):
        slug = person_slug(credit.person.name) if person_slug else None
        person = _person_row(session=session, person=credit.person, demo_slug=slug)
        if person is None:
            continue
        position = credit.order if credit.order is not None else position
        session.add(_credit_row(media_id=media.id, person_id=person.id, credit=credit, position=position))


def store_season(*, session: Session, media_id: int, season: records.Season, with_episodes: bool = True) -> None:
    changed(session)
    row = session.exec(
        select(tables.ShowSeason).where(
            tables.ShowSeason.media_id == media_id, tables.ShowSeason.number == season.number
        )
    ).first()
    if row is None:
        row = tables.ShowSeason(media_id=media_id, number=season.number, title=season.title[:300])
    row.title = (season.title or f"Season {season.number}")[:300]
    for name in ("overview", "air_date", "episode_count", "poster_path"):
        value = getattr(season, name)
        if value is not None:
            setattr(row, name, value)
    if with_episodes and season.episodes:
        session.exec(
            delete(tables.ShowEpisode).where(
                col(tables.ShowEpisode.media_id) == media_id, col(tables.ShowEpisode.season_number) == season.number
            )
        )
        for episode in {e.episode_number: e for e in season.episodes}.values():
            session.add(
                tables.ShowEpisode(
                    media_id=media_id,
                    season_number=season.number,
                    episode_number=episode.episode_number,
                    title=(episode.title or f"Episode {episode.episode_number}")[:500],
                    overview=episode.overview,
                    air_date=episode.air_date,
                    runtime=episode.runtime,
                    still_path=episode.still_path,
                    vote_average=episode.vote_average,
                    tmdb_id=episode.ids.tmdb,
                )
            )
        row.episode_count = row.episode_count or len(season.episodes)
        row.episodes_synced_at = utcnow()
    session.add(row)
    session.flush()


def platform_row(*, session: Session, platform: records.Platform) -> tables.Platform:
    row = session.exec(select(tables.Platform).where(tables.Platform.igdb_id == platform.id)).first()
    if row is None:
        row = tables.Platform(igdb_id=platform.id, name=(platform.name or f"Platform {platform.id}")[:200])
    if platform.name:
        row.name = platform.name[:200]
    if platform.abbreviation:
        row.abbreviation = platform.abbreviation[:40]
    session.add(row)
    session.flush()
    return row


def _store_platforms_and_dates(*, session: Session, media: tables.MediaItem, details: records.MediaDetails) -> None:
    session.exec(delete(tables.MediaPlatform).where(col(tables.MediaPlatform.media_id) == media.id))
    session.exec(delete(tables.MediaReleaseDate).where(col(tables.MediaReleaseDate.media_id) == media.id))
    platforms = {platform.id: platform for platform in details.platforms}
    for release in details.release_dates:
        if release.platform is not None:
            platforms.setdefault(release.platform.id, release.platform)
    rows = {pid: platform_row(session=session, platform=platform) for pid, platform in platforms.items()}
    for row in rows.values():
        session.add(tables.MediaPlatform(media_id=media.id, platform_id=row.id))
    for release in details.release_dates:
        session.add(
            tables.MediaReleaseDate(
                media_id=media.id,
                platform_id=rows[release.platform.id].id if release.platform is not None else None,
                country=(release.country or None) and release.country[:8],
                release_date=release.date,
                release_type=release.type,
                certification=(release.certification or None) and release.certification[:32],
                note=(release.note or None) and release.note[:300],
            )
        )


def _store_relations(
    *,
    session: Session,
    media: tables.MediaItem,
    relation: str,
    summaries: Sequence[records.MediaSummary],
    addon_slug: Callable[[records.MediaSummary], str] | None = None,
) -> None:
    session.exec(
        delete(tables.MediaRelation).where(
            col(tables.MediaRelation.media_id) == media.id, col(tables.MediaRelation.relation) == relation
        )
    )
    seen: set[int] = set()
    for position, summary in enumerate(summaries):
        slug = addon_slug(summary) if addon_slug is not None and not Identity("game", summary.ids).pairs() else None
        try:
            related = store_summary(session=session, summary=summary, demo_slug=slug)
        except UnusableRecord as error:
            log.info("related title skipped", extra={"media_id": media.id, "relation": relation, "reason": str(error)})
            continue
        if related.id == media.id or related.id in seen:
            continue
        seen.add(related.id)
        session.add(
            tables.MediaRelation(media_id=media.id, relation=relation, related_id=related.id, position=position)
        )


def store_details(
    *,
    session: Session,
    details: records.MediaDetails,
    demo_slug: str | None = None,
    person_slug: Callable[[str], str] | None = None,
    addon_slug: Callable[[records.MediaSummary], str] | None = None,
) -> tables.MediaItem:
    """Insert or update a title with everything a detail page shows; marks it fully synced now."""
    media = store_summary(session=session, summary=details.summary, demo_slug=demo_slug)
    for name in ("runtime", "status", "tagline", "number_of_seasons", "number_of_episodes"):
        value = getattr(details, name)
        if value is not None:
            setattr(media, name, value[:500] if isinstance(value, str) else value)
    media.networks = list(details.networks)
    media.franchises = list(details.franchises)
    media.companies = [{"name": c.name, "roles": list(c.roles)} for c in details.companies if c.name]
    media.screenshots = list(details.screenshots)
    if details.time_to_beat is not None:
        media.time_to_beat_hastily = details.time_to_beat.hastily
        media.time_to_beat_normally = details.time_to_beat.normally
        media.time_to_beat_completely = details.time_to_beat.completely
    media.raw = details.raw
    genres = list(details.genres) or _summary_genres(details.summary)
    _set_genres(session=session, media=media, genres=genre_rows(session=session, kind=media.kind, genres=genres))
    _store_credits(session=session, media=media, credits=details.credits, person_slug=person_slug)
    if media.kind == "show":
        for season in details.seasons:
            store_season(session=session, media_id=media.id, season=season)
    _store_platforms_and_dates(session=session, media=media, details=details)
    for relation, summaries in (
        ("dlc", details.dlcs),
        ("expansion", details.expansions),
        ("recommendation", details.recommendations),
        ("similar", details.similar),
    ):
        _store_relations(
            session=session,
            media=media,
            relation=relation,
            summaries=summaries,
            addon_slug=addon_slug if relation in ("dlc", "expansion") else None,
        )
    media.details_synced_at = utcnow()
    session.add(media)
    session.flush()
    return media


def store_person(
    *, session: Session, details: records.PersonDetails, demo_slug: str | None = None
) -> tables.Person | None:
    """A person's facts and filmography titles (as summaries; credits come from the titles' own details)."""
    row = _person_row(session=session, person=details.person, demo_slug=demo_slug)
    if row is None:
        return None
    # A title's own credits are authoritative once its details are stored; until then the person's
    # filmography supplies the link, so the person page is complete before every title is fetched.
    session.exec(
        delete(tables.MediaCredit).where(
            col(tables.MediaCredit.person_id) == row.id,
            col(tables.MediaCredit.media_id).in_(
                select(tables.MediaItem.id).where(col(tables.MediaItem.details_synced_at).is_(None))
            ),
        )
    )
    for position, credit in enumerate(details.credits):
        try:
            media = store_summary(session=session, summary=credit.media)
        except UnusableRecord:
            continue
        if media.details_synced_at is not None:
            continue
        session.add(_credit_row(media_id=media.id, person_id=row.id, credit=credit, position=1000 + position))
    row.details_synced_at = utcnow()
    session.add(row)
    session.flush()
    return row


def replace_section(*, session: Session, section: str, kind: str, media_ids: Sequence[int]) -> None:
    """A Discover section becomes exactly these titles, in this order (duplicates dropped)."""
    session.exec(
        delete(tables.DiscoverEntry).where(
            col(tables.DiscoverEntry.section) == section, col(tables.DiscoverEntry.kind) == kind
        )
    )
    now = utcnow()
    for position, media_id in enumerate(dict.fromkeys(media_ids)):
        session.add(
            tables.DiscoverEntry(section=section, kind=kind, position=position, media_id=media_id, synced_at=now)
        )
    session.flush()
