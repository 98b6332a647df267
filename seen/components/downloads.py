"""The pieces a download job is drawn with, on /app/downloads and in the dashboard's widget: its source and
status badges, its progress with the numbers beside it, and the "Download" button of the title pages.

Every function takes a Var of the dict `seen.pages.downloads_state.job_view` makes, so the words and the
buttons shown were decided once, in Python.
"""

from __future__ import annotations

import reflex as rx

from seen.components.progress import progress_bar


def status_badge(item: rx.Var) -> rx.Component:
    return rx.badge(
        item["status_label"],
        color_scheme=item["colour"],
        variant="soft",
        size="1",
        data_testid="download-status",
    )


def source_badge(item: rx.Var) -> rx.Component:
    return rx.badge(
        rx.icon(item["source_icon"].to(str), size=12),
        item["source_label"],
        variant="outline",
        color_scheme="gray",
        size="1",
        title=item["source"],
        data_testid="download-source",
    )


def _dot_joined(*parts: rx.Var) -> rx.Component:
    """The non-empty parts with a middle dot between them."""
    return rx.hstack(
        *(rx.cond(part != "", rx.text(part, size="1", color="var(--seen-muted)")) for part in parts),
        spacing="3",
        wrap="wrap",
        align="center",
    )


def job_progress(item: rx.Var, *, thin: bool = False) -> rx.Component:
    """The bar, "NN.N%" beside it, then bytes done of total, speed, time left and (torrents) peers."""
    return rx.vstack(
        rx.hstack(
            rx.box(
                progress_bar(item["percent"], "Downloaded so far", thin=thin, test_id="download-progress"),
                flex="1",
                min_width="0",
            ),
            rx.text(
                item["percent_label"],
                size="1",
                weight="medium",
                min_width="48px",
                text_align="right",
                data_testid="download-percent",
            ),
            width="100%",
            align="center",
            spacing="2",
        ),
        _dot_joined(item["sizes"], item["speed"], item["eta"], item["peers"]),
        spacing="1",
        width="100%",
    )


def download_button(href: rx.Var[str]) -> rx.Component:
    """The title pages' way into the add dialog, prefilled with the title."""
    return rx.cond(
        href != "",
        rx.link(
            rx.button(rx.icon("download", size=16), "Download", variant="soft", size="2", data_testid="download-title"),
            href=href,
            underline="none",
            aria_label="Download this title",
        ),
    )
