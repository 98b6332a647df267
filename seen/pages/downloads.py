"""/app/downloads?status=active: magnet, torrent and direct downloads, followed live to completion.

Filter tabs with their counts, one row per job (progress, speed, time left, peers, the reason a job failed,
and the moves its status allows), a timeline and the files of the job opened, and the add dialog (a magnet
or URL, or a .torrent file; `?add=1&media=<id>&title=<title>` opens it for a title, from its page).
The state and the view of a job live in `downloads_state`.
"""

from __future__ import annotations

import reflex as rx

from seen.components.downloads import job_progress, source_badge, status_badge
from seen.components.empty import empty_state, page_header
from seen.components.page import app_page
from seen.config import get_settings
from seen.pages.downloads_state import (
    FILTERS,
    ROUTE,
    UPLOAD_ID,
    DownloadsState,
    TorrentUploadState,
    human_bytes,
)
from seen.pages.personal import change_feedback, list_skeleton


def _tabs() -> rx.Component:
    return rx.el.nav(
        *(
            rx.link(
                label,
                " ",
                rx.text.span(DownloadsState.counts[name].to_string(), color="var(--seen-muted)"),
                href=DownloadsState.tab_hrefs[name],
                class_name="seen-tab",
                data_active=(DownloadsState.tab == name).to_string(),
                underline="none",
                data_testid=f"downloads-tab-{name}",
            )
            for name, label, _statuses in FILTERS
        ),
        class_name="seen-tabs",
        aria_label="Download status",
    )


def _action(icon: str, label: str, on_click, test_id: str, *, colour: str = "gray") -> rx.Component:
    return rx.tooltip(
        rx.icon_button(
            rx.icon(icon, size=15),
            variant="soft",
            color_scheme=colour,
            size="2",
            disabled=DownloadsState.busy,
            on_click=on_click,
            aria_label=label,
            data_testid=test_id,
        ),
        content=label,
    )


def _actions(item: rx.Var) -> tuple[rx.Component, ...]:
    job_id = item["id"].to(str)
    return (
        rx.cond(item["can_pause"], _action("pause", "Pause", DownloadsState.pause(job_id), "download-pause")),
        rx.cond(item["can_resume"], _action("play", "Resume", DownloadsState.resume(job_id), "download-resume")),
        rx.cond(item["can_retry"], _action("rotate-ccw", "Retry", DownloadsState.retry(job_id), "download-retry")),
        rx.cond(
            item["can_cancel"],
            _action("x", "Cancel", DownloadsState.cancel(job_id), "download-cancel", colour="red"),
        ),
        rx.icon_button(
            rx.icon(rx.cond(DownloadsState.expanded == job_id, "chevron-up", "chevron-down"), size=16),
            variant="ghost",
            size="2",
            on_click=DownloadsState.toggle_details(job_id),
            aria_label="Timeline and files",
            aria_expanded=DownloadsState.expanded == job_id,
            data_testid="download-details",
        ),
    )


def _event(event: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.badge(event["status_label"], color_scheme=event["colour"], variant="soft", size="1"),
            rx.text(event["message"], size="2", flex="1", min_width="0"),
            rx.cond(event["progress"] != "", rx.text(event["progress"], size="1", color="var(--seen-muted)")),
            rx.text(event["when"], size="1", color="var(--seen-muted)", white_space="nowrap"),
            spacing="3",
            align="center",
            width="100%",
            wrap="wrap",
        ),
        data_testid="download-event",
        padding_y="4px",
    )


def _file(file: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(file["path"], size="2", word_break="break-all")),
        rx.table.cell(rx.text(file["size"], size="2", white_space="nowrap")),
        rx.table.cell(rx.text(file["percent_label"], size="2")),
        data_testid="download-file",
    )


def _details(item: rx.Var) -> rx.Component:
    files = item["files"].to(list[dict])
    return rx.vstack(
        rx.separator(size="4"),
        rx.cond(
            item["directory"] != "",
            rx.text("Saved in ", rx.code(item["directory"]), size="1", color="var(--seen-muted)"),
        ),
        rx.text("Timeline", size="2", weight="medium"),
        rx.el.ol(
            rx.foreach(DownloadsState.timeline, _event),
            style={"listStyle": "none", "margin": 0, "padding": 0, "width": "100%"},
            aria_label="Timeline",
            data_testid="download-timeline",
        ),
        rx.cond(
            files.length() > 0,
            rx.vstack(
                rx.text("Files", size="2", weight="medium"),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Path"),
                                rx.table.column_header_cell("Size"),
                                rx.table.column_header_cell("Done"),
                            )
                        ),
                        rx.table.body(rx.foreach(files, _file)),
                        size="1",
                        width="100%",
                    ),
                    class_name="seen-table-wrap",
                    width="100%",
                ),
                spacing="1",
                width="100%",
                data_testid="download-files",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _row(item: rx.Var) -> rx.Component:
    job_id = item["id"].to(str)
    return rx.el.li(
        rx.hstack(
            rx.box(rx.icon(item["source_icon"].to(str), size=18), class_name="seen-list-thumb", aria_hidden="true"),
            rx.vstack(
                rx.hstack(
                    rx.text(item["title"], weight="medium", class_name="seen-list-title", title=item["source"]),
                    source_badge(item),
                    status_badge(item),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                    max_width="100%",
                ),
                rx.cond(
                    item["media_title"] != "",
                    rx.text(
                        "For ",
                        rx.cond(
                            item["media_href"] != "",
                            rx.link(item["media_title"], href=item["media_href"]),
                            item["media_title"],
                        ),
                        rx.cond(item["owner_name"] != "", " · " + item["owner_name"].to(str), ""),
                        size="1",
                        color="var(--seen-muted)",
                    ),
                ),
                job_progress(item),
                rx.cond(item["detail"] != "", rx.text(item["detail"], size="1", color="var(--seen-muted)")),
                rx.cond(
                    item["error"] != "",
                    rx.box(item["error"], class_name="seen-alert seen-alert-error", data_testid="download-error"),
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.hstack(*_actions(item), spacing="2", align="center", class_name="seen-list-actions"),
            spacing="4",
            align="center",
            width="100%",
        ),
        rx.cond(DownloadsState.expanded == job_id, _details(item)),
        class_name="seen-list-row",
        style={"flexDirection": "column", "alignItems": "stretch"},
        data_testid="download-row",
        data_job_id=job_id,
    )


def _empty() -> rx.Component:
    return rx.box(
        rx.cond(
            DownloadsState.tab == "all",
            empty_state(
                "download",
                "No downloads yet",
                "Add a magnet link, a .torrent file or a URL, and follow it here until it is on your disk.",
                rx.button(rx.icon("plus", size=15), "Add download", variant="soft", on_click=DownloadsState.open_add),
            ),
            empty_state("download", "Nothing here", "No download has this status right now."),
        ),
        class_name="seen-card",
        width="100%",
        data_testid="downloads-empty",
    )


def _list() -> rx.Component:
    return rx.vstack(
        rx.el.ol(rx.foreach(DownloadsState.items, _row), class_name="seen-list", aria_label="Downloads"),
        rx.cond(
            DownloadsState.has_more,
            rx.button(
                "Load more",
                variant="soft",
                on_click=DownloadsState.load_more,
                loading=DownloadsState.loading_more,
                data_testid="downloads-load-more",
            ),
        ),
        spacing="4",
        align="center",
        width="100%",
    )


# -- the add dialog ---------------------------------------------------------------------------------------------


def _dropzone() -> rx.Component:
    chosen = rx.selected_files(UPLOAD_ID)
    return rx.upload.root(
        rx.vstack(
            rx.icon("file-up", size=22, color="var(--seen-accent)"),
            rx.cond(
                chosen.length() > 0,
                rx.text(chosen[0], weight="medium", data_testid="torrent-chosen"),
                rx.text("Drop the .torrent here, or click to choose it", size="2"),
            ),
            rx.text(f"Up to {human_bytes(get_settings().torrent_max_bytes)}", size="1", color="var(--seen-muted)"),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_files=1,
        accept={"application/x-bittorrent": [".torrent"]},
        class_name="seen-dropzone",
        data_testid="torrent-dropzone",
    )


def _target() -> rx.Component:
    """The title the download is for, when the dialog was opened from its page (removable)."""
    return rx.cond(
        DownloadsState.add_media_id != 0,
        rx.hstack(
            rx.text("For", size="2", color="var(--seen-muted)"),
            rx.badge(DownloadsState.add_media_title, variant="soft", color_scheme="cyan", data_testid="add-target"),
            rx.icon_button(
                rx.icon("x", size=13),
                type="button",
                variant="ghost",
                size="1",
                color_scheme="gray",
                on_click=DownloadsState.clear_target,
                aria_label="Not for this title",
                data_testid="add-target-clear",
            ),
            spacing="2",
            align="center",
        ),
    )


def _add_buttons() -> rx.Component:
    chosen = rx.selected_files(UPLOAD_ID)
    return rx.hstack(
        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
        rx.cond(
            DownloadsState.add_mode == "file",
            rx.button(
                rx.icon("upload", size=15),
                "Add",
                type="button",
                loading=DownloadsState.adding,
                disabled=chosen.length() == 0,
                # The browser runs these one after the other: the upload (whose stream stays open until every
                # event it chains is done, so it must not chain the poll), then clears the choice (a clear sent
                # from the backend would be evaluated, which the CSP forbids), then starts the poll.
                on_click=[
                    TorrentUploadState.receive(rx.upload_files(upload_id=UPLOAD_ID)),
                    rx.clear_selected_files(UPLOAD_ID),
                    DownloadsState.watch,
                ],
                data_testid="add-submit-file",
            ),
            rx.button(
                rx.icon("plus", size=15),
                "Add",
                type="submit",
                loading=DownloadsState.adding,
                data_testid="add-submit",
            ),
        ),
        justify="end",
        width="100%",
        spacing="2",
    )


def _add_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Add a download"),
            rx.dialog.description(
                "A magnet link, an http(s) or ftp URL, or a .torrent file. It joins the queue at once.",
                size="2",
                color="var(--seen-muted)",
            ),
            rx.form(
                rx.vstack(
                    rx.tabs.root(
                        rx.tabs.list(
                            rx.tabs.trigger("Magnet or URL", value="link", data_testid="add-mode-link"),
                            rx.tabs.trigger(".torrent file", value="file", data_testid="add-mode-file"),
                        ),
                        rx.tabs.content(
                            rx.input(
                                name="source",
                                placeholder="magnet:?xt=urn:btih:… or https://…",
                                auto_focus=True,
                                aria_label="Magnet link or URL",
                                data_testid="add-source",
                                width="100%",
                            ),
                            value="link",
                            padding_top="12px",
                        ),
                        rx.tabs.content(_dropzone(), value="file", padding_top="12px"),
                        value=DownloadsState.add_mode,
                        on_change=DownloadsState.set_add_mode,
                        width="100%",
                    ),
                    rx.text("Title (optional)", size="1", color="var(--seen-muted)"),
                    rx.input(
                        name="title",
                        default_value=DownloadsState.add_title,
                        max_length=500,
                        placeholder="Named after the file or torrent when empty",
                        on_blur=DownloadsState.set_add_title,
                        aria_label="Title",
                        data_testid="add-title",
                        width="100%",
                    ),
                    _target(),
                    rx.cond(
                        DownloadsState.add_error != "",
                        rx.box(
                            DownloadsState.add_error,
                            class_name="seen-alert seen-alert-error",
                            role="alert",
                            data_testid="add-error",
                        ),
                    ),
                    _add_buttons(),
                    spacing="3",
                    padding_top="12px",
                    width="100%",
                ),
                on_submit=DownloadsState.add_link,
                reset_on_submit=False,
            ),
            max_width="520px",
            data_testid="add-dialog",
        ),
        open=DownloadsState.add_open,
        on_open_change=DownloadsState.set_add_open,
    )


@app_page(ROUTE, "Downloads", on_load=[DownloadsState.load])
def downloads_page() -> rx.Component:
    return rx.box(
        page_header(
            "Downloads",
            "Magnets, torrents and direct links, followed live until they are on disk.",
            rx.cond(
                DownloadsState.live,
                rx.badge(rx.icon("radio", size=12), "Live", color_scheme="green", variant="soft", data_testid="live"),
            ),
            rx.button(
                rx.icon("plus", size=16), "Add download", on_click=DownloadsState.open_add, data_testid="add-download"
            ),
        ),
        rx.vstack(
            _tabs(),
            change_feedback(DownloadsState.error, DownloadsState.notice),
            rx.cond(
                DownloadsState.loading,
                list_skeleton(4),
                rx.cond(DownloadsState.items.length() > 0, _list(), _empty()),
            ),
            spacing="4",
            width="100%",
        ),
        _add_dialog(),
        on_unmount=DownloadsState.leave,
        width="100%",
    )
