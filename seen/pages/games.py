"""/app/games: every game in the catalogue (browse), and /app/games/backlog: the user's own game backlog.

The backlog has a tab per status with its count; each entry shows its platform, hours played, completion
level and dates, and its status changes in place. The detail page's backlog editor changes everything else.
"""

from __future__ import annotations

import uuid
from typing import Any

import reflex as rx
from sqlmodel import Session

from seen.components.browse import browse_page
from seen.components.catalogue import ANY, query_url
from seen.components.empty import empty_state, page_header
from seen.components.page import app_page
from seen.db import session_scope
from seen.pages.detail_state import format_date
from seen.pages.personal import (
    PersonalPage,
    card_view,
    change_feedback,
    list_row,
    list_skeleton,
    media_thumb,
    remove_button,
    title_block,
)
from seen.pages.tracking_state import COMPLETION_LABELS, STATUS_LABELS
from seen.services import backlog

CATALOGUE_ROUTE = "/app/games"
BACKLOG_ROUTE = "/app/games/backlog"
PAGE_SIZE = 50
MAX_SHOWN = 5000
# Tabs in the order a player thinks of them: what they play now first.
TABS = (ANY, *backlog.STATUS_ORDER)
STATUS_OPTIONS = [{"value": status, "label": STATUS_LABELS[status]} for status in backlog.STATUS_ORDER]


def _views_nav(active: str) -> rx.Component:
    """Catalogue or backlog: the two views of /app/games."""
    return rx.el.nav(
        *(
            rx.link(
                rx.hstack(rx.icon(icon, size=14), label, spacing="2", align="center"),
                href=href,
                class_name="seen-tab",
                data_active=str(name == active).lower(),
                underline="none",
                data_testid=f"games-view-{name}",
            )
            for name, label, icon, href in (
                ("catalogue", "Catalogue", "gamepad-2", CATALOGUE_ROUTE),
                ("backlog", "My backlog", "list-checks", BACKLOG_ROUTE),
            )
        ),
        class_name="seen-tabs",
        aria_label="Games views",
        margin_bottom="20px",
    )


def hours_label(hours: float) -> str:
    if not hours:
        return ""
    return f"{hours:g} h"


def entry_view(entry: backlog.BacklogEntryView) -> dict[str, Any]:
    return card_view(entry.media) | {
        "status": entry.status,
        "status_label": STATUS_LABELS.get(entry.status, entry.status),
        "platform": entry.platform_name or "",
        "hours": hours_label(entry.hours_played),
        "completion": COMPLETION_LABELS.get(entry.completion or "", ""),
        "started": format_date(entry.started_on),
        "finished": format_date(entry.finished_on),
        "notes": entry.notes,
    }


class BacklogState(PersonalPage, rx.State):
    loading: bool = True
    status: str = ANY
    counts: dict[str, int] = {}
    entries: list[dict[str, Any]] = []
    total: int = 0
    shown: int = PAGE_SIZE

    @rx.var
    def tab_labels(self) -> dict[str, str]:
        labels = {ANY: f"All {sum(self.counts.values())}"}
        labels.update({status: f"{STATUS_LABELS[status]} {self.counts.get(status, 0)}" for status in TABS[1:]})
        return labels

    @rx.var
    def has_more(self) -> bool:
        return self.total > len(self.entries)

    @rx.event
    async def load(self):
        wanted = self.router.url.query_parameters.get("status", ANY)
        self.status = wanted if wanted in TABS else ANY
        self.shown, self.error, self.loading = PAGE_SIZE, "", True
        yield
        await self._read()
        self.loading = False

    async def _read(self) -> None:
        user_id = await self._viewer()
        if user_id is None:
            self.entries, self.total, self.counts = [], 0, {}
            return
        with session_scope() as session:
            found, self.total = backlog.backlog(
                session=session, user_id=user_id, status=None if self.status == ANY else self.status, limit=self.shown
            )
            self.counts = backlog.backlog_counts(session=session, user_id=user_id)
        self.entries = [entry_view(entry) for entry in found]

    @rx.event
    async def load_more(self):
        self.shown = min(self.shown + PAGE_SIZE, MAX_SHOWN)
        await self._read()

    @rx.event
    async def change_status(self, media_id: int, status: str):
        if status not in backlog.BACKLOG_STATUSES:
            return None

        def work(session: Session, user_id: uuid.UUID) -> None:
            backlog.set_backlog(session=session, user_id=user_id, media_id=int(media_id), status=status)

        return await self._apply(work, f"Moved to {STATUS_LABELS[status]}")

    @rx.event
    async def remove(self, media_id: int):
        def work(session: Session, user_id: uuid.UUID) -> None:
            backlog.remove_from_backlog(session=session, user_id=user_id, media_id=int(media_id))

        return await self._apply(work, "Removed from the backlog")


def _status_tabs() -> rx.Component:
    return rx.el.nav(
        *(
            rx.link(
                BacklogState.tab_labels[name],
                href=query_url(BACKLOG_ROUTE, status=name),
                class_name="seen-tab",
                data_active=(BacklogState.status == name).to_string(),
                underline="none",
                data_testid=f"backlog-tab-{name}",
            )
            for name in TABS
        ),
        class_name="seen-tabs",
        aria_label="Backlog statuses",
    )


def _fact(icon: str, value: rx.Var, label: str) -> rx.Component:
    return rx.cond(
        value != "",
        rx.hstack(
            rx.icon(icon, size=12),
            rx.text(value, size="1"),
            spacing="1",
            align="center",
            color="var(--seen-muted)",
            title=label,
        ),
    )


def _row(entry: rx.Var) -> rx.Component:
    media_id = entry["id"].to(int)
    return list_row(
        media_thumb(entry),
        rx.vstack(
            title_block(entry, _fact("monitor", entry["platform"], "Platform")),
            rx.hstack(
                _fact("clock", entry["hours"], "Hours played"),
                _fact("trophy", entry["completion"], "Completion"),
                _fact("play", entry["started"], "Started"),
                _fact("flag", entry["finished"], "Finished"),
                spacing="3",
                wrap="wrap",
            ),
            rx.cond(entry["notes"] != "", rx.text(entry["notes"], size="1", class_name="seen-clip", max_width="520px")),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        actions=(
            rx.select.root(
                rx.select.trigger(aria_label="Status", data_testid="backlog-status"),
                rx.select.content(
                    *(rx.select.item(option["label"], value=option["value"]) for option in STATUS_OPTIONS)
                ),
                value=entry["status"].to(str),
                on_change=lambda value: BacklogState.change_status(media_id, value),
                disabled=BacklogState.busy,
                size="2",
            ),
            rx.link(rx.button("Edit", size="1", variant="soft"), href=entry["href"]),
            remove_button(
                BacklogState.remove(media_id),
                disabled=BacklogState.busy,
                label="Remove from the backlog",
                test_id="backlog-remove",
            ),
        ),
        test_id="backlog-entry",
    )


def _empty() -> rx.Component:
    return rx.box(
        empty_state(
            "list-checks",
            rx.cond(BacklogState.status == ANY, "Your backlog is empty", "No games with this status"),
            "Open a game and use “Add to backlog” to track what you want to play, are playing and have finished.",
            rx.link(rx.button("Browse games", variant="soft"), href=CATALOGUE_ROUTE),
        ),
        class_name="seen-card",
        width="100%",
        data_testid="backlog-empty",
    )


def _list() -> rx.Component:
    return rx.vstack(
        rx.el.ul(rx.foreach(BacklogState.entries, _row), class_name="seen-list", aria_label="Game backlog"),
        rx.cond(
            BacklogState.has_more,
            rx.button("Show more", variant="soft", on_click=BacklogState.load_more, loading=BacklogState.busy),
        ),
        spacing="4",
        align="center",
        width="100%",
    )


@app_page(BACKLOG_ROUTE, "Game backlog", on_load=[BacklogState.load])
def backlog_page() -> rx.Component:
    return rx.fragment(
        page_header("Games", "What you want to play, are playing and have finished."),
        _views_nav("backlog"),
        rx.vstack(
            _status_tabs(),
            change_feedback(BacklogState.error, BacklogState.notice),
            rx.cond(
                BacklogState.loading, list_skeleton(5), rx.cond(BacklogState.entries.length() > 0, _list(), _empty())
            ),
            spacing="4",
            width="100%",
        ),
    )


browse_page(
    "game",
    "Games",
    "Every game in the catalogue, by genre, year and platform.",
    "gamepad-2",
    "games",
    above=_views_nav("catalogue"),
)
