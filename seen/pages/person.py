"""/app/people/[person_id]: a person's profile, facts, biography and filmography (newest first, with the
character played or the job done). Database first, like the title pages."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import date
from typing import Any

import reflex as rx

from seen.components.empty import empty_state
from seen.components.media_card import card_row
from seen.components.media_detail import (
    detail_page,
    facts,
    freshness_notice,
    lazy_image,
    section,
    section_when,
    skeleton_lines,
)
from seen.components.page import app_page
from seen.db import session_scope
from seen.pages.detail_state import KIND_LABELS, format_date, provider_settings, route_id
from seen.services import catalogue_sync, catalogue_views
from seen.services.catalogue_views import FilmographyLine, PersonView
from seen.services.errors import NotFound

KNOWN_FOR = 10


def read_person(person_id: int) -> PersonView:
    with session_scope() as session:
        return catalogue_views.person_view(session=session, person_id=person_id)


def ensure_person(person_id: int) -> catalogue_sync.Freshness:
    return catalogue_sync.ensure_person(person_id=person_id, settings=provider_settings())


def _age(born: str | None, died: str | None) -> str:
    if not born:
        return ""
    try:
        start = date.fromisoformat(born)
        end = date.fromisoformat(died) if died else date.today()
    except ValueError:
        return ""
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return f"{format_date(born)} ({'aged ' if died else 'age '}{years})"


def person_facts(view: PersonView) -> list[dict[str, str]]:
    rows = [
        ("Known for", view.known_for_department or ""),
        ("Born", _age(view.birthday, view.deathday) if not view.deathday else format_date(view.birthday)),
        ("Died", _age(view.birthday, view.deathday) if view.deathday else ""),
        ("Place of birth", view.place_of_birth or ""),
        ("Credits", str(len({line.media.id for line in view.credits})) if view.credits else ""),
    ]
    return [{"label": label, "value": value} for label, value in rows if value]


def filmography_line(line: FilmographyLine) -> dict[str, Any]:
    if line.role == "cast":
        role = f"as {line.character}" if line.character else "Cast"
    else:
        role = line.job or line.role.capitalize()
    return {
        "year": str(line.media.year) if line.media.year else "—",
        "title": line.media.title,
        "href": line.media.href,
        "type": KIND_LABELS.get(line.media.type, line.media.type),
        "role": role,
    }


def _by_year(lines: list[FilmographyLine]) -> list[FilmographyLine]:
    """Newest first; titles without a date (announced, not yet out) lead, as they are the newest."""
    return sorted(lines, key=lambda line: (line.media.year is not None, -(line.media.year or 0), line.media.title))


def known_for(view: PersonView) -> list[dict[str, Any]]:
    seen: set[int] = set()
    cards = []
    ranked = sorted(view.credits, key=lambda line: (line.role != "cast", -(line.media.vote_average or 0)))
    for line in ranked:
        if line.media.id not in seen:
            seen.add(line.media.id)
            cards.append(asdict(line.media))
        if len(cards) == KNOWN_FOR:
            break
    return cards


class PersonState(rx.State):
    status: str = "loading"  # loading | ready | not_found
    loading_details: bool = False
    notice: str = ""
    stale: bool = False
    profile: dict[str, str] = {}
    facts: list[dict[str, str]] = []
    known_for: list[dict[str, Any]] = []
    acting: list[dict[str, Any]] = []
    crew: list[dict[str, Any]] = []
    _shown_id: int = 0

    def _show(self, view: PersonView) -> None:
        self.profile = {
            "name": view.name,
            "department": view.known_for_department or "",
            "biography": view.biography or "",
            "profile_url": view.profile_url or "",
        }
        self.facts = person_facts(view)
        self.known_for = known_for(view)
        self.acting = [filmography_line(line) for line in _by_year([c for c in view.credits if c.role == "cast"])]
        self.crew = [filmography_line(line) for line in _by_year([c for c in view.credits if c.role != "cast"])]
        self.loading_details = not view.details_loaded

    @rx.event
    def load(self):
        self.notice = ""
        self.stale = False
        person_id = route_id(self.router._page.params.get("person_id"))
        if person_id is None:
            self.status = "not_found"
            return None
        try:
            view = read_person(person_id)
        except NotFound:
            self.status = "not_found"
            return None
        self._shown_id = person_id
        self._show(view)
        self.status = "ready"
        return PersonState.fetch

    @rx.event(background=True)
    async def fetch(self):
        async with self:
            person_id = self._shown_id
        if not person_id:
            return
        try:
            freshness = await asyncio.to_thread(ensure_person, person_id)
            view = await asyncio.to_thread(read_person, person_id)
        except NotFound:
            async with self:
                if self._shown_id == person_id:
                    self.status = "not_found"
            return
        async with self:
            if self._shown_id != person_id:
                return
            self._show(view)
            self.loading_details = False
            self.notice = freshness.notice or ""
            self.stale = freshness.state == "stale"


def credit_row(row: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(row["year"], class_name="seen-credit-year"),
        rx.vstack(
            rx.link(row["title"], href=row["href"], weight="medium", data_testid="filmography-title"),
            rx.text(row["type"], " · ", row["role"], size="1", color="var(--seen-muted)"),
            spacing="0",
            align="start",
            min_width="0",
        ),
        class_name="seen-credit-line",
        data_testid="filmography-line",
    )


def _filmography(title: str, rows: rx.Var, test_id: str) -> rx.Component:
    return section_when(
        rows, title, rx.box(rx.foreach(rows, credit_row), class_name="seen-credit-list"), test_id=test_id
    )


def _header() -> rx.Component:
    state = PersonState
    return rx.box(
        rx.box(
            rx.box(rx.icon("user", size=48), class_name="seen-person-fallback"),
            lazy_image(state.profile["profile_url"], state.profile["name"], "seen-person-img"),
            class_name="seen-person-thumb seen-person-portrait",
        ),
        rx.vstack(
            rx.text(
                rx.cond(state.profile["department"], state.profile["department"], "Person"),
                class_name="seen-detail-kicker",
            ),
            rx.heading(state.profile["name"], as_="h1", size="8", weight="bold", class_name="seen-detail-title"),
            rx.cond(
                state.loading_details,
                skeleton_lines(3),
                rx.cond(
                    state.profile["biography"],
                    rx.text(state.profile["biography"], class_name="seen-detail-overview seen-biography"),
                    rx.text("No biography yet.", class_name="seen-detail-overview", color="var(--seen-muted)"),
                ),
            ),
            spacing="2",
            align="start",
            min_width="0",
            width="100%",
        ),
        class_name="seen-person-header",
    )


def _ready() -> rx.Component:
    state = PersonState
    return rx.vstack(
        _header(),
        freshness_notice(state.notice, state.stale, state.loading_details),
        section_when(state.facts, "Facts", facts(state.facts), test_id="facts"),
        section_when(state.known_for, "Known for", card_row(state.known_for)),
        _filmography("Acting", state.acting, "filmography-acting"),
        _filmography("Crew", state.crew, "filmography-crew"),
        rx.cond(
            (state.acting.length() == 0) & (state.crew.length() == 0) & ~state.loading_details,
            section("Filmography", empty_state("film", "No credits stored", "Credits appear as titles are added.")),
            rx.fragment(),
        ),
        spacing="5",
        width="100%",
    )


@app_page("/app/people/[person_id]", "Person", on_load=[PersonState.load])
def person_page() -> rx.Component:
    return detail_page(
        PersonState.status, _ready(), what="Person", back_label="Back to Discover", back_href="/app/discover"
    )
