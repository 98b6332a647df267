"""Discover, the Movies / Shows / Games pages and search, as a person meets them in Chromium.

Both runs: "embedded" serves the bundled demo catalogue (no provider keys); "postgres-redis" syncs from
the local fake TMDB / IGDB (recorded responses), with a separate worker and scheduler. The first
catalogue sync runs when the server starts, so the first test waits for it.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.conftest import PHONE_WIDTH, PageErrors, RunningApp, page_width, save_screenshot, sign_in

pytestmark = pytest.mark.e2e

USER = ("Dana Discover", "dana@example.com", "popcorn and dice 7")
SYNC_TIMEOUT_S = 150
DETAIL_URL = re.compile(r"/app/(movies|shows|games|people)/\d+/?$")
# Per run: text typed in the top bar (a prefix), a typo'd query for the results page and the title it finds.
# The demo run uses the bundled catalogue; the fake run the recorded TMDB lists (tests/fixtures/tmdb/tv/top_rated).
QUERIES = {
    "embedded": {"prefix": "Godfa", "typo": "The Godfathr", "finds": "The Godfather"},
    "postgres-redis": {"prefix": "Breaki", "typo": "Braking Bad", "finds": "Breaking Bad"},
}
HOSTILE = "'; DROP TABLE media_items; --"
EMOJI = "🎬🍿" * 150  # 300 emoji


@pytest.fixture
def page(running_app: RunningApp, context: BrowserContext) -> Page:
    signed_in = context.new_page()
    sign_in(signed_in, running_app, *USER)
    return signed_in


def _rows_with_cards(page: Page) -> Locator:
    return page.get_by_test_id("discover-row").filter(has=page.get_by_test_id("media-card"))


def _wait_for_sections(page: Page, app: RunningApp, minimum: int) -> int:
    """The first sync runs at start: wait (reloading now and then) until `minimum` rows have cards."""
    deadline = time.monotonic() + SYNC_TIMEOUT_S
    last_reload = time.monotonic()
    while True:
        count = _rows_with_cards(page).count()
        if count >= minimum:
            return count
        assert time.monotonic() < deadline, f"only {count} Discover rows had titles after {SYNC_TIMEOUT_S}s"
        if time.monotonic() - last_reload > 20:
            page.goto(app.url("/app/discover"))
            last_reload = time.monotonic()
        page.wait_for_timeout(1000)


def _card_titles(page: Page) -> list[str]:
    return page.get_by_test_id("media-card").locator(".seen-card-title").all_inner_texts()


def _card_years(page: Page) -> list[int]:
    metas = page.get_by_test_id("media-card").locator(".seen-card-meta").all_inner_texts()
    return [int(match.group(0)) for meta in metas if (match := re.match(r"\d{4}", meta.strip()))]


def _assert_years(page: Page, year: int) -> None:
    years = _card_years(page)
    assert years and set(years) == {year}


def _assert_at_most(page: Page, most: int) -> None:
    assert _result_count(page) <= most


def _result_count(page: Page) -> int:
    text = page.get_by_test_id("result-count").inner_text()
    return int(re.match(r"\d+", text).group(0))


def _eventually(check, timeout: float = 20):
    """Retry `check` (an assertion) until it passes: data replaces the previous page's a moment after the URL."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def _choose(page: Page, test_id: str, option: str | re.Pattern) -> None:
    page.get_by_test_id(test_id).click()
    page.get_by_role("option", name=option).first.click()


def test_discover_shows_the_sections(running_app: RunningApp, page: Page):
    errors = PageErrors(page)
    # When the user opens Discover (the first sync may still be running)
    page.goto(running_app.url("/app/discover"))
    expect(page.get_by_role("heading", name="Discover", exact=True)).to_be_visible()
    # Then at least six section rows fill with titles, in the order of the sections
    _wait_for_sections(page, running_app, 6)
    sections = page.get_by_test_id("discover-row").evaluate_all("rows => rows.map(row => row.dataset.section)")
    assert sections[:3] == ["trending", "popular", "top_rated"]
    # And every card links to its detail page
    first_card = page.get_by_test_id("media-card").first
    assert re.search(r"^/app/(movies|shows|games)/\d+$", first_card.get_attribute("href"))
    # And the lead area shows one title
    expect(page.get_by_test_id("discover-hero")).to_be_visible()
    # And the demo catalogue says so only when it is the source
    if running_app.uses_demo_catalogue:
        expect(page.get_by_test_id("demo-badge")).to_be_visible()
        expect(page.get_by_test_id("demo-notice")).to_contain_text("TMDB")
    else:
        expect(page.get_by_test_id("demo-badge")).to_have_count(0)
    save_screenshot(page, "discover.png")
    assert errors.take() == []


def test_see_all_opens_the_section_with_pages_and_filters(running_app: RunningApp, page: Page):
    errors = PageErrors(page)
    page.goto(running_app.url("/app/discover"))
    _wait_for_sections(page, running_app, 1)
    # When the user follows "See all" on the Popular row
    page.get_by_role("link", name="See all Popular").click()
    # Then the section opens on the same page as a grid, its URL naming the section
    expect(page).to_have_url(re.compile(r"/app/discover/?\?section=popular$"))
    expect(page.get_by_test_id("section-title")).to_have_text("Popular")
    expect(page.get_by_test_id("media-card").first).to_be_visible()
    total = _result_count(page)
    first_page_titles = _card_titles(page)
    assert len(first_page_titles) == min(total, 20)
    if total > 20:
        # And with enough titles, Next moves to page 2 and shows other titles
        expect(page.get_by_test_id("page-status")).to_contain_text("Page 1 of")
        page.get_by_role("link", name="Next page").click()
        expect(page).to_have_url(re.compile(r"section=popular&page=2"))
        expect(page.get_by_test_id("page-number")).to_have_text("2")
        expect(page.get_by_test_id("media-card").first).to_be_visible()
        assert _card_titles(page)[0] not in first_page_titles
        # And the browser's back button returns to page 1
        page.go_back()
        expect(page.get_by_test_id("page-number")).to_have_text("1")
    # When the type filter is set to shows
    _choose(page, "filter-type", "Shows")
    expect(page).to_have_url(re.compile(r"type=show"))
    expect(page.get_by_test_id("filter-type")).to_have_text("Shows")
    # Then only shows remain: fewer titles, each linking to a show page
    expect(page.get_by_test_id("result-count")).not_to_have_text(f"{total} titles")
    expect(page.get_by_test_id("media-card").first).to_be_visible()
    shows = _result_count(page)
    assert 0 < shows < total
    hrefs = page.get_by_test_id("media-card").evaluate_all("cards => cards.map(card => card.getAttribute('href'))")
    assert hrefs and all(href.startswith("/app/shows/") for href in hrefs)
    assert errors.take() == []


def test_a_genre_chip_filters(running_app: RunningApp, page: Page):
    # Given the number of movies in the catalogue
    page.goto(running_app.url("/app/movies"))
    expect(page.get_by_test_id("media-card").first).to_be_visible()
    every_movie = _result_count(page)
    # When the user picks the Drama chip under "Browse by genre" on Discover
    page.goto(running_app.url("/app/discover"))
    _wait_for_sections(page, running_app, 1)
    page.get_by_test_id("genre-chips-movie").get_by_role("link", name="Drama", exact=True).click()
    # Then the Movies page opens filtered by that genre, and the list shrinks
    expect(page).to_have_url(re.compile(r"/app/movies/?\?genre=\d+$"))
    expect(page.get_by_test_id("filter-genre")).to_have_text("Drama")
    expect(page.get_by_test_id("result-count")).not_to_have_text(f"{every_movie} titles")
    expect(page.get_by_test_id("media-card").first).to_be_visible()
    dramas = _result_count(page)
    assert 0 < dramas < every_movie


def test_movies_are_filtered_and_sorted(running_app: RunningApp, page: Page):
    errors = PageErrors(page)
    page.goto(running_app.url("/app/movies"))
    expect(page.get_by_test_id("media-card").first).to_be_visible()
    total = _result_count(page)
    popular_titles = _card_titles(page)
    # When the user sorts by release date
    _choose(page, "filter-sort", "Release date")
    # Then the URL keeps the choice and the newest come first
    expect(page).to_have_url(re.compile(r"/app/movies/?\?sort=release_date$"))
    expect(page.get_by_test_id("filter-sort")).to_have_text("Release date")

    def newest_first() -> list[int]:
        years = _card_years(page)
        assert len(years) >= 2 and years == sorted(years, reverse=True)
        assert _card_titles(page) != popular_titles
        return years

    years = _eventually(newest_first)
    # When they filter by the year of one of the films
    year = years[-1]
    page.get_by_test_id("filter-year").fill(str(year))
    page.get_by_role("button", name="Apply").click()
    # Then only films of that year are listed, and the URL says so
    expect(page).to_have_url(re.compile(rf"year={year}"))
    expect(page.get_by_test_id("result-count")).not_to_have_text(f"{total} titles")
    _eventually(lambda: _assert_years(page, year))
    assert _result_count(page) < total
    save_screenshot(page, "movies.png")
    # And reloading the page keeps the filters
    page.reload()
    expect(page.get_by_test_id("filter-year")).to_have_value(str(year))
    _eventually(lambda: _assert_years(page, year))
    # And a year with nothing says so honestly
    page.goto(running_app.url("/app/movies?year=1871"))
    expect(page.get_by_text("No movies match these filters")).to_be_visible()
    assert errors.take() == []


def test_shows_and_games_filter(running_app: RunningApp, page: Page):
    # Shows: sorting by rating puts the best rated first
    page.goto(running_app.url("/app/shows?sort=rating"))
    expect(page.get_by_test_id("media-card").first).to_be_visible()
    expect(page.get_by_test_id("filter-sort")).to_have_text("Rating")
    ratings = [
        float(rating)
        for meta in page.get_by_test_id("media-card").locator(".seen-card-meta").all_inner_texts()
        for rating in re.findall(r"\d+\.\d", meta)
    ]
    assert len(ratings) >= 2 and ratings == sorted(ratings, reverse=True)
    # Games: a genre picked from the select narrows the list, and the URL keeps it
    page.goto(running_app.url("/app/games"))
    expect(page.get_by_test_id("media-card").first).to_be_visible()
    every_game = _result_count(page)
    page.get_by_test_id("filter-genre").click()
    genre = page.get_by_role("option").nth(1)
    genre_name = genre.inner_text()
    genre.click()
    expect(page).to_have_url(re.compile(r"/app/games/?\?genre=\d+$"))
    expect(page.get_by_test_id("filter-genre")).to_have_text(genre_name)
    expect(page.get_by_test_id("result-count")).not_to_have_text(f"{every_game} titles")
    with_genre = _result_count(page)
    assert with_genre < every_game
    # And the platform filter (offered once games with platforms are stored) narrows it again
    platforms = page.get_by_test_id("filter-platform")
    if platforms.count():
        platforms.click()
        platform = page.get_by_role("option").nth(1)
        platform_name = platform.inner_text()
        platform.click()
        expect(page).to_have_url(re.compile(r"\?genre=\d+&platform=\d+$"))
        expect(platforms).to_have_text(platform_name)
        _eventually(lambda: _assert_at_most(page, with_genre))


def test_top_bar_suggestions_and_keyboard(running_app: RunningApp, page: Page):
    errors = PageErrors(page)
    queries = QUERIES[running_app.name]
    page.goto(running_app.url("/app/discover"))
    _wait_for_sections(page, running_app, 1)
    box = page.get_by_test_id("search-input")
    # When the user types the start of a title in the top bar
    box.click()
    box.press_sequentially(queries["prefix"], delay=40)
    # Then suggestions appear with the title, its year and type
    suggestions = page.get_by_test_id("search-suggestion")
    expect(suggestions.first).to_be_visible()
    expect(page.get_by_role("listbox")).to_contain_text(queries["finds"])
    expect(suggestions.first).to_contain_text(re.compile(r"Movie|Show|Game|Person"))
    # When ArrowDown highlights the first suggestion, and Escape closes the list
    box.press("ArrowDown")
    expect(suggestions.first).to_have_attribute("data-active", "true")
    expect(box).to_have_attribute("aria-activedescendant", "seen-suggestion-0")
    box.press("Escape")
    expect(page.get_by_role("listbox")).to_have_count(0)
    # When the user types again, moves down and presses Enter
    box.press_sequentially("x", delay=40)
    box.press("Backspace")
    expect(suggestions.first).to_be_visible()
    target = suggestions.first.get_attribute("href")
    box.press("ArrowDown")
    expect(suggestions.first).to_have_attribute("data-active", "true")
    box.press("Enter")
    # Then the highlighted title's page opens
    expect(page).to_have_url(DETAIL_URL)
    assert page.url.rstrip("/").endswith(target)
    # And a click on a suggestion opens it too
    box.fill("")
    box.press_sequentially(queries["prefix"], delay=40)
    expect(suggestions.first).to_be_visible()
    suggestions.first.click()
    expect(page).to_have_url(DETAIL_URL)
    assert errors.take() == []


def test_results_page_finds_a_misspelt_title(running_app: RunningApp, page: Page):
    errors = PageErrors(page)
    queries = QUERIES[running_app.name]
    page.goto(running_app.url("/app/discover"))
    box = page.get_by_test_id("search-input")
    # When the user submits a misspelt title from the top bar (no suggestion highlighted)
    box.click()
    box.press_sequentially(queries["typo"], delay=30)
    box.press("Enter")
    # Then the results page lists the title it meant
    expect(page).to_have_url(re.compile(r"/app/search/?\?q=" + re.escape(quote(queries["typo"]))))
    _search_settles(page, queries["typo"])
    results = page.get_by_test_id("search-result")
    expect(results.filter(has_text=queries["finds"]).first).to_be_visible()
    save_screenshot(page, "search.png")
    # And the type tabs narrow the results
    page.get_by_role("link", name="People", exact=True).click()
    expect(page).to_have_url(re.compile(r"type=person"))
    expect(page.get_by_role("link", name="People", exact=True)).to_have_attribute("data-active", "true")
    _search_settles(page, queries["typo"])
    expect(results.filter(has_text=queries["finds"])).to_have_count(0)
    page.get_by_role("link", name="All", exact=True).click()
    expect(results.filter(has_text=queries["finds"]).first).to_be_visible()
    # And a result opens its page
    results.filter(has_text=queries["finds"]).first.click()
    expect(page).to_have_url(DETAIL_URL)
    assert errors.take() == []


def _search_settles(page: Page, shown: str) -> Locator:
    """Wait until the results page shows `shown` and has finished asking; returns its empty state."""
    expect(page.get_by_test_id("search-echo")).to_have_text(shown)
    expect(page.get_by_test_id("search-spinner")).to_have_count(0)
    empty = page.get_by_test_id("search-empty")
    expect(page.get_by_test_id("search-result").first.or_(empty)).to_be_visible()
    return empty


def test_hostile_queries_are_safe(running_app: RunningApp, page: Page):
    errors = PageErrors(page)
    page.goto(running_app.url("/app/discover"))
    box = page.get_by_test_id("search-input")
    # When the user searches for SQL from the top bar
    box.click()
    box.fill(HOSTILE)
    box.press("Enter")
    # Then the results page echoes the text and settles; nothing in the catalogue matches it
    expect(page).to_have_url(re.compile(r"/app/search/?\?q="))
    empty = _search_settles(page, HOSTILE)
    if running_app.uses_demo_catalogue:
        expect(empty).to_be_visible()
    # (The fake TMDB answers every search with the same recorded page, so that run lists those titles.)
    # When the query is 300 emoji (nothing to search for once normalised)
    page.goto(running_app.url(f"/app/search?q={quote(EMOJI)}"))
    # Then an empty state echoes it (cut to the first 200 characters), without asking anyone
    expect(_search_settles(page, EMOJI[:200])).to_be_visible()
    # When the query is non-Latin text with markup in it
    odd = "ש֓ﷺ 東京物語 ∑∫ <script>x</script>"
    page.goto(running_app.url(f"/app/search?q={quote(odd)}"))
    # Then it is shown as text, and the page settles
    empty = _search_settles(page, odd)
    if running_app.uses_demo_catalogue:
        expect(empty).to_be_visible()
    # And the catalogue is still there
    page.goto(running_app.url("/app/movies"))
    expect(page.get_by_test_id("media-card").first).to_be_visible()
    assert errors.take() == []


def test_discover_and_search_fit_a_phone(phone: BrowserContext, running_app: RunningApp):
    page = phone.new_page()
    sign_in(page, running_app, *USER)
    page.goto(running_app.url("/app/discover"))
    _wait_for_sections(page, running_app, 1)
    # Rows scroll sideways inside the page; nothing is wider than the screen
    assert page_width(page) <= PHONE_WIDTH
    row = _rows_with_cards(page).first.locator(".seen-card-row")
    assert row.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    save_screenshot(page, "discover-phone.png")
    # The grids reflow to the width
    page.goto(running_app.url("/app/movies"))
    expect(page.get_by_test_id("media-card").first).to_be_visible()
    assert page_width(page) <= PHONE_WIDTH
    # And the suggestions fit on the screen
    box = page.get_by_test_id("search-input")
    box.click()
    box.press_sequentially(QUERIES[running_app.name]["prefix"], delay=40)
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    bounds = listbox.bounding_box()
    assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= PHONE_WIDTH
