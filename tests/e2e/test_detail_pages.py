"""The detail pages of titles, seasons and people, as a person meets them in Chromium.

Titles are found the way the app finds them, through the REST API with the browser's session: the embedded
run serves the bundled demo catalogue; the postgres-redis run asks the local fake TMDB/IGDB (recorded
responses), so a title found by search has no details yet and its page fetches them in the background.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import PageErrors, RunningApp, save_screenshot, sign_in
from tests.e2e.test_accounts_in_browser import ADMIN

pytestmark = pytest.mark.e2e

# Titles the recorded provider responses know in full (credits, seasons, platforms).
FAKE_MOVIE = "The Matrix"
FAKE_SHOW = "Game of Thrones"
FAKE_GAME = "The Witcher 3: Wild Hunt"


def signed_in(context: BrowserContext, app: RunningApp) -> tuple[Page, PageErrors]:
    page = context.new_page()
    errors = PageErrors(page)
    # The admin exists when the account tests ran first; on its own this file creates it (the first account).
    sign_in(page, app, *ADMIN)
    return page, errors


def api(context: BrowserContext, app: RunningApp, path: str) -> dict | list:
    answer = context.request.get(app.url(path))
    assert answer.ok, f"{path}: {answer.status} {answer.text()[:300]}"
    return answer.json()


def find_title(context: BrowserContext, app: RunningApp, kind: str, fake_title: str) -> dict:
    """A title of this kind: the demo catalogue's first (once the start-up sync stored it), or the fake's."""
    if app.uses_demo_catalogue:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = api(context, app, f"/api/v1/{kind}s?sort=popularity&page_size=5")["items"]
            if found:
                return found[0]
            time.sleep(1)
        raise AssertionError(f"the demo catalogue has no {kind}")
    found = api(context, app, f"/api/v1/search?q={fake_title}&type={kind}")["items"]
    match = [item for item in found if item["title"] == fake_title]
    assert match, f"search for {fake_title!r} found {[item['title'] for item in found]}"
    return match[0]


def title_heading(page: Page, title: str):
    return page.get_by_role("heading", level=1, name=title, exact=True)


def test_movie_page_shows_cast_that_leads_to_the_person(running_app: RunningApp, context: BrowserContext):
    page, errors = signed_in(context, running_app)
    # Given a movie in the catalogue
    movie = find_title(context, running_app, "movie", FAKE_MOVIE)
    # When its page is opened
    page.goto(running_app.url(f"/app/movies/{movie['id']}"))
    # Then the hero names it and, once the details are in, the cast is listed with links to people
    expect(title_heading(page, movie["title"])).to_be_visible()
    cast = page.get_by_test_id("cast").get_by_test_id("credit")
    expect(cast.first).to_be_visible()
    expect(page.get_by_test_id("detail-loading")).to_have_count(0)
    expect(page.get_by_test_id("facts")).to_be_visible()
    expect(page.get_by_test_id("detail-notice")).to_have_count(0)
    person_name = cast.first.locator(".seen-person-name").inner_text()
    assert person_name
    save_screenshot(page, "movie.png")
    # When a cast member is followed
    cast.first.click()
    # Then their page shows their name and lists the movie in the filmography, linking back to it
    expect(page).to_have_url(re.compile(r"/app/people/\d+/?$"))
    expect(title_heading(page, person_name)).to_be_visible()
    expect(page.get_by_test_id("detail-fetching")).to_have_count(0)
    expect(page.get_by_test_id("detail-notice")).to_have_count(0)
    acting = page.get_by_test_id("filmography-acting")
    back = acting.get_by_role("link", name=movie["title"], exact=True)
    expect(back.first).to_be_visible()
    expect(back.first).to_have_attribute("href", re.compile(rf"/app/movies/{movie['id']}/?$"))
    save_screenshot(page, "person.png")
    back.first.click()
    expect(page).to_have_url(re.compile(rf"/app/movies/{movie['id']}/?$"))
    expect(title_heading(page, movie["title"])).to_be_visible()
    if not running_app.uses_demo_catalogue:  # the demo catalogue has no related titles; TMDB's answer has
        # When a related title is followed (the same page, another id)
        related = page.get_by_test_id("media-card").filter(has_not_text=movie["title"])
        expect(related.first).to_be_visible()
        other = related.first.locator(".seen-card-title").inner_text()
        related.first.click()
        # Then its own details replace the first movie's
        expect(title_heading(page, other)).to_be_visible()
        expect(title_heading(page, movie["title"])).to_have_count(0)
    assert errors.take() == []


def test_show_page_leads_to_a_season_with_its_episodes(running_app: RunningApp, context: BrowserContext):
    page, errors = signed_in(context, running_app)
    # Given a show in the catalogue, opened on its page
    show = find_title(context, running_app, "show", FAKE_SHOW)
    page.goto(running_app.url(f"/app/shows/{show['id']}"))
    expect(title_heading(page, show["title"])).to_be_visible()
    # Then its seasons are listed, each with its episode count
    seasons = page.get_by_test_id("seasons").get_by_test_id("season")
    expect(seasons.first).to_be_visible()
    expect(page.get_by_test_id("seasons")).to_contain_text(re.compile(r"\d+ episodes?"))
    expect(page.get_by_test_id("detail-fetching")).to_have_count(0)
    save_screenshot(page, "show.png")
    # When a numbered season is opened (specials, season 0, may come first)
    numbered = seasons.filter(has_text=re.compile(r"Season [1-9]"))
    target = numbered.first if numbered.count() else seasons.first
    target.click()
    # Then the season page lists its episodes, with the way back to the show
    expect(page).to_have_url(re.compile(rf"/app/shows/{show['id']}/season/\d+/?$"))
    episodes = page.get_by_test_id("episode")
    expect(episodes.first).to_be_visible()
    expect(episodes.first).to_contain_text(re.compile(r"S\d\dE\d\d"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text("")
    save_screenshot(page, "season.png")
    # And the link back leads to the show
    page.get_by_test_id("back-to-show").click()
    expect(page).to_have_url(re.compile(rf"/app/shows/{show['id']}/?$"))
    expect(title_heading(page, show["title"])).to_be_visible()
    assert errors.take() == []


def test_season_navigation_moves_between_seasons(running_app: RunningApp, context: BrowserContext):
    page, errors = signed_in(context, running_app)
    show = find_title(context, running_app, "show", FAKE_SHOW)
    detail = api(context, running_app, f"/api/v1/media/{show['id']}")["media"]
    numbers = [season["number"] for season in detail["seasons"]]
    if len(numbers) < 2:
        pytest.skip("this catalogue's show has a single season")
    # Given the first season's page
    page.goto(running_app.url(f"/app/shows/{show['id']}/season/{numbers[0]}"))
    nav = page.get_by_test_id("season-nav")
    # Then there is no way back before it, and a way on to the next
    expect(nav.get_by_role("link")).to_have_count(1)
    first_label = "Specials" if numbers[0] == 0 else f"Season {numbers[0]}"
    expect(nav.get_by_role("link", name=first_label)).to_have_count(0)
    # When the next season is chosen
    nav.get_by_role("link").click()
    # Then that season's page opens, with the way back to the first
    expect(page).to_have_url(re.compile(rf"/season/{numbers[1]}/?$"))
    expect(nav.get_by_role("link", name=first_label)).to_be_visible()
    expect(page.get_by_test_id("episode").first).to_be_visible()
    assert errors.take() == []


def test_game_page_shows_platforms_and_release_dates(running_app: RunningApp, context: BrowserContext):
    page, errors = signed_in(context, running_app)
    # Given a game in the catalogue
    game = find_title(context, running_app, "game", FAKE_GAME)
    # When its page is opened
    page.goto(running_app.url(f"/app/games/{game['id']}"))
    expect(title_heading(page, game["title"])).to_be_visible()
    # Then its platforms and release dates are shown
    platforms = page.get_by_test_id("platforms").locator(".seen-chip")
    expect(platforms.first).to_be_visible()
    releases = page.get_by_test_id("release-dates")
    expect(releases.get_by_role("row").nth(1)).to_be_visible()
    expect(releases).to_contain_text(re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}|To be announced"))
    expect(page.get_by_test_id("detail-fetching")).to_have_count(0)
    expect(page.get_by_test_id("detail-notice")).to_have_count(0)
    save_screenshot(page, "game.png")
    assert errors.take() == []


@pytest.mark.parametrize(
    ("path", "message", "back"),
    [
        ("/app/movies/987654321", "Movie not found", "Back to movies"),
        ("/app/movies/not-a-number", "Movie not found", "Back to movies"),
        ("/app/shows/987654321", "Show not found", "Back to shows"),
        ("/app/shows/987654321/season/1", "Season not found", "Back to shows"),
        ("/app/games/0", "Game not found", "Back to games"),
        ("/app/people/987654321", "Person not found", "Back to Discover"),
    ],
)
def test_unknown_ids_say_not_found(
    running_app: RunningApp, context: BrowserContext, path: str, message: str, back: str
):
    page, errors = signed_in(context, running_app)
    # When a page is opened for an id the catalogue does not have
    page.goto(running_app.url(path))
    # Then it says so plainly, with a way back, and nothing breaks
    found = page.get_by_test_id("not-found")
    expect(found).to_contain_text(message)
    expect(found.get_by_role("link", name=back)).to_be_visible()
    assert errors.take() == []


def test_a_title_under_another_kind_address_is_sent_to_its_own_page(running_app: RunningApp, context: BrowserContext):
    page, errors = signed_in(context, running_app)
    show = find_title(context, running_app, "show", FAKE_SHOW)
    # When a show's id is opened as a movie
    page.goto(running_app.url(f"/app/movies/{show['id']}"))
    # Then the show's own page opens
    expect(page).to_have_url(re.compile(rf"/app/shows/{show['id']}/?$"))
    expect(title_heading(page, show["title"])).to_be_visible()
    assert errors.take() == []
