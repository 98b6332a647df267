"""Which catalogue title a media file is, with a confidence from 0 to 1 and the reasons behind it.

The scanner hands over what the file name says (`seen.naming.ParsedName`) and the probed duration. Steps:

1. An id in the name (`{tmdb-603}`, `[imdbid-tt0133093]`) is what the person who named the file chose: the
   title holding that id wins outright (score 1.0). One the catalogue lacks is fetched by id and stored,
   through the imports' matcher (the one place that asks a provider for a title by id and refuses an
   answer about another title).
2. Otherwise candidates come from the local catalogue's search (`search.search_catalogue`, its index and
   its `normalise`), of the kind the name implies: films for a movie file, shows for an episode. Games are
   never candidates for a video file. When no local candidate reaches the threshold and providers may be
   used, the provider search that `/api/v1/search` uses (`catalogue_sync.provider_search`) is asked too; it
   stores what it finds, so the file is matched against catalogue rows like any other. With no provider
   configured (demo catalogue) no call is made; a failing provider only means fewer candidates.
3. Each candidate is scored from its title, year, runtime (films) or episode (shows), with popularity as a
   tie-breaker only, and the five best are returned with a sentence per piece of evidence.

Provider answers are stored in their own short transactions (as the catalogue's syncs do), so the caller
must not hold uncommitted writes while it matches (on SQLite they would lock the writer out).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from seen.models.media import MediaItem, ShowEpisode, ShowSeason
from seen.naming import ParsedName
from seen.providers.models import ExternalIds
from seen.services import app_settings, catalogue, catalogue_sync, search
from seen.services.imports.items import TitleRef
from seen.services.imports.matching import Matcher

log = logging.getLogger(__name__)

# At or above, the scanner links the file by itself; below, the file waits in the review queue with its
# candidates. An exact title alone reaches it; an exact title and year clears it comfortably.
AUTO_MATCH_THRESHOLD = 0.80
# The best must also lead the runner-up by this much: two titles that fit equally well ("Dune" without a
# year, when the catalogue has 1984 and 2021) are a question for a person, not a coin toss.
AUTO_MATCH_MARGIN = 0.10
MAX_CANDIDATES = 5
# How many search hits are scored: the ranking puts exact titles first, so more would only add noise.
SEARCH_POOL = 10
# Candidates scoring below this are not worth showing in the review queue.
MIN_CANDIDATE_SCORE = 0.2

# The file's kind for each kind of name; extras and unknown names are never matched.
KIND_FOR_NAME = {"movie": "movie", "episode": "show"}
VIDEO_KINDS = ("movie", "show")

# Title: its closeness (0..1) times this is the base; the other evidence moves it up or down.
TITLE_WEIGHT = 0.82
EXACT_TITLE = 1.0
SAME_WORDS = 0.9  # every word, another order ("Matrix, The" / "The Matrix")
# One title's words all inside the other's ("Dune" / "Dune Part Two"): from this up to +SHARED_WORDS_SPAN.
SHARED_WORDS_FLOOR = 0.55
SHARED_WORDS_SPAN = 0.25
FUZZY_WEIGHT = 0.8  # trigram similarity (typos) never rivals an exact title

YEAR_EXACT = 0.12
YEAR_NEAR_MOVIE = 0.06  # release dates differ by country: one year off is fine for a film
YEAR_MISMATCH_MOVIE = -0.25
YEAR_MISMATCH_SHOW = -0.15  # a show's year is its first season's; a file's may be another season's

# Runtime vs file duration (films): the relative difference decides.
RUNTIME_CLOSE = 0.15
RUNTIME_LOOSE = 0.30
RUNTIME_FAR = 0.50
RUNTIME_CLOSE_BONUS = 0.05
RUNTIME_FAR_PENALTY = -0.10
RUNTIME_WAY_OFF_PENALTY = -0.30  # a 20-minute file for a 2-hour film: a sample, an extra, a wrong title
# An extended or director's cut runs longer than the theatrical runtime the catalogue has.
EDITION_LONGER_TOLERANCE = 0.35

EPISODE_FOUND = 0.10
EPISODE_MISSING = -0.15  # lowers, does not rule out: the catalogue may be behind the broadcaster

POPULARITY_WEIGHT = 0.01  # a tie-breaker: never enough to cross the margin
POPULARITY_SCALE = 20.0
# Only an id in the name is certain; the best evidence from a title stops just short of it.
MAX_TITLE_SCORE = 0.99
ID_SCORE = 1.0
# An IMDb id found on a title of the other kind (a show's id in a movie-looking name): likely, not certain.
ID_OTHER_KIND_SCORE = 0.7


@dataclass(frozen=True)
class MatchCandidate:
    media_id: int
    kind: str  # "movie" | "show"
    title: str
    year: int | None
    score: float  # 0..1
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "media_id": self.media_id,
            "kind": self.kind,
            "title": self.title,
            "year": self.year,
            "score": self.score,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class MatchResult:
    candidates: tuple[MatchCandidate, ...] = ()  # best first, at most MAX_CANDIDATES

    @property
    def best(self) -> MatchCandidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def auto(self) -> bool:
        """Confident enough to link without asking: above the threshold and clearly ahead of the runner-up."""
        best = self.best
        if best is None or best.score < AUTO_MATCH_THRESHOLD:
            return False
        if len(self.candidates) == 1:
            return True
        return best.score - self.candidates[1].score >= AUTO_MATCH_MARGIN - 1e-9


@dataclass
class _Evidence:
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def add(self, delta: float, reason: str) -> None:
        self.score += delta
        self.reasons.append(reason)


def match_file(
    session: Session, parsed: ParsedName, *, duration_seconds: int | None = None, use_providers: bool = True
) -> MatchResult:
    """The catalogue titles this file may be, best first. Never raises for what a name or a provider says."""
    kind = KIND_FOR_NAME.get(parsed.type)
    if kind is None:
        return MatchResult()  # extras belong to their title's folder, unknown names to a person
    by_id = _match_by_id(session, parsed, kind, use_providers=use_providers)
    if by_id is not None and by_id.score >= ID_SCORE:
        return MatchResult((by_id,))
    title = (parsed.title or "").strip()
    if not title:
        return MatchResult((by_id,) if by_id else ())
    scored = _score_all(session, parsed, kind, _local_rows(session, title, kind), duration_seconds)
    if use_providers and not _reaches_threshold(scored):
        found = _provider_rows(session, title, kind)
        known = {candidate.media_id for candidate in scored}
        scored += _score_all(session, parsed, kind, [row for row in found if row.id not in known], duration_seconds)
    if by_id is not None:
        scored = [by_id, *(candidate for candidate in scored if candidate.media_id != by_id.media_id)]
    return MatchResult(tuple(_ranked(scored)[:MAX_CANDIDATES]))


# -- ids in the name --------------------------------------------------------------------------------------


def _match_by_id(session: Session, parsed: ParsedName, kind: str, *, use_providers: bool) -> MatchCandidate | None:
    if parsed.tmdb_id is None and not parsed.imdb_id:
        return None
    ids = ExternalIds(tmdb=parsed.tmdb_id, imdb=parsed.imdb_id or None)
    said = _ids_said(parsed)
    media = catalogue.find_media(session=session, identity=catalogue.Identity(kind, ids))
    if media is None and use_providers:
        media = _fetch_by_id(session, kind, ids)
    if media is not None:
        return _candidate(media, ID_SCORE, [f"{said} in the file name"])
    if parsed.imdb_id:
        # IMDb ids are unique across kinds (TMDB's are not), so a title of the other kind holding it is a
        # strong hint that the name's kind was guessed wrong: offered, not auto-matched.
        other = next(other for other in VIDEO_KINDS if other != kind)
        identity = catalogue.Identity(other, ExternalIds(imdb=parsed.imdb_id))
        media = catalogue.find_media(session=session, identity=identity)
        if media is not None:
            reason = f"IMDb id {parsed.imdb_id} in the file name is a {other}'s, the name looks like a {kind}"
            return _candidate(media, ID_OTHER_KIND_SCORE, [reason])
    return None


def _ids_said(parsed: ParsedName) -> str:
    parts = []
    if parsed.tmdb_id is not None:
        parts.append(f"TMDB id {parsed.tmdb_id}")
    if parsed.imdb_id:
        parts.append(f"IMDb id {parsed.imdb_id}")
    return " and ".join(parts)


def _fetch_by_id(session: Session, kind: str, ids: ExternalIds) -> MediaItem | None:
    """The title with these ids from the provider, stored in the catalogue; None when it cannot be had."""
    with catalogue_sync.open_sources(app_settings.provider_settings(session=session)) as sources:
        if sources.provider_for(kind) == catalogue.DEMO:
            return None  # the demo catalogue is all there is: nothing to ask
        # An empty title: the matcher answers from the ids alone and never falls back to a title search.
        answer = Matcher(session=session, sources=sources).match(TitleRef(kind=kind, title="", ids=ids))
    if isinstance(answer, str):
        log.info("file's id not found", extra={"kind": kind, "reason": answer})
        return None
    return session.get(MediaItem, answer)


# -- candidates by title ----------------------------------------------------------------------------------


def _local_rows(session: Session, title: str, kind: str) -> list[MediaItem]:
    hits = search.search_catalogue(session=session, query=title, kinds=(kind,), limit=SEARCH_POOL).hits
    return _rows(session, [hit.id for hit in hits])


def _provider_rows(session: Session, title: str, kind: str) -> list[MediaItem]:
    with catalogue_sync.open_sources(app_settings.provider_settings(session=session)) as sources:
        if sources.provider_for(kind) == catalogue.DEMO:
            return []
        # Failures are logged to the sync log and answered with no ids, never raised.
        ids = catalogue_sync.provider_search(query=title, kinds={kind}, sources=sources)
    return _rows(session, ids[:SEARCH_POOL])


def _rows(session: Session, ids: list[int]) -> list[MediaItem]:
    if not ids:
        return []
    found = {row.id: row for row in session.exec(select(MediaItem).where(col(MediaItem.id).in_(ids)))}
    return [found[media_id] for media_id in dict.fromkeys(ids) if media_id in found]


def _reaches_threshold(scored: list[MatchCandidate]) -> bool:
    return any(candidate.score >= AUTO_MATCH_THRESHOLD for candidate in scored)


def _ranked(candidates: Iterable[MatchCandidate]) -> list[MatchCandidate]:
    # Popularity is already inside the score; the id keeps equal scores in a stable order.
    return sorted(candidates, key=lambda candidate: (-candidate.score, candidate.media_id))


def _candidate(media: MediaItem, score: float, reasons: list[str]) -> MatchCandidate:
    assert media.id is not None
    return MatchCandidate(
        media_id=media.id,
        kind=media.kind,
        title=media.title,
        year=media.year,
        score=round(min(1.0, max(0.0, score)), 4),
        reasons=tuple(reasons),
    )


def _score_all(
    session: Session, parsed: ParsedName, kind: str, rows: list[MediaItem], duration_seconds: int | None
) -> list[MatchCandidate]:
    scored = []
    for media in rows:
        if media.kind != kind:  # games never, and a film is not an episode's show
            continue
        candidate = _score(session, parsed, media, duration_seconds)
        if candidate.score >= MIN_CANDIDATE_SCORE:
            scored.append(candidate)
    return scored


def _score(session: Session, parsed: ParsedName, media: MediaItem, duration_seconds: int | None) -> MatchCandidate:
    evidence = _Evidence()
    closeness, title_reason = title_closeness(parsed.title or "", media.title, media.original_title)
    evidence.add(TITLE_WEIGHT * closeness, title_reason)
    _judge_year(evidence, parsed.year, media)
    if media.kind == "movie":
        _judge_runtime(evidence, parsed, media.runtime, duration_seconds)
    elif media.kind == "show":
        _judge_episode(evidence, session, parsed, media)
    if media.popularity:
        # Saturating, so a blockbuster cannot buy its way past a better-fitting title.
        popularity = max(0.0, media.popularity)
        evidence.score += POPULARITY_WEIGHT * popularity / (popularity + POPULARITY_SCALE)
    return _candidate(media, min(MAX_TITLE_SCORE, evidence.score), evidence.reasons)


# -- the evidence -----------------------------------------------------------------------------------------


def title_closeness(wanted: str, title: str, original_title: str | None = None) -> tuple[float, str]:
    """How well a file's title names a catalogue title (0..1) and why; the better of title and original.

    Both sides go through the search's `normalise` (case, accents, punctuation). Exact beats the same words
    in another order, which beats one title's words all within the other's, which beats trigram similarity.
    """
    query = search.normalise(wanted)
    best = (0.0, "title does not match")
    for label, text in (("title", title), ("original title", original_title)):
        if not text:
            continue
        target = search.normalise(text)
        if not query or not target:
            continue
        found = _closeness(query, target, label)
        if found[0] > best[0]:
            best = found
    return best


def _closeness(query: str, target: str, label: str) -> tuple[float, str]:
    if query == target:
        return EXACT_TITLE, f"{label} matches exactly"
    mine, theirs = query.split(), target.split()
    if sorted(mine) == sorted(theirs):
        return SAME_WORDS, f"{label} has the same words in another order"
    shorter, longer = sorted((set(mine), set(theirs)), key=len)
    if shorter <= longer:
        share = len(shorter) / len(longer)
        return SHARED_WORDS_FLOOR + SHARED_WORDS_SPAN * share, f"{label} shares {len(shorter)} of {len(longer)} words"
    similarity = _trigram_similarity(query, target)
    return FUZZY_WEIGHT * similarity, f"{label} is {round(similarity * 100)}% similar"


def _trigram_similarity(left: str, right: str) -> float:
    # pg_trgm's measure on the search's trigrams: shared over all, so both extra and missing letters count.
    mine, theirs = search.trigrams(left), search.trigrams(right)
    union = len(mine | theirs)
    return len(mine & theirs) / union if union else 0.0


def _judge_year(evidence: _Evidence, year: int | None, media: MediaItem) -> None:
    if year is None or media.year is None:
        return  # absent on either side says nothing
    if year == media.year:
        evidence.add(YEAR_EXACT, f"year {year} matches")
    elif media.kind == "movie" and abs(year - media.year) == 1:
        evidence.add(YEAR_NEAR_MOVIE, f"year {year} is one off {media.year}")
    else:
        penalty = YEAR_MISMATCH_MOVIE if media.kind == "movie" else YEAR_MISMATCH_SHOW
        evidence.add(penalty, f"year {year} differs from {media.year}")


def _judge_runtime(
    evidence: _Evidence, parsed: ParsedName, runtime_minutes: int | None, duration_seconds: int | None
) -> None:
    if not runtime_minutes or not duration_seconds or duration_seconds <= 0:
        return
    said = f"runtime {runtime_minutes} min vs file {_duration(duration_seconds)}"
    if parsed.part is not None:
        # One part of a stacked film (cd1, part2) is a fraction of it: the length proves nothing.
        evidence.reasons.append(f"{said} (part {parsed.part} of a set: not compared)")
        return
    runtime = runtime_minutes * 60
    difference = abs(duration_seconds - runtime) / runtime
    if parsed.edition and duration_seconds > runtime:
        difference = max(0.0, difference - EDITION_LONGER_TOLERANCE)
    if difference <= RUNTIME_CLOSE:
        evidence.add(RUNTIME_CLOSE_BONUS, said)
    elif difference <= RUNTIME_LOOSE:
        evidence.reasons.append(said)
    elif difference <= RUNTIME_FAR:
        evidence.add(RUNTIME_FAR_PENALTY, f"{said}: quite different")
    else:
        evidence.add(RUNTIME_WAY_OFF_PENALTY, f"{said}: far too different")


def _duration(seconds: int) -> str:
    minutes = round(seconds / 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{minutes} min"


def _judge_episode(evidence: _Evidence, session: Session, parsed: ParsedName, media: MediaItem) -> None:
    """Whether the show has the episode the name points at. Unknown episode lists are neutral; an episode
    the catalogue says is not there lowers the score (the catalogue may lag, so it never rules out)."""
    if parsed.season is not None and parsed.episode is not None:
        numbers = parsed.episode if isinstance(parsed.episode, list) else [parsed.episode]
        _judge_numbered(evidence, session, media, parsed.season, numbers)
    elif parsed.air_date:
        _judge_air_date(evidence, session, media, parsed.air_date)
    elif parsed.absolute_episode is not None:
        _judge_absolute(evidence, session, media, parsed.absolute_episode)


def _judge_numbered(evidence: _Evidence, session: Session, media: MediaItem, season: int, numbers: list[int]) -> None:
    label = f"S{season:02d}" + "".join(f"E{number:02d}" for number in numbers)
    found = set(
        session.exec(
            select(ShowEpisode.episode_number).where(
                ShowEpisode.media_id == media.id,
                ShowEpisode.season_number == season,
                col(ShowEpisode.episode_number).in_(numbers),
            )
        ).all()
    )
    if found >= set(numbers):
        evidence.add(EPISODE_FOUND, f"{label} exists")
        return
    row = session.exec(select(ShowSeason).where(ShowSeason.media_id == media.id, ShowSeason.number == season)).first()
    stored_episodes = session.exec(
        select(func.count()).where(ShowEpisode.media_id == media.id, ShowEpisode.season_number == season)
    ).one()
    if row is not None and (row.episodes_synced_at is not None or stored_episodes):
        evidence.add(EPISODE_MISSING, f"{label} is not among season {season}'s {stored_episodes} episodes")
    elif row is not None and row.episode_count is not None:
        if max(numbers) > row.episode_count:
            evidence.add(EPISODE_MISSING, f"{label}: season {season} has {row.episode_count} episodes")
        else:
            evidence.reasons.append(f"{label} is within season {season}'s {row.episode_count} episodes")
    elif row is None and _season_count(session, media):
        evidence.add(EPISODE_MISSING, f"{label}: the show has no season {season}")
    else:
        evidence.reasons.append(f"{label}: the show's episode list is not known yet")


def _season_count(session: Session, media: MediaItem) -> int:
    stored = session.exec(select(func.count()).where(ShowSeason.media_id == media.id)).one()
    return stored or media.number_of_seasons or 0


def _judge_air_date(evidence: _Evidence, session: Session, media: MediaItem, air_date: str) -> None:
    try:
        day = date.fromisoformat(air_date)
    except ValueError:
        return
    aired = session.exec(
        select(ShowEpisode.id).where(ShowEpisode.media_id == media.id, ShowEpisode.air_date == day)
    ).first()
    if aired is not None:
        evidence.add(EPISODE_FOUND, f"an episode aired on {air_date}")
    elif _season_count(session, media):
        evidence.add(EPISODE_MISSING, f"no episode aired on {air_date}")


def _judge_absolute(evidence: _Evidence, session: Session, media: MediaItem, number: int) -> None:
    # Counted over regular seasons (specials are season 0), as absolute numbering does.
    stored = session.exec(
        select(func.count()).where(ShowEpisode.media_id == media.id, ShowEpisode.season_number > 0)
    ).one()
    total = max(stored, media.number_of_episodes or 0)
    if not total:
        return
    if number <= total:
        evidence.add(EPISODE_FOUND, f"episode {number} is within the show's {total}")
    else:
        evidence.add(EPISODE_MISSING, f"episode {number} is beyond the show's {total}")
