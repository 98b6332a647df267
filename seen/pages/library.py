"""/app/library: the media files of the library folders, matched to titles.

Filter tabs with their counts, a type filter and a search box, a grid of file cards (the matched title's
poster or a file icon, resolution, duration, the match state), a file's detail with its tracks, the unmatched
review queue with the matcher's candidates (admins match, search for another title or ignore; members read),
and an admin's rescan followed live. The state and the view of a file live in `library_state`.
"""

from __future__ import annotations

import reflex as rx

from seen.components.empty import empty_state, page_header
from seen.components.page import app_page
from seen.components.progress import progress_bar
from seen.pages.library_state import MEDIA_TYPES, ROUTE, TABS, LibraryState
from seen.pages.personal import change_feedback, list_skeleton

MUTED = "var(--seen-muted)"


def _tabs() -> rx.Component:
    return rx.el.nav(
        *(
            rx.el.button(
                label,
                " ",
                rx.text.span(LibraryState.counts[name].to_string(), color=MUTED),
                type="button",
                on_click=LibraryState.set_tab(name),
                class_name="seen-tab",
                data_active=(LibraryState.tab == name).to_string(),
                data_testid=f"library-tab-{name}",
            )
            for name, label, _state in TABS
        ),
        class_name="seen-tabs",
        aria_label="Match state",
    )


def _filters() -> rx.Component:
    return rx.vstack(
        _tabs(),
        rx.hstack(
            rx.select.root(
                rx.select.trigger(placeholder="All types", aria_label="Type", data_testid="library-type"),
                rx.select.content(
                    rx.select.item("All types", value="any"),
                    *(rx.select.item(label, value=value) for value, label in MEDIA_TYPES.items()),
                ),
                value=rx.cond(LibraryState.media_type == "", "any", LibraryState.media_type),
                on_change=LibraryState.set_media_type,
            ),
            rx.form(
                rx.input(
                    name="query",
                    default_value=LibraryState.query,
                    placeholder="Search files and titles",
                    type="search",
                    aria_label="Search the library",
                    data_testid="library-search",
                ),
                on_submit=LibraryState.search_files,
                reset_on_submit=False,
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )


def _state_badge(item: rx.Var) -> rx.Component:
    return rx.badge(
        item["state_label"], color_scheme=item["colour"], variant="soft", size="1", data_testid="library-state"
    )


def _poster(item: rx.Var) -> rx.Component:
    return rx.box(
        rx.box(
            rx.icon("file-video", size=32, color=MUTED),
            rx.text(item["file_name"], size="1", color=MUTED, class_name="seen-poster-fallback-title"),
            class_name="seen-poster-fallback",
        ),
        rx.cond(
            item["poster_url"] != "",
            rx.image(src=item["poster_url"], alt=item["title"], loading="lazy", class_name="seen-poster-img"),
        ),
        class_name="seen-poster",
    )


def _card(item: rx.Var) -> rx.Component:
    return rx.el.button(
        _poster(item),
        rx.box(
            rx.text(item["title"], class_name="seen-card-title", title=item["file_name"], data_testid="library-title"),
            rx.hstack(
                rx.cond(item["year"] != "", rx.text(item["year"], size="1")),
                rx.cond(item["episode"] != "", rx.text(item["episode"], size="1")),
                rx.cond(item["resolution"] != "", rx.badge(item["resolution"], size="1", variant="outline")),
                rx.cond(item["duration"] != "", rx.text(item["duration"], size="1")),
                spacing="2",
                align="center",
                wrap="wrap",
                class_name="seen-card-meta",
            ),
            _state_badge(item),
            class_name="seen-card-caption",
        ),
        type="button",
        on_click=LibraryState.open_detail(item["id"].to(str)),
        class_name="seen-media-card",
        style={"textAlign": "left", "background": "none", "border": "none", "padding": 0, "cursor": "pointer"},
        data_testid="library-card",
    )


def _grid() -> rx.Component:
    return rx.box(rx.foreach(LibraryState.items, _card), class_name="seen-card-grid", data_testid="library-grid")


# -- the unmatched review queue ---------------------------------------------------------------------------------


def _candidate(entry: rx.Var, candidate: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(
                candidate["title"],
                rx.cond(candidate["year"] != "", " (" + candidate["year"].to(str) + ")", ""),
                weight="medium",
                size="2",
            ),
            rx.badge(candidate["score"], variant="soft", color_scheme="cyan", size="1"),
            rx.text(candidate["reasons"], size="1", color=MUTED, flex="1", min_width="0"),
            rx.cond(
                LibraryState.is_admin,
                rx.button(
                    "Match",
                    size="1",
                    variant="soft",
                    disabled=LibraryState.busy,
                    on_click=LibraryState.match(entry["id"].to(str), candidate["media_id"].to(int)),
                    data_testid="library-candidate-match",
                ),
            ),
            spacing="2",
            align="center",
            width="100%",
            wrap="wrap",
        ),
        data_testid="library-candidate",
        padding_y="2px",
    )


def _queue_row(entry: rx.Var) -> rx.Component:
    candidates = entry["candidates"].to(list[dict])
    return rx.el.li(
        rx.hstack(
            rx.box(rx.icon("file-question", size=18), class_name="seen-list-thumb", aria_hidden="true"),
            rx.vstack(
                rx.hstack(
                    rx.el.button(
                        entry["file_name"],
                        type="button",
                        on_click=LibraryState.open_detail(entry["id"].to(str)),
                        class_name="seen-list-title",
                        style={"background": "none", "border": "none", "padding": 0, "cursor": "pointer"},
                        data_testid="library-queue-file",
                    ),
                    _state_badge(entry),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(entry["relative_path"], size="1", color=MUTED, word_break="break-all"),
                rx.cond(entry["parsed"] != "", rx.text("Read as: ", entry["parsed"], size="1", color=MUTED)),
                rx.cond(
                    candidates.length() > 0,
                    rx.el.ul(
                        rx.foreach(candidates, lambda candidate: _candidate(entry, candidate)),
                        style={"listStyle": "none", "margin": 0, "padding": 0, "width": "100%"},
                        aria_label="Candidates",
                    ),
                    rx.text(
                        "No candidate in the catalogue.", size="1", color=MUTED, data_testid="library-no-candidates"
                    ),
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.cond(
                LibraryState.is_admin,
                rx.hstack(
                    rx.button(
                        rx.icon("search", size=14),
                        "Find title",
                        size="1",
                        variant="soft",
                        on_click=LibraryState.open_match(entry["id"].to(str), entry["file_name"].to(str)),
                        data_testid="library-find-title",
                    ),
                    rx.button(
                        "Ignore",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        disabled=LibraryState.busy,
                        on_click=LibraryState.ignore(entry["id"].to(str)),
                        data_testid="library-ignore",
                    ),
                    spacing="2",
                    class_name="seen-list-actions",
                ),
            ),
            spacing="4",
            align="start",
            width="100%",
        ),
        class_name="seen-list-row",
        style={"flexDirection": "column", "alignItems": "stretch"},
        data_testid="library-unmatched-row",
    )


def _queue() -> rx.Component:
    return rx.vstack(
        rx.cond(
            LibraryState.is_admin,
            rx.text("Match each file to its title, search the catalogue for another, or ignore it.", size="2"),
            rx.text("Files waiting for an admin to say which title they are.", size="2", color=MUTED),
        ),
        rx.el.ol(rx.foreach(LibraryState.items, _queue_row), class_name="seen-list", aria_label="Unmatched files"),
        spacing="3",
        width="100%",
        data_testid="library-queue",
    )


# -- scans --------------------------------------------------------------------------------------------------------


def _scan() -> rx.Component:
    scan = LibraryState.scan
    return rx.cond(
        LibraryState.scan.contains("id"),
        rx.box(
            rx.vstack(
                rx.hstack(
                    rx.text(rx.cond(LibraryState.scan_active, "Scanning", "Last scan"), weight="medium", size="2"),
                    rx.badge(scan["status"], color_scheme=scan["colour"], variant="soft", data_testid="scan-status"),
                    rx.cond(scan["finished"] != "", rx.text(scan["finished"], size="1", color=MUTED)),
                    spacing="2",
                    align="center",
                ),
                progress_bar(scan["percent"], "Files scanned", test_id="scan-progress"),
                rx.hstack(
                    rx.text(scan["files"], size="1", data_testid="scan-files"),
                    rx.cond(scan["rate"] != "", rx.text(scan["rate"], size="1", color=MUTED)),
                    rx.text(scan["matched"].to_string() + " matched", size="1", data_testid="scan-matched"),
                    rx.text(scan["unmatched"].to_string() + " unmatched", size="1", data_testid="scan-unmatched"),
                    rx.cond(scan["errors"].to(int) > 0, rx.text(scan["errors"].to_string() + " errors", size="1")),
                    spacing="3",
                    wrap="wrap",
                ),
                rx.cond(scan["message"] != "", rx.text(scan["message"], size="1", color="var(--red-11)")),
                spacing="2",
                width="100%",
            ),
            class_name="seen-card",
            width="100%",
            data_testid="library-scan",
        ),
    )


# -- the detail dialog ----------------------------------------------------------------------------------------------


def _fact(label: str, value: rx.Var) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label), rx.data_list.value(rx.text(value, size="2", word_break="break-all"))
    )


def _stream(stream: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(stream["type"]),
        rx.table.cell(stream["language"]),
        rx.table.cell(stream["details"]),
        rx.table.cell(stream["flags"]),
        data_testid="library-stream",
    )


def _detail_dialog() -> rx.Component:
    detail = LibraryState.detail
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(detail["title"]),
            rx.dialog.description(detail["file_name"], size="2", color=MUTED, word_break="break-all"),
            rx.hstack(
                _state_badge(detail),
                rx.cond(detail["episode"] != "", rx.text(detail["episode"], size="2")),
                rx.cond(
                    detail["media_href"] != "",
                    rx.link(
                        "Open " + detail["media_title"].to(str),
                        href=detail["media_href"],
                        size="2",
                        data_testid="library-detail-title-link",
                    ),
                ),
                spacing="3",
                align="center",
                wrap="wrap",
                padding_top="8px",
            ),
            rx.vstack(
                rx.data_list.root(
                    _fact("File", detail["relative_path"]),
                    _fact("Folder", detail["folder"]),
                    _fact("Size", detail["size"]),
                    _fact("Container", detail["container"]),
                    _fact("Codecs", detail["codecs"]),
                    _fact("Resolution", detail["resolution"].to(str) + " " + detail["dimensions"].to(str)),
                    _fact("Duration", detail["duration"]),
                    size="1",
                ),
                rx.cond(
                    detail["probe_error"] != "",
                    rx.box(detail["probe_error"], class_name="seen-alert seen-alert-error"),
                ),
                rx.text("Audio and subtitles", size="2", weight="medium"),
                rx.cond(
                    LibraryState.streams.length() > 0,
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Track"),
                                rx.table.column_header_cell("Language"),
                                rx.table.column_header_cell("Format"),
                                rx.table.column_header_cell("Flags"),
                            )
                        ),
                        rx.table.body(rx.foreach(LibraryState.streams, _stream)),
                        size="1",
                        width="100%",
                    ),
                    rx.text("No audio or subtitle track.", size="1", color=MUTED),
                ),
                rx.hstack(
                    rx.cond(
                        detail["play_href"] != "",
                        rx.link(
                            rx.button(rx.icon("play", size=16), "Play"),
                            href=detail["play_href"].to(str),
                            data_testid="library-play",
                        ),
                    ),
                    rx.spacer(),
                    rx.cond(
                        LibraryState.is_admin & (detail["match_state"] != "unmatched"),
                        rx.button(
                            "Back to the queue",
                            variant="soft",
                            color_scheme="gray",
                            on_click=LibraryState.unmatch(detail["id"].to(str)),
                            data_testid="library-unmatch",
                        ),
                    ),
                    rx.dialog.close(rx.button("Close", variant="soft", data_testid="library-detail-close")),
                    justify="end",
                    spacing="2",
                    width="100%",
                ),
                spacing="3",
                padding_top="12px",
                width="100%",
            ),
            max_width="640px",
            data_testid="library-detail",
        ),
        open=LibraryState.detail_open,
        on_open_change=LibraryState.set_detail_open,
    )


def _search_hit(hit: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(hit["title"], rx.cond(hit["year"] != "", " (" + hit["year"].to(str) + ")", ""), size="2", flex="1"),
        rx.badge(hit["kind"], variant="outline", size="1"),
        rx.button(
            "Match",
            size="1",
            disabled=LibraryState.busy,
            on_click=LibraryState.match_to(hit["id"].to(int), hit["kind"].to(str)),
            data_testid="library-search-match",
        ),
        align="center",
        spacing="2",
        width="100%",
        data_testid="library-search-hit",
    )


def _match_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Match to a title"),
            rx.dialog.description(LibraryState.match_file, size="2", color=MUTED, word_break="break-all"),
            rx.vstack(
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="query",
                            placeholder="Search movies and shows",
                            auto_focus=True,
                            aria_label="Title",
                            data_testid="library-match-query",
                            flex="1",
                        ),
                        rx.button(
                            rx.icon("search", size=14), "Search", type="submit", data_testid="library-match-search"
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=LibraryState.search_titles,
                    reset_on_submit=False,
                    width="100%",
                ),
                rx.hstack(
                    rx.text("For a show:", size="1", color=MUTED),
                    rx.input(
                        placeholder="Season",
                        value=LibraryState.match_season,
                        on_change=LibraryState.set_match_season,
                        width="90px",
                        aria_label="Season",
                    ),
                    rx.input(
                        placeholder="Episode",
                        value=LibraryState.match_episode,
                        on_change=LibraryState.set_match_episode,
                        width="90px",
                        aria_label="Episode",
                    ),
                    spacing="2",
                    align="center",
                ),
                rx.vstack(rx.foreach(LibraryState.match_results, _search_hit), spacing="2", width="100%"),
                rx.cond(
                    LibraryState.match_error != "",
                    rx.box(
                        LibraryState.match_error,
                        class_name="seen-alert seen-alert-error",
                        role="alert",
                        data_testid="library-match-error",
                    ),
                ),
                _force_offer(),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                padding_top="12px",
                width="100%",
            ),
            max_width="560px",
            data_testid="library-match-dialog",
        ),
        open=LibraryState.match_open,
        on_open_change=LibraryState.set_match_open,
    )


def _force_offer() -> rx.Component:
    """After a refusal because the file is matched already: replace its match on purpose."""
    return rx.cond(
        LibraryState.force_item_id != "",
        rx.button(
            "Replace the existing match",
            color_scheme="amber",
            variant="soft",
            size="1",
            on_click=LibraryState.force_match,
            data_testid="library-force",
        ),
    )


# -- the page -------------------------------------------------------------------------------------------------------


def _empty() -> rx.Component:
    return rx.box(
        rx.cond(
            (LibraryState.counts["all"] == 0) & (LibraryState.query == ""),
            rx.cond(
                LibraryState.is_admin,
                empty_state(
                    "hard-drive",
                    "Your library is empty",
                    "Add a library folder on the admin page: its files are scanned, matched and listed here.",
                    rx.link(rx.button("Add a folder", variant="soft"), href="/app/admin#library-folders"),
                ),
                empty_state(
                    "hard-drive",
                    "Nothing has been added yet",
                    "Once an admin adds a library folder, its files are listed here.",
                ),
            ),
            empty_state("hard-drive", "Nothing here", "No file fits these filters."),
        ),
        class_name="seen-card",
        width="100%",
        data_testid="library-empty",
    )


def _pages() -> rx.Component:
    return rx.cond(
        LibraryState.page_count > 1,
        rx.hstack(
            rx.button(
                "Previous",
                variant="soft",
                disabled=LibraryState.page <= 1,
                on_click=LibraryState.go_to_page(LibraryState.page - 1),
            ),
            rx.text("Page ", LibraryState.page.to_string(), " of ", LibraryState.page_count.to_string(), size="2"),
            rx.button(
                "Next",
                variant="soft",
                disabled=LibraryState.page >= LibraryState.page_count,
                on_click=LibraryState.go_to_page(LibraryState.page + 1),
                data_testid="library-next",
            ),
            spacing="3",
            align="center",
            justify="center",
            width="100%",
        ),
    )


def _content() -> rx.Component:
    return rx.cond(
        LibraryState.items.length() > 0,
        rx.vstack(
            rx.cond(LibraryState.tab == "unmatched", _queue(), _grid()),
            _pages(),
            spacing="4",
            width="100%",
        ),
        _empty(),
    )


@app_page(ROUTE, "Library", on_load=[LibraryState.load])
def library_page() -> rx.Component:
    return rx.box(
        page_header(
            "Library",
            "Your media files, matched to titles.",
            rx.cond(
                LibraryState.live,
                rx.badge(rx.icon("radio", size=12), "Live", color_scheme="green", variant="soft", data_testid="live"),
            ),
            rx.cond(
                LibraryState.is_admin,
                rx.button(
                    rx.icon("refresh-cw", size=16),
                    "Rescan",
                    on_click=LibraryState.rescan,
                    loading=LibraryState.scan_active,
                    data_testid="library-rescan",
                ),
            ),
        ),
        rx.vstack(
            _scan(),
            _filters(),
            change_feedback(LibraryState.error, LibraryState.notice, test_id="library-feedback"),
            _force_offer(),
            rx.cond(LibraryState.loading, list_skeleton(4), _content()),
            spacing="4",
            width="100%",
        ),
        _detail_dialog(),
        _match_dialog(),
        on_unmount=LibraryState.leave,
        width="100%",
    )
