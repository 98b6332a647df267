"""The tracking controls a person uses on a title: watch later, watched (with dates and rewatches), half-star
rating, favourite, collections, playback progress, a show's progress and up next, a season's episode checks,
and a game's backlog editor.

They read and change `TrackingState`; the detail pages place them (the hero's action row, then a section).
"""

from __future__ import annotations

import reflex as rx

from seen.components.catalogue import filter_select
from seen.components.media_detail import section
from seen.pages.tracking_state import COMPLETION_LABELS, NO_CHOICE, STATUS_LABELS, TrackingState

STAR_SIZE = 22


def _toggle_button(
    on: rx.Var[bool], *, icon: str, label_on: str, label_off: str, on_click, test_id: str
) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=16, class_name=rx.cond(on, "seen-track-icon-on", "seen-track-icon")),
        rx.cond(on, label_on, label_off),
        variant=rx.cond(on, "solid", "soft"),
        on_click=on_click,
        aria_pressed=on,
        data_testid=test_id,
        size="2",
    )


def watch_later_toggle() -> rx.Component:
    return _toggle_button(
        TrackingState.in_watch_later,
        icon="bookmark",
        label_on="On watch later",
        label_off="Watch later",
        on_click=TrackingState.toggle_watch_later,
        test_id="watch-later-toggle",
    )


def favourite_toggle() -> rx.Component:
    return rx.icon_button(
        rx.icon("heart", size=18, class_name=rx.cond(TrackingState.favourite, "seen-track-icon-on", "")),
        variant="soft",
        color_scheme=rx.cond(TrackingState.favourite, "pink", "gray"),
        on_click=TrackingState.toggle_favourite,
        aria_pressed=TrackingState.favourite,
        aria_label=rx.cond(TrackingState.favourite, "Remove from favourites", "Add to favourites"),
        title=rx.cond(TrackingState.favourite, "Favourite", "Add to favourites"),
        data_testid="favourite-toggle",
        size="2",
    )


def _star(number: int) -> rx.Component:
    """One star: drawn empty, half or full; its left half rates n - 0.5, its right half n."""
    value = TrackingState.rating
    half = number - 0.5
    return rx.box(
        rx.icon("star", size=STAR_SIZE, class_name="seen-star-empty"),
        rx.cond(
            value >= number,
            rx.icon("star", size=STAR_SIZE, class_name="seen-star-fill"),
            rx.cond(value >= half, rx.icon("star-half", size=STAR_SIZE, class_name="seen-star-fill"), rx.fragment()),
        ),
        rx.el.button(
            class_name="seen-star-hit seen-star-left",
            on_click=TrackingState.rate(half),
            aria_label=f"Rate {half:g} stars",
            title=f"{half:g}",
            data_testid=f"rate-{half:g}",
            type="button",
        ),
        rx.el.button(
            class_name="seen-star-hit seen-star-right",
            on_click=TrackingState.rate(float(number)),
            aria_label=f"Rate {number} star{'s' if number != 1 else ''}",
            title=f"{number}",
            data_testid=f"rate-{number}",
            type="button",
        ),
        class_name="seen-star",
    )


def rating_stars() -> rx.Component:
    return rx.hstack(
        rx.box(*(_star(number) for number in range(1, 6)), class_name="seen-stars", role="group", aria_label="Rating"),
        rx.text(TrackingState.rating_label, size="2", color="var(--seen-muted)", data_testid="rating-label"),
        rx.cond(
            TrackingState.rating > 0,
            rx.button(
                "Clear", variant="ghost", size="1", on_click=TrackingState.clear_rating, data_testid="rating-clear"
            ),
            rx.fragment(),
        ),
        spacing="2",
        align="center",
        data_testid="rating",
    )


def _date_picker(confirm_label: str, on_confirm) -> rx.Component:
    """A calendar button opening a day picker (today at most) and a confirm button."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(
                rx.icon("calendar-days", size=16),
                variant="soft",
                size="2",
                aria_label="Pick the day",
                title="Watched on another day",
                data_testid="watch-date-open",
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.text("Watched on", size="2", weight="medium"),
                rx.input(
                    type="date",
                    value=TrackingState.watch_date,
                    max=TrackingState.today,
                    on_change=TrackingState.set_watch_date,
                    data_testid="watch-date",
                ),
                rx.popover.close(
                    rx.button(confirm_label, on_click=on_confirm, size="2", data_testid="watch-date-save"),
                ),
                spacing="2",
            ),
            side="bottom",
            align="start",
        ),
    )


def mark_watched_controls() -> rx.Component:
    """A movie: one viewing today, or on a picked day."""
    return rx.hstack(
        rx.button(
            rx.icon("circle-check", size=16),
            "Mark watched",
            on_click=TrackingState.mark_watched(False),
            size="2",
            data_testid="mark-watched",
        ),
        _date_picker("Save viewing", TrackingState.mark_watched(True)),
        spacing="1",
    )


def mark_show_controls() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("list-checks", size=16),
            "Mark whole show watched",
            on_click=TrackingState.mark_show_watched(False),
            size="2",
            data_testid="mark-show-watched",
        ),
        _date_picker("Mark all watched", TrackingState.mark_show_watched(True)),
        spacing="1",
    )


def _collection_row(entry: rx.Var) -> rx.Component:
    return rx.el.label(
        rx.checkbox(
            checked=entry["contains"].to(bool),
            on_change=lambda wanted: TrackingState.set_in_collection(entry["id"], wanted),
        ),
        rx.text(entry["name"], size="2", class_name="seen-collection-name"),
        class_name="seen-collection-option",
        data_testid="collection-option",
    )


def collection_picker() -> rx.Component:
    """Existing collections with check marks, and a new one made inline (the title is added to it)."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("folder-plus", size=16),
                "Collections",
                rx.cond(
                    TrackingState.collections_count > 0,
                    rx.badge(TrackingState.collections_count, variant="solid", size="1"),
                    rx.fragment(),
                ),
                variant="soft",
                size="2",
                data_testid="collections-open",
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.text("Add to collection", size="2", weight="medium"),
                rx.cond(
                    TrackingState.collection_choices.length() > 0,
                    rx.vstack(rx.foreach(TrackingState.collection_choices, _collection_row), spacing="1", width="100%"),
                    rx.text("No collections yet.", size="2", color="var(--seen-muted)"),
                ),
                rx.divider(),
                rx.form(
                    rx.hstack(
                        rx.input(
                            placeholder="New collection…",
                            value=TrackingState.new_collection,
                            on_change=TrackingState.set_new_collection,
                            max_length=120,
                            aria_label="New collection name",
                            data_testid="new-collection",
                        ),
                        rx.button("Create", type="submit", size="2", data_testid="new-collection-create"),
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=lambda _form: TrackingState.create_collection(),
                    width="100%",
                ),
                _inline_error(TrackingState.collection_error, "collection-error"),
                spacing="2",
                width="260px",
            ),
            side="bottom",
            align="start",
            data_testid="collections-popover",
        ),
    )


def confirmation() -> rx.Component:
    """What the last change did ("Added to watch later"), beside the controls; announced to screen readers."""
    return rx.cond(
        TrackingState.confirmation != "",
        rx.hstack(
            rx.icon("check", size=14),
            rx.text(TrackingState.confirmation, size="2"),
            spacing="1",
            align="center",
            class_name="seen-confirm",
            role="status",
            data_testid="tracking-confirmation",
        ),
        rx.fragment(),
    )


def _inline_error(message: rx.Var[str], test_id: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.box(message, class_name="seen-alert seen-alert-error", role="alert", data_testid=test_id),
        rx.fragment(),
    )


def title_actions() -> rx.Component:
    """The action row in a title's hero, for its kind."""
    return rx.cond(
        TrackingState.ready,
        rx.box(
            rx.match(
                TrackingState.kind,
                ("game", collection_picker()),
                (
                    "show",
                    rx.fragment(watch_later_toggle(), mark_show_controls(), favourite_toggle(), collection_picker()),
                ),
                rx.fragment(watch_later_toggle(), mark_watched_controls(), favourite_toggle(), collection_picker()),
            ),
            rx.cond(
                TrackingState.kind != "game",
                rx.fragment(rating_stars(), confirmation(), _inline_error(TrackingState.error, "tracking-error")),
                rx.fragment(),
            ),
            class_name="seen-track-actions",
            data_testid="tracking-actions",
        ),
        rx.fragment(),
    )


def _resume_lines() -> rx.Component:
    return rx.cond(
        TrackingState.resume.length() > 0,
        rx.vstack(
            rx.foreach(
                TrackingState.resume,
                lambda line: rx.hstack(
                    rx.icon("circle-play", size=16, color="var(--seen-accent)"),
                    rx.cond(line["episode"] != "", rx.text(line["episode"], size="2", weight="medium"), rx.fragment()),
                    rx.text(line["at"], " / ", line["percent"], size="2"),
                    spacing="2",
                    align="center",
                    data_testid="resume",
                ),
            ),
            spacing="1",
        ),
        rx.fragment(),
    )


def _viewing(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon("eye", size=14, color="var(--seen-muted)"),
        rx.text(row["when"], size="2"),
        rx.spacer(),
        rx.icon_button(
            rx.icon("x", size=14),
            variant="ghost",
            size="1",
            color_scheme="gray",
            on_click=TrackingState.remove_viewing(row["id"]),
            aria_label="Remove this viewing",
            title="Remove this viewing",
            data_testid="remove-viewing",
        ),
        align="center",
        class_name="seen-viewing",
        data_testid="viewing",
    )


def _up_next() -> rx.Component:
    following = TrackingState.up_next
    return rx.cond(
        following.contains("code"),
        rx.hstack(
            rx.vstack(
                rx.text("Up next", size="1", color="var(--seen-muted)"),
                rx.hstack(
                    rx.text(following["code"], weight="medium"),
                    rx.text(following["title"], class_name="seen-break"),
                    spacing="2",
                ),
                spacing="0",
                min_width="0",
            ),
            rx.spacer(),
            rx.button(
                rx.icon("circle-check", size=16),
                "Mark watched",
                variant="soft",
                size="2",
                on_click=TrackingState.mark_episode(following["season_number"], following["episode_number"]),
                data_testid="up-next-watched",
            ),
            align="center",
            width="100%",
            class_name="seen-up-next",
            data_testid="up-next",
        ),
        rx.fragment(),
    )


def _show_progress() -> rx.Component:
    return rx.cond(
        TrackingState.show_progress != "",
        rx.vstack(
            rx.text(TrackingState.show_progress, size="2", data_testid="show-progress"),
            rx.progress(value=TrackingState.show_percent, max=100, size="1", width="100%"),
            spacing="1",
            width="100%",
        ),
        rx.fragment(),
    )


def your_activity() -> rx.Component:
    """Below the hero of a movie or show: viewings (removable), where playback stopped, a show's progress."""
    summary = rx.text(TrackingState.watched_summary, size="2", data_testid="watched-summary")
    return rx.cond(
        TrackingState.ready & (TrackingState.kind != "game"),
        section(
            "Your activity",
            rx.cond(
                TrackingState.kind == "show",
                rx.vstack(_show_progress(), _up_next(), _resume_lines(), spacing="3", width="100%"),
                rx.vstack(
                    summary,
                    _resume_lines(),
                    rx.cond(
                        TrackingState.viewings.length() > 0,
                        rx.vstack(rx.foreach(TrackingState.viewings, _viewing), spacing="0", width="100%"),
                        rx.fragment(),
                    ),
                    spacing="3",
                    width="100%",
                    max_width="520px",
                ),
            ),
            test_id="your-activity",
        ),
        rx.fragment(),
    )


# -- a season's episodes ------------------------------------------------------------------------------------------


def episode_check(episode: rx.Var) -> rx.Component:
    """Beside an episode: watched or not; a click marks it or takes back its latest viewing. Unaired: disabled."""
    watched = TrackingState.season_watched.contains(episode["episode_number"])
    aired = episode["aired"].to(bool)
    return rx.el.button(
        rx.cond(watched, rx.icon("circle-check", size=22), rx.icon("circle", size=22)),
        on_click=TrackingState.toggle_episode(episode["season_number"], episode["episode_number"]),
        disabled=~aired,
        class_name=rx.cond(watched, "seen-episode-check seen-episode-check-on", "seen-episode-check"),
        aria_pressed=watched,
        aria_label=rx.cond(aired, rx.cond(watched, "Watched: unmark", "Mark watched"), "Not aired yet"),
        title=rx.cond(aired, rx.cond(watched, "Watched", "Mark watched"), "Not aired yet"),
        type="button",
        data_testid="episode-check",
    )


def season_actions() -> rx.Component:
    return rx.cond(
        TrackingState.ready,
        rx.hstack(
            rx.button(
                rx.icon("list-checks", size=16),
                "Mark season watched",
                on_click=TrackingState.mark_season_watched,
                size="2",
                data_testid="mark-season-watched",
            ),
            rx.text(TrackingState.season_watched.length(), " watched", size="2", color="var(--seen-muted)"),
            _inline_error(TrackingState.error, "tracking-error"),
            confirmation(),
            spacing="3",
            align="center",
            wrap="wrap",
            data_testid="season-actions",
        ),
        rx.fragment(),
    )


# -- a game's backlog ---------------------------------------------------------------------------------------------

STATUS_OPTIONS = [{"value": value, "label": label} for value, label in STATUS_LABELS.items()]
COMPLETION_OPTIONS = [{"value": value, "label": label} for value, label in COMPLETION_LABELS.items()]


def _field(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color="var(--seen-muted)"), control, spacing="1", class_name="seen-filter"
    )


def _backlog_input(name: str, label: str, **props) -> rx.Component:
    return _field(
        label,
        rx.input(
            value=TrackingState.backlog_form[name],
            on_change=lambda value: TrackingState.set_backlog_field(name, value),
            aria_label=label,
            data_testid=f"backlog-{name.replace('_', '-')}",
            **props,
        ),
    )


def backlog_editor(platform_options: rx.Var) -> rx.Component:
    """Status, platform (one of the game's), hours, completion level, dates and notes; save or remove."""
    form = TrackingState.backlog_form
    return rx.cond(
        TrackingState.ready & (TrackingState.kind == "game"),
        section(
            "Your backlog",
            rx.hstack(
                filter_select(
                    "Status",
                    form["status"],
                    STATUS_OPTIONS,
                    lambda value: TrackingState.set_backlog_field("status", value),
                    test_id="backlog-status",
                ),
                filter_select(
                    "Platform",
                    form["platform_id"],
                    platform_options,
                    lambda value: TrackingState.set_backlog_field("platform_id", value),
                    any_label="Not set",
                    test_id="backlog-platform",
                ),
                _backlog_input("hours_played", "Hours played", type="number", min=0, step=0.5, width="120px"),
                filter_select(
                    "Completion",
                    form["completion"],
                    COMPLETION_OPTIONS,
                    lambda value: TrackingState.set_backlog_field("completion", value),
                    any_label="Not set",
                    test_id="backlog-completion",
                ),
                _backlog_input("started_on", "Started", type="date", max=TrackingState.today),
                _backlog_input("finished_on", "Finished", type="date", max=TrackingState.today),
                spacing="4",
                wrap="wrap",
                align="end",
            ),
            _field(
                "Notes",
                rx.text_area(
                    value=form["notes"],
                    on_change=lambda value: TrackingState.set_backlog_field("notes", value),
                    max_length=4000,
                    rows="3",
                    aria_label="Notes",
                    data_testid="backlog-notes",
                    width="100%",
                ),
            ),
            _inline_error(TrackingState.backlog_error, "backlog-error"),
            rx.hstack(
                rx.button(
                    rx.icon("save", size=16),
                    rx.cond(TrackingState.in_backlog, "Save changes", "Add to backlog"),
                    on_click=TrackingState.save_backlog,
                    size="2",
                    data_testid="backlog-save",
                ),
                rx.cond(
                    TrackingState.in_backlog,
                    rx.button(
                        "Remove from backlog",
                        variant="soft",
                        color_scheme="red",
                        size="2",
                        on_click=TrackingState.remove_backlog,
                        data_testid="backlog-remove",
                    ),
                    rx.fragment(),
                ),
                confirmation(),
                spacing="3",
                align="center",
            ),
            test_id="backlog-editor",
        ),
        rx.fragment(),
    )


__all__ = [
    "NO_CHOICE",
    "backlog_editor",
    "collection_picker",
    "confirmation",
    "episode_check",
    "rating_stars",
    "season_actions",
    "title_actions",
    "your_activity",
]
