"""The personal pages — dashboard, watch later, watched (history) and stats — as a person meets them in Chromium.

Each test signs a new person in through the login page, then creates their records the way a client of the
REST API does (a bearer token from /api/v1/auth/login, titles from the catalogue: the demo catalogue on the
embedded run, the start-up sync from the fake TMDB on the postgres-redis run), and checks what the pages show.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import (
    PHONE_WIDTH,
    PageErrors,
    RunningApp,
    expect_titles,
    page_width,
    save_screenshot,
    sign_in,
)
from tests.e2e.test_detail_pages import FAKE_SHOW, find_title

pytestmark = pytest.mark.e2e

CATALOGUE_WAIT_S = 150
PASSWORD = "tracked and traced 9"


class Api:
    """The REST API as the signed-in person (bearer token)."""

    def __init__(self, app: RunningApp, email: str, password: str = PASSWORD) -> None:
        self.app = app
        answer = httpx.post(app.url("/api/v1/auth/login"), json={"email": email, "password": password}, timeout=15)
        assert answer.status_code == 200, answer.text
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def call(self, method: str, path: str, **kwargs) -> httpx.Response:
        answer = httpx.request(method, self.app.url(f"/api/v1{path}"), headers=self.headers, timeout=60, **kwargs)
        assert answer.status_code < 400, f"{method} {path}: {answer.status_code} {answer.text[:300]}"
        return answer

    def titles(self, kind: str, count: int) -> list[dict]:
        """`count` titles of this kind from the catalogue, waiting for the start-up sync to store them."""
        deadline = time.monotonic() + CATALOGUE_WAIT_S
        while True:
            found = self.call("GET", f"/{kind}s?sort=popularity&page_size={count}").json()["items"]
            if len(found) >= count:
                return found
            assert time.monotonic() < deadline, f"the catalogue has only {len(found)} {kind}s"
            time.sleep(1)

    def show_with_episodes(self, context: BrowserContext) -> tuple[dict, list[dict]]:
        """A show whose first numbered season has at least two episodes, and those episodes (on the fake
        run, the show the recorded responses know in full)."""
        shows = (
            self.titles("show", 5)
            if self.app.uses_demo_catalogue
            else [find_title(context, self.app, "show", FAKE_SHOW)]
        )
        for show in shows:
            seasons = self.call("GET", f"/media/{show['id']}").json()["media"]["seasons"]
            for season in seasons:
                if season["number"] < 1:
                    continue
                episodes = self.call("GET", f"/media/{show['id']}/seasons/{season['number']}").json()["season"][
                    "episodes"
                ]
                if len(episodes) >= 2:
                    return show, episodes
                break
        raise AssertionError("no show with episodes in the catalogue")


def person(page: Page, app: RunningApp, name: str) -> Api:
    email = f"{name.split()[0].lower()}@example.com"
    sign_in(page, app, name, email, PASSWORD)
    return Api(app, email)


def test_a_new_person_is_welcomed_with_ways_to_start(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    # Given a person who has tracked nothing yet
    person(page, running_app, "Nell Newcomer")
    # When they open the dashboard
    page.goto(running_app.url("/app/dashboard"))
    # Then a welcome offers Discover and the importers in Settings
    welcome = page.get_by_test_id("dashboard-welcome")
    expect(welcome).to_be_visible()
    expect(welcome.get_by_role("link", name="Go to Discover")).to_have_attribute("href", "/app/discover")
    expect(welcome.get_by_role("link", name="Import your history")).to_have_attribute("href", "/app/settings")
    # And the widgets say honestly what is not there yet
    expect(page.get_by_text("Nothing downloading")).to_be_visible()
    expect(page.get_by_text("Nothing in progress")).to_be_visible()
    expect(page.get_by_text("Nothing scheduled")).to_be_visible()
    # And recommendations are there from the start: popular titles, each with its reason
    first = page.get_by_test_id("recommended-item").first
    expect(first).to_be_visible()
    expect(first).to_contain_text("Popular")
    # And the other personal pages have friendly empty states
    page.goto(running_app.url("/app/watch-later"))
    expect(page.get_by_test_id("watch-later-empty")).to_be_visible()
    page.goto(running_app.url("/app/watched"))
    expect(page.get_by_test_id("history-empty")).to_contain_text("No viewing history")
    page.goto(running_app.url("/app/stats"))
    expect(page.get_by_test_id("stats-empty")).to_contain_text("No stats yet")
    assert errors.take() == []


def test_watch_later_keeps_its_order_across_a_reload(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    api = person(page, running_app, "Wanda Watchlist")
    # Given three movies and a show saved for later, in this order
    movies = api.titles("movie", 3)
    show = api.titles("show", 1)[0]
    for title in [*movies, show]:
        api.call("POST", "/watch-later", json={"media_id": title["id"]})
    names = [movies[0]["title"], movies[1]["title"], movies[2]["title"], show["title"]]
    # When the list is opened
    page.goto(running_app.url("/app/watch-later"))
    rows = page.get_by_test_id("watch-later-item")
    # Then it shows them in that order, with the count
    expect(rows).to_have_count(4)
    expect_titles(rows, names)
    expect(page.get_by_test_id("watch-later-count")).to_have_text("4 titles")
    # When the first moves down and the last moves to the top
    rows.nth(0).get_by_test_id("move-down").click()
    expect(rows.nth(1)).to_contain_text(names[0])
    rows.nth(3).get_by_role("button", name="Move to the top").click()
    expected = [names[3], names[1], names[0], names[2]]
    expect(rows.nth(0)).to_contain_text(names[3])
    expect_titles(rows, expected)
    # Then the order survives a reload (it was stored, and the API agrees)
    page.reload()
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text(names[3])
    expect_titles(rows, expected)
    stored = api.call("GET", "/watch-later").json()["items"]
    assert [item["title"] for item in stored] == expected
    save_screenshot(page, "watch-later.png")
    # When only movies are shown
    page.get_by_role("navigation", name="Types").get_by_role("link", name="Movies", exact=True).click()
    expect(page).to_have_url(re.compile(r"/app/watch-later/?\?type=movie$"))
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text=names[3])).to_have_count(0)
    # When a movie is marked watched from the list
    rows.filter(has_text=names[2]).get_by_role("button", name="Mark watched").click()
    # Then it leaves the list and is in the history
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("watch-later-count")).to_have_text("2 titles")
    history = api.call("GET", "/watched").json()["items"]
    assert [entry["media"]["title"] for entry in history] == [names[2]]
    # When another is removed
    rows.filter(has_text=names[1]).get_by_test_id("remove").click()
    expect(rows).to_have_count(1)
    page.goto(running_app.url("/app/watch-later"))
    expect(rows).to_have_count(2)
    expect_titles(rows, [names[3], names[0]])
    assert errors.take() == []


def test_history_filters_edits_and_deletes(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    api = person(page, running_app, "Hal History")
    # Given two movies watched in January and March, and two episodes of a show in February
    first, second = api.titles("movie", 2)
    show, episodes = api.show_with_episodes(context)
    api.call("POST", "/watched", json={"media_id": first["id"], "watched_at": "2026-01-10T20:00:00Z"})
    api.call("POST", "/watched", json={"media_id": second["id"], "watched_at": "2026-03-05T21:30:00Z"})
    for number, episode in enumerate(episodes[:2], start=1):
        api.call(
            "POST",
            "/watched",
            json={
                "media_id": show["id"],
                "season_number": episode["season_number"],
                "episode_number": episode["episode_number"],
                "watched_at": f"2026-02-0{number}T19:00:00Z",
            },
        )
    code = f"S{episodes[1]['season_number']:02d}E{episodes[1]['episode_number']:02d}"
    # When the history is opened
    page.goto(running_app.url("/app/watched"))
    entries = page.get_by_test_id("history-entry")
    # Then every viewing is listed newest first, episodes with their code, and the summary counts them
    expect(entries).to_have_count(4)
    expect(entries.nth(0)).to_contain_text(second["title"])
    expect(entries.nth(0)).to_contain_text("5 Mar 2026, 21:30 UTC")
    expect(entries.nth(1).get_by_test_id("history-episode")).to_have_text(code)
    expect(page.get_by_test_id("summary-movies")).to_have_text("2")
    expect(page.get_by_test_id("summary-episodes")).to_have_text("2")
    save_screenshot(page, "watched.png")
    # When only episodes are asked for
    page.get_by_test_id("filter-type").click()
    page.get_by_role("option", name="Episodes").click()
    page.get_by_test_id("apply-filters").click()
    # Then the URL keeps the filter and only the show's viewings are listed, also after a reload
    expect(page).to_have_url(re.compile(r"/app/watched/?\?type=show$"))
    expect(entries).to_have_count(2)
    page.reload()
    expect(entries).to_have_count(2)
    expect(page.get_by_test_id("filter-type")).to_have_text("Episodes")
    expect(entries.first).to_contain_text(show["title"])
    # When the filters are cleared and a date range is chosen
    page.goto(running_app.url("/app/watched"))
    expect(entries).to_have_count(4)
    page.get_by_test_id("filter-since").fill("2026-01-01")
    page.get_by_test_id("filter-until").fill("2026-01-31")
    page.get_by_test_id("apply-filters").click()
    # Then only January's viewing is listed
    expect(page).to_have_url(re.compile(r"from=2026-01-01&to=2026-01-31"))
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text(first["title"])
    # And a range that ends before it starts is refused with a message
    page.get_by_test_id("filter-since").fill("2026-02-01")
    page.get_by_test_id("apply-filters").click()
    expect(page.get_by_test_id("history-error")).to_contain_text("after")
    # When a title is searched for
    page.goto(running_app.url("/app/watched?q=" + quote(second["title"])))
    expect(entries).to_have_count(1)
    expect(page.get_by_test_id("filter-query")).to_have_value(second["title"])
    # And its date is edited
    entries.first.get_by_test_id("edit-viewing").click()
    page.get_by_test_id("edit-watched-at").fill("2025-12-24T20:15")
    page.get_by_test_id("save-viewing").click()
    # Then the new date is shown and stored
    expect(entries.first).to_contain_text("24 Dec 2025, 20:15 UTC")
    stored = api.call("GET", "/watched").json()["items"]
    edited = next(entry for entry in stored if entry["media"]["id"] == second["id"])
    assert datetime.fromisoformat(edited["watched_at"]).astimezone(UTC) == datetime(2025, 12, 24, 20, 15, tzinfo=UTC)
    # When a date in the future is tried, the service's refusal is shown
    entries.first.get_by_test_id("edit-viewing").click()
    page.get_by_test_id("edit-watched-at").fill("2099-01-01T10:00")
    page.get_by_test_id("save-viewing").click()
    expect(page.get_by_role("dialog")).to_contain_text("future")
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_test_id("history-error")).to_have_count(0)
    # When the viewing is deleted, after confirming
    entries.first.get_by_test_id("delete-viewing").click()
    expect(page.get_by_role("alertdialog")).to_contain_text(second["title"])
    page.get_by_test_id("confirm-delete").click()
    # Then it is gone from the page and from the history
    expect(page.get_by_test_id("history-empty")).to_contain_text("No viewing matches")
    assert len(api.call("GET", "/watched").json()["items"]) == 3
    assert errors.take() == []


def test_stats_and_dashboard_show_what_was_tracked(
    running_app: RunningApp, context: BrowserContext, phone: BrowserContext
):
    page = context.new_page()
    errors = PageErrors(page)
    api = person(page, running_app, "Stella Stats")
    # Given movies watched this month, ratings, one movie half watched and one saved for later
    movies = api.titles("movie", 4)
    for movie, rating in zip(movies[:2], (4.5, 3), strict=True):
        api.call("POST", "/watched", json={"media_id": movie["id"]})
        api.call("POST", "/ratings", json={"media_id": movie["id"], "rating": rating})
    api.call(
        "POST", "/progress", json={"media_id": movies[2]["id"], "position_seconds": 1800, "duration_seconds": 6000}
    )
    api.call("POST", "/watch-later", json={"media_id": movies[3]["id"]})
    # And a game being played and one wished for
    playing, wished = api.titles("game", 2)
    api.call("PUT", f"/games/{playing['id']}/backlog", json={"status": "active", "hours_played": 12.5})
    api.call("PUT", f"/games/{wished['id']}/backlog", json={"status": "wishlist"})
    # When the stats are opened
    page.goto(running_app.url("/app/stats"))
    # Then the totals count them and the charts draw bars
    expect(page.get_by_test_id("total-movies")).to_have_text("2")
    expect(page.get_by_test_id("total-rated")).to_have_text("2")
    expect(page.get_by_test_id("total-games")).to_have_text("2")
    expect(page.get_by_test_id("chart-titles").locator(".recharts-bar-rectangle").first).to_be_visible()
    expect(page.get_by_test_id("chart-ratings").locator(".recharts-bar-rectangle").first).to_be_visible()
    # And every top genre the API reports has its own bar
    genres = api.call("GET", "/stats").json()["top_genres"]
    assert genres, "the watched movies have genres"
    expect(page.get_by_test_id("chart-genres").locator(".recharts-bar-rectangle")).to_have_count(len(genres))
    save_screenshot(page, "stats.png")
    # When the dashboard is opened
    page.goto(running_app.url("/app/dashboard"))
    # Then continue watching shows the half-watched movie with its progress
    resume = page.get_by_test_id("continue-item").filter(has_text=movies[2]["title"])
    expect(resume).to_be_visible()
    expect(resume.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "30")
    # And what was watched and saved is there, without the welcome
    expect(page.get_by_test_id("recently-watched-item")).to_have_count(2)
    expect(page.get_by_test_id("watch-later-total")).to_contain_text("1 on your list")
    expect(page.get_by_test_id("dashboard-welcome")).to_have_count(0)
    # And the game backlog counts by status and lists the game being played, with its hours
    expect(page.get_by_test_id("backlog-counts")).to_contain_text("Playing 1")
    expect(page.get_by_test_id("backlog-counts")).to_contain_text("Wishlist 1")
    game = page.get_by_test_id("backlog-item").filter(has_text=playing["title"]).first
    expect(game).to_contain_text("12.5 h")
    expect(game.get_by_test_id("backlog-status")).to_have_text("Playing")
    # And recommendations leave out every title already watched, started or saved
    recommended = page.get_by_test_id("recommended-item")
    expect(recommended.first).to_be_visible()
    shown = recommended.all_inner_texts()
    assert not [movie["title"] for movie in movies if any(text.startswith(movie["title"]) for text in shown)], shown
    if running_app.uses_demo_catalogue:
        # And a film she saves that comes out this month is listed under upcoming releases, with its day
        film = api.call("GET", "/search", params={"q": "Avengers: Doomsday", "type": "movie"}).json()["items"][0]
        api.call("POST", "/watch-later", json={"media_id": film["id"]})
        page.reload()
        upcoming = page.get_by_test_id("upcoming-item").filter(has_text=film["title"])
        expect(upcoming).to_contain_text("Fri 18 Dec")
        expect(upcoming).to_have_attribute("href", f"/app/movies/{film['id']}")
    save_screenshot(page, "dashboard.png")
    # And the sidebar leads to the stats
    page.locator("nav.seen-sidebar").get_by_role("link", name="Stats", exact=True).click()
    expect(page).to_have_url(re.compile(r"/app/stats/?$"))
    assert errors.take() == []
    # And on a phone, with all this data, no page is wider than the screen
    on_phone = phone.new_page()
    sign_in(on_phone, running_app, "Stella Stats", "stella@example.com", PASSWORD)
    for path, ready in (
        ("/app/dashboard", "continue-item"),
        ("/app/watch-later", "watch-later-item"),
        ("/app/watched", "history-entry"),
        ("/app/stats", "chart-titles"),
        ("/app/calendar", "calendar-heading"),
        ("/app/calendar?view=agenda", "calendar-heading"),
        ("/app/recommendations", "rec-card"),
        ("/app/notifications", "notifications-mark-all"),
    ):
        on_phone.goto(running_app.url(path))
        expect(on_phone.get_by_test_id(ready).first).to_be_visible()
        assert page_width(on_phone) <= PHONE_WIDTH, path


def test_a_long_history_is_paged(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    api = person(page, running_app, "Rita Rewatch")
    # Given one movie watched 55 times, once a day
    movie = api.titles("movie", 1)[0]
    for day in range(55):
        moment = datetime(2026, 1, 1, 20, tzinfo=UTC).replace(day=1 + day % 28, month=1 + day // 28)
        api.call("POST", "/watched", json={"media_id": movie["id"], "watched_at": moment.isoformat()})
    # When the history is opened
    page.goto(running_app.url("/app/watched"))
    entries = page.get_by_test_id("history-entry")
    # Then the first page holds fifty viewings and says there is a second
    expect(entries).to_have_count(50)
    expect(page.get_by_test_id("history-count")).to_have_text("55 viewings")
    expect(page.get_by_test_id("page-status")).to_have_text("Page 1 of 2")
    # When the next page is opened
    page.get_by_role("link", name="Next page").click()
    # Then the URL says so and the oldest five are there
    expect(page).to_have_url(re.compile(r"/app/watched/?\?page=2$"))
    expect(entries).to_have_count(5)
    expect(entries.last).to_contain_text("1 Jan 2026, 20:00 UTC")
    assert errors.take() == []
