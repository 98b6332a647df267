"""The state of /app/library/[item_id]/play: what `seen.services.player` says about the file, as plain values
for the page. Playback itself (resume, progress saves, subtitles, seeking a converted stream, up next, theater
mode, shortcuts) runs in the browser (`assets/player.js`), which reads these values from the video element."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import Any

import reflex as rx

from seen.db import session_scope
from seen.models.users import User
from seen.pages.detail_state import provider_settings, route_id
from seen.pages.personal import PersonalPage
from seen.services import player
from seen.services.errors import ServiceError

# Seconds the "up next" card counts down before the next episode starts.
UP_NEXT_SECONDS = 10


def _view(user_id: uuid.UUID | None, item_id: uuid.UUID) -> player.PlayerView | None:
    with session_scope() as session:
        user = session.get(User, user_id) if user_id else None
        return player.player_view(session=session, user=user, item_id=item_id) if user is not None else None


def _fetch_episodes(media_id: int, season_number: int) -> None:
    player.ensure_episode_list(media_id=media_id, season_number=season_number, settings=provider_settings())


class PlayerState(PersonalPage, rx.State):
    loading: bool = True
    view: dict[str, Any] = {}
    subtitles: list[dict[str, Any]] = []
    previous: dict[str, str] = {}
    next: dict[str, str] = {}
    autoplay: bool = False

    @rx.var
    def item_id(self) -> str:
        return str(self.router._page.params.get("item_id") or "")

    @rx.event
    async def load(self):
        # Always from scratch: a reload restores the last state (from Redis or disk) before this runs, and the
        # player script must not start from a stale resume position; a new video element makes it start over.
        self.loading, self.error = True, ""
        self.view, self.subtitles, self.previous, self.next = {}, [], {}, {}
        yield
        self.autoplay = self.router.url.query_parameters.get("autoplay") == "1"
        await self._read()
        self.loading = False

    async def _read(self) -> None:
        user_id = await self._viewer()
        try:
            wanted = uuid.UUID(self.item_id)
        except ValueError:
            self._gone("There is no such library item.")
            return
        try:
            view = _view(user_id, wanted)
            if view is not None and view.media_id and view.season_number is not None and not view.episode_known:
                await asyncio.to_thread(_fetch_episodes, view.media_id, view.season_number)
                view = _view(user_id, wanted)
        except ServiceError as refused:
            self._gone(refused.message)
            return
        if view is None:
            self._gone("Log in again to play this file.")
            return
        values = dataclasses.asdict(view)
        self.subtitles = values.pop("subtitles")
        self.previous = values.pop("previous") or {}
        self.next = values.pop("next") or {}
        self.view = values

    def _gone(self, reason: str) -> None:
        self.view, self.subtitles, self.previous, self.next = {}, [], {}, {}
        self.error = reason


class PlayButtonState(PersonalPage, rx.State):
    """The "Play" button of a film's or a show's page: what `seen.services.player.play_target` starts."""

    play_label: str = ""
    play_href: str = ""

    @rx.event
    async def load_title(self):
        self.play_label = self.play_href = ""
        media_id = route_id(self.router._page.params.get("media_id"))
        user_id = await self._viewer()
        if media_id is None or user_id is None:
            return
        with session_scope() as session:
            target = player.play_target(session=session, user_id=user_id, media_id=media_id)
        if target is not None:
            self.play_label, self.play_href = target.label, target.href
