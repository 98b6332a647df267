"""The notification centre in Chromium, on both setups: a person follows a show, the real release job (queued
by an admin's "check now", run by the app's job worker) tells them of its latest episode; the bell counts it,
the bell on the page they are looking at counts it without a reload, the centre lists it, marking read
empties the count, and the settings section keeps their choices.

The embedded run uses the demo catalogue's most popular show, the postgres-redis run the show the fake TMDB
knows in full; the check looks back exactly as far as the show's latest aired episode, so the test does not
depend on what airs this week.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from seen.components.notification_bell import REFRESH_SECONDS
from tests.e2e.conftest import PageErrors, RunningApp, save_screenshot, sign_in
from tests.e2e.test_accounts_in_browser import ADMIN
from tests.e2e.test_detail_pages import FAKE_SHOW, find_title
from tests.e2e.test_tracking_pages import Api

pytestmark = pytest.mark.e2e

PERSON = ("Nora Notified", "nora@example.com", "tracked and traced 9")
WAIT_S = 120


def latest_aired_episode(api: Api, show_id: int) -> dt.date:
    """The air date of the show's most recent episode that has aired (its seasons stored on the way)."""
    today = dt.datetime.now(dt.UTC).date()
    seasons = api.call("GET", f"/media/{show_id}").json()["media"]["seasons"]
    aired = [s for s in seasons if s["number"] >= 1 and s["air_date"] and dt.date.fromisoformat(s["air_date"]) <= today]
    assert aired, "the show has no aired season"
    for season in sorted(aired, key=lambda s: s["number"], reverse=True):
        deadline = time.monotonic() + WAIT_S
        while True:
            episodes = api.call("GET", f"/media/{show_id}/seasons/{season['number']}").json()["season"]["episodes"]
            if episodes or time.monotonic() > deadline:
                break
            time.sleep(1)
        dates = [
            dt.date.fromisoformat(e["air_date"])
            for e in episodes
            if e.get("air_date") and dt.date.fromisoformat(e["air_date"]) <= today
        ]
        if dates:
            return max(dates)
    raise AssertionError("no aired episode with a date")


def test_a_new_episode_reaches_the_bell_and_the_centre(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    # Given the admin (the first account of the run) and Nora, signed in
    httpx.post(
        running_app.url("/api/v1/auth/register"),
        json={"email": ADMIN[1], "password": ADMIN[2], "display_name": ADMIN[0]},
        timeout=15,
    )
    admin = Api(running_app, ADMIN[1], ADMIN[2])
    sign_in(page, running_app, *PERSON)
    nora = Api(running_app, PERSON[1], PERSON[2])
    # And Nora follows a show (on her watch later list) whose latest episode aired `back` days ago
    show = find_title(context, running_app, "show", FAKE_SHOW)
    last_aired = latest_aired_episode(nora, show["id"])
    back = (dt.datetime.now(dt.UTC).date() - last_aired).days
    assert 0 <= back <= 36_500, f"{show['title']}: latest episode aired {last_aired}"
    nora.call("POST", "/watch-later", json={"media_id": show["id"]})
    # And she is looking at her dashboard, with nothing unread
    page.goto(running_app.url("/app/dashboard"))
    bell = page.get_by_test_id("notification-bell")
    expect(bell).to_have_attribute("aria-label", "Notifications, none unread")
    expect(bell.get_by_test_id("notification-count")).to_have_count(0)
    # When the admin runs the release check now, looking back that far (again until the worker has run it:
    # a scheduled run holding the job's lock makes a check end at once)
    deadline = time.monotonic() + WAIT_S
    unread = 0
    while not unread:
        answer = admin.call("POST", "/notifications/releases/check", json={"lookback_days": back})
        assert answer.status_code == 202
        for _ in range(10):
            time.sleep(1)
            unread = nora.call("GET", "/notifications").json()["unread_count"]
            if unread:
                break
        assert time.monotonic() < deadline, "the release job never notified"
    # Then the bell in the top bar counts it without a reload (it reads the count again while shown)
    expect(bell.get_by_test_id("notification-count")).to_have_text(str(unread), timeout=(REFRESH_SECONDS + 15) * 1000)
    expect(bell).to_have_attribute("aria-label", f"Notifications, {unread} unread")
    # When she opens it
    bell.click()
    expect(page).to_have_url(re.compile(r"/app/notifications/?$"))
    # Then the centre lists the new episode, unread, linking to the show
    item = page.get_by_test_id("notification-item").filter(has_text=show["title"]).first
    expect(item).to_be_visible()
    expect(item).to_have_attribute("data-unread", "true")
    expect(item).to_have_attribute("data-kind", "new_episode")
    expect(item.get_by_test_id("notification-link")).to_have_attribute("href", f"/app/shows/{show['id']}")
    expect(item).to_contain_text("aired")
    save_screenshot(page, "notifications.png")
    # When she marks it read
    item.get_by_test_id("notification-mark-read").click()
    # Then it is no longer highlighted and the bell counts one less
    expect(item).to_have_attribute("data-unread", "false")
    expect(page.get_by_test_id("notifications-feedback-notice")).to_have_text("Marked as read")
    if unread == 1:
        expect(bell.get_by_test_id("notification-count")).to_have_count(0)
    else:
        expect(bell.get_by_test_id("notification-count")).to_have_text(str(unread - 1))
    # When she marks everything read and shows only unread ones
    mark_all = page.get_by_test_id("notifications-mark-all")
    if unread > 1:
        mark_all.click()
    expect(mark_all).to_be_disabled()
    page.get_by_test_id("notifications-filter-unread").click()
    # Then nothing is left, the bell says so too, and that holds after a reload
    expect(page.get_by_test_id("notifications-empty")).to_contain_text("Nothing unread")
    expect(bell.get_by_test_id("notification-count")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("notification-item").first).to_have_attribute("data-unread", "false")
    expect(page.get_by_test_id("notification-bell").get_by_test_id("notification-count")).to_have_count(0)
    assert nora.call("GET", "/notifications").json()["unread_count"] == 0

    # When she turns new-episode notifications off and the daily digest on, in Settings
    page.goto(running_app.url("/app/settings"))
    section = page.locator("#notifications")
    episodes_switch = section.get_by_test_id("notify-new_episode")
    expect(episodes_switch).to_have_attribute("data-state", "checked")
    episodes_switch.click()
    section.get_by_test_id("notify-daily_digest").click()
    section.get_by_test_id("notify-settings-save").click()
    # Then a confirmation shows, and the choices are kept
    expect(section.get_by_test_id("notify-settings-saved")).to_have_text("Notification settings saved")
    save_screenshot(page, "notification-settings.png")
    page.reload()
    section = page.locator("#notifications")
    expect(section.get_by_test_id("notify-new_episode")).to_have_attribute("data-state", "unchecked")
    expect(section.get_by_test_id("notify-daily_digest")).to_have_attribute("data-state", "checked")
    expect(section.get_by_test_id("notify-digest-hour")).to_have_text("08")
    expect(section.get_by_test_id("notify-downloads")).to_have_attribute("data-state", "checked")
    stored = nora.call("GET", "/notifications/settings").json()
    assert (stored["new_episode"], stored["daily_digest"], stored["downloads"]) == (False, True, True)
    assert errors.take() == []
