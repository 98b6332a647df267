"""The state of /app/library/[item_id]/play: what `seen.services.player` says about the file, as plain values
for the page. Playback itself (resume, progress saves, subtitles, seeking a converted stream, up next, theater
mode, shortcuts) runs in the browser (`assets/player.js`), which reads these values from the video element."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import reflex as rx

from seen.db import session_scope
from seen.models.users import User
from seen.pages.personal import PersonalPage
from seen.services import player
from seen.services.errors import ServiceError

# Seconds the "up next" card counts down before the next episode starts.
UP_NEXT_SECONDS = 10


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
        self.loading, self.error = True, ""
        if self.view.get("item_id") != self.item_id:
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
            with session_scope() as session:
                user = session.get(User, user_id) if user_id else None
                if user is None:
                    self._gone("Log in again to play this file.")
                    return
                view = player.player_view(session=session, user=user, item_id=wanted)
        except ServiceError as refused:
            self._gone(refused.message)
            return
        values = dataclasses.asdict(view)
        self.subtitles = values.pop("subtitles")
        self.previous = values.pop("previous") or {}
        self.next = values.pop("next") or {}
        self.view = values

    def _gone(self, reason: str) -> None:
        self.view, self.subtitles, self.previous, self.next = {}, [], {}, {}
        self.error = reason
