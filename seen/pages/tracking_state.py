"""The state behind the tracking controls: the viewer's own records for the title (or season) on screen, and
the set of titles on their watch later list that every card on a page reflects.

Handlers are adapters: they call the tracking services inside `session_scope()`, keep plain dicts for the
components, and re-read what is shown from the services after every change, so the page always says what
was stored. Every change re-validates the session first (the websocket's cookie may be stale); a service's
refusal is shown, never swallowed.

Confirmations and refusals are shown inline, beside the control: a toast sent from the backend is a script
the browser would have to eval, which the app's Content-Security-Policy (rightly) forbids.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from seen.components.catalogue import ANY
from seen.db import session_scope
from seen.models.base import as_utc
from seen.pages.detail_state import format_date, route_id
from seen.services import catalogue_views, library_scan, progress, tracking

try:  # TEMP until H2 lands
    from seen.services import backlog, collections
except ImportError:
    backlog = collections = None
from seen.services.errors import InvalidInput, NotFound, ServiceError
from seen.state import AuthState

# Viewings of one title listed under "Watched N times" (the full history is on /app/watched).
VIEWINGS_SHOWN = 20
# A show's own viewings read to know the latest viewing of each episode (for unmarking one).
SHOW_HISTORY_LIMIT = 5000
# Radix selects need a non-empty value: the catalogue filters' "any" value stands for "not set" here.
NO_CHOICE = ANY
STATUS_LABELS = {
    "wishlist": "Wishlist",
    "active": "Playing",
    "paused": "Paused",
    "completed": "Completed",
    "dropped": "Dropped",
}
COMPLETION_LABELS = {"main": "Main story", "main_extras": "Main + extras", "completionist": "100%"}
EMPTY_BACKLOG = {
    "status": "wishlist",
    "platform_id": NO_CHOICE,
    "hours_played": "",
    "completion": NO_CHOICE,
    "started_on": "",
    "finished_on": "",
    "notes": "",
}


def utc_today() -> date:
    """Days are UTC days, as the tracking services count them (aired episodes, viewings "in the future")."""
    return datetime.now(UTC).date()


def episode_code(season_number: int | None, episode_number: int | None) -> str:
    if season_number is None or episode_number is None:
        return ""
    return f"S{season_number:02d}E{episode_number:02d}"


def clock(seconds: int) -> str:
    """1:02:10, or 48:05 under an hour."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def viewing_date(iso: str) -> str:
    return format_date(as_utc(datetime.fromisoformat(iso)).date().isoformat())


def parse_day(text: str, label: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{label} is not a date") from None


def parse_hours(text: str) -> float | None:
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput("hours played must be a number, like 12 or 12.5") from None


def _user(auth: AuthState) -> uuid.UUID | None:
    """The user an earlier on_load event of this page validated (reads only; changes validate again)."""
    try:
        return uuid.UUID(auth.user_id) if auth.user_id else None
    except ValueError:
        return None


class LibraryIdsState(rx.State):
    """The titles the household's library has a file of, read once per page so each card can say so."""

    ids: list[int] = []

    @rx.event
    async def load(self):
        if _user(await self.get_state(AuthState)) is None:
            self.ids = []
            return
        with session_scope() as session:
            self.ids = sorted(library_scan.in_library(session))


class WatchLaterIdsState(rx.State):
    """The viewer's watch later titles, read once per page so each card can show its bookmark."""

    ids: list[int] = []
    # A bookmark the service refused, and why: shown on that card only.
    failed_id: int = 0
    failure: str = ""

    @rx.event
    async def load(self):
        user_id = _user(await self.get_state(AuthState))
        if user_id is None:
            self.ids = []
            return
        with session_scope() as session:
            self.ids = tracking.watch_later_ids(session=session, user_id=user_id)

    def _mark(self, media_id: int, on_list: bool) -> None:
        rest = [known for known in self.ids if known != media_id]
        self.ids = [*rest, media_id] if on_list else rest

    @rx.event
    async def toggle(self, media_id: int):
        """The bookmark on a card: add the title to the list, or take it off."""
        auth = await self.get_state(AuthState)
        found = auth.authenticated()
        if found is None:
            return auth.login_redirect()
        on_list = media_id not in self.ids
        self.failed_id, self.failure = 0, ""
        try:
            with session_scope() as session:
                if on_list:
                    tracking.add_to_watch_later(session=session, user_id=found.user.id, media_id=media_id)
                else:
                    tracking.remove_from_watch_later(session=session, user_id=found.user.id, media_id=media_id)
        except NotFound:
            on_list = False  # already off the list (another tab took it off): show it so
        except ServiceError as error:
            self.failed_id, self.failure = media_id, error.message
            return None
        self._mark(media_id, on_list)
        detail = await self.get_state(TrackingState)
        if detail.media_id == media_id:
            detail.in_watch_later = on_list
        return None


class TrackingState(rx.State):
    """The controls on a movie, show, season or game page."""

    media_id: int = 0
    kind: str = ""  # movie | show | game ("" while nothing is loaded)
    season_number: int = -1  # the season page's season, -1 on title pages
    ready: bool = False
    error: str = ""
    confirmation: str = ""  # what the last change did, shown beside the controls
    in_watch_later: bool = False
    favourite: bool = False
    rating: float = 0.0  # 0 = not rated
    times_watched: int = 0
    last_watched: str = ""
    viewings: list[dict[str, Any]] = []
    watch_date: str = ""
    today: str = ""
    resume: list[dict[str, str]] = []
    collection_choices: list[dict[str, Any]] = []
    new_collection: str = ""
    collection_error: str = ""
    # Shows and seasons.
    episodes_watched: int = 0
    episodes_aired: int = 0
    up_next: dict[str, Any] = {}
    season_watched: list[int] = []
    # Games.
    backlog_form: dict[str, str] = dict(EMPTY_BACKLOG)
    in_backlog: bool = False
    backlog_error: str = ""
    _latest_viewing: dict[str, int] = {}

    @rx.var
    def rating_label(self) -> str:
        return f"{self.rating:g} / 5" if self.rating else "Not rated"

    @rx.var
    def watched_summary(self) -> str:
        if not self.times_watched:
            return "Not watched yet"
        times = "once" if self.times_watched == 1 else f"{self.times_watched} times"
        return f"Watched {times}, last on {self.last_watched}" if self.last_watched else f"Watched {times}"

    @rx.var
    def show_progress(self) -> str:
        if not self.episodes_aired:
            return ""
        return f"{self.episodes_watched} of {self.episodes_aired} episodes"

    @rx.var
    def show_percent(self) -> int:
        return round(100 * self.episodes_watched / self.episodes_aired) if self.episodes_aired else 0

    @rx.var
    def collections_count(self) -> int:
        return sum(1 for entry in self.collection_choices if entry["contains"])

    # -- loading ---------------------------------------------------------------------------------------------

    def _reset(self) -> None:
        self.ready = False
        self.error = self.collection_error = self.backlog_error = self.confirmation = ""
        self.new_collection = ""
        self.today = utc_today().isoformat()
        self.watch_date = self.today

    @rx.event
    async def load_title(self):
        """on_load of the movie, show and game pages."""
        self._reset()
        self.season_number = -1
        return await self._open(route_id(self.router._page.params.get("media_id")))

    @rx.event
    async def load_season(self):
        """on_load of a season page."""
        self._reset()
        number = self.router._page.params.get("number")
        self.season_number = int(number) if isinstance(number, str) and number.isdigit() and len(number) < 6 else -1
        return await self._open(route_id(self.router._page.params.get("media_id")))

    async def _open(self, media_id: int | None) -> None:
        user_id = _user(await self.get_state(AuthState))
        self.media_id, self.kind = 0, ""
        if media_id is None or user_id is None:
            return
        with session_scope() as session:
            cards = catalogue_views.cards_for(session=session, media_ids=[media_id])
            if not cards:
                return
            self.media_id, self.kind = media_id, cards[0].type
            self._read(session, user_id)
        self.ready = True

    def _read(self, session: Session, user_id: uuid.UUID) -> None:
        """Everything the controls show, from the services."""
        state = tracking.title_state(session=session, user_id=user_id, media_id=self.media_id)
        self.in_watch_later, self.favourite = state.in_watch_later, state.favourite
        self.rating = state.rating or 0.0
        self.times_watched = state.times_watched
        containing = collections.collections_containing(session=session, user_id=user_id, media_id=self.media_id)
        self.collection_choices = [
            {"id": entry.id, "name": entry.name, "contains": entry.id in containing}
            for entry in collections.list_collections(session=session, user_id=user_id)
        ]
        if self.kind == "game":
            self._read_backlog(session, user_id)
            return
        self._read_resume(session, user_id)
        if self.kind == "movie":
            entries, _total = tracking.history(
                session=session, user_id=user_id, media_id=self.media_id, limit=VIEWINGS_SHOWN
            )
            self.viewings = [{"id": entry.id, "when": viewing_date(entry.watched_at)} for entry in entries]
            self.last_watched = self.viewings[0]["when"] if self.viewings else ""
        else:
            self._read_show(session, user_id, state.up_next)

    def _read_resume(self, session: Session, user_id: uuid.UUID) -> None:
        unfinished = [
            row
            for row in progress.progress_for(session=session, user_id=user_id, media_id=self.media_id)
            if not row.finished and row.position_seconds > 0
        ]
        unfinished.sort(key=lambda row: row.updated_at, reverse=True)
        self.resume = [
            {
                "episode": episode_code(row.season_number, row.episode_number) if self.kind == "show" else "",
                "at": f"Resume at {clock(row.position_seconds)}",
                "percent": f"{row.percent}%",
            }
            for row in unfinished[:3]
        ]

    def _read_show(self, session: Session, user_id: uuid.UUID, following: tracking.UpNext | None) -> None:
        watched = tracking.watched_episodes(session=session, user_id=user_id, media_id=self.media_id)
        # Specials are extras: the progress counts regular episodes, like the aired count it is shown against.
        self.episodes_watched = sum(1 for season, _episode in watched if season != tracking.SPECIALS_SEASON)
        self.episodes_aired = tracking.aired_episode_count(session=session, media_id=self.media_id)
        self.up_next = (
            {
                "season_number": following.season_number,
                "episode_number": following.episode_number,
                "code": episode_code(following.season_number, following.episode_number),
                "title": following.title or "",
            }
            if following is not None
            else {}
        )
        self.season_watched = sorted(episode for season, episode in watched if season == self.season_number)
        self._latest_viewing = {}
        if self.season_number >= 0 and self.season_watched:
            entries, _total = tracking.history(
                session=session, user_id=user_id, media_id=self.media_id, limit=SHOW_HISTORY_LIMIT
            )
            for entry in entries:  # newest first: the first seen of an episode is its latest viewing
                self._latest_viewing.setdefault(episode_code(entry.season_number, entry.episode_number), entry.id)

    def _read_backlog(self, session: Session, user_id: uuid.UUID) -> None:
        entry = backlog.backlog_entry(session=session, user_id=user_id, media_id=self.media_id)
        self.in_backlog = entry is not None
        if entry is None:
            self.backlog_form = dict(EMPTY_BACKLOG)
            return
        self.backlog_form = {
            "status": entry.status,
            "platform_id": str(entry.platform_id) if entry.platform_id else NO_CHOICE,
            "hours_played": f"{entry.hours_played:g}" if entry.hours_played else "",
            "completion": entry.completion or NO_CHOICE,
            "started_on": entry.started_on or "",
            "finished_on": entry.finished_on or "",
            "notes": entry.notes or "",
        }

    # -- changing ----------------------------------------------------------------------------------------------

    async def _change(self, work: Callable[[Session, uuid.UUID], str], *, field: str = "error"):
        """Run one change for the signed-in user, then show what is stored now.

        `work` returns the confirmation to show; a service's refusal is shown in `field` instead.
        """
        auth = await self.get_state(AuthState)
        found = auth.authenticated()
        if found is None:
            return auth.login_redirect()
        self.confirmation = ""
        if not self.media_id:
            self.error = "This page has no title to track."
            return None
        setattr(self, field, "")
        try:
            with session_scope() as session:
                done = work(session, found.user.id)
        except ServiceError as error:
            setattr(self, field, _sentence(error.message))
            return None
        with session_scope() as session:
            self._read(session, found.user.id)
        ids = await self.get_state(WatchLaterIdsState)
        ids._mark(self.media_id, self.in_watch_later)
        self.confirmation = done
        return None

    @rx.event
    async def toggle_watch_later(self):
        adding = not self.in_watch_later

        def work(session: Session, user_id: uuid.UUID) -> str:
            if adding:
                tracking.add_to_watch_later(session=session, user_id=user_id, media_id=self.media_id)
                return "Added to watch later"
            tracking.remove_from_watch_later(session=session, user_id=user_id, media_id=self.media_id)
            return "Removed from watch later"

        return await self._change(work)

    @rx.event
    async def toggle_favourite(self):
        wanted = not self.favourite

        def work(session: Session, user_id: uuid.UUID) -> str:
            tracking.set_favourite(session=session, user_id=user_id, media_id=self.media_id, favourite=wanted)
            return "Added to favourites" if wanted else "Removed from favourites"

        return await self._change(work)

    @rx.event
    async def rate(self, value: float):
        def work(session: Session, user_id: uuid.UUID) -> str:
            tracking.set_rating(session=session, user_id=user_id, media_id=self.media_id, rating=float(value))
            return f"Rated {float(value):g} / 5"

        return await self._change(work)

    @rx.event
    async def clear_rating(self):
        def work(session: Session, user_id: uuid.UUID) -> str:
            tracking.clear_rating(session=session, user_id=user_id, media_id=self.media_id)
            return "Rating cleared"

        return await self._change(work)

    @rx.event
    def set_watch_date(self, value: str):
        self.watch_date = value

    def _watched_at(self, on_date: bool) -> datetime | None:
        """Now, or noon (UTC) of the picked day: a day picked is a day, whatever the hour here."""
        if not on_date:
            return None
        day = parse_day(self.watch_date, "The viewing date")
        if day is None:
            raise InvalidInput("pick the day you watched it")
        if day == utc_today():
            return None
        return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)

    @rx.event
    async def mark_watched(self, on_date: bool = False):
        """A movie viewing today, or on the picked date (a rewatch is another viewing)."""

        def work(session: Session, user_id: uuid.UUID) -> str:
            tracking.mark_watched(
                session=session, user_id=user_id, media_id=self.media_id, watched_at=self._watched_at(on_date)
            )
            return "Marked as watched"

        return await self._change(work)

    @rx.event
    async def remove_viewing(self, event_id: int):
        def work(session: Session, user_id: uuid.UUID) -> str:
            tracking.delete_watch(session=session, user_id=user_id, event_id=int(event_id))
            return "Viewing removed"

        return await self._change(work)

    @rx.event
    async def mark_show_watched(self, on_date: bool = False):
        def work(session: Session, user_id: uuid.UUID) -> str:
            added = tracking.mark_show_watched(
                session=session, user_id=user_id, media_id=self.media_id, watched_at=self._watched_at(on_date)
            )
            return _episodes_added(added, "the show")

        return await self._change(work)

    @rx.event
    async def mark_season_watched(self):
        number = self.season_number

        def work(session: Session, user_id: uuid.UUID) -> str:
            added = tracking.mark_season_watched(
                session=session, user_id=user_id, media_id=self.media_id, season_number=number
            )
            return _episodes_added(added, "the season")

        return await self._change(work)

    async def _mark_episode(self, season_number: int, episode_number: int):
        def work(session: Session, user_id: uuid.UUID) -> str:
            tracking.mark_watched(
                session=session,
                user_id=user_id,
                media_id=self.media_id,
                season_number=season_number,
                episode_number=episode_number,
            )
            return f"{episode_code(season_number, episode_number)} marked as watched"

        return await self._change(work)

    @rx.event
    async def mark_episode(self, season_number: int, episode_number: int):
        """Up next's button: one viewing of that episode."""
        return await self._mark_episode(int(season_number), int(episode_number))

    @rx.event
    async def toggle_episode(self, season_number: int, episode_number: int):
        """The check beside an episode: mark it watched, or take back its latest viewing."""
        code = episode_code(int(season_number), int(episode_number))
        latest = self._latest_viewing.get(code) if int(episode_number) in self.season_watched else None
        if latest is None:
            return await self._mark_episode(int(season_number), int(episode_number))

        def work(session: Session, user_id: uuid.UUID) -> str:
            tracking.delete_watch(session=session, user_id=user_id, event_id=latest)
            return f"{code}: latest viewing removed"

        return await self._change(work)

    # -- collections ----------------------------------------------------------------------------------------

    @rx.event
    def set_new_collection(self, value: str):
        self.new_collection = value

    @rx.event
    async def set_in_collection(self, collection_id: int, wanted: bool):
        def work(session: Session, user_id: uuid.UUID) -> str:
            arguments = {"session": session, "user_id": user_id, "collection_id": int(collection_id)}
            if wanted:
                collections.add_to_collection(**arguments, media_id=self.media_id)
                return "Added to the collection"
            collections.remove_from_collection(**arguments, media_id=self.media_id)
            return "Removed from the collection"

        return await self._change(work, field="collection_error")

    @rx.event
    async def create_collection(self):
        name = self.new_collection

        def work(session: Session, user_id: uuid.UUID) -> str:
            created = collections.create_collection(session=session, user_id=user_id, name=name)
            collections.add_to_collection(
                session=session, user_id=user_id, collection_id=created.id, media_id=self.media_id
            )
            return f"Added to the new collection {created.name}"

        answer = await self._change(work, field="collection_error")
        if not self.collection_error:
            self.new_collection = ""
        return answer

    # -- game backlog -----------------------------------------------------------------------------------------

    @rx.event
    def set_backlog_field(self, name: str, value: str):
        if name in EMPTY_BACKLOG:
            self.backlog_form = {**self.backlog_form, name: value}
            self.confirmation = ""

    @rx.event
    async def save_backlog(self):
        form = dict(self.backlog_form)

        def work(session: Session, user_id: uuid.UUID) -> str:
            # The editor shows every field: one left empty is emptied, not kept.
            platform = form.get("platform_id", NO_CHOICE)
            completion = form.get("completion", NO_CHOICE)
            hours = parse_hours(form.get("hours_played", ""))
            started = parse_day(form.get("started_on", ""), "The start date")
            finished = parse_day(form.get("finished_on", ""), "The finish date")
            backlog.set_backlog(
                session=session,
                user_id=user_id,
                media_id=self.media_id,
                status=form.get("status", ""),
                platform_id=int(platform) if platform.isdigit() else backlog.CLEAR,
                hours_played=backlog.CLEAR if hours is None else hours,
                completion=backlog.CLEAR if completion == NO_CHOICE else completion,
                started_on=backlog.CLEAR if started is None else started,
                finished_on=backlog.CLEAR if finished is None else finished,
                notes=form.get("notes", ""),
            )
            return "Backlog saved"

        return await self._change(work, field="backlog_error")

    @rx.event
    async def remove_backlog(self):
        def work(session: Session, user_id: uuid.UUID) -> str:
            backlog.remove_from_backlog(session=session, user_id=user_id, media_id=self.media_id)
            return "Removed from the backlog"

        return await self._change(work, field="backlog_error")


def _sentence(message: str) -> str:
    """A service's message as shown on the page: it starts with a capital letter."""
    return message[:1].upper() + message[1:]


def _episodes_added(added: int, what: str) -> str:
    if not added:
        return f"Every aired episode of {what} was already watched"
    return f"{added} episode{'s' if added != 1 else ''} of {what} marked as watched"
