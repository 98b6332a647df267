"""/app/calendar: movie releases, new episodes and season premieres, game launches, DLCs and expansions,
as a month grid, a week or an agenda, with filters kept in the URL and the user's iCal subscription."""

from __future__ import annotations

import reflex as rx

from seen.components.catalogue import filter_select
from seen.components.empty import empty_state, page_header
from seen.components.page import app_page
from seen.pages.calendar_state import ROUTE, TYPE_OPTIONS, VIEWS, WEEKDAYS, CalendarState
from seen.pages.personal import change_feedback

VIEW_LABELS = {"month": "Month", "week": "Week", "agenda": "Agenda"}


def _event_chip(event: rx.Var, *, poster: bool) -> rx.Component:
    """One release: a link to its title's page, with its poster (week and agenda), kind, label and window."""
    return rx.link(
        rx.cond(
            poster & (event["poster_url"] != ""),
            rx.image(src=event["poster_url"], alt="", loading="lazy", class_name="seen-cal-poster"),
        ),
        rx.box(
            rx.text(event["title"], class_name="seen-cal-title seen-clip", size="1", weight="medium"),
            rx.text(
                event["kind_label"],
                " · ",
                event["label"],
                class_name="seen-cal-label seen-clip",
                size="1",
            ),
            rx.cond(
                event["precision"] != "",
                rx.text("Expected ", event["precision"], class_name="seen-cal-precision", size="1"),
            ),
            class_name="seen-cal-text",
        ),
        href=event["href"],
        underline="none",
        class_name=rx.cond(
            event["tracked"] != "",
            "seen-cal-event seen-cal-" + event["kind"] + " seen-cal-tracked",
            "seen-cal-event seen-cal-" + event["kind"],
        ),
        title=event["title"] + " · " + event["label"],
        data_testid="calendar-event",
        data_kind=event["kind"],
        data_date=event["date"],
    )


def _day_cell(cell: rx.Var) -> rx.Component:
    events = cell["events"].to(list[dict[str, str]])
    week = CalendarState.view == "week"
    return rx.box(
        rx.hstack(
            rx.cond(week, rx.text(cell["weekday"], size="1", class_name="seen-cal-weekday")),
            rx.text(cell["day"], size="2", weight="medium", class_name="seen-cal-daynum"),
            spacing="1",
            align="baseline",
        ),
        rx.box(
            rx.foreach(events, lambda event: _event_chip(event, poster=week)),
            class_name="seen-cal-events",
        ),
        rx.cond(
            cell["more"] != "",
            rx.link(cell["more"], href=cell["more_href"], size="1", class_name="seen-cal-more"),
        ),
        class_name=rx.cond(
            cell["today"] != "",
            "seen-cal-day seen-cal-today",
            rx.cond(cell["outside"] != "", "seen-cal-day seen-cal-outside", "seen-cal-day"),
        ),
        aria_label=cell["label"],
        data_testid="calendar-day",
        data_date=cell["date"],
    )


def _grid() -> rx.Component:
    return rx.box(
        rx.cond(
            CalendarState.view == "month",
            rx.box(*(rx.box(name, class_name="seen-cal-head") for name in WEEKDAYS), class_name="seen-cal-heads"),
        ),
        rx.box(
            rx.foreach(CalendarState.cells, _day_cell),
            class_name=rx.cond(CalendarState.view == "week", "seen-cal-grid seen-cal-week", "seen-cal-grid"),
        ),
        data_testid=rx.cond(CalendarState.view == "week", "calendar-week", "calendar-month"),
        class_name="seen-card seen-cal-board",
        width="100%",
    )


def _agenda() -> rx.Component:
    return rx.box(
        rx.foreach(
            CalendarState.agenda,
            lambda group: rx.box(
                rx.text(group["label"], weight="medium", size="2", class_name="seen-cal-agenda-day"),
                rx.box(
                    rx.foreach(
                        group["events"].to(list[dict[str, str]]),
                        lambda event: _event_chip(event, poster=True),
                    ),
                    class_name="seen-cal-agenda-events",
                ),
                data_testid="agenda-day",
                data_date=group["date"],
            ),
        ),
        class_name="seen-card seen-cal-agenda",
        width="100%",
        data_testid="calendar-agenda",
    )


def _empty() -> rx.Component:
    return rx.box(
        empty_state(
            "calendar-days",
            "Nothing comes out in this period",
            "No release matches these filters here. Try the next period, other filters, or follow more titles "
            "(watch later, favourites, collections) and tick “Only my titles”.",
        ),
        class_name="seen-card",
        width="100%",
        data_testid="calendar-empty",
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.hstack(
            rx.link(
                rx.button(rx.icon("chevron-left", size=16), variant="soft", aria_label="Previous"),
                href=CalendarState.prev_href,
                data_testid="calendar-prev",
            ),
            rx.link(rx.button("Today", variant="soft"), href=CalendarState.today_href, data_testid="calendar-today"),
            rx.link(
                rx.button(rx.icon("chevron-right", size=16), variant="soft", aria_label="Next"),
                href=CalendarState.next_href,
                data_testid="calendar-next",
            ),
            rx.heading(CalendarState.heading, size="5", data_testid="calendar-heading"),
            spacing="2",
            align="center",
        ),
        rx.spacer(),
        rx.hstack(
            *(
                rx.link(
                    rx.button(
                        VIEW_LABELS[view],
                        variant=rx.cond(CalendarState.view == view, "solid", "soft"),
                        aria_pressed=rx.cond(CalendarState.view == view, "true", "false"),
                    ),
                    href=CalendarState.view_hrefs[view],
                    data_testid=f"calendar-view-{view}",
                )
                for view in VIEWS
            ),
            spacing="1",
        ),
        width="100%",
        align="center",
        wrap="wrap",
        spacing="3",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text("Titles", size="1", color="var(--seen-muted)"),
            rx.hstack(
                rx.switch(
                    checked=CalendarState.tracked,
                    on_change=CalendarState.set_tracked,
                    aria_label="Only my titles",
                    data_testid="filter-tracked",
                ),
                rx.text("Only my titles", size="2"),
                spacing="2",
                align="center",
                height="32px",
            ),
            spacing="1",
        ),
        filter_select(
            "Type",
            CalendarState.kind,
            TYPE_OPTIONS,
            CalendarState.choose_kind,
            any_label="All types",
            test_id="filter-type",
        ),
        rx.cond(
            (CalendarState.kind == "all") | (CalendarState.kind == "game"),
            filter_select(
                "Platform",
                CalendarState.platform,
                CalendarState.platform_options,
                CalendarState.choose_platform,
                any_label="All platforms",
                test_id="filter-platform",
            ),
        ),
        filter_select(
            "Genre",
            CalendarState.genre,
            CalendarState.genre_options,
            CalendarState.choose_genre,
            any_label="All genres",
            test_id="filter-genre",
        ),
        rx.spacer(),
        rx.cond(
            ~CalendarState.loading,
            rx.text(
                CalendarState.count_label,
                size="2",
                color="var(--seen-muted)",
                data_testid="calendar-count",
            ),
        ),
        spacing="4",
        width="100%",
        align="end",
        wrap="wrap",
        class_name="seen-card",
    )


def _feed_box() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.icon("calendar-plus", size=18),
                rx.text("Subscribe in your calendar app", weight="medium"),
                spacing="2",
                align="center",
            ),
            rx.text(
                "An iCal feed of this calendar, with the filters above, that Google Calendar, Apple Calendar or "
                "Outlook can subscribe to. Anyone with the URL can read it: make a new one if it leaks.",
                size="2",
                color="var(--seen-muted)",
            ),
            rx.cond(
                CalendarState.feed_url != "",
                rx.hstack(
                    rx.input(
                        value=CalendarState.feed_url,
                        read_only=True,
                        aria_label="Calendar feed URL",
                        data_testid="feed-url",
                        flex="1",
                        min_width="260px",
                    ),
                    rx.button(
                        rx.icon("copy", size=14),
                        "Copy",
                        variant="soft",
                        on_click=[rx.set_clipboard(CalendarState.feed_url), rx.toast.success("Feed URL copied")],
                        data_testid="feed-copy",
                    ),
                    rx.button(
                        rx.icon("refresh-cw", size=14),
                        "New URL",
                        variant="soft",
                        on_click=CalendarState.rotate_feed,
                        disabled=CalendarState.busy,
                        data_testid="feed-rotate",
                    ),
                    rx.button(
                        rx.icon("trash-2", size=14),
                        "Revoke",
                        variant="soft",
                        color_scheme="red",
                        on_click=CalendarState.revoke_feed,
                        disabled=CalendarState.busy,
                        data_testid="feed-revoke",
                    ),
                    spacing="2",
                    width="100%",
                    wrap="wrap",
                ),
                rx.button(
                    rx.icon("link", size=14),
                    "Get a feed URL",
                    on_click=CalendarState.make_feed,
                    disabled=CalendarState.busy,
                    data_testid="feed-create",
                ),
            ),
            change_feedback(CalendarState.error, CalendarState.notice, test_id="feed"),
            spacing="2",
            width="100%",
        ),
        class_name="seen-card",
        width="100%",
        data_testid="feed-box",
    )


def _body() -> rx.Component:
    return rx.cond(
        CalendarState.loading,
        rx.box(class_name="seen-card seen-skeleton seen-cal-skeleton", aria_busy="true", aria_label="Loading"),
        rx.cond(
            CalendarState.view == "agenda",
            rx.cond(CalendarState.agenda.length() > 0, _agenda(), _empty()),
            rx.fragment(_grid(), rx.cond(CalendarState.event_count == 0, _empty())),
        ),
    )


@app_page(ROUTE, "Calendar", on_load=[CalendarState.load])
def calendar_page() -> rx.Component:
    return rx.fragment(
        page_header("Calendar", "Premieres, new episodes and game launches."),
        rx.vstack(_toolbar(), _filters(), _body(), _feed_box(), spacing="4", width="100%"),
    )
