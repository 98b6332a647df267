"""The release calendar in Chromium on both runs: a new person follows a title with a release to come, finds
it in the month grid, the week and the agenda, narrows the calendar with filters that survive a reload, and
subscribes to the iCal feed (fetched like a calendar app would, then revoked).

The title: a demo film dated 18 Dec 2026 on the embedded run; on the postgres-redis run the fake TMDB's
upcoming film (dated 1 Jun 2031 in its recording), stored by the start-up sync of the Discover lists.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import PageErrors, RunningApp, save_screenshot
from tests.e2e.test_tracking_pages import Api, person

pytestmark = pytest.mark.e2e

DEMO_FILM = ("Avengers: Doomsday", "2026-12-18")
FAKE_FILM = ("Fixture Upcoming Film", "2031-06-01")
WAIT_S = 150


def upcoming_film(api: Api, app: RunningApp) -> tuple[dict, str]:
    """The film and its release day, once the catalogue has it."""
    title, day = DEMO_FILM if app.uses_demo_catalogue else FAKE_FILM
    deadline = time.monotonic() + WAIT_S
    while True:
        found = api.call("GET", "/search", params={"q": title, "type": "movie"}).json()["items"]
        match = [item for item in found if item["title"] == title]
        if match:
            return match[0], day
        assert time.monotonic() < deadline, f"the catalogue never had {title!r}: {[i['title'] for i in found]}"
        time.sleep(1)


def _choose(page: Page, test_id: str, option: str) -> None:
    page.get_by_test_id(test_id).click()
    page.get_by_role("option", name=option).first.click()


def test_a_followed_release_shows_in_every_view_and_in_the_feed(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    api = person(page, running_app, "Calla Calendar")
    film, day = upcoming_film(api, running_app)
    # Given a person who follows a film that comes out later
    api.call("POST", "/watch-later", json={"media_id": film["id"]})
    # When they open the calendar at its month, their titles only
    page.goto(running_app.url(f"/app/calendar?date={day}&tracked=1"))
    # Then the month grid shows the release on its day, as a link to the film
    cell = page.locator(f'[data-testid="calendar-day"][data-date="{day}"]')
    event = cell.get_by_test_id("calendar-event")
    expect(event).to_have_count(1)
    expect(event).to_contain_text(film["title"])
    expect(event).to_have_attribute("href", f"/app/movies/{film['id']}")
    expect(page.get_by_test_id("calendar-heading")).to_have_text(re.compile(r"^[A-Z][a-z]+ \d{4}$"))
    expect(page.get_by_test_id("filter-tracked")).to_have_attribute("data-state", "checked")
    save_screenshot(page, "calendar-month.png")
    # When the week view is chosen, the release is in that week (with its poster)
    page.get_by_test_id("calendar-view-week").click()
    expect(page).to_have_url(re.compile(r"view=week"))
    expect(page.get_by_test_id("calendar-week")).to_be_visible()
    expect(page.get_by_test_id("calendar-day")).to_have_count(7)
    expect(cell.get_by_test_id("calendar-event")).to_contain_text(film["title"])
    # And the agenda lists it under its day
    page.get_by_test_id("calendar-view-agenda").click()
    expect(page).to_have_url(re.compile(r"view=agenda"))
    agenda_day = page.locator(f'[data-testid="agenda-day"][data-date="{day}"]')
    expect(agenda_day.get_by_test_id("calendar-event")).to_contain_text(film["title"])
    save_screenshot(page, "calendar-agenda.png")
    # When the type filter asks for shows only, nothing matches, and a reload keeps the filter
    _choose(page, "filter-type", "Shows")
    expect(page).to_have_url(re.compile(r"type=show"))
    expect(page.get_by_test_id("calendar-empty")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("filter-type")).to_have_text("Shows")
    expect(page.get_by_test_id("calendar-empty")).to_be_visible()
    # And movies bring it back
    _choose(page, "filter-type", "Movies")
    expect(page).to_have_url(re.compile(r"type=movie"))
    expect(agenda_day.get_by_test_id("calendar-event")).to_contain_text(film["title"])
    # When they ask for a feed URL
    page.get_by_test_id("feed-create").click()
    feed = page.get_by_test_id("feed-url")
    expect(feed).to_have_value(re.compile(r"/api/v1/calendar\.ics\?token=[\w-]{40,}"))
    url = feed.input_value()
    assert "kind=movie" in url and "tracked=true" in url
    # Then a calendar app can fetch it without logging in, and finds the release in it
    address = urlsplit(url)
    answer = httpx.get(running_app.url(f"{address.path}?{address.query}"), timeout=30)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/calendar")
    assert answer.text.startswith("BEGIN:VCALENDAR\r\n")
    unfolded = answer.text.replace("\r\n ", "")
    if day <= "2027-12-04":  # the feed covers a year ahead: the fake's film is further away
        assert f"DTSTART;VALUE=DATE:{day.replace('-', '')}" in unfolded
        assert film["title"] in unfolded
    # When they revoke it, the URL stops working
    page.get_by_test_id("feed-revoke").click()
    expect(page.get_by_test_id("feed-create")).to_be_visible()
    assert httpx.get(running_app.url(f"{address.path}?{address.query}"), timeout=30).status_code == 404
    # And the release links to the film's page
    agenda_day.get_by_test_id("calendar-event").click()
    expect(page).to_have_url(re.compile(rf"/app/movies/{film['id']}$"))
    assert errors.take() == []
