"""What the personal pages (dashboard, watch later, watched, stats) share: who is looking, and how their
records read on screen.

Reads trust the user that the page's on_load guard (`AuthState.require_login`) has just validated;
every change validates the session against the database again first, since the websocket's cookie can
be stale. A service's refusal becomes a visible message, never a silent no-op. Messages are state shown
inline (`change_feedback`), not toasts: a toast sent from a backend handler is evaluated with `eval`, which
the app's Content-Security-Policy forbids.
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
    notice: str = ""  # what the last change did, in words
    busy: bool = False  # a change is under way: its buttons are disabled, a second click does nothing

    async def _viewer(self) -> uuid.UUID | None:
        """The user the page's on_load guard validated a moment ago (for reads)."""
        auth = await self.get_state(AuthState)
        try:
            return uuid.UUID(auth.user_id) if auth.user_id else None
        except ValueError:
            return None

    async def _read(self) -> None:
        """Read what the page shows (pages that change records through `_apply` define it)."""
        raise NotImplementedError

    async def _apply(self, work: Callable[[Session, uuid.UUID], Any], done: str) -> Any:
        """Run one change at a time, then show what is stored. The outcome is `done` (or the sentence `work`
        returned) in `notice`, or the refusal in `error`; returns the login redirect when the session is gone."""
        if self.busy:
            return None
        self.busy = True
        try:
            ok, note, event = await self._change(work)
            await self._read()
        finally:
            self.busy = False
        if ok:
            self.notice = note if isinstance(note, str) and note else done
        return event

    async def _change(self, work: Callable[[Session, uuid.UUID], T]) -> tuple[bool, T | None, Any]:
        """Run `work(session, user_id)` for the user whose session is valid right now.

        Returns (done, result, event): `event` is the login redirect when the session is gone; a service's
        refusal is kept in `error` for the page to show.
        """
        auth = await self.get_state(AuthState)
        found = auth.authenticated()
        if found is None:
            return False, None, auth.login_redirect()
        self.error = self.notice = ""
        try:
            with session_scope() as session:
                result = work(session, found.user.id)
        except ServiceError as failure:
            self.error = failure.message
            return False, None, None
        return True, result, None


def change_feedback(error: rx.Var, notice: rx.Var, *, test_id: str = "change-feedback") -> rx.Component:
    """The outcome of the last change: the refusal as an alert, or what was done as a quiet status line."""
    return rx.fragment(
        rx.cond(
            error != "",
            rx.box(error, class_name="seen-alert seen-alert-error", role="alert", data_testid=f"{test_id}-error"),
        ),
        rx.cond(
            notice != "",
            rx.box(notice, class_name="seen-alert seen-alert-info", role="status", data_testid=f"{test_id}-notice"),
        ),
    )


def list_row(*cells: rx.Component, actions: tuple[rx.Component, ...], test_id: str) -> rx.Component:
    """One row of a personal list: its cells, then its actions at the end (they wrap under on a phone)."""
    return rx.el.li(
        *cells,
        rx.hstack(*actions, spacing="2", align="center", class_name="seen-list-actions"),
        class_name="seen-list-row",
        data_testid=test_id,
    )


def list_skeleton(rows: int) -> rx.Component:
    """Placeholder rows while a personal list loads."""
    return rx.vstack(
        *(rx.box(class_name="seen-list-row seen-skeleton seen-list-skeleton") for _ in range(rows)),
        width="100%",
        spacing="2",
        aria_busy="true",
        aria_label="Loading",
    )


def reorder_buttons(move: Callable[[rx.Var, int], Any], media_id: rx.Var, *, first: rx.Var, last: rx.Var, busy: rx.Var):
    """To the top, up, down: `move(media_id, step)` with step 0 (top), -1 or +1."""
    return (
        rx.tooltip(
            rx.icon_button(
                rx.icon("arrow-up-to-line", size=15),
                variant="ghost",
                disabled=first | busy,
                on_click=move(media_id, 0),
                aria_label="Move to the top",
            ),
            content="Move to the top",
        ),
        rx.icon_button(
            rx.icon("chevron-up", size=16),
            variant="ghost",
            disabled=first | busy,
            on_click=move(media_id, -1),
            aria_label="Move up",
            data_testid="move-up",
        ),
        rx.icon_button(
            rx.icon("chevron-down", size=16),
            variant="ghost",
            disabled=last | busy,
            on_click=move(media_id, 1),
            aria_label="Move down",
            data_testid="move-down",
        ),
    )


def remove_button(on_click: Any, *, disabled: rx.Var, label: str, test_id: str) -> rx.Component:
    """The quiet "x" at the end of a list row."""
    return rx.icon_button(
        rx.icon("x", size=15),
        variant="ghost",
        color_scheme="gray",
        disabled=disabled,
        on_click=on_click,
        aria_label=label,
        data_testid=test_id,
    )


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
