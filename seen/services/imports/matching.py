"""Finding the catalogue title an imported row is about: external ids first, then title + year.

1. Ids the catalogue holds (`media_external_ids`).
2. Ids it does not hold, asked of the provider (TMDB details by id, TMDB /find for IMDb and TVDB ids, IGDB by
   id), the answer stored as a catalogue title.
3. The exact title (normalised: case, accents and punctuation ignored) and year, in the local catalogue, then
   at the provider. The year must be equal; one year off is accepted only when it is the single candidate
   (release dates differ by country).

Each distinct question is answered once per job. Provider answers are stored in their own short
transactions (as the catalogue's own syncs do), so the caller must not hold uncommitted writes while it
matches: the runner matches a batch, then writes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from seen.db import session_scope
from seen.models import media as tables
from seen.providers import models as records
from seen.services import catalogue, catalogue_sync, search
from seen.services.imports.items import TitleRef

log = logging.getLogger(__name__)
T = TypeVar("T")

CANDIDATES = 100
KIND_WORDS = {"movie": "film", "show": "show", "game": "game"}
# After this many provider failures in a row the job stops asking: the rows say why, the job ends in time.
PROVIDER_FAILURES_TO_GIVE_UP = 3


class Matcher:
    """Answers `match(ref)` with a catalogue id, or with the reason there is none."""

    def __init__(self, *, session: Session, sources: catalogue_sync.Sources | None) -> None:
        self.session = session
        self.sources = sources
        self._answers: dict[tuple, int | str] = {}
        self._failures = 0
        self._provider_down = ""

    @property
    def demo_note(self) -> str:
        """Said once in the report when titles are matched against the bundled demo catalogue only."""
        if self.sources is None or not self.sources.demo_kinds:
            return ""
        kinds = ", ".join(sorted(self.sources.demo_kinds))
        return f"no provider is configured for {kinds}: titles were matched against the local catalogue only"

    def match(self, ref: TitleRef) -> int | str:
        key = ref.key()
        if key not in self._answers:
            self._answers[key] = self._match(ref)
        return self._answers[key]

    def _match(self, ref: TitleRef) -> int | str:
        if ref.kind not in tables.MEDIA_KINDS:
            return f"unknown kind of title {ref.kind!r}"
        identity = catalogue.Identity(ref.kind, ref.ids)
        if identity.pairs():
            media = catalogue.find_media(session=self.session, identity=identity)
            if media is not None:
                return media.id
            found = self._by_provider_id(ref)
            if isinstance(found, int):
                return found
        if not ref.title.strip():
            return "the row names no title and its ids are unknown"
        local = self._by_title(ref, self._local_candidates(ref))
        if local is not None:
            return local
        return self._by_provider_title(ref)

    # -- title + year ---------------------------------------------------------------------------------

    def _local_candidates(self, ref: TitleRef) -> list[tuple[int, str, int | None]]:
        """Titles of the kind whose search text is the title, or starts with it and a space (an original title
        follows): the exact rule needs nothing fuzzier, and the search text's b-tree answers it at once where
        the ranked search would cost milliseconds per row of a 5,000-row export."""
        wanted = search.normalise(ref.title)
        if not wanted:
            return []
        media, text = tables.MediaItem, col(tables.MediaItem.search_text)
        if self.session.get_bind().dialect.name == "postgresql":
            followed = text.startswith(wanted + " ", autoescape=True)  # the text_pattern_ops b-tree
        else:  # SQLite compares bytes: the range is the prefix
            followed = and_(text >= wanted + " ", text < wanted + " \U0010ffff")
        # Only a title with an original title of its own has one appended; the exact texts sort first.
        with_original = and_(followed, col(media.original_title).is_not(None))
        rows = self.session.exec(
            select(media.id, media.title, media.year)
            .where(media.kind == ref.kind, or_(text == wanted, with_original))
            .order_by((text == wanted).desc(), func.length(text), col(media.id))
            .limit(CANDIDATES)
        ).all()
        return [(media_id, title, year) for media_id, title, year in rows]

    @staticmethod
    def _by_title(ref: TitleRef, candidates: Sequence[tuple[int, str, int | None]]) -> int | None:
        wanted = search.normalise(ref.title)
        same_title = {media_id: year for media_id, title, year in candidates if search.normalise(title) == wanted}
        if ref.year is None:
            return next(iter(same_title)) if len(same_title) == 1 else None
        same_year = [media_id for media_id, year in same_title.items() if year == ref.year]
        if same_year:
            return same_year[0]
        near = [media_id for media_id, year in same_title.items() if year is not None and abs(year - ref.year) == 1]
        return near[0] if len(same_title) == 1 and near else None

    def _provider(self, kind: str) -> str:
        return self.sources.provider_for(kind) if self.sources is not None else catalogue.DEMO

    def _not_found(self, ref: TitleRef) -> str:
        year = f" ({ref.year})" if ref.year else ""
        what = f"no {KIND_WORDS.get(ref.kind, 'title')} titled {ref.title!r}{year}"
        provider = self._provider(ref.kind)
        if provider == catalogue.DEMO:
            return f"{what} in the catalogue (demo catalogue: no provider to ask)"
        if self._provider_down:
            return f"{what} in the catalogue; provider unavailable: {self._provider_down}"
        return f"{what} in the catalogue or at {provider.upper()}"

    def _by_provider_title(self, ref: TitleRef) -> int | str:
        provider = self._provider(ref.kind)
        if provider == catalogue.DEMO or self._provider_down:
            return self._not_found(ref)
        if provider == "igdb":
            igdb = self.sources.igdb
            page = self._ask("search:igdb", "igdb", lambda: igdb.search_games(ref.title))
        else:
            tmdb = self.sources.tmdb
            kind = "movie" if ref.kind == "movie" else "tv"
            page = self._ask("search:tmdb", "tmdb", lambda: tmdb.search(ref.title, kind))
        if page is None:
            return self._not_found(ref)
        summaries = [summary for summary in page.items if summary.kind == ref.kind]
        candidates = [(index, summary.title, summary.year) for index, summary in enumerate(summaries)]
        chosen = self._by_title(ref, candidates)
        if chosen is None:
            return self._not_found(ref)
        return self._store(summaries[chosen])

    # -- ids we do not hold ---------------------------------------------------------------------------

    def _by_provider_id(self, ref: TitleRef) -> int | str | None:
        provider = self._provider(ref.kind)
        if provider == catalogue.DEMO or self._provider_down:
            return None
        ids = ref.ids
        summary: records.MediaSummary | None = None
        if provider == "igdb" and ids.igdb is not None:
            igdb = self.sources.igdb
            details = self._ask("import:igdb", "igdb", lambda: igdb.game(ids.igdb))
            summary = details.summary if details is not None else None
        elif provider == "tmdb" and ids.tmdb is not None:
            tmdb = self.sources.tmdb
            fetch = tmdb.movie if ref.kind == "movie" else tmdb.show
            details = self._ask("import:tmdb", "tmdb", lambda: fetch(ids.tmdb, ()))
            summary = details.summary if details is not None else None
            # A provider answering with another title than the one asked for is not a match.
            if summary is not None and summary.ids.tmdb != ids.tmdb:
                summary = None
        elif provider == "tmdb" and (ids.imdb or ids.tvdb):
            tmdb = self.sources.tmdb
            source, value = ("imdb_id", ids.imdb) if ids.imdb else ("tvdb_id", str(ids.tvdb))
            found = self._ask("find:tmdb", "tmdb", lambda: tmdb.find(value, source)) or ()
            summary = next((item for item in found if item.kind == ref.kind), None)
            if summary is not None:
                summary = replace(summary, ids=summary.ids.merged(ids))
        return self._store(summary) if summary is not None else None

    def _ask(self, target: str, provider: str, call: Callable[[], T]) -> T | None:
        try:
            answer = catalogue_sync.attempt(target=target, provider=provider, call=call, attempts=1)
        except catalogue_sync.SyncFailed as error:
            if "not found" not in str(error):
                self._failures += 1
                if self._failures >= PROVIDER_FAILURES_TO_GIVE_UP:
                    self._provider_down = str(error)
            return None
        self._failures = 0
        return answer

    @staticmethod
    def _store(summary: records.MediaSummary) -> int | str:
        try:
            with session_scope() as writer:
                return catalogue.store_summary(session=writer, summary=summary).id
        except catalogue.UnusableRecord as error:
            return f"the provider's record is unusable: {error}"
