"""/app/recommendations in Chromium on both runs: a new person sees popular titles with reasons, a viewing and a
rating change what is recommended and why, "not interested" removes a card for good (undone from Hidden), and
a thumbs up shows at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import PageErrors, RunningApp, save_screenshot
from tests.e2e.test_detail_pages import FAKE_MOVIE, find_title
from tests.e2e.test_tracking_pages import person

pytestmark = pytest.mark.e2e


def card_of(page, media_id: int):
    return page.locator(f'[data-testid="rec-card"][data-media-id="{media_id}"]')


def test_recommendations_learn_from_history_and_votes(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    api = person(page, running_app, "Remy Recommended")
    movies = api.titles("movie", 3)
    # Given a person with no history, the page is full of popular titles saying so
    page.goto(running_app.url("/app/recommendations"))
    cards = page.get_by_test_id("rec-card")
    expect(cards.first).to_be_visible()
    expect(cards.first.get_by_test_id("rec-reasons")).to_contain_text("Popular")
    expect(page.get_by_test_id("rec-generated")).to_contain_text("Updated")
    # When they watch a film, rate it 4.5 and ask for fresh recommendations
    # (the demo catalogue's most popular film, or a film the TMDB fake knows in full, with similar titles)
    seed = movies[0] if running_app.uses_demo_catalogue else find_title(context, running_app, "movie", FAKE_MOVIE)
    details = api.call("GET", f"/media/{seed['id']}").json()  # its details and related titles are stored now
    api.call("POST", "/watched", json={"media_id": seed["id"]})
    api.call("POST", "/ratings", json={"media_id": seed["id"], "rating": 4.5})
    page.get_by_test_id("rec-refresh").click()
    expect(page.get_by_test_id("rec-feedback-notice")).to_contain_text("updated")
    # Then the film itself is gone and reasons speak of what they watch
    expect(card_of(page, seed["id"])).to_have_count(0)
    reasons = page.get_by_test_id("rec-reasons")
    expect(reasons.filter(has_text=re.compile(f"{re.escape(seed['title'])}|you watch")).first).to_be_visible()
    if not running_app.uses_demo_catalogue:
        # The provider's similar titles lead, naming the film and the rating
        assert details["media"]["similar"], "the fake's details of the film list similar titles"
        expect(reasons.first).to_contain_text(f"Similar to {seed['title']}, which you rated 4.5★")
    # (the screenshot after a reload: cards re-rendered in place may still show the previous poster for a moment)
    page.reload()
    expect(reasons.filter(has_text=re.compile(f"{re.escape(seed['title'])}|you watch")).first).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=rec-card] img')].slice(0, 5).every(i => i.complete)"
    )
    save_screenshot(page, "recommendations.png")
    # When they are not interested in the first card, it goes at once with an undo offered
    first = cards.first
    dismissed_id = int(first.get_attribute("data-media-id"))
    first.get_by_test_id("rec-not-interested").click()
    expect(card_of(page, dismissed_id)).to_have_count(0)
    expect(page.get_by_test_id("rec-undo-bar")).to_be_visible()
    # And it stays gone after a reload, listed under Hidden
    page.reload()
    expect(cards.first).to_be_visible()
    expect(card_of(page, dismissed_id)).to_have_count(0)
    page.get_by_test_id("rec-hidden-toggle").click()
    hidden = page.get_by_test_id("rec-hidden-item")
    expect(hidden).to_have_count(1)
    # When it is shown again from Hidden, it is back among the recommendations
    hidden.get_by_test_id("rec-restore").click()
    expect(page.get_by_test_id("rec-hidden-item")).to_have_count(0)
    expect(card_of(page, dismissed_id)).to_have_count(1)
    page.goto(running_app.url("/app/recommendations?type=movie"))
    expect(page.get_by_test_id("rec-tab-movie")).to_have_attribute("data-active", "true")
    expect(cards.first).to_be_visible()
    expect(cards.first.get_by_test_id("rec-reasons")).not_to_be_empty()
    # And a thumbs up shows as pressed at once
    up = cards.first.get_by_test_id("rec-up")
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("rec-feedback-notice")).to_contain_text("more like this")
    assert errors.take() == []
