"""Recommendations: a scored snapshot of titles per user, each with the reasons it was picked, and the
user's votes on them.

How a snapshot is scored (`refresh_for_user`, a handful of set-based queries whatever the history's size):

- Seeds, what the user likes: titles watched (recent viewings count more, rewatches and many episodes a
  little more), rated 3.5★ or more (strongly), favourites, thumbs up, games in the backlog (not dropped),
  watch later, collections and titles in progress (mildly). Disliked seeds: rated 2★ or less, thumbs down,
  dropped games and (mildly) "not interested".
- Candidates: the providers' "recommendation" and "similar" lists of the seeds (TMDB; stored on details
  sync), games of the seeds' franchises (IGDB), other titles of the seeds' directors and creators, the most
  popular titles of the user's favourite genres and of the platforms of their backlog games, and a
  catalogue-wide "popular in each genre" pool so every kind always has something.
- Score: relations of liked seeds (minus those of disliked ones), a genre profile per kind (liked minus
  disliked weight per genre), franchise, platform and people matches, how much the user watches or plays
  that kind, and the title's own quality (a Bayesian vote average and popularity) as a tie-breaker.
- Never recommended: anything watched, in progress, rated, a favourite, on watch later, in the backlog or a
  collection, voted "not interested" or thumbs down (both are listed under "Hidden" and undone by clearing
  the vote), and titles not released yet.
- A user with no history gets the catalogue's popular titles in each genre ("Popular in Drama").

The snapshot (`user_recommendations`) is replaced in one transaction; the rendered list is cached under
`seen:v1:recommendations:{user_id}` for 30 minutes and dropped on every history, taste or vote change (the
reader also filters titles that became known since the snapshot was scored). A change queues one
`recommendations.refresh_user` job per user (see `user_cache`), and `recommendations.refresh_all` rescores
stale snapshots on a schedule.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, delete, func, insert, or_, select, union
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from seen import collector
from seen.db import among_bound_ids
from seen.models import media as tables
from seen.models.base import as_utc, utcnow
from seen.models.recommendations import VOTES, RecommendationEntry, RecommendationVote
from seen.models.tracking import (
    Collection,
    CollectionItem,
    Favourite,
    GameBacklogEntry,
    PlaybackProgress,
    Rating,
    WatchEvent,
    WatchLaterItem,
)
from seen.models.users import User
from seen.services import user_cache
from seen.services.catalogue_views import MediaCard, cards_for
from seen.services.errors import InvalidInput
from seen.services.tracking import require_media

log = logging.getLogger(__name__)

KINDS = ("movie", "show", "game")
KIND_PLURALS = {"movie": "films", "show": "shows", "game": "games"}
PER_KIND = 70  # a snapshot keeps the best 70 of each kind (so each tab has a full page or three)
MAX_PAGE = 100
LIKED_RATING = 3.5
DISLIKED_RATING = 2.0
HIDDEN_VOTES = ("not_interested", "down")
RELATION_WEIGHTS = {"recommendation": 1.0, "similar": 0.8}
MAX_RELATION_SEEDS = 300  # the strongest liked seeds whose provider lists are followed
MAX_PEOPLE_SEEDS = 150
TOP_GENRES_PER_KIND = 5
GENRE_POOL_DEPTH = 150  # the most popular titles of each genre, shared by every user's scoring
COLD_PER_GENRE = 12
PLATFORM_POOL_DEPTH = 80
POPULAR_DEPTH = 40  # per kind: what a catalogue without genres still recommends
POOL_TTL_SECONDS = 600
RECENCY_HALF_LIFE_DAYS = 180
BAYES_PRIOR_VOTES = 50
BAYES_PRIOR_MEAN = 6.5
SCHEDULED_STALE_AFTER = timedelta(hours=6)
SCHEDULED_MAX_USERS = 500
SCHEDULED_ACTIVE_WITHIN = timedelta(days=30)

# Score weights of each signal: relations lead, genres shape, the rest nudges.
W_RELATION = 3.0
W_GENRE = 1.6
W_FRANCHISE = 2.0
W_PEOPLE = 1.2
W_PLATFORM = 0.6
W_KIND = 0.5
W_QUALITY = 0.8


# -- views -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recommendation:
    media: MediaCard
    score: float
    reasons: list[str]
    vote: str | None = None


@dataclass(frozen=True, slots=True)
class RecommendationsView:
    items: list[Recommendation]
    total: int
    generated_at: str | None


@dataclass(frozen=True, slots=True)
class HiddenTitle:
    media: MediaCard
    vote: str
    voted_at: str


# -- the user's signals ------------------------------------------------------------------------------------


@dataclass
class _Seed:
    like: float = 0.0
    dislike: float = 0.0
    # The signal that best explains the seed, for the reasons: (strength, kind, detail)
    why: tuple[float, str, str] = (0.0, "", "")

    def liked(self, weight: float, kind: str, detail: str = "") -> None:
        self.like += weight
        if weight > self.why[0]:
            self.why = (weight, kind, detail)


@dataclass
class _Signals:
    seeds: dict[int, _Seed] = field(default_factory=lambda: defaultdict(_Seed))
    excluded: set[int] = field(default_factory=set)
    backlog_platforms: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    backlog_games: list[int] = field(default_factory=list)


def _signals(session: Session, user_id: uuid.UUID, now: datetime) -> _Signals:
    found = _Signals()
    seeds = found.seeds
    watched = session.execute(
        select(WatchEvent.media_id, func.count(), func.max(WatchEvent.watched_at))
        .where(WatchEvent.user_id == user_id)
        .group_by(WatchEvent.media_id)
    ).all()
    for media_id, count, last in watched:
        age_days = max(0.0, (now - as_utc(last)).total_seconds() / 86400) if last else 365.0
        recency = 0.35 + 0.65 * 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)
        seeds[media_id].liked(recency * (1 + 0.15 * min(math.log2(count), 4)), "watched")
        found.excluded.add(media_id)
    for media_id, rating in session.execute(
        select(Rating.media_id, Rating.rating).where(Rating.user_id == user_id)
    ).all():
        seed = seeds[media_id]
        found.excluded.add(media_id)
        if rating >= LIKED_RATING:
            seed.liked(1.5 * (rating - 2.5) / 2.5 + 0.5, "rated", _stars(rating))
        elif rating <= DISLIKED_RATING:
            seed.like = 0.0
            seed.dislike += 0.5 + (DISLIKED_RATING - rating) / 1.5
        else:  # lukewarm: the viewing counts for less
            seed.like *= 0.5
    for (media_id,) in session.execute(select(Favourite.media_id).where(Favourite.user_id == user_id)).all():
        seeds[media_id].liked(1.6, "favourite")
        found.excluded.add(media_id)
    for media_id, vote in session.execute(
        select(RecommendationVote.media_id, RecommendationVote.vote).where(RecommendationVote.user_id == user_id)
    ).all():
        if vote == "up":
            seeds[media_id].liked(1.0, "up")
        elif vote == "down":
            seeds[media_id].dislike += 1.0
            found.excluded.add(media_id)
        else:
            seeds[media_id].dislike += 0.3
            found.excluded.add(media_id)
    for media_id, status, platform_id in session.execute(
        select(GameBacklogEntry.media_id, GameBacklogEntry.status, GameBacklogEntry.platform_id).where(
            GameBacklogEntry.user_id == user_id
        )
    ).all():
        found.excluded.add(media_id)
        if status == "dropped":
            seeds[media_id].dislike += 0.4
            continue
        weight = {"completed": 1.2, "active": 1.0, "paused": 0.6}.get(status, 0.6)
        seeds[media_id].liked(weight, "backlog")
        found.backlog_games.append(media_id)
        if platform_id is not None:
            found.backlog_platforms[platform_id] += weight
    for (media_id,) in session.execute(
        select(PlaybackProgress.media_id).where(PlaybackProgress.user_id == user_id).distinct()
    ).all():
        seeds[media_id].liked(0.5, "watching")
        found.excluded.add(media_id)
    for (media_id,) in session.execute(select(WatchLaterItem.media_id).where(WatchLaterItem.user_id == user_id)).all():
        seeds[media_id].liked(0.4, "watch_later")
        found.excluded.add(media_id)
    for (media_id,) in session.execute(
        select(CollectionItem.media_id)
        .join(Collection, col(Collection.id) == col(CollectionItem.collection_id))
        .where(Collection.user_id == user_id)
        .distinct()
    ).all():
        seeds[media_id].liked(0.3, "collection")
        found.excluded.add(media_id)
    return found


def _stars(rating: float) -> str:
    return f"{rating:g}★"


def _seed_phrase(title: str, why: tuple[float, str, str]) -> str:
    _strength, kind, detail = why
    return {
        "rated": f"Similar to {title}, which you rated {detail}",
        "favourite": f"Because {title} is one of your favourites",
        "up": f"Because you liked {title}",
        "backlog": f"Like {title}, in your backlog",
        "watching": f"Because you are watching {title}",
        "watch_later": f"Like {title}, on your watch later list",
        "collection": f"Like {title}, in your collections",
    }.get(kind, f"Because you watched {title}")


# -- the catalogue-wide pools (the same for every user; rebuilt when the catalogue changes) -------------------


@dataclass(frozen=True)
class _Pools:
    signature: tuple
    built_at: float
    by_genre: dict[int, list[int]]  # genre id -> its most popular released titles, best first
    genre_names: dict[int, str]
    genre_kind: dict[int, str]
    rank: dict[tuple[int, int], int]  # (genre id, media id) -> place in the genre's list
    by_platform: dict[int, list[int]]  # platform id -> its most popular released games, best first
    platform_names: dict[int, str]
    popular: list[int]  # the most popular released titles of each kind, genres or not


_pool_lock = threading.Lock()
_pools: dict[str, _Pools] = {}


def _catalogue_signature(session: Session) -> tuple:
    # Cheap on purpose (it runs per scoring): new or removed titles show at once, changed genres or
    # popularity within POOL_TTL_SECONDS.
    media = tables.MediaItem
    row = session.execute(select(func.count(), func.max(media.id))).one()
    return (row[0], row[1], date.today().isoformat())


def _genre_pools(session: Session) -> _Pools:
    engine_key = str(session.get_bind().url)
    signature = _catalogue_signature(session)
    with _pool_lock:
        current = _pools.get(engine_key)
        if current and current.signature == signature and time.monotonic() - current.built_at < POOL_TTL_SECONDS:
            return current
    media, link = tables.MediaItem, tables.MediaGenre
    ranked = (
        select(
            link.media_id,
            link.genre_id,
            func.row_number()
            .over(
                partition_by=link.genre_id,
                order_by=(
                    col(media.popularity).desc().nulls_last(),
                    col(media.vote_count).desc().nulls_last(),
                    media.id,
                ),
            )
            .label("rank"),
        )
        .join(media, col(media.id) == col(link.media_id))
        .where(_released(media))
        .subquery()
    )
    by_genre: dict[int, list[int]] = defaultdict(list)
    rank: dict[tuple[int, int], int] = {}
    for media_id, genre_id, place in session.execute(
        select(ranked.c.media_id, ranked.c.genre_id, ranked.c.rank)
        .where(ranked.c.rank <= GENRE_POOL_DEPTH)
        .order_by(ranked.c.genre_id, ranked.c.rank)
    ).all():
        by_genre[genre_id].append(media_id)
        rank[(genre_id, media_id)] = place
    names, kinds = {}, {}
    for genre_id, name, kind in session.execute(select(tables.Genre.id, tables.Genre.name, tables.Genre.kind)).all():
        names[genre_id], kinds[genre_id] = name, kind
    link = tables.MediaPlatform
    on_platform = (
        select(
            link.media_id,
            link.platform_id,
            func.row_number()
            .over(
                partition_by=link.platform_id,
                order_by=(col(media.popularity).desc().nulls_last(), media.id),
            )
            .label("rank"),
        )
        .join(media, col(media.id) == col(link.media_id))
        .where(_released(media))
        .subquery()
    )
    by_platform: dict[int, list[int]] = defaultdict(list)
    for media_id, platform_id in session.execute(
        select(on_platform.c.media_id, on_platform.c.platform_id)
        .where(on_platform.c.rank <= PLATFORM_POOL_DEPTH)
        .order_by(on_platform.c.platform_id, on_platform.c.rank)
    ).all():
        by_platform[platform_id].append(media_id)
    platform_names = dict(session.execute(select(tables.Platform.id, tables.Platform.name)).all())
    popular: list[int] = []
    for kind in KINDS:  # the (kind, popularity) index answers each at once
        popular.extend(
            session.execute(
                select(media.id)
                .where(media.kind == kind, _released(media))
                .order_by(col(media.popularity).desc().nulls_last(), media.id)
                .limit(POPULAR_DEPTH)
            ).scalars()
        )
    built = _Pools(
        signature, time.monotonic(), dict(by_genre), names, kinds, rank, dict(by_platform), platform_names, popular
    )
    with _pool_lock:
        _pools[engine_key] = built
    return built


def _released(media) -> Any:
    return or_(col(media.release_date).is_(None), col(media.release_date) <= date.today())


# -- scoring ---------------------------------------------------------------------------------------------


class _Candidate:
    __slots__ = ("franchise", "people", "relation", "relation_seeds")

    def __init__(self) -> None:
        self.relation = 0.0
        self.relation_seeds: dict[int, float] | None = None  # seed -> its share of `relation`
        self.franchise: tuple[float, str, int] | None = None  # (weight, franchise, seed)
        self.people: tuple[float, str, str, int] | None = None  # (weight, name, job, seed)


def _chunks(session: Session, values: Sequence[int], size: int = 5000) -> Iterable[Sequence[int]]:
    """Id lists for `_by_ids`: all at once on PostgreSQL (one array parameter), in slices on SQLite."""
    if _is_postgres(session):
        if values:
            yield list(values)
        return
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _by_ids(session: Session, name: str, ids: Sequence[int]) -> list:
    """The rows of the named statement for these ids (all of them: sliced on SQLite, one array on PostgreSQL)."""
    statement = _statement(name, _is_postgres(session))
    found: list = []
    for chunk in _chunks(session, ids):
        found.extend(session.connection().execute(statement, {"ids": list(chunk)}).all())
    return found


@functools.cache
def _statement(name: str, postgres: bool) -> Any:
    """Statements built once (their joins and compiled SQL are reused), run with the ids as `ids`."""

    def among(column: Any) -> Any:
        return among_bound_ids(column, postgres=postgres)

    media, genre, platform, rel = tables.MediaItem, tables.MediaGenre, tables.MediaPlatform, tables.MediaRelation
    if name == "kinds_and_genres":
        return (
            select(media.id, media.kind, genre.genre_id)
            .outerjoin(genre, col(genre.media_id) == col(media.id))
            .where(among(media.id))
        )
    if name == "facts_and_genres":
        return (
            select(
                media.id,
                media.kind,
                media.popularity,
                media.vote_average,
                media.vote_count,
                media.release_date,
                genre.genre_id,
            )
            .outerjoin(genre, col(genre.media_id) == col(media.id))
            .where(among(media.id))
        )
    if name == "franchises":
        return select(media.id, media.franchises).where(among(media.id))
    if name == "titles":
        return select(media.id, media.title).where(among(media.id))
    if name == "platforms":
        return select(platform.media_id, platform.platform_id).where(among(platform.media_id))
    if name == "relations":
        return select(rel.media_id, rel.related_id, rel.relation, rel.position).where(
            among(rel.media_id), col(rel.relation).in_(tuple(RELATION_WEIGHTS))
        )
    if name == "people":
        mine, theirs = aliased(tables.MediaCredit), aliased(tables.MediaCredit)
        return (
            select(theirs.media_id, mine.media_id, tables.Person.name, mine.job)
            .join(theirs, (theirs.person_id == mine.person_id) & (theirs.job == mine.job))
            .join(tables.Person, col(tables.Person.id) == mine.person_id)
            .where(among(mine.media_id), col(mine.job).in_(("Director", "Creator")), theirs.media_id != mine.media_id)
            .limit(3000)
        )
    raise KeyError(name)


def _score(session: Session, user_id: uuid.UUID) -> list[tuple[int, str, float, list[str]]]:
    """(media id, kind, score, reasons) of the user's best titles, best first, up to PER_KIND of each kind."""
    now = utcnow()
    signals = _signals(session, user_id, now)
    pools = _genre_pools(session)
    liked = {mid: seed for mid, seed in signals.seeds.items() if seed.like > 0}
    disliked = {mid: seed for mid, seed in signals.seeds.items() if seed.dislike > 0}
    media = tables.MediaItem

    # Who the seeds are: kind and genres (titles only later, for the reasons of the titles kept).
    seed_kind: dict[int, str] = {}
    seed_genres: dict[int, list[int]] = defaultdict(list)
    seed_ids = sorted(set(liked) | set(disliked))
    for mid, kind, gid in _by_ids(session, "kinds_and_genres", seed_ids):
        seed_kind[mid] = kind
        if gid is not None:
            seed_genres[mid].append(gid)
    seed_franchises: dict[int, list[str]] = {}
    liked_games = [mid for mid in liked if seed_kind.get(mid) == "game"]
    for mid, franchises in _by_ids(session, "franchises", liked_games):
        seed_franchises[mid] = list(franchises or [])

    # The genre profile per kind, and how much each kind is watched or played.
    kind_weight: dict[str, float] = defaultdict(float)
    genre_weight: dict[int, float] = defaultdict(float)
    for mid, seed in liked.items():
        if mid not in seed_kind:
            continue
        kind_weight[seed_kind[mid]] += seed.like
        for gid in seed_genres.get(mid, ()):
            genre_weight[gid] += seed.like
    for mid, seed in disliked.items():
        for gid in seed_genres.get(mid, ()):
            genre_weight[gid] -= 1.5 * seed.dislike
    total_like = sum(kind_weight.values())
    kind_share = {kind: kind_weight[kind] / total_like for kind in KINDS} if total_like else {}
    affinity: dict[int, float] = {}
    top_genres: dict[str, list[int]] = defaultdict(list)
    for kind in KINDS:
        kind_genres = {gid: w for gid, w in genre_weight.items() if pools.genre_kind.get(gid) == kind}
        best = max((w for w in kind_genres.values() if w > 0), default=0.0)
        scale = best or max((-w for w in kind_genres.values()), default=1.0) or 1.0
        for gid, w in kind_genres.items():
            affinity[gid] = max(-1.5, w / scale)
        top_genres[kind] = [gid for gid, w in sorted(kind_genres.items(), key=lambda item: -item[1]) if w > 0][
            :TOP_GENRES_PER_KIND
        ]

    candidates: dict[int, _Candidate] = defaultdict(_Candidate)

    # Provider lists (TMDB recommendations/similar) of the strongest liked seeds and of every disliked one.
    strongest = sorted(liked, key=lambda mid: -liked[mid].like)[:MAX_RELATION_SEEDS]
    relation_seeds = sorted(set(strongest) | set(disliked))
    for seed_id, related_id, relation, position in _by_ids(session, "relations", relation_seeds):
        seed = signals.seeds[seed_id]
        strength = RELATION_WEIGHTS[relation] / (1 + (position or 0) / 8)
        entry = candidates[related_id]
        if seed.like > 0:
            entry.relation += seed.like * strength
            if entry.relation_seeds is None:
                entry.relation_seeds = {}
            entry.relation_seeds[seed_id] = entry.relation_seeds.get(seed_id, 0.0) + seed.like * strength
        if seed.dislike > 0:
            entry.relation -= 1.5 * seed.dislike * strength

    # Franchises of liked games.
    franchise_weight: dict[str, tuple[float, int]] = {}
    for mid, franchises in seed_franchises.items():
        seed = liked[mid]
        for name in franchises:
            current = franchise_weight.get(name, (0.0, mid))
            best_seed = mid if seed.like > liked.get(current[1], _Seed()).like else current[1]
            franchise_weight[name] = (current[0] + seed.like, best_seed)
    top_franchises = sorted(franchise_weight.items(), key=lambda item: -item[1][0])[:10]
    if top_franchises:
        text = cast(media.franchises, Text)
        rows = session.execute(
            select(media.id, media.franchises)
            .where(media.kind == "game", or_(*(text.like(_json_like(name)) for name, _ in top_franchises)))
            .limit(400)
        ).all()
        for mid, franchises in rows:
            for name in franchises or []:
                if name in franchise_weight:
                    weight, seed_id = franchise_weight[name]
                    if candidates[mid].franchise is None or weight > candidates[mid].franchise[0]:
                        candidates[mid].franchise = (weight, name, seed_id)

    # Directors and creators of the strongest liked seeds.
    people_seeds = sorted(liked, key=lambda mid: -liked[mid].like)[:MAX_PEOPLE_SEEDS]
    if people_seeds:
        for mid, seed_id, name, job in _by_ids(session, "people", people_seeds):
            weight = liked[seed_id].like
            if candidates[mid].people is None or weight > candidates[mid].people[0]:
                candidates[mid].people = (weight, name, job, seed_id)

    # Popular titles of the favourite genres; a small popular pool of every genre for the rest.
    pooled: set[int] = set()
    for kind in KINDS:
        for gid in top_genres[kind]:
            pooled.update(pools.by_genre.get(gid, ()))
    for ids in pools.by_genre.values():
        pooled.update(ids[:COLD_PER_GENRE])
    pooled.update(pools.popular)

    # Platforms of backlog games: the chosen platform, else every platform the game is on.
    platform_weight: dict[int, float] = dict(signals.backlog_platforms)
    if signals.backlog_games and not platform_weight:
        for _mid, pid in _by_ids(session, "platforms", signals.backlog_games):
            platform_weight[pid] = platform_weight.get(pid, 0.0) + 1.0
    if platform_weight:
        best_platform = max(platform_weight.values())
        platform_weight = {pid: w / best_platform for pid, w in platform_weight.items()}
        for pid in sorted(platform_weight, key=lambda pid: -platform_weight[pid])[:2]:
            pooled.update(pools.by_platform.get(pid, ()))
    platform_names = pools.platform_names
    for mid in pooled.difference(candidates):
        candidates[mid] = _Candidate()

    for mid in signals.excluded:
        candidates.pop(mid, None)
    if not candidates:
        return []

    # What the candidates are: kind, quality, release, genres, platforms.
    ids = sorted(candidates)
    facts: dict[int, tuple[str, float | None, float | None, int | None, date | None]] = {}
    cand_genres: dict[int, list[int]] = defaultdict(list)
    cand_platforms: dict[int, list[int]] = defaultdict(list)
    for mid, kind, popularity, average, count, released, gid in _by_ids(session, "facts_and_genres", ids):
        facts[mid] = (kind, popularity, average, count, released)
        if gid is not None:
            cand_genres[mid].append(gid)
    games = [mid for mid, fact in facts.items() if fact[0] == "game"]
    if platform_weight:
        for mid, pid in _by_ids(session, "platforms", games):
            cand_platforms[mid].append(pid)

    today = date.today()
    max_popularity = max((fact[1] or 0.0 for fact in facts.values()), default=0.0)
    pop_scale = math.log1p(max_popularity) or 1.0
    favourite_genres = {kind: set(top_genres.get(kind, [])[:3]) for kind in KINDS}

    # First the score of every candidate (numbers only), then the reasons of the few kept.
    scored: dict[str, list[tuple[float, int, float, float, float]]] = defaultdict(list)
    for mid, entry in candidates.items():
        fact = facts.get(mid)
        if fact is None:
            continue
        kind, popularity, vote_average, vote_count, released = fact
        if released is not None and released > today:
            continue
        votes = vote_count or 0
        bayes = (votes * (vote_average or BAYES_PRIOR_MEAN) + BAYES_PRIOR_VOTES * BAYES_PRIOR_MEAN) / (
            votes + BAYES_PRIOR_VOTES
        )
        score = W_QUALITY * (0.6 * bayes / 10 + 0.4 * math.log1p(popularity or 0.0) / pop_scale)
        score += W_KIND * kind_share.get(kind, 0.0)
        relation = 0.0
        if entry.relation:
            relation = W_RELATION * math.copysign(math.sqrt(abs(entry.relation)), entry.relation)
            score += relation
        genre_score = 0.0
        genres = cand_genres.get(mid)
        if genres:
            genre_score = W_GENRE * sum(affinity.get(gid, 0.0) for gid in genres) / math.sqrt(len(genres))
            score += genre_score
        if entry.franchise is not None:
            score += W_FRANCHISE * min(1.0, 0.5 + entry.franchise[0] / 2)
        if entry.people is not None:
            score += W_PEOPLE * min(1.0, 0.5 + entry.people[0] / 2)
        platform_score = 0.0
        if kind == "game" and platform_weight:
            platform_score = W_PLATFORM * max(
                (platform_weight.get(pid, 0.0) for pid in cand_platforms.get(mid, ())), default=0.0
            )
            score += platform_score
        scored[kind].append((score, mid, relation, genre_score, platform_score))

    kept = []
    for items in scored.values():
        items.sort(key=lambda item: (-item[0], item[1]))
        kept.extend(items[:PER_KIND])
    # The titles of the seeds the reasons name.
    named: set[int] = set()
    for _score_value, mid, *_rest in kept:
        entry = candidates[mid]
        if entry.relation_seeds:
            named.update(sorted(entry.relation_seeds, key=lambda seed: -entry.relation_seeds[seed])[:2])
        if entry.franchise is not None:
            named.add(entry.franchise[2])
        if entry.people is not None:
            named.add(entry.people[3])
    titles: dict[int, str] = dict(_by_ids(session, "titles", sorted(named)))

    chosen: list[tuple[int, str, float, list[str]]] = []
    for score, mid, relation, genre_score, platform_score in kept:
        kind = facts[mid][0]
        entry = candidates[mid]
        parts: list[tuple[float, str]] = []  # (contribution, reason)
        if relation > 0 and entry.relation_seeds:
            ranked_seeds = sorted(entry.relation_seeds.items(), key=lambda item: -item[1])[:2]
            for index, (seed_id, contribution) in enumerate(ranked_seeds):
                if index and contribution < 0.5 * ranked_seeds[0][1]:
                    break
                if seed_id in titles:
                    phrase = _seed_phrase(titles[seed_id], signals.seeds[seed_id].why)
                    parts.append((relation - index * 0.01, phrase))
        genres = cand_genres.get(mid, [])
        favourites = [gid for gid in genres if gid in favourite_genres[kind]][:2]
        if favourites and genre_score > 0.4:
            names = " and ".join(pools.genre_names.get(gid, "") for gid in favourites)
            verb = "play" if kind == "game" else "watch"
            phrase = "genres you {} most" if len(favourites) > 1 else "a genre you {} a lot"
            parts.append((genre_score, f"{names}, {phrase.format(verb)}"))
        if entry.franchise is not None:
            weight, name, seed_id = entry.franchise
            value = W_FRANCHISE * min(1.0, 0.5 + weight / 2)
            like = f", like {titles[seed_id]}" if seed_id in titles else ""
            parts.append((value, f"In the {name} franchise{like}"))
        if entry.people is not None:
            weight, name, job, seed_id = entry.people
            if seed_id in titles:
                role = "director" if job == "Director" else "creator"
                reason = f"From {name}, the {role} of {titles[seed_id]}"
                parts.append((W_PEOPLE * min(1.0, 0.5 + weight / 2), reason))
        if platform_score > 0:
            best = max(cand_platforms.get(mid, ()), key=lambda pid: platform_weight.get(pid, 0.0))
            if platform_names.get(best):
                parts.append((platform_score * 0.9, f"On {platform_names[best]}, like your backlog"))
        if not liked or not parts:
            best_genre = _best_pool_genre(mid, genres, pools)
            if best_genre is not None:
                parts.append((0.0, f"Popular in {pools.genre_names.get(best_genre, 'its genre')}"))
            elif not parts:
                parts.append((0.0, f"Among the most popular {KIND_PLURALS[kind]}"))
        reasons = [reason for _value, reason in sorted(parts, key=lambda part: -part[0])][:3]
        chosen.append((mid, kind, round(score, 4), reasons))
    chosen.sort(key=lambda item: (-item[2], item[0]))
    return chosen


def _json_like(name: str) -> str:
    # The name as the JSON column stores it (json.dumps, so quoted and ASCII-escaped). A LIKE wildcard in a
    # name only widens the match; the exact name is checked on the rows found.
    return f"%{json.dumps(name)}%"


def _best_pool_genre(mid: int, genres: list[int], pools: _Pools) -> int | None:
    best: tuple[int, int] | None = None
    for gid in genres:
        position = pools.rank.get((gid, mid))
        if position is not None and (best is None or position < best[0]):
            best = (position, gid)
    if best is None and genres:
        return genres[0]
    return best[1] if best else None


# -- writing and reading snapshots -----------------------------------------------------------------------


def refresh_for_user(*, session: Session, user_id: uuid.UUID) -> int:
    """Score the user's recommendations now and replace their snapshot; returns how many titles it holds.
    The cached list (and the dashboard's row of it) is dropped once this commits."""
    count = _replace_snapshot(session, user_id)
    user_cache.after_recommendations_refresh(session, user_id)
    return count


def _replace_snapshot(session: Session, user_id: uuid.UUID) -> int:
    with collector.paused():
        chosen = _score(session, user_id)
    # One replacement per user at a time: a queued refresh and the scheduled pass can run side by side, and two
    # deletes that cannot see each other's new rows would then insert the same keys. The second waits here
    # for the first to commit, then deletes its rows.
    session.execute(select(User.id).where(col(User.id) == user_id).with_for_update())
    session.execute(delete(RecommendationEntry).where(col(RecommendationEntry.user_id) == user_id))
    generated_at = utcnow()
    if chosen:
        session.execute(
            insert(RecommendationEntry),
            [
                {
                    "user_id": user_id,
                    "media_id": mid,
                    "rank": rank,
                    "score": score,
                    "reasons": reasons,
                    "generated_at": generated_at,
                }
                for rank, (mid, _kind, score, reasons) in enumerate(chosen, start=1)
            ],
        )
    session.flush()
    return len(chosen)


def _excluded_now(user_id: uuid.UUID):
    """The titles the user knows or dismissed, as a query: filtered out of a snapshot when it is read."""
    return union(
        select(WatchEvent.media_id).where(WatchEvent.user_id == user_id),
        select(Rating.media_id).where(Rating.user_id == user_id),
        select(Favourite.media_id).where(Favourite.user_id == user_id),
        select(PlaybackProgress.media_id).where(PlaybackProgress.user_id == user_id),
        select(WatchLaterItem.media_id).where(WatchLaterItem.user_id == user_id),
        select(GameBacklogEntry.media_id).where(GameBacklogEntry.user_id == user_id),
        select(CollectionItem.media_id)
        .join(Collection, col(Collection.id) == col(CollectionItem.collection_id))
        .where(Collection.user_id == user_id),
        select(RecommendationVote.media_id).where(
            RecommendationVote.user_id == user_id, col(RecommendationVote.vote).in_(HIDDEN_VOTES)
        ),
    )


def _snapshot_rows(session: Session, user_id: uuid.UUID) -> list:
    entry = RecommendationEntry
    return session.execute(
        select(entry.media_id, entry.score, entry.reasons, entry.generated_at)
        .where(entry.user_id == user_id, col(entry.media_id).not_in(_excluded_now(user_id)))
        .order_by(entry.rank)
    ).all()


def _build_view(session: Session, user_id: uuid.UUID) -> RecommendationsView:
    rows = _snapshot_rows(session, user_id)
    if not rows:
        # No snapshot yet, or everything in it became known since: score one now.
        # The view built from it is what gets cached, so the cache is not dropped on commit here.
        _replace_snapshot(session, user_id)
        rows = _snapshot_rows(session, user_id)
    votes = dict(
        session.execute(
            select(RecommendationVote.media_id, RecommendationVote.vote).where(RecommendationVote.user_id == user_id)
        ).all()
    )
    cards = {card.id: card for card in cards_for(session=session, media_ids=[row[0] for row in rows])}
    items = [
        Recommendation(media=cards[mid], score=float(score), reasons=list(reasons or []), vote=votes.get(mid))
        for mid, score, reasons, _generated in rows
        if mid in cards
    ]
    generated = max((as_utc(row[3]) for row in rows), default=None)
    return RecommendationsView(items=items, total=len(items), generated_at=generated.isoformat() if generated else None)


def _full_view(session: Session, user_id: uuid.UUID) -> RecommendationsView:
    return user_cache.cached(
        user_cache.recommendations_key(user_id),
        user_cache.RECOMMENDATIONS_TTL_SECONDS,
        lambda: _build_view(session, user_id),
        RecommendationsView,
    )


def recommendations(
    *, session: Session, user_id: uuid.UUID, kind: str | None = None, limit: int = 40, offset: int = 0
) -> RecommendationsView:
    """A page of the user's recommendations (best first), optionally of one kind; `total` counts that kind.
    Read from the cache, else the stored snapshot, else scored now: never an error for a new user."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"unknown type {kind!r}; expected one of {', '.join(KINDS)}")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise InvalidInput("offset must be 0 or more")
    view = _full_view(session, user_id)
    items = [item for item in view.items if kind is None or item.media.type == kind]
    return RecommendationsView(items=items[offset : offset + limit], total=len(items), generated_at=view.generated_at)


def for_dashboard(*, session: Session, user_id: uuid.UUID, limit: int = 12) -> list[Recommendation]:
    """The dashboard's row: the best few, all kinds mixed."""
    return _full_view(session, user_id).items[:limit]


def vote(*, session: Session, user_id: uuid.UUID, media_id: int, vote: str | None) -> str | None:
    """Thumbs up, thumbs down or "not interested" on a title, or None to clear the vote (the undo).

    "not_interested" and "down" take the title out of the user's recommendations at once and for good (until
    cleared); every vote feeds the next scoring, which is queued after the commit."""
    if vote is not None and vote not in VOTES:
        raise InvalidInput(f"unknown vote {vote!r}; expected one of {', '.join(VOTES)} or null")
    require_media(session=session, media_id=media_id)
    existing = session.execute(
        select(RecommendationVote).where(RecommendationVote.user_id == user_id, RecommendationVote.media_id == media_id)
    ).scalar_one_or_none()
    was_hidden = existing is not None and existing.vote in HIDDEN_VOTES
    if vote is None:
        if existing is not None:
            session.delete(existing)
    elif existing is None:
        session.add(RecommendationVote(user_id=user_id, media_id=media_id, vote=vote))
    else:
        existing.vote = vote
        existing.updated_at = utcnow()
        session.add(existing)
    # The snapshot row stays: reading filters hidden titles out, so an undo shows the title again at once.
    session.flush()
    if was_hidden and vote not in HIDDEN_VOTES:
        # An undo: a title hidden before the last scoring is not in the snapshot, so score again now.
        _replace_snapshot(session, user_id)
    user_cache.after_recommendation_vote(session, user_id)
    return vote


def hidden(*, session: Session, user_id: uuid.UUID) -> list[HiddenTitle]:
    """Titles the user dismissed ("not interested" or thumbs down), latest first: the undo list."""
    rows = session.execute(
        select(RecommendationVote.media_id, RecommendationVote.vote, RecommendationVote.updated_at)
        .where(RecommendationVote.user_id == user_id, col(RecommendationVote.vote).in_(HIDDEN_VOTES))
        .order_by(col(RecommendationVote.updated_at).desc(), col(RecommendationVote.id).desc())
        .limit(500)
    ).all()
    cards = {card.id: card for card in cards_for(session=session, media_ids=[row[0] for row in rows])}
    return [
        HiddenTitle(media=cards[mid], vote=value, voted_at=as_utc(when).isoformat())
        for mid, value, when in rows
        if mid in cards
    ]


# -- the scheduled refresh --------------------------------------------------------------------------------


def users_due(*, session: Session, now: datetime | None = None, limit: int = SCHEDULED_MAX_USERS) -> list[uuid.UUID]:
    """Users whose snapshot is older than six hours (or who have none), active in the last 30 days,
    stalest first, at most `limit` per run."""
    now = now or utcnow()
    newest = (
        select(RecommendationEntry.user_id, func.max(RecommendationEntry.generated_at).label("generated_at"))
        .group_by(RecommendationEntry.user_id)
        .subquery()
    )
    rows = session.execute(
        select(User.id)
        .outerjoin(newest, newest.c.user_id == User.id)
        .where(
            col(User.is_disabled).is_(False),
            or_(newest.c.generated_at.is_(None), newest.c.generated_at < now - SCHEDULED_STALE_AFTER),
            or_(
                col(User.last_login_at) >= now - SCHEDULED_ACTIVE_WITHIN,
                newest.c.generated_at.is_not(None),
            ),
        )
        .order_by(newest.c.generated_at.asc().nulls_first(), User.id)
        .limit(limit)
    ).all()
    return [row[0] for row in rows]


__all__ = [
    "HiddenTitle",
    "Recommendation",
    "RecommendationsView",
    "for_dashboard",
    "hidden",
    "recommendations",
    "refresh_for_user",
    "users_due",
    "vote",
]
