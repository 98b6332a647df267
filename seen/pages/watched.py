"""/app/watched?type=show&from=2026-01-01&to=2026-03-31&q=office&page=2: the viewing history.

Every viewing is a row (a rewatch is another row) with its date and, for shows, the episode. The filters
live in the URL, so a reload, a bookmark or the back button keeps them; the page's on_load reads them
back, and a value that is not a date is named in a message and left out rather than failing the page.
A viewing's date can be edited; deleting one asks first. Times are stored and shown in UTC.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from seen.components.catalogue import ANY, MAX_PAGE, PagedLinks, filter_select, int_param, page_count, pager, query_url
from seen.components.charts import stat_tile
from seen.components.empty import empty_state, page_header
from seen.components.page import app_page
from seen.db import session_scope
from seen.pages.personal import (
    PersonalPage,
    card_view,
    change_feedback,
    episode_label,
    in_utc,
    media_thumb,
    title_block,
    viewing_time,
)
from seen.services import stats, tracking
from seen.services.errors import InvalidInput

ROUTE = "/app/watched"
PAGE_SIZE = 50
MAX_QUERY = 200
KIND_OPTIONS = [{"value": "movie", "label": "Movies"}, {"value": "show", "label": "Episodes"}]
EDIT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> reads and writes


def parse_day_param(text: str | None, label: str) -> tuple[date | None, str]:
    """A YYYY-MM-DD query value, or (None, why) when it is something else."""
    text = (text or "").strip()
    if not text:
        return None, ""
    try:
        return date.fromisoformat(text[:10]), ""
    except ValueError:
        return None, f"“{text[:40]}” is not a date, so the {label} filter is off."


def parse_edit(text: str) -> datetime:
    """The edit dialog's value (UTC, to the minute)."""
    try:
        return datetime.strptime((text or "").strip(), EDIT_FORMAT)
    except ValueError:
        raise InvalidInput("pick a date and a time for the viewing") from None


class WatchedState(PersonalPage, PagedLinks, rx.State):
    loading: bool = True
    # The filters in force (from the URL) and the ones being typed into the form.
    kind: str = ANY
    since: str = ""
    until: str = ""
    query: str = ""
    # The type picked in the form (the other fields are read from the submitted form).
    draft_kind: str = ANY
    filter_notice: str = ""  # what was wrong with the filters in the address
    entries: list[dict[str, Any]] = []
    summary: dict[str, str] = {}
    # The viewing whose date is being edited, and the one about to be deleted (0 = none).
    editing_id: int = 0
    editing_title: str = ""
    edit_value: str = ""
    edit_error: str = ""
    deleting_id: int = 0
    deleting_title: str = ""
    busy: bool = False

    @rx.var
    def pages(self) -> int:
        return page_count(self.total, PAGE_SIZE)

    @rx.var
    def filtered(self) -> bool:
        return self.kind != ANY or bool(self.since or self.until or self.query)

    @rx.var
    def match_label(self) -> str:
        noun = "viewing" if self.total == 1 else "viewings"
        return f"{self.total:,} {noun}" + (" match" + ("es" if self.total == 1 else "") if self.filtered else "")

    def _href(self, **changes: Any) -> str:
        params: dict[str, Any] = {
            "type": self.kind,
            "from": self.since,
            "to": self.until,
            "q": self.query,
            "page": self.page,
        }
        params.update(changes)
        if params["page"] == 1:
            params["page"] = None
        return query_url(ROUTE, **params)

    def _read_query(self) -> tuple[date | None, date | None]:
        params = self.router.url.query_parameters
        kind = params.get("type", ANY)
        self.kind = kind if kind in tracking.HISTORY_KINDS else ANY
        self.query = params.get("q", "").strip()[:MAX_QUERY]
        self.page = int_param(params.get("page"), high=MAX_PAGE) or 1
        since, since_problem = parse_day_param(params.get("from"), "“from”")
        until, until_problem = parse_day_param(params.get("to"), "“to”")
        self.since = since.isoformat() if since else ""
        self.until = until.isoformat() if until else ""
        self.filter_notice = " ".join(problem for problem in (since_problem, until_problem) if problem)
        self.draft_kind = self.kind
        return since, until

    @rx.event
    async def load(self):
        self.loading, self.error, self.editing_id, self.deleting_id = True, "", 0, 0
        since, until = self._read_query()
        yield
        await self._read(since, until)
        self.loading = False

    async def _read(self, since: date | None, until: date | None) -> None:
        user_id = await self._viewer()
        self.entries, self.total = [], 0
        if user_id is None:
            return
        try:
            with session_scope() as session:
                found, self.total = tracking.history(
                    session=session,
                    user_id=user_id,
                    offset=(self.page - 1) * PAGE_SIZE,
                    limit=PAGE_SIZE,
                    kind=None if self.kind == ANY else self.kind,
                    since=since,
                    until=until,
                    query=self.query,
                )
                totals = stats.stats(session=session, user_id=user_id, months=1).totals
        except InvalidInput as refused:
            self.error = refused.message
            return
        self.entries = [
            card_view(
                entry.media,
                event_id=entry.id,
                episode=episode_label(entry.season_number, entry.episode_number),
                when=viewing_time(entry.watched_at),
                watched_at=entry.watched_at,
            )
            for entry in found
        ]
        self.summary = {
            "movies": f"{totals.movies:,}",
            "episodes": f"{totals.episodes:,}",
            "shows": f"{totals.shows:,}",
            "hours": f"{totals.hours:,.0f}",
        }

    async def _reload(self) -> None:
        await self._read(
            date.fromisoformat(self.since) if self.since else None,
            date.fromisoformat(self.until) if self.until else None,
        )

    # -- filters ------------------------------------------------------------------------------------------

    @rx.event
    def set_draft_kind(self, value: str):
        self.draft_kind = value if value in tracking.HISTORY_KINDS else ANY

    @rx.event
    def apply_filters(self, form: dict):
        draft = {name: str(form.get(name, "")).strip()[:MAX_QUERY] for name in ("since", "until", "query")}
        since, since_problem = parse_day_param(draft["since"], "“from”")
        until, until_problem = parse_day_param(draft["until"], "“to”")
        if since_problem or until_problem:
            self.error = since_problem or until_problem
            return None
        if since and until and since > until:
            self.error = "The “from” date is after the “to” date."
            return None
        self.error = ""
        return rx.redirect(
            self._href(type=self.draft_kind, **{"from": draft["since"], "to": draft["until"]}, q=draft["query"], page=1)
        )

    @rx.event
    def clear_filters(self):
        return rx.redirect(ROUTE)

    # -- editing and deleting -------------------------------------------------------------------------------

    @rx.event
    def start_edit(self, event_id: int):
        entry = next((item for item in self.entries if item["event_id"] == int(event_id)), None)
        if entry is None:
            return
        self.editing_id, self.editing_title = int(event_id), str(entry["title"])
        self.edit_value = in_utc(str(entry["watched_at"])).strftime(EDIT_FORMAT)
        self.edit_error = ""

    @rx.event
    def close_dialogs(self, _open: bool = False):
        self.editing_id = self.deleting_id = 0
        self.edit_error = ""

    @rx.event
    async def save_edit(self, form: dict):
        event_id, value = self.editing_id, str(form.get("watched_at", ""))
        if not event_id or self.busy:
            return None

        def work(session: Session, user_id: uuid.UUID) -> None:
            tracking.update_watch(session=session, user_id=user_id, event_id=event_id, watched_at=parse_edit(value))

        self.busy = True
        try:
            done, _result, event = await self._change(work)
            if done:
                self.editing_id = 0
                await self._reload()
            else:
                # The refusal belongs to the dialog, not to the page behind it.
                self.edit_error, self.error = self.error, ""
        finally:
            self.busy = False
        if done:
            self.notice = "Viewing date saved"
        return event

    @rx.event
    def ask_delete(self, event_id: int):
        entry = next((item for item in self.entries if item["event_id"] == int(event_id)), None)
        if entry is not None:
            label = f"{entry['title']} {entry['episode']}".strip()
            self.deleting_id, self.deleting_title = int(event_id), f"{label}, {entry['when']}"

    @rx.event
    async def confirm_delete(self, event_id: int):
        """The id comes with the click: the dialog closing may reset `deleting_id` at the same moment."""
        event_id = int(event_id)
        if not event_id or self.busy:
            return None

        def work(session: Session, user_id: uuid.UUID) -> None:
            tracking.delete_watch(session=session, user_id=user_id, event_id=event_id)

        self.busy = True
        try:
            done, _result, event = await self._change(work)
            self.deleting_id = 0
            await self._reload()
        finally:
            self.busy = False
        if done:
            self.notice = "Viewing deleted"
        return event


# -- the page ------------------------------------------------------------------------------------------------


def _summary() -> rx.Component:
    return rx.box(
        stat_tile("Movies watched", WatchedState.summary["movies"], test_id="summary-movies"),
        stat_tile("Episodes watched", WatchedState.summary["episodes"], test_id="summary-episodes"),
        stat_tile("Shows", WatchedState.summary["shows"], test_id="summary-shows"),
        stat_tile("Hours", WatchedState.summary["hours"], test_id="summary-hours"),
        class_name="seen-stat-tiles",
        data_testid="history-summary",
    )


def _date_input(name: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color="var(--seen-muted)"),
        rx.input(
            type="date",
            name=name,
            # Uncontrolled (the form is read on submit); the key redraws it when the URL's value changes.
            default_value=getattr(WatchedState, name),
            key=getattr(WatchedState, name),
            aria_label=label,
            data_testid=f"filter-{name}",
        ),
        spacing="1",
        class_name="seen-filter",
    )


def _filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            filter_select(
                "Type",
                WatchedState.draft_kind,
                KIND_OPTIONS,
                WatchedState.set_draft_kind,
                any_label="Everything",
                test_id="filter-type",
            ),
            _date_input("since", "From"),
            _date_input("until", "To"),
            rx.vstack(
                rx.text("Title", size="1", color="var(--seen-muted)"),
                rx.input(
                    rx.input.slot(rx.icon("search", size=14)),
                    name="query",
                    default_value=WatchedState.query,
                    key=WatchedState.query,
                    placeholder="Search your history",
                    max_length=MAX_QUERY,
                    aria_label="Title",
                    data_testid="filter-query",
                ),
                spacing="1",
                class_name="seen-filter",
                flex="1",
                min_width="180px",
            ),
            rx.hstack(
                rx.button("Apply", type="submit", data_testid="apply-filters"),
                rx.cond(
                    WatchedState.filtered,
                    rx.button(
                        "Clear", type="button", variant="soft", color_scheme="gray", on_click=WatchedState.clear_filters
                    ),
                ),
                spacing="2",
            ),
            spacing="3",
            align="end",
            wrap="wrap",
            width="100%",
        ),
        on_submit=WatchedState.apply_filters,
        width="100%",
        class_name="seen-card",
        aria_label="Filter the history",
    )


def _row(item: rx.Var) -> rx.Component:
    event_id = item["event_id"].to(int)
    return rx.el.li(
        media_thumb(item),
        title_block(
            item,
            rx.cond(
                item["episode"] != "",
                rx.badge(item["episode"], variant="outline", size="1", data_testid="history-episode"),
            ),
            rx.cond(
                item["episode_title"] != "",
                rx.text(item["episode_title"], size="1", color="var(--seen-muted)", class_name="seen-clip"),
            ),
        ),
        rx.text(
            item["when"], size="2", color="var(--seen-muted)", class_name="seen-list-when", data_testid="history-when"
        ),
        rx.hstack(
            rx.icon_button(
                rx.icon("calendar-cog", size=15),
                variant="ghost",
                on_click=WatchedState.start_edit(event_id),
                aria_label="Edit the date",
                data_testid="edit-viewing",
            ),
            rx.icon_button(
                rx.icon("trash-2", size=15),
                variant="ghost",
                color_scheme="red",
                on_click=WatchedState.ask_delete(event_id),
                aria_label="Delete this viewing",
                data_testid="delete-viewing",
            ),
            spacing="2",
            class_name="seen-list-actions",
        ),
        class_name="seen-list-row",
        data_testid="history-entry",
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit the viewing date"),
            rx.dialog.description(WatchedState.editing_title, size="2", color="var(--seen-muted)"),
            rx.form(
                rx.vstack(
                    rx.text("Watched at (UTC)", size="1", color="var(--seen-muted)"),
                    rx.input(
                        type="datetime-local",
                        name="watched_at",
                        default_value=WatchedState.edit_value,
                        key=WatchedState.editing_id.to_string(),
                        aria_label="Watched at (UTC)",
                        data_testid="edit-watched-at",
                    ),
                    rx.cond(
                        WatchedState.edit_error != "",
                        rx.box(WatchedState.edit_error, class_name="seen-alert seen-alert-error", role="alert"),
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                        rx.button("Save", type="submit", loading=WatchedState.busy, data_testid="save-viewing"),
                        justify="end",
                        width="100%",
                        spacing="2",
                    ),
                    spacing="3",
                    padding_top="12px",
                ),
                on_submit=WatchedState.save_edit,
            ),
            max_width="420px",
        ),
        open=WatchedState.editing_id != 0,
        on_open_change=WatchedState.close_dialogs,
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this viewing?"),
            rx.alert_dialog.description(
                WatchedState.deleting_title, ". It leaves your history and your stats.", size="2"
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Delete",
                        color_scheme="red",
                        on_click=WatchedState.confirm_delete(WatchedState.deleting_id),
                        data_testid="confirm-delete",
                    )
                ),
                justify="end",
                spacing="2",
                padding_top="16px",
            ),
            max_width="440px",
        ),
        open=WatchedState.deleting_id != 0,
        on_open_change=WatchedState.close_dialogs,
    )


def _skeleton() -> rx.Component:
    return rx.vstack(
        *(rx.box(class_name="seen-list-row seen-skeleton seen-list-skeleton") for _ in range(6)),
        width="100%",
        spacing="2",
        aria_busy="true",
        aria_label="Loading",
    )


def _empty() -> rx.Component:
    return rx.box(
        rx.cond(
            WatchedState.filtered,
            empty_state(
                "search-x",
                "No viewing matches",
                "Nothing in your history fits these filters.",
                rx.link(rx.button("Clear the filters", variant="soft"), href=ROUTE),
            ),
            empty_state(
                "history",
                "No viewing history",
                "Movies and episodes you mark as watched (or scrobble, or import) are logged here with their dates.",
                rx.link(rx.button("Find something", variant="soft"), href="/app/discover"),
                rx.link(rx.button("Import your history", variant="soft", color_scheme="gray"), href="/app/settings"),
            ),
        ),
        class_name="seen-card",
        width="100%",
        data_testid="history-empty",
    )


def _history() -> rx.Component:
    return rx.vstack(
        rx.text(WatchedState.match_label, size="2", color="var(--seen-muted)", data_testid="history-count"),
        rx.el.ol(rx.foreach(WatchedState.entries, _row), class_name="seen-list", aria_label="Viewings"),
        rx.cond(
            WatchedState.pages > 1,
            pager(WatchedState.page, WatchedState.pages, WatchedState.prev_href, WatchedState.next_href),
        ),
        spacing="3",
        width="100%",
    )


@app_page(ROUTE, "Watched", on_load=[WatchedState.load])
def watched_page() -> rx.Component:
    return rx.fragment(
        page_header(
            "Watched",
            "Your viewing history, every rewatch included.",
            rx.link(rx.button(rx.icon("chart-column", size=15), "Stats", variant="soft"), href="/app/stats"),
        ),
        rx.vstack(
            rx.cond(WatchedState.summary.contains("movies"), _summary()),
            _filters(),
            rx.cond(
                WatchedState.filter_notice != "",
                rx.box(WatchedState.filter_notice, class_name="seen-notice", role="note"),
            ),
            change_feedback(WatchedState.error, WatchedState.notice, test_id="history"),
            rx.cond(
                WatchedState.loading,
                _skeleton(),
                rx.cond(WatchedState.entries.length() > 0, _history(), _empty()),
            ),
            spacing="4",
            width="100%",
        ),
        _edit_dialog(),
        _delete_dialog(),
    )
