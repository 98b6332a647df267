"""Empty states: say plainly what is missing and what will fill it."""

from __future__ import annotations

import reflex as rx


def empty_state(icon: str, title: str, text: str, *actions: rx.Component) -> rx.Component:
    return rx.box(
        rx.box(rx.icon(icon, size=22), class_name="seen-empty-icon"),
        rx.text(title, weight="medium", size="3", color="var(--seen-text)"),
        rx.text(text, size="2", max_width="420px"),
        rx.hstack(*actions, spacing="2", padding_top="6px") if actions else rx.fragment(),
        class_name="seen-empty",
    )


def widget(title: str, icon: str, body: rx.Component, *, href: str | None = None) -> rx.Component:
    """A dashboard card with a heading and an optional "see all" link."""
    return rx.box(
        rx.hstack(
            rx.hstack(
                rx.icon(icon, size=16, color="var(--seen-accent)"), rx.text(title, weight="medium"), align="center"
            ),
            rx.spacer(),
            rx.link("See all", href=href, size="2", color="var(--seen-muted)") if href else rx.fragment(),
            align="center",
            width="100%",
        ),
        body,
        class_name="seen-card",
    )


def page_header(title: str, subtitle: str, *actions: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.heading(title, size="7", weight="bold", letter_spacing="-0.02em"),
            rx.text(subtitle, color="var(--seen-muted)", size="3"),
            spacing="1",
        ),
        rx.spacer(),
        *actions,
        align="end",
        width="100%",
        padding_bottom="24px",
        wrap="wrap",
        spacing="4",
    )


def data_table(headers: list[str], rows: rx.Var, render_row) -> rx.Component:
    """A full-width table that scrolls sideways on narrow screens instead of breaking the layout."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*(rx.table.column_header_cell(header) for header in headers))),
            rx.table.body(rx.foreach(rows, render_row)),
            width="100%",
        ),
        class_name="seen-table-wrap",
        width="100%",
    )
