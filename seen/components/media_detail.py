"""The pieces of the detail pages (titles, seasons, people): the hero, sections, people rows, fact lists,
skeletons while details load, the freshness notice and the "not found" state.

Every function takes Vars of plain dicts shaped by `seen.pages.detail_state` (`hero_of`, credit and card dicts
from `dataclasses.asdict`), so the pages stay declarative and the components hold no state of their own.
Images load lazily over a placeholder (the title, or the person's initials), so a slow or missing image never
leaves a hole.
"""

from __future__ import annotations

import reflex as rx

from seen.components.empty import empty_state


def lazy_image(src: rx.Var, alt: rx.Var | str, class_name: str) -> rx.Component:
    """An image that loads when scrolled near, drawn only when there is a URL (the placeholder shows otherwise)."""
    return rx.cond(
        src,
        rx.image(src=src, alt=alt, loading="lazy", decoding="async", class_name=class_name),
        rx.fragment(),
    )


def poster(src: rx.Var, title: rx.Var, *, class_name: str = "") -> rx.Component:
    """A 2:3 poster over a placeholder showing the title (the classes of `media_card`)."""
    return rx.box(
        rx.box(rx.text(title, class_name="seen-poster-fallback-title"), class_name="seen-poster-fallback"),
        lazy_image(src, title, "seen-poster-img"),
        class_name=f"seen-poster {class_name}".strip(),
    )


def chip(label: rx.Var | str) -> rx.Component:
    return rx.el.span(label, class_name="seen-chip")


def chips(labels: rx.Var) -> rx.Component:
    return rx.box(rx.foreach(labels, chip), class_name="seen-chips")


def _meta_item(icon: str, text: rx.Var, *, test_id: str = "") -> rx.Component:
    return rx.cond(
        text,
        rx.hstack(
            rx.icon(icon, size=15),
            rx.text(text, size="2"),
            spacing="1",
            align="center",
            data_testid=test_id or None,
        ),
        rx.fragment(),
    )


def media_hero(hero: rx.Var, actions: rx.Component | None = None) -> rx.Component:
    """Backdrop, poster, kind and year, title, tagline, rating, runtime/status, genres and overview, then
    `actions` (the viewer's tracking controls).

    `hero` is a dict from `detail_state.hero_of`.
    """
    return rx.box(
        rx.box(
            lazy_image(hero["backdrop_url"], "", "seen-detail-backdrop-img"),
            class_name="seen-detail-backdrop",
            aria_hidden="true",
        ),
        rx.box(
            poster(hero["poster_url"], hero["title"], class_name="seen-detail-poster"),
            rx.vstack(
                rx.text(hero["kicker"], class_name="seen-detail-kicker"),
                rx.heading(hero["title"], as_="h1", size="8", weight="bold", class_name="seen-detail-title"),
                rx.cond(
                    hero["original_title"],
                    rx.text(hero["original_title"], size="2", color="var(--seen-muted)"),
                    rx.fragment(),
                ),
                rx.cond(hero["tagline"], rx.text(hero["tagline"], class_name="seen-detail-tagline"), rx.fragment()),
                rx.hstack(
                    _meta_item("star", hero["rating"], test_id="detail-rating"),
                    _meta_item("clock", hero["runtime"]),
                    _meta_item("calendar", hero["date"]),
                    _meta_item("activity", hero["status"]),
                    spacing="4",
                    wrap="wrap",
                    class_name="seen-detail-meta",
                ),
                chips(hero["genres"].to(list[str])),
                rx.cond(
                    hero["overview"],
                    rx.text(hero["overview"], class_name="seen-detail-overview"),
                    rx.text("No overview yet.", class_name="seen-detail-overview", color="var(--seen-muted)"),
                ),
                actions if actions is not None else rx.fragment(),
                spacing="2",
                align="start",
                min_width="0",
            ),
            class_name="seen-detail-hero-inner",
        ),
        class_name="seen-detail-hero",
        data_testid="detail-hero",
    )


def section(title: str, *children: rx.Component, test_id: str | None = None, aside: rx.Component | None = None):
    """A titled card on a detail page."""
    return rx.box(
        rx.hstack(
            rx.heading(title, as_="h2", size="4", weight="medium"),
            rx.spacer(),
            aside if aside is not None else rx.fragment(),
            align="center",
            width="100%",
        ),
        *children,
        class_name="seen-card seen-detail-section",
        data_testid=test_id,
        width="100%",
    )


def section_when(items: rx.Var, title: str, body: rx.Component, *, test_id: str | None = None) -> rx.Component:
    """A section shown only when its list has something in it."""
    return rx.cond(items.length() > 0, section(title, body, test_id=test_id), rx.fragment())


def facts(rows: rx.Var) -> rx.Component:
    """Label / value pairs (`[{"label": ..., "value": ...}]`)."""
    return rx.el.dl(
        rx.foreach(
            rows,
            lambda row: rx.box(
                rx.el.dt(row["label"]),
                rx.el.dd(row["value"]),
                class_name="seen-fact",
            ),
        ),
        class_name="seen-facts",
    )


def _initials_placeholder(name: rx.Var) -> rx.Component:
    return rx.box(rx.icon("user", size=28), class_name="seen-person-fallback", title=name)


def person_card(credit: rx.Var) -> rx.Component:
    """A cast or crew member: profile thumbnail, name and character (or job), linking to their page."""
    return rx.link(
        rx.box(
            _initials_placeholder(credit["name"]),
            lazy_image(credit["profile_url"], credit["name"], "seen-person-img"),
            class_name="seen-person-thumb",
        ),
        rx.text(credit["name"], class_name="seen-person-name", title=credit["name"]),
        rx.text(
            rx.cond(credit["character"], credit["character"], rx.cond(credit["job"], credit["job"], "")),
            class_name="seen-person-role",
        ),
        href=credit["href"],
        class_name="seen-person-card",
        underline="none",
        data_testid="credit",
    )


def people_row(credits: rx.Var) -> rx.Component:
    return rx.box(rx.foreach(credits, person_card), class_name="seen-people-row")


def crew_list(credits: rx.Var) -> rx.Component:
    """Crew as a compact list: job, then the person's name linking to their page."""
    return rx.box(
        rx.foreach(
            credits,
            lambda credit: rx.box(
                rx.text(rx.cond(credit["job"], credit["job"], "Crew"), class_name="seen-crew-job"),
                rx.link(credit["name"], href=credit["href"], class_name="seen-crew-name", data_testid="crew"),
                class_name="seen-crew-item",
            ),
        ),
        class_name="seen-crew-list",
    )


def gallery(urls: rx.Var) -> rx.Component:
    """Screenshots, each opening full size in a new tab."""
    return rx.box(
        rx.foreach(
            urls,
            lambda url: rx.link(
                rx.image(src=url, alt="Screenshot", loading="lazy", decoding="async", class_name="seen-shot-img"),
                href=url,
                is_external=True,
                class_name="seen-shot",
            ),
        ),
        class_name="seen-gallery",
        data_testid="screenshots",
    )


def skeleton_lines(count: int = 3) -> rx.Component:
    return rx.vstack(
        *(rx.box(class_name="seen-skeleton seen-skeleton-line", width=f"{90 - 15 * i}%") for i in range(count)),
        spacing="2",
        width="100%",
    )


def people_skeleton(count: int = 8) -> rx.Component:
    return rx.box(
        *(
            rx.box(rx.box(class_name="seen-person-thumb seen-skeleton"), class_name="seen-person-card")
            for _ in range(count)
        ),
        class_name="seen-people-row",
    )


def detail_skeleton(*titles: str) -> rx.Component:
    """Placeholder sections while a title's details are fetched."""
    return rx.vstack(
        *(section(title, people_skeleton() if title == "Cast" else skeleton_lines()) for title in titles),
        spacing="5",
        width="100%",
        data_testid="detail-loading",
        aria_busy="true",
    )


def hero_skeleton() -> rx.Component:
    return rx.box(
        rx.box(
            rx.box(class_name="seen-poster seen-skeleton seen-detail-poster"),
            rx.vstack(
                rx.box(class_name="seen-skeleton seen-skeleton-line", width="120px"),
                rx.box(class_name="seen-skeleton seen-skeleton-title"),
                skeleton_lines(4),
                spacing="3",
                width="100%",
            ),
            class_name="seen-detail-hero-inner",
        ),
        class_name="seen-detail-hero",
        aria_busy="true",
    )


def freshness_notice(notice: rx.Var[str], stale: rx.Var[bool], loading: rx.Var[bool]) -> rx.Component:
    """What the page knows about its data: loading now, could not be loaded (why), or refreshing quietly."""
    return rx.cond(
        notice != "",
        rx.box(
            rx.hstack(rx.icon("circle-alert", size=16), rx.text(notice, size="2"), spacing="2", align="center"),
            class_name="seen-alert seen-alert-error",
            role="alert",
            data_testid="detail-notice",
        ),
        rx.cond(
            loading,
            rx.hstack(
                rx.spinner(size="1"),
                rx.text("Loading the details…", size="1"),
                spacing="2",
                align="center",
                class_name="seen-detail-hint",
                role="status",
                data_testid="detail-fetching",
            ),
            rx.cond(
                stale,
                rx.hstack(
                    rx.icon("refresh-cw", size=13),
                    rx.text("Refreshing in the background", size="1"),
                    spacing="2",
                    align="center",
                    class_name="seen-detail-hint",
                    role="status",
                    data_testid="detail-refreshing",
                ),
                rx.fragment(),
            ),
        ),
    )


def not_found(what: str, back_label: str, back_href: str) -> rx.Component:
    return rx.box(
        empty_state(
            "search-x",
            f"{what} not found",
            "It may have been removed from the catalogue, or the link is wrong.",
            rx.link(rx.button(back_label, variant="soft"), href=back_href),
        ),
        class_name="seen-card",
        width="100%",
        data_testid="not-found",
    )


def page_loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="40vh")


def detail_page(
    status: rx.Var[str], ready: rx.Component, *, what: str, back_label: str, back_href: str
) -> rx.Component:
    """Switch between loading, the page, and "not found"."""
    return rx.match(
        status,
        ("not_found", not_found(what, back_label, back_href)),
        ("ready", ready),
        page_loading(),
    )
