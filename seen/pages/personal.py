"""What the personal pages (dashboard, watch later, watched, stats) share: who is looking, and how their
records read on screen.

Reads trust the user that the page's on_load guard (`AuthState.require_login`) has just validated;
every change validates the session against the database again first, since the websocket's cookie can
be stale. A service's refusal becomes a visible message (and a toast), never a silent no-op.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from seen.db import session_scope
from seen.models.base import as_utc
from seen.pages.tracking_state import episode_code
from seen.services.catalogue_views import MediaCard
from seen.services.errors import ServiceError
from seen.state import AuthState

T = TypeVar("T")
TYPE_LABELS = {"movie": "Movie", "show": "Show", "game": "Game"}


def card_view(card: MediaCard, **extra: Any) -> dict[str, Any]:
    """A catalogue card as the components draw it (see `seen.components.media_card`), plus page fields."""
    return asdict(card) | {"type_label": TYPE_LABELS.get(card.type, "")} | extra


def in_utc(iso: str) -> datetime:
    """A service's ISO timestamp as the same moment in UTC (a naive one was stored in UTC)."""
    return as_utc(datetime.fromisoformat(iso)).astimezone(UTC)


def viewing_day(iso: str) -> str:
    """ "22 Nov 2026" from a stored timestamp."""
    return in_utc(iso).strftime("%-d %b %Y")


def viewing_time(iso: str) -> str:
    """ "22 Nov 2026, 20:15 UTC": the history shows the hour too, in UTC as every time on the page."""
    return in_utc(iso).strftime("%-d %b %Y, %H:%M UTC")


def episode_label(season_number: int | None, episode_number: int | None) -> str:
    return episode_code(season_number, episode_number)


class PersonalPage(rx.State, mixin=True):
    """A page that shows (and changes) the signed-in user's own records."""

    error: str = ""

    async def _viewer(self) -> uuid.UUID | None:
        """The user the page's on_load guard validated a moment ago (for reads)."""
        auth = await self.get_state(AuthState)
        try:
            return uuid.UUID(auth.user_id) if auth.user_id else None
        except ValueError:
            return None

    async def _change(self, work: Callable[[Session, uuid.UUID], T]) -> tuple[bool, T | None, Any]:
        """Run `work(session, user_id)` for the user whose session is valid right now.

        Returns (done, result, event): `event` is the login redirect when the session is gone, or an error
        toast when the service refused (its message is also kept in `error`).
        """
        auth = await self.get_state(AuthState)
        found = auth.authenticated()
        if found is None:
            return False, None, auth.login_redirect()
        self.error = ""
        try:
            with session_scope() as session:
                result = work(session, found.user.id)
        except ServiceError as failure:
            self.error = failure.message
            return False, None, rx.toast.error(failure.message)
        return True, result, None


# -- pieces of a list row ------------------------------------------------------------------------------------


def media_thumb(item: rx.Var) -> rx.Component:
    """A small poster (or the kind's icon) linking to the title; the title link beside it is the one read out."""
    return rx.link(
        rx.box(
            rx.cond(
                item["poster_url"],
                rx.image(src=item["poster_url"], alt="", loading="lazy", class_name="seen-list-thumb-img"),
                rx.match(
                    item["type"],
                    ("show", rx.icon("tv", size=18)),
                    ("game", rx.icon("gamepad-2", size=18)),
                    rx.icon("film", size=18),
                ),
            ),
            class_name="seen-list-thumb",
        ),
        href=item["href"],
        tab_index=-1,
        aria_hidden="true",
    )


def title_block(item: rx.Var, *details: rx.Component) -> rx.Component:
    """Title (a link), its type and year, then whatever the page adds (an episode, a date)."""
    return rx.vstack(
        rx.link(item["title"], href=item["href"], weight="medium", class_name="seen-list-title"),
        rx.hstack(
            rx.badge(item["type_label"], variant="soft", size="1", color_scheme="cyan"),
            rx.cond(item["year"], rx.text(item["year"].to_string(), size="1", color="var(--seen-muted)")),
            *details,
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        spacing="1",
        min_width="0",
        flex="1",
    )
