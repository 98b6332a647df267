"""The tracking controls as a person uses them in Chromium: a movie (watch later, viewings on chosen days,
half-star rating, favourite, a new collection), the bookmark on cards, a show's season (episode checks,
the whole season), the show's progress and up next, and a game's backlog, on both runs.

After each step the REST API, read with the browser's own session, must say the same as the page.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import PHONE_WIDTH, PageErrors, RunningApp, page_width, save_screenshot, sign_in
from tests.e2e.test_detail_pages import FAKE_GAME, FAKE_MOVIE, FAKE_SHOW, api, find_title, title_heading

pytestmark = pytest.mark.e2e

TRACKER = ("Tess Tracker", "tess@example.com", "moon river 7")


def signed_in(context: BrowserContext, app: RunningApp) -> tuple[Page, PageErrors]:
    page = context.new_page()
    errors = PageErrors(page)
    sign_in(page, app, *TRACKER)
    return page, errors


def eventually(check, timeout: float = 20):
    """Retry an assertion on the REST state: the page confirms a moment before the next read."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def title_state(context: BrowserContext, app: RunningApp, media_id: int) -> dict:
    return api(context, app, f"/api/v1/media/{media_id}/state")


def viewings_of(context: BrowserContext, app: RunningApp, media_id: int) -> list[dict]:
    items = api(context, app, f"/api/v1/watched?media_id={media_id}&page_size=100")["items"]
    return [item for item in items if item["media"]["id"] == media_id]


def pressed(locator) -> None:
    expect(locator).to_have_attribute("aria-pressed", "true")


def not_pressed(locator) -> None:
    expect(locator).to_have_attribute("aria-pressed", "false")


def test_a_movie_tracked_from_its_page(running_app: RunningApp, context: BrowserContext):
    page, errors = signed_in(context, running_app)
    movie = find_title(context, running_app, "movie", FAKE_MOVIE)
    media_id = movie["id"]
    # Given the movie's page
    page.goto(running_app.url(f"/app/movies/{media_id}"))
    expect(title_heading(page, movie["title"])).to_be_visible()
    actions = page.get_by_test_id("tracking-actions")
    expect(actions).to_be_visible()
    expect(page.get_by_test_id("watched-summary")).to_have_text("Not watched yet")

    # When it is put on the watch later list
    toggle = page.get_by_test_id("watch-later-toggle")
    not_pressed(toggle)
    toggle.click()
    # Then the button says so, with a confirmation, and so does the API
    pressed(toggle)
    expect(toggle).to_contain_text("On watch later")
    expect(page.get_by_test_id("tracking-confirmation")).to_have_text("Added to watch later")
    eventually(lambda: _assert(title_state(context, running_app, media_id)["in_watch_later"] is True))

    # When it is marked watched today, then again on a day picked in the past
    page.get_by_test_id("mark-watched").click()
    today = datetime.now(UTC).strftime("%-d %b %Y")
    expect(page.get_by_test_id("watched-summary")).to_have_text(f"Watched once, last on {today}")
    page.get_by_test_id("watch-date-open").click()
    page.get_by_test_id("watch-date").fill("2024-05-01")
    page.get_by_test_id("watch-date-save").click()
    # Then both viewings are listed (newest first) and counted
    viewings = page.get_by_test_id("viewing")
    expect(viewings).to_have_count(2)
    expect(viewings.nth(1)).to_contain_text("1 May 2024")
    expect(page.get_by_test_id("watched-summary")).to_have_text(f"Watched 2 times, last on {today}")
    eventually(lambda: _assert(title_state(context, running_app, media_id)["times_watched"] == 2))
    days = sorted(item["watched_at"][:10] for item in viewings_of(context, running_app, media_id))
    assert days[0] == "2024-05-01"

    # When a day in the future is picked
    page.get_by_test_id("watch-date-open").click()
    page.get_by_test_id("watch-date").fill((datetime.now(UTC).date() + timedelta(days=30)).isoformat())
    page.get_by_test_id("watch-date-save").click()
    # Then the refusal is shown and nothing is added
    expect(page.get_by_test_id("tracking-error")).to_contain_text("future")
    expect(viewings).to_have_count(2)

    # When the older viewing is removed
    viewings.filter(has_text="1 May 2024").get_by_test_id("remove-viewing").click()
    # Then one is left, on the page and in the API
    expect(viewings).to_have_count(1)
    expect(page.get_by_test_id("tracking-error")).to_have_count(0)
    eventually(lambda: _assert(title_state(context, running_app, media_id)["times_watched"] == 1))

    # When it is rated three and a half stars
    page.get_by_test_id("rate-3.5").click()
    expect(page.get_by_test_id("rating-label")).to_have_text("3.5 / 5")
    expect(page.get_by_test_id("tracking-confirmation")).to_have_text("Rated 3.5 / 5")
    eventually(lambda: _assert(title_state(context, running_app, media_id)["rating"] == 3.5))
    # And then five
    page.get_by_test_id("rate-5").click()
    expect(page.get_by_test_id("rating-label")).to_have_text("5 / 5")
    eventually(lambda: _assert(title_state(context, running_app, media_id)["rating"] == 5))

    # When it is made a favourite
    heart = page.get_by_test_id("favourite-toggle")
    heart.click()
    pressed(heart)
    eventually(lambda: _assert(title_state(context, running_app, media_id)["favourite"] is True))

    # When a new collection is made from the picker
    page.get_by_test_id("collections-open").click()
    page.get_by_test_id("new-collection").fill("Sunday films")
    page.get_by_test_id("new-collection-create").click()
    # Then the movie is in it: checked in the picker and listed by the API
    option = page.get_by_test_id("collection-option").filter(has_text="Sunday films")
    expect(option.get_by_role("checkbox")).to_have_attribute("data-state", "checked")
    expect(page.get_by_test_id("collections-open")).to_contain_text("1")
    eventually(lambda: _assert(_collection_titles(context, running_app, "Sunday films") == [media_id]))
    # And a second collection of the same name is refused with a message
    page.get_by_test_id("new-collection").fill("Sunday films")
    page.get_by_test_id("new-collection-create").click()
    expect(page.get_by_test_id("collection-error")).to_be_visible()
    page.keyboard.press("Escape")
    save_screenshot(page, "tracking-movie.png")

    # When the page is opened again, everything is as it was left
    page.reload()
    expect(page.get_by_test_id("watch-later-toggle")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("rating-label")).to_have_text("5 / 5")
    expect(page.get_by_test_id("viewing")).to_have_count(1)
    pressed(page.get_by_test_id("favourite-toggle"))

    # When the rating is cleared and the title taken off watch later
    page.get_by_test_id("rating-clear").click()
    expect(page.get_by_test_id("rating-label")).to_have_text("Not rated")
    page.get_by_test_id("watch-later-toggle").click()
    not_pressed(page.get_by_test_id("watch-later-toggle"))
    state = eventually(lambda: _checked(title_state(context, running_app, media_id), in_watch_later=False, rating=None))
    assert state["favourite"] is True
    assert errors.take() == []


def _assert(condition: bool) -> None:
    assert condition


def _checked(state: dict, **expected) -> dict:
    for name, value in expected.items():
        assert state[name] == value, f"{name}: {state[name]!r} != {value!r}"
    return state


def _collection_titles(context: BrowserContext, app: RunningApp, name: str) -> list[int]:
    listed = api(context, app, "/api/v1/collections")
    match = [entry for entry in listed if entry["name"] == name]
    assert len(match) == 1, f"collections: {[entry['name'] for entry in listed]}"
    detail = api(context, app, f"/api/v1/collections/{match[0]['id']}")
    return [item["media"]["id"] for item in detail["items"]]


def test_the_bookmark_on_cards(running_app: RunningApp, context: BrowserContext):
    page, errors = signed_in(context, running_app)
    # Given the movies page (the titles of the catalogue as cards)
    page.goto(running_app.url("/app/movies"))
    card = page.locator(".seen-card-shell").first
    expect(card).to_be_visible()
    href = card.get_by_test_id("media-card").get_attribute("href")
    media_id = int(re.search(r"/(\d+)/?$", href).group(1))
    bookmark = card.get_by_test_id("card-watch-later")
    already = title_state(context, running_app, media_id)["in_watch_later"]
    # When its bookmark is pressed (it shows on hover)
    card.hover()
    expect(bookmark).to_be_visible()
    bookmark.click()
    # Then the page stays, the bookmark is on, and the title is on the list
    expect(page).to_have_url(re.compile(r"/app/movies/?$"))
    expect(bookmark).to_have_attribute("aria-pressed", "false" if already else "true")
    eventually(lambda: _assert(title_state(context, running_app, media_id)["in_watch_later"] is not already))
    listed = [item["id"] for item in api(context, running_app, "/api/v1/watch-later?page_size=100")["items"]]
    assert (media_id in listed) is not already
    save_screenshot(page, "tracking-card-bookmark.png")
    # And its page agrees
    card.get_by_test_id("media-card").click()
    expect(page).to_have_url(re.compile(rf"/app/movies/{media_id}/?$"))
    expect(page.get_by_test_id("watch-later-toggle")).to_have_attribute("aria-pressed", "false" if already else "true")
    # When it is taken off from the page, the cards elsewhere follow
    page.get_by_test_id("watch-later-toggle").click()
    expect(page.get_by_test_id("watch-later-toggle")).to_have_attribute("aria-pressed", "true" if already else "false")
    page.goto(running_app.url("/app/movies"))
    shell = page.locator(".seen-card-shell").filter(has=page.locator(f'a[href$="/app/movies/{media_id}"]'))
    expect(shell.get_by_test_id("card-watch-later")).to_have_attribute("aria-pressed", "true" if already else "false")
    assert errors.take() == []


def _open_numbered_season(page: Page, app: RunningApp, context: BrowserContext, show: dict) -> int:
    detail = api(context, app, f"/api/v1/media/{show['id']}")["media"]
    numbers = [season["number"] for season in detail["seasons"] if season["number"] > 0]
    assert numbers, "the show has no numbered season"
    page.goto(app.url(f"/app/shows/{show['id']}/season/{numbers[0]}"))
    expect(page.get_by_test_id("episode").first).to_be_visible()
    expect(page.get_by_test_id("detail-fetching")).to_have_count(0)
    return numbers[0]


def test_a_season_and_a_show_tracked(running_app: RunningApp, context: BrowserContext):
    page, errors = signed_in(context, running_app)
    show = find_title(context, running_app, "show", FAKE_SHOW)
    media_id = show["id"]
    # Given the show's first numbered season
    number = _open_numbered_season(page, running_app, context, show)
    checks = page.get_by_test_id("episode-check")
    expect(checks.first).to_be_visible()
    first = checks.first
    not_pressed(first)
    # When the first episode is checked
    first.click()
    # Then it shows as watched, and the history has that episode
    pressed(first)
    eventually(
        lambda: _assert(
            [(v["season_number"], v["episode_number"]) for v in viewings_of(context, running_app, media_id)]
            == [(number, 1)]
        )
    )
    # When it is clicked again, its viewing is taken back
    first.click()
    not_pressed(first)
    eventually(lambda: _assert(viewings_of(context, running_app, media_id) == []))

    # When the whole season is marked
    page.get_by_test_id("mark-season-watched").click()
    # Then every aired episode is checked, once, and unaired ones stay disabled
    aired = page.locator('[data-testid="episode-check"]:not([disabled])')
    aired_count = aired.count()
    assert aired_count > 0
    expect(page.locator('[data-testid="episode-check"][aria-pressed="true"]')).to_have_count(aired_count)
    eventually(lambda: _assert(len(viewings_of(context, running_app, media_id)) == aired_count))
    save_screenshot(page, "tracking-season.png")
    # And marking it again adds nothing
    page.get_by_test_id("mark-season-watched").click()
    expect(page.get_by_test_id("tracking-confirmation")).to_have_text(re.compile("already watched"))
    assert len(viewings_of(context, running_app, media_id)) == aired_count

    # When the show's page is opened
    page.get_by_test_id("back-to-show").click()
    expect(title_heading(page, show["title"])).to_be_visible()
    progress = page.get_by_test_id("show-progress")
    expect(progress).to_contain_text(re.compile(rf"^{aired_count} of \d+ episodes"))
    total = int(re.search(r"of (\d+)", progress.inner_text()).group(1))
    save_screenshot(page, "tracking-show.png")
    if total > aired_count:
        # Then up next names the episode after the season, and marking it moves the progress on
        up_next = page.get_by_test_id("up-next")
        expect(up_next).to_contain_text(re.compile(r"S\d\dE\d\d"))
        page.get_by_test_id("up-next-watched").click()
        expect(progress).to_contain_text(f"{aired_count + 1} of {total} episodes")
    # When the whole show is marked watched
    page.get_by_test_id("mark-show-watched").click()
    # Then every episode counts, there is nothing up next, and the history agrees
    expect(progress).to_contain_text(f"{total} of {total} episodes")
    expect(page.get_by_test_id("up-next")).to_have_count(0)
    eventually(lambda: _assert(len(viewings_of(context, running_app, media_id)) == total))
    assert errors.take() == []


def _choose(page: Page, test_id: str, option: str | re.Pattern) -> None:
    page.get_by_test_id(test_id).click()
    page.get_by_role("option", name=option).first.click()


def test_a_game_backlog_edited(running_app: RunningApp, context: BrowserContext):
    page, errors = signed_in(context, running_app)
    game = find_title(context, running_app, "game", FAKE_GAME)
    media_id = game["id"]
    # Given the game's page
    page.goto(running_app.url(f"/app/games/{media_id}"))
    expect(title_heading(page, game["title"])).to_be_visible()
    editor = page.get_by_test_id("backlog-editor")
    expect(editor).to_be_visible()
    expect(page.get_by_test_id("detail-fetching")).to_have_count(0)
    # Then a game has no watch later, watched or rating controls, only collections
    expect(page.get_by_test_id("watch-later-toggle")).to_have_count(0)
    expect(page.get_by_test_id("mark-watched")).to_have_count(0)
    expect(page.get_by_test_id("rating")).to_have_count(0)
    expect(page.get_by_test_id("collections-open")).to_be_visible()

    # When it is added as played on one of its platforms, with hours, completion, dates and notes
    _choose(page, "backlog-status", "Playing")
    page.get_by_test_id("backlog-platform").click()
    platform = page.get_by_role("option").nth(1)  # the first is "Not set"
    platform_name = platform.inner_text()
    platform.click()
    page.get_by_test_id("backlog-hours-played").fill("12.5")
    _choose(page, "backlog-completion", "Main story")
    page.get_by_test_id("backlog-started-on").fill("2025-01-02")
    page.get_by_test_id("backlog-notes").fill("Stopped before the last act")
    page.get_by_test_id("backlog-save").click()
    # Then it says it is saved, and the API has every field
    expect(page.get_by_test_id("tracking-confirmation")).to_have_text("Backlog saved")
    expect(page.get_by_test_id("backlog-remove")).to_be_visible()
    entry = eventually(lambda: _backlog(context, running_app, media_id, status="active"))
    assert entry["hours_played"] == 12.5
    assert entry["completion"] == "main"
    assert entry["started_on"] == "2025-01-02"
    assert entry["notes"] == "Stopped before the last act"
    assert platform_name in str(entry.get("platform_name") or entry.get("platform") or entry)
    save_screenshot(page, "tracking-game.png")

    # When hours are not a number, or it is finished before it was started
    page.get_by_test_id("backlog-hours-played").fill("-3")
    page.get_by_test_id("backlog-save").click()
    # Then the message is shown beside the form and nothing changes
    expect(page.get_by_test_id("backlog-error")).to_be_visible()
    page.get_by_test_id("backlog-hours-played").fill("20")
    _choose(page, "backlog-status", "Completed")
    page.get_by_test_id("backlog-finished-on").fill("2024-12-01")
    page.get_by_test_id("backlog-save").click()
    expect(page.get_by_test_id("backlog-error")).to_be_visible()
    assert _backlog(context, running_app, media_id, status="active")["hours_played"] == 12.5

    # When the finish date is fixed
    page.get_by_test_id("backlog-finished-on").fill("2025-02-03")
    page.get_by_test_id("backlog-save").click()
    expect(page.get_by_test_id("backlog-error")).to_have_count(0)
    entry = eventually(lambda: _backlog(context, running_app, media_id, status="completed"))
    assert entry["finished_on"] == "2025-02-03"
    assert entry["hours_played"] == 20

    # When it is removed from the backlog
    page.get_by_test_id("backlog-remove").click()
    expect(page.get_by_test_id("backlog-remove")).to_have_count(0)
    eventually(lambda: _assert(context.request.get(running_app.url(f"/api/v1/games/{media_id}/backlog")).status == 404))
    assert errors.take() == []


def _backlog(context: BrowserContext, app: RunningApp, media_id: int, **expected) -> dict:
    answer = context.request.get(app.url(f"/api/v1/games/{media_id}/backlog"))
    assert answer.ok, f"{answer.status} {answer.text()[:200]}"
    return _checked(answer.json(), **expected)


def test_on_a_phone_the_bookmark_shows_without_hover(phone: BrowserContext, running_app: RunningApp):
    # Given a touch screen the width of a phone
    page = phone.new_page()
    errors = PageErrors(page)
    sign_in(page, running_app, *TRACKER)
    # When the movies are listed
    page.goto(running_app.url("/app/movies"))
    bookmark = page.get_by_test_id("card-watch-later").first
    expect(bookmark).to_be_visible()
    # Then the bookmark is shown on the card without hovering (there is no hover on touch)
    expect(bookmark).to_have_css("opacity", "1")
    # And a movie's controls fit the screen: nothing sticks out sideways
    page.get_by_test_id("media-card").first.click()
    expect(page.get_by_test_id("tracking-actions")).to_be_visible()
    assert page_width(page) <= PHONE_WIDTH
    assert errors.take() == []
