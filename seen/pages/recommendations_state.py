"""The state of /app/recommendations: the list of one kind (or all), votes with immediate feedback, the undo
of "not interested", the hidden list and a rescoring on demand. Handlers call `seen.services.recommendations`
only; the page keeps plain dicts."""

from __future__ import annotations

import uuid
from typing import Any

import reflex as rx
from sqlmodel import Session

from seen.components.catalogue import ANY, query_url
from seen.db import session_scope
from seen.pages.personal import PersonalPage, card_view, viewing_time
from seen.services import recommendations

ROUTE = "/app/recommendations"
PAGE_SIZE = 48
MAX_SHOWN = recommendations.MAX_PAGE
TABS = ((ANY, "All"), ("movie", "Movies"), ("show", "Shows"), ("game", "Games"))
VOTE_NOTICES = {
    "up": "Thanks: more like this from now on.",
    "down": "Noted: fewer like this, and this one is hidden.",
    None: "Vote cleared.",
}


def item_view(item: recommendations.Recommendation) -> dict[str, Any]:
    return card_view(item.media, reasons=list(item.reasons), vote=item.vote or "")


class RecommendationsState(PersonalPage, rx.State):
    loading: bool = True
    kind: str = ANY
    items: list[dict[str, Any]] = []
    total: int = 0
    shown: int = PAGE_SIZE
    generated: str = ""
    hidden: list[dict[str, Any]] = []
    show_hidden: bool = False
    undo_id: int = 0
    undo_title: str = ""

    @rx.var
    def tab_hrefs(self) -> dict[str, str]:
        return {name: query_url(ROUTE, type=name) for name, _label in TABS}

    @rx.var
    def has_more(self) -> bool:
        return self.total > len(self.items) and len(self.items) < MAX_SHOWN

    @rx.var
    def hidden_label(self) -> str:
        return f"Hidden ({len(self.hidden)})"

    @rx.event
    async def load(self):
        kind = self.router.url.query_parameters.get("type", ANY)
        self.kind = kind if kind in dict(TABS) else ANY
        self.shown, self.error, self.notice, self.loading = PAGE_SIZE, "", "", True
        self.undo_id, self.undo_title = 0, ""
        yield
        await self._read()
        self.loading = False

    async def _read(self) -> None:
        user_id = await self._viewer()
        if user_id is None:
            self.items, self.total, self.hidden = [], 0, []
            return
        with session_scope() as session:
            view = recommendations.recommendations(
                session=session, user_id=user_id, kind=None if self.kind == ANY else self.kind, limit=self.shown
            )
            hidden = recommendations.hidden(session=session, user_id=user_id)
        self.items = [item_view(item) for item in view.items]
        self.total = view.total
        self.generated = f"Updated {viewing_time(view.generated_at)}" if view.generated_at else ""
        self.hidden = [card_view(entry.media, vote=entry.vote) for entry in hidden]

    @rx.event
    async def load_more(self):
        self.shown = min(self.shown + PAGE_SIZE, MAX_SHOWN)
        await self._read()

    @rx.event
    async def refresh(self):
        """Score again now (a vote or a new viewing is otherwise picked up by the queued job)."""

        def work(session: Session, user_id: uuid.UUID) -> None:
            recommendations.refresh_for_user(session=session, user_id=user_id)

        self.undo_id, self.undo_title = 0, ""
        return await self._apply(work, "Recommendations updated from your latest history.")

    @rx.event
    async def vote(self, media_id: int, value: str):
        """Thumbs up or down: the button shows the vote at once, the stored vote follows. Pressing the same
        thumb again clears it."""
        media_id = int(media_id)
        current = next((item.get("vote", "") for item in self.items if item["id"] == media_id), "")
        new = None if current == value else value
        self.items = [item | {"vote": new or ""} if item["id"] == media_id else item for item in self.items]
        self.undo_id, self.undo_title = 0, ""
        yield
        ok, _result, event = await self._change(
            lambda session, user_id: recommendations.vote(session=session, user_id=user_id, media_id=media_id, vote=new)
        )
        if event is not None:
            yield event
            return
        if not ok:
            await self._read()
            return
        self.notice = VOTE_NOTICES[new]
        if new == "down":  # a thumbs down hides the title too: gone from the list, with the same undo
            self.undo_id = media_id
            self.undo_title = next((item["title"] for item in self.items if item["id"] == media_id), "")
            await self._read()

    @rx.event
    async def not_interested(self, media_id: int):
        """The card goes at once; the notice offers an undo."""
        media_id = int(media_id)
        title = next((item["title"] for item in self.items if item["id"] == media_id), "")
        self.items = [item for item in self.items if item["id"] != media_id]
        self.total = max(0, self.total - 1)
        self.undo_id, self.undo_title = media_id, title
        self.error, self.notice = "", ""
        yield
        ok, _result, event = await self._change(
            lambda session, user_id: recommendations.vote(
                session=session, user_id=user_id, media_id=media_id, vote="not_interested"
            )
        )
        if event is not None:
            yield event
            return
        if not ok:
            self.undo_id, self.undo_title = 0, ""
        await self._read()

    @rx.event
    async def restore(self, media_id: int):
        """Undo "not interested" (or a thumbs down): the title may be recommended again."""
        media_id = int(media_id)

        def work(session: Session, user_id: uuid.UUID) -> None:
            recommendations.vote(session=session, user_id=user_id, media_id=media_id, vote=None)

        self.undo_id, self.undo_title = 0, ""
        return await self._apply(work, "Back in your recommendations.")

    @rx.event
    def toggle_hidden(self):
        self.show_hidden = not self.show_hidden
