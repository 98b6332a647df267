"""/app/recommendations?type=movie: titles picked for the user, each saying why, with thumbs up, thumbs down
and "not interested" (the card goes at once, with an undo), a rescoring on demand and the hidden titles.

State and handlers live in `recommendations_state`; the scoring and its rules in
`seen.services.recommendations`.
"""

from __future__ import annotations

import reflex as rx

from seen.components.empty import empty_state, page_header
from seen.components.media_card import card_skeletons, media_card
from seen.components.page import app_page
from seen.pages.personal import change_feedback, media_thumb, title_block
from seen.pages.recommendations_state import ROUTE, TABS, RecommendationsState

State = RecommendationsState


def _tabs() -> rx.Component:
    return rx.el.nav(
        *(
            rx.link(
                label,
                href=State.tab_hrefs[name],
                class_name="seen-tab",
                data_active=(State.kind == name).to_string(),
                data_testid=f"rec-tab-{name}",
                underline="none",
            )
            for name, label in TABS
        ),
        class_name="seen-tabs",
        aria_label="Types",
    )


def _vote_button(item: rx.Var, value: str, icon: str, label: str) -> rx.Component:
    pressed = item["vote"] == value
    return rx.el.button(
        rx.icon(icon, size=15),
        on_click=State.vote(item["id"].to(int), value),
        class_name="seen-rec-vote",
        data_pressed=pressed.to_string(),
        aria_pressed=pressed,
        aria_label=label,
        title=label,
        type="button",
        data_testid=f"rec-{value}",
    )


def _card(item: rx.Var) -> rx.Component:
    return rx.box(
        media_card(item),
        rx.el.ul(
            rx.foreach(item["reasons"].to(list[str]), lambda reason: rx.el.li(reason, class_name="seen-rec-reason")),
            class_name="seen-rec-reasons",
            data_testid="rec-reasons",
        ),
        rx.hstack(
            _vote_button(item, "up", "thumbs-up", "More like this"),
            _vote_button(item, "down", "thumbs-down", "Less like this"),
            rx.spacer(),
            rx.el.button(
                rx.icon("eye-off", size=14),
                "Not interested",
                on_click=State.not_interested(item["id"].to(int)),
                class_name="seen-rec-dismiss",
                type="button",
                data_testid="rec-not-interested",
            ),
            align="center",
            spacing="1",
            class_name="seen-rec-actions",
        ),
        class_name="seen-rec-card",
        data_testid="rec-card",
        data_media_id=item["id"].to_string(),
    )


def _undo() -> rx.Component:
    return rx.cond(
        State.undo_id != 0,
        rx.hstack(
            rx.text(
                "Hidden “",
                State.undo_title,
                "”. It will not be recommended again.",
                size="2",
            ),
            rx.button(
                "Undo",
                size="1",
                variant="soft",
                on_click=State.restore(State.undo_id),
                disabled=State.busy,
                data_testid="rec-undo",
            ),
            align="center",
            spacing="3",
            class_name="seen-alert seen-alert-info",
            role="status",
            data_testid="rec-undo-bar",
        ),
    )


def _hidden_row(item: rx.Var) -> rx.Component:
    return rx.el.li(
        media_thumb(item),
        title_block(item),
        rx.hstack(
            rx.badge(
                rx.cond(item["vote"] == "down", "Thumbs down", "Not interested"), variant="soft", color_scheme="gray"
            ),
            rx.button(
                rx.icon("undo-2", size=14),
                "Show again",
                size="1",
                variant="soft",
                on_click=State.restore(item["id"].to(int)),
                disabled=State.busy,
                data_testid="rec-restore",
            ),
            spacing="2",
            align="center",
            class_name="seen-list-actions",
        ),
        class_name="seen-list-row",
        data_testid="rec-hidden-item",
    )


def _hidden() -> rx.Component:
    return rx.cond(
        State.hidden.length() > 0,
        rx.vstack(
            rx.button(
                rx.icon(rx.cond(State.show_hidden, "chevron-down", "chevron-right"), size=15),
                State.hidden_label,
                variant="ghost",
                color_scheme="gray",
                on_click=State.toggle_hidden,
                data_testid="rec-hidden-toggle",
            ),
            rx.cond(
                State.show_hidden,
                rx.el.ul(rx.foreach(State.hidden, _hidden_row), class_name="seen-list", aria_label="Hidden titles"),
            ),
            spacing="2",
            width="100%",
            class_name="seen-rec-hidden",
        ),
    )


def _empty() -> rx.Component:
    return rx.box(
        empty_state(
            "sparkles",
            "Nothing to recommend here yet",
            "Watch, rate or add a few titles and recommendations will be built for you.",
            rx.link(rx.button("Discover", variant="soft"), href="/app/discover"),
        ),
        class_name="seen-card",
        width="100%",
        data_testid="rec-empty",
    )


def _list() -> rx.Component:
    return rx.vstack(
        rx.box(rx.foreach(State.items, _card), class_name="seen-rec-grid", data_testid="rec-grid"),
        rx.cond(
            State.has_more,
            rx.button("Show more", variant="soft", on_click=State.load_more, data_testid="load-more"),
        ),
        spacing="4",
        align="center",
        width="100%",
    )


@app_page(ROUTE, "Recommendations", on_load=[State.load])
def recommendations_page() -> rx.Component:
    return rx.fragment(
        page_header(
            "Recommendations",
            "Picked from your history, ratings and favourite genres.",
            rx.hstack(
                rx.text(State.generated, size="1", color="var(--seen-muted)", data_testid="rec-generated"),
                rx.button(
                    rx.icon("refresh-cw", size=14),
                    "Refresh",
                    variant="soft",
                    on_click=State.refresh,
                    loading=State.busy,
                    data_testid="rec-refresh",
                ),
                align="center",
                spacing="3",
            ),
        ),
        rx.vstack(
            _tabs(),
            change_feedback(State.error, State.notice, test_id="rec-feedback"),
            _undo(),
            rx.cond(
                State.loading,
                card_skeletons(8),
                rx.cond(State.items.length() > 0, _list(), _empty()),
            ),
            _hidden(),
            spacing="4",
            width="100%",
        ),
    )
