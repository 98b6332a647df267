"""The admin page's catalogue providers and jobs, in Chromium against the production build.

The embedded run has no provider keys (the demo catalogue serves); the postgres-redis run has the local
fake's TMDB and IGDB credentials in its environment.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import PageErrors, RunningApp, save_screenshot, sign_in
from tests.e2e.test_accounts_in_browser import ADMIN, expect_heading

pytestmark = pytest.mark.e2e

WRONG_KEY = "not-the-real-key-9876"


# A taller window than the default context's: the whole page fits without scrolling.
VIEWPORT_HEIGHT = 1000


def admin_page(context: BrowserContext, app: RunningApp) -> tuple[Page, PageErrors]:
    page = context.new_page()
    errors = PageErrors(page)
    # The admin exists when the account tests ran first; on its own this file creates it (the first account).
    sign_in(page, app, *ADMIN)
    page.goto(app.url("/app/admin"))
    expect_heading(page, "Catalogue providers")
    return page, errors


def show_providers(page: Page) -> None:
    """Scroll the providers section to the top of the window, below the sticky top bar."""
    page.get_by_test_id("catalogue-providers").evaluate("element => element.scrollIntoView({block: 'start'})")
    page.mouse.wheel(0, -80)


def test_connection(card, expected: str, ok: bool) -> None:
    card.get_by_role("button", name="Test connection").click()
    result = card.get_by_test_id("connection-result")
    expect(result).to_contain_text(expected)
    expect(result).to_have_attribute("data-ok", "true" if ok else "false")


test_connection.__test__ = False  # a helper, not a test


def test_tmdb_settings_and_connection_test(running_app: RunningApp, context: BrowserContext):
    page, errors = admin_page(context, running_app)
    tmdb = page.get_by_test_id("provider-tmdb")
    key_box = tmdb.locator("input[name=tmdb_api_key]")
    if running_app.uses_demo_catalogue:
        # Given no TMDB credentials anywhere: the card says so, and the test explains what to set
        expect(tmdb).to_contain_text("not configured")
        expect(key_box).to_have_attribute("placeholder", "not set")
        test_connection(tmdb, "TMDB is not configured", ok=False)
        show_providers(page)
        save_screenshot(page, "admin-providers.png")
    else:
        # Given the fake's credentials in the environment: shown masked, never in the box itself
        expect(tmdb).to_contain_text("configured")
        expect(key_box).to_have_attribute("placeholder", re.compile(r"^••••.{4} \(set\)$"))
        expect(key_box).to_have_value("")
        # Then the connection test reaches TMDB
        test_connection(tmdb, "Connected to TMDB", ok=True)
        # When a wrong key is saved over it
        key_box.fill(WRONG_KEY)
        tmdb.get_by_role("button", name="Save").click()
        expect(tmdb.get_by_role("status").filter(has_text="Saved: API key.")).to_be_visible()
        expect(key_box).to_have_attribute("placeholder", f"••••{WRONG_KEY[-4:]} (set)")
        expect(key_box).to_have_value("")
        # Then the connection test reports the refusal
        test_connection(tmdb, "TMDB rejected the API key", ok=False)
        # And an empty submit keeps the stored key
        tmdb.get_by_role("button", name="Save").click()
        expect(tmdb).to_contain_text("Nothing to change.")
        expect(key_box).to_have_attribute("placeholder", f"••••{WRONG_KEY[-4:]} (set)")
        show_providers(page)
        save_screenshot(page, "admin-providers.png")
        # When the stored key is cleared
        tmdb.get_by_role("button", name="Clear API key").click()
        expect(tmdb).to_contain_text("API key reset to the environment's value.")
        expect(key_box).not_to_have_attribute("placeholder", re.compile(WRONG_KEY[-4:]))
        # Then the environment's key is used again
        test_connection(tmdb, "Connected to TMDB", ok=True)
    assert errors.take() == []


def test_invalid_settings_are_refused_inline(running_app: RunningApp, context: BrowserContext):
    page, errors = admin_page(context, running_app)
    tmdb = page.get_by_test_id("provider-tmdb")
    # When a language that is not a language tag is saved
    tmdb.locator("input[name=tmdb_language]").fill("english please")
    tmdb.get_by_role("button", name="Save").click()
    # Then the form says which field is wrong, and nothing is stored
    expect(tmdb.get_by_role("alert")).to_contain_text("Language")
    page.reload()
    expect_heading(page, "Catalogue providers")
    expect(page.get_by_test_id("provider-tmdb").locator("input[name=tmdb_language]")).to_have_value("en-US")
    assert errors.take() == []


def test_igdb_connection_test(running_app: RunningApp, context: BrowserContext):
    page, errors = admin_page(context, running_app)
    igdb = page.get_by_test_id("provider-igdb")
    if running_app.uses_demo_catalogue:
        test_connection(igdb, "IGDB is not configured", ok=False)
    else:
        expect(igdb.locator("input[name=igdb_client_secret]")).to_have_attribute(
            "placeholder", re.compile(r"^••••.*\(set\)$")
        )
        test_connection(igdb, "Connected to IGDB", ok=True)
    assert errors.take() == []


def test_jobs_table_shows_schedules_and_last_runs(running_app: RunningApp, context: BrowserContext):
    page, errors = admin_page(context, running_app)
    row = page.get_by_role("row").filter(has=page.get_by_text("catalogue.sync_trending", exact=True))
    cells = row.get_by_role("cell")
    # The scheduled job is listed with its schedule
    expect(cells.nth(1)).to_have_text("every 10 min")
    # And, once the scheduler's first run is done (it runs at start), with its last run
    deadline = time.monotonic() + 90
    while cells.nth(2).inner_text().strip() in ("never run", "running"):
        assert time.monotonic() < deadline, row.inner_text()
        page.get_by_role("button", name="Refresh jobs").click()
        page.wait_for_timeout(1000)
    expect(cells.nth(2)).to_have_text("ok")
    expect(cells.nth(3)).to_have_text(re.compile(r"\d{4}, \d\d:\d\d UTC"))
    expect(cells.nth(4)).to_have_text(re.compile(r"^\d+ ms$|^\d+\.\d s$"))
    # The sync log lists what the job asked the catalogue's source
    page.get_by_role("button", name="Refresh sync log").click()
    log = page.get_by_test_id("catalogue-providers")
    expect(log.get_by_role("row").filter(has_text="section:trending").first).to_be_visible()
    # And "failures only" filters it
    ok_cells = log.get_by_role("cell", name="ok", exact=True)
    expect(ok_cells.first).to_be_visible()
    page.get_by_role("switch", name="Failures only").click()
    expect(ok_cells).to_have_count(0)
    page.get_by_role("switch", name="Failures only").click()
    assert errors.take() == []


def test_a_refused_key_leaves_a_notice_on_the_title_and_the_admin_page(
    running_app: RunningApp, context: BrowserContext
):
    if running_app.uses_demo_catalogue:
        pytest.skip("the demo catalogue needs no key")
    page, errors = admin_page(context, running_app)
    tmdb = page.get_by_test_id("provider-tmdb")
    # Given a wrong TMDB key saved over the environment's
    tmdb.locator("input[name=tmdb_api_key]").fill(WRONG_KEY)
    tmdb.get_by_role("button", name="Save").click()
    expect(tmdb.get_by_role("status").filter(has_text="Saved: API key.")).to_be_visible()
    try:
        # When a movie whose details were never fetched is opened (the lists store summaries only)
        candidates: list[dict] = []
        for section in ("popular", "top_rated", "now_playing", "upcoming", "trending"):
            answer = context.request.get(running_app.url(f"/api/v1/discover?section={section}&type=movie"))
            assert answer.ok, answer.text()
            candidates += [item for item in answer.json()["items"] if item["id"] not in {c["id"] for c in candidates}]
        assert candidates, "the scheduled list syncs stored no movie"
        notice = page.get_by_test_id("detail-notice")
        for movie in candidates:
            page.goto(running_app.url(f"/app/movies/{movie['id']}"))
            expect(page.get_by_role("heading", level=1, name=movie["title"], exact=True)).to_be_visible()
            expect(page.get_by_test_id("detail-loading")).to_have_count(0)
            if notice.count():
                break
        else:
            pytest.skip("every listed movie already had its details stored")
        # Then the page keeps what it has and says why the details are missing
        expect(notice).to_contain_text("Details could not be loaded right now")
        expect(notice).to_contain_text("credentials refused")
        expect(page.get_by_role("heading", level=1, name=movie["title"], exact=True)).to_be_visible()
        save_screenshot(page, "movie-notice.png")
        # And the admin page reports the refusal as the provider's last error
        page.goto(running_app.url("/app/admin"))
        expect(page.get_by_test_id("provider-tmdb").get_by_test_id("provider-last-error")).to_contain_text(
            "credentials refused"
        )
    finally:
        page.goto(running_app.url("/app/admin"))
        tmdb = page.get_by_test_id("provider-tmdb")
        tmdb.get_by_role("button", name="Clear API key").click()
        expect(tmdb).to_contain_text("API key reset to the environment's value.")
    test_connection(tmdb, "Connected to TMDB", ok=True)
    assert errors.take() == []


def test_allowed_download_hosts_saved_and_a_bad_entry_explained(running_app: RunningApp, context: BrowserContext):
    page, errors = admin_page(context, running_app)
    card = page.get_by_test_id("download-hosts")
    card.scroll_into_view_if_needed()
    box = card.get_by_label("Allowed download hosts")

    # When the admin allows a NAS and a private network (one per line) and saves
    box.fill("NAS.lan\n10.0.0.0/8")
    card.get_by_role("button", name="Save").click()
    # Then the section says how many are allowed, and the list is kept (normalised) across a reload
    expect(card.get_by_role("status")).to_have_text("Saved: 2 allowed hosts.")
    page.reload()
    expect(page.get_by_test_id("download-hosts").get_by_label("Allowed download hosts")).to_have_value(
        "nas.lan\n10.0.0.0/8"
    )

    # When an entry is neither a host name, an address nor a network
    card = page.get_by_test_id("download-hosts")
    card.get_by_label("Allowed download hosts").fill("nas.lan\nnot a host!")
    card.get_by_role("button", name="Save").click()
    # Then the reason names it, and what was stored is unchanged
    expect(card.get_by_role("alert")).to_contain_text("'not a host!' is not a host name")
    page.reload()
    card = page.get_by_test_id("download-hosts")
    expect(card.get_by_label("Allowed download hosts")).to_have_value("nas.lan\n10.0.0.0/8")

    # And emptying the list leaves downloads to public addresses (what the other tests expect)
    card.get_by_label("Allowed download hosts").fill("")
    card.get_by_role("button", name="Save").click()
    expect(card.get_by_role("status")).to_contain_text("downloads reach only public addresses")
    assert errors.take() == []
