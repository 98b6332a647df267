"""Collections (with their public shared page), the game backlog on /app/games, and the "Your data" settings
(imports with a dry run, exports, scrobbling URLs, the watched threshold), in Chromium on both runs.

Each test signs a new person in through the login page and creates their records over REST as that person
(titles from the demo catalogue on the embedded run, from the fake TMDB / IGDB on the postgres-redis run).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import PHONE_WIDTH, PageErrors, RunningApp, expect_titles, page_width, save_screenshot
from tests.e2e.test_detail_pages import FAKE_GAME, find_title
from tests.e2e.test_tracking_pages import person

pytestmark = pytest.mark.e2e

UNKNOWN_FILM = ("A Film Nobody Ever Made", "1901")


def letterboxd_zip(films: list[tuple[str, str]]) -> bytes:
    """A small Letterboxd export: every film in watched.csv, the first rated 4.5 in ratings.csv."""

    def table(header: list[str], rows: list[list[str]]) -> str:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(rows)
        return text.getvalue()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "watched.csv",
            table(
                ["Date", "Name", "Year", "Letterboxd URI"],
                [
                    [f"2026-01-0{number}", name, year, f"https://boxd.it/{number}"]
                    for number, (name, year) in enumerate(films, 1)
                ],
            ),
        )
        archive.writestr(
            "ratings.csv",
            table(
                ["Date", "Name", "Year", "Letterboxd URI", "Rating"],
                [["2026-01-01", *films[0], "https://boxd.it/1", "4.5"]],
            ),
        )
    return buffer.getvalue()


def test_a_collection_is_made_ordered_shared_and_unshared(
    running_app: RunningApp, context: BrowserContext, browser: Browser
):
    page = context.new_page()
    errors = PageErrors(page)
    api = person(page, running_app, "Colette Collector")
    # Given a person with no collections
    page.goto(running_app.url("/app/collections"))
    expect(page.get_by_test_id("collections-empty")).to_be_visible()
    # When they create one with a name and a description
    page.get_by_test_id("collection-name").fill("Rainy Sundays")
    page.get_by_test_id("collection-description").fill("Films for staying in")
    page.get_by_test_id("collection-create").click()
    # Then its card shows up, empty
    card = page.get_by_test_id("collection-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Rainy Sundays")
    expect(card).to_contain_text("0 titles")
    # And a second collection of the same name is refused with a message
    page.get_by_test_id("collection-name").fill("Rainy Sundays")
    page.get_by_test_id("collection-create").click()
    expect(page.get_by_test_id("collection-create-error")).to_be_visible()
    expect(card).to_have_count(1)
    # Given three titles added to it over REST
    collection_id = api.call("GET", "/collections").json()[0]["id"]
    titles = [*api.titles("movie", 2), api.titles("show", 1)[0]]
    for title in titles:
        api.call("POST", f"/collections/{collection_id}/items", json={"media_id": title["id"]})
    names = [title["title"] for title in titles]
    # When the list is opened again
    page.reload()
    # Then the card counts them
    expect(card).to_contain_text("3 titles")
    save_screenshot(page, "collections.png")
    # When the collection is opened
    card.click()
    expect(page).to_have_url(re.compile(rf"/app/collections/{collection_id}$"))
    rows = page.get_by_test_id("collection-item")
    expect(rows).to_have_count(3)
    expect_titles(rows, names)
    expect(page.get_by_test_id("collection-description-text")).to_have_text("Films for staying in")
    # When the first moves down and the last moves to the top
    rows.nth(0).get_by_test_id("move-down").click()
    expect(rows.nth(1)).to_contain_text(names[0])
    rows.nth(2).get_by_role("button", name="Move to the top").click()
    expected = [names[2], names[1], names[0]]
    expect(rows.nth(0)).to_contain_text(names[2])
    # Then the order is stored (a reload and the API agree)
    page.reload()
    expect(rows).to_have_count(3)
    expect_titles(rows, expected)
    stored = api.call("GET", f"/collections/{collection_id}").json()["items"]
    assert [entry["media"]["title"] for entry in stored] == expected
    # When it is renamed
    page.get_by_test_id("collection-edit").click()
    page.get_by_test_id("edit-name").fill("Sunday Afternoons")
    page.get_by_test_id("edit-save").click()
    expect(page.get_by_test_id("collection-title")).to_have_text("Sunday Afternoons")
    # When one title is removed
    rows.filter(has_text=names[1]).get_by_test_id("remove").click()
    expect(rows).to_have_count(2)
    # When it is shared
    expect(page.get_by_test_id("share-link")).to_have_count(0)
    page.get_by_test_id("share-toggle").click()
    link_box = page.get_by_test_id("share-link")
    expect(link_box).to_have_value(re.compile(r"/shared/collections/[\w-]{20,}$"))
    link = link_box.input_value()
    save_screenshot(page, "collection-detail.png")
    # Then someone without an account opens the link and sees it read-only, with the owner's name
    visitor = browser.new_context(viewport={"width": 1280, "height": 860})
    try:
        shared = visitor.new_page()
        visitor_errors = PageErrors(shared)
        shared.goto(link)
        expect(shared.get_by_test_id("shared-title")).to_have_text("Sunday Afternoons")
        expect(shared.get_by_test_id("shared-owner")).to_contain_text("Colette Collector")
        expect(shared.get_by_test_id("shared-owner")).to_contain_text("2 titles")
        cards = shared.get_by_test_id("media-card")
        expect(cards).to_have_count(2)
        expect(cards.nth(0)).to_contain_text(names[2])
        expect(shared.get_by_role("button", name=re.compile("Remove|Move|Delete"))).to_have_count(0)
        expect(shared.get_by_role("link", name="Sign in")).to_be_visible()
        save_screenshot(shared, "shared-collection.png")
        # When the owner stops sharing
        page.get_by_test_id("share-toggle").click()
        # Then the link box is gone, and the link reads "not found"
        expect(page.get_by_test_id("share-link")).to_have_count(0)
        shared.reload()
        expect(shared.get_by_test_id("shared-not-found")).to_be_visible()
        expect(shared.get_by_test_id("shared-title")).to_have_count(0)
        # And a made-up token reads the same
        shared.goto(running_app.url("/shared/collections/not-a-real-token"))
        expect(shared.get_by_test_id("shared-not-found")).to_be_visible()
        assert visitor_errors.take() == []
    finally:
        visitor.close()
    # When the collection is deleted after the confirmation
    page.get_by_test_id("collection-delete").click()
    page.get_by_test_id("confirm-delete").click()
    # Then the list is empty again
    expect(page).to_have_url(re.compile(r"/app/collections/?$"))
    expect(page.get_by_test_id("collections-empty")).to_be_visible()
    # And the deleted collection's page reads "not found"
    page.goto(running_app.url(f"/app/collections/{collection_id}"))
    expect(page.get_by_test_id("collection-not-found")).to_be_visible()
    assert errors.take() == []


def _start(page: Page) -> None:
    page.get_by_test_id("import-start").click()


def test_a_letterboxd_export_is_dry_run_then_imported(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    api = person(page, running_app, "Lettie Boxd")
    # Given a Letterboxd export with two films of the catalogue, one nobody knows, and a rating
    movies = api.titles("movie", 2)
    films = [(movie["title"], str(movie["year"])) for movie in movies] + [UNKNOWN_FILM]
    archive = letterboxd_zip(films)
    page.goto(running_app.url("/app/settings"))
    section = page.get_by_test_id("settings-import")
    expect(section).to_be_visible()
    # When nothing is chosen and the import is started
    _start(page)
    # Then it says a file is needed
    expect(page.get_by_test_id("import-error")).to_contain_text("Choose a file")
    # When the zip is chosen with "Dry run first" ticked (the default)
    expect(page.get_by_test_id("import-dry-run")).to_be_checked()
    section.locator("input[type=file]").set_input_files(
        files=[{"name": "letterboxd-export.zip", "mimeType": "application/zip", "buffer": archive}]
    )
    expect(page.get_by_test_id("import-chosen")).to_have_text("letterboxd-export.zip")
    _start(page)
    # Then the job runs to 100% and its report says what would happen
    expect(page.get_by_test_id("import-progress-percent")).to_have_text("100%")
    expect(page.get_by_test_id("import-status")).to_have_text("completed")
    expect(page.get_by_test_id("import-added")).to_have_text("3")  # two viewings and a rating
    expect(page.get_by_test_id("import-not-imported")).to_have_text("1")
    report = page.get_by_test_id("import-report")
    expect(report.get_by_test_id("report-row")).to_have_count(4)
    expect(report.get_by_test_id("report-row").filter(has_text=UNKNOWN_FILM[0])).to_contain_text("Not imported")
    # And nothing changed yet
    assert api.call("GET", "/watched").json()["items"] == []
    # When it is imported for real
    page.get_by_test_id("import-for-real").click()
    # Then the real job reaches 100% and the viewings are in the history
    expect(page.get_by_test_id("import-job")).to_contain_text("Import")
    expect(page.get_by_test_id("import-for-real")).to_have_count(0)
    expect(page.get_by_test_id("import-status")).to_have_text("completed")
    expect(page.get_by_test_id("import-progress-percent")).to_have_text("100%")
    expect(page.get_by_test_id("import-added")).to_have_text("3")
    history = api.call("GET", "/watched").json()["items"]
    assert sorted(entry["media"]["title"] for entry in history) == sorted(movie["title"] for movie in movies)
    # When the report is filtered to the rows not imported
    page.get_by_test_id("report-filter").click()
    page.get_by_role("option", name="Not imported").click()
    rows = report.get_by_test_id("report-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(UNKNOWN_FILM[0])
    save_screenshot(page, "settings-import.png")
    # When the same file is imported again (no dry run this time)
    page.get_by_test_id("import-dry-run").click()
    section.locator("input[type=file]").set_input_files(
        files=[{"name": "letterboxd-export.zip", "mimeType": "application/zip", "buffer": archive}]
    )
    _start(page)
    # Then nothing is added: everything is already there
    expect(page.get_by_test_id("import-already")).to_have_text("3")
    expect(page.get_by_test_id("import-status")).to_have_text("completed")
    expect(page.get_by_test_id("import-added")).to_have_text("0")
    expect(page.get_by_test_id("import-not-imported")).to_have_text("1")
    assert len(api.call("GET", "/watched").json()["items"]) == 2
    # When a file that is not a zip is offered as a Letterboxd export
    section.locator("input[type=file]").set_input_files(
        files=[{"name": "notes.csv", "mimeType": "text/csv", "buffer": b"Name,Year\nAlien,1979\n"}]
    )
    _start(page)
    # Then it is refused with the reason, and no job starts
    expect(page.get_by_test_id("import-error")).to_contain_text("not a zip")
    assert errors.take() == []


def test_exports_scrobbling_and_the_watched_threshold(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    api = person(page, running_app, "Ezra Exporter")
    # Given a person with one viewing and one title saved for later
    movie, other = api.titles("movie", 2)
    api.call("POST", "/watched", json={"media_id": movie["id"]})
    api.call("POST", "/watch-later", json={"media_id": other["id"]})
    page.goto(running_app.url("/app/settings"))
    # When the JSON export is downloaded
    with page.expect_download() as download_info:
        page.get_by_test_id("export-json").click()
    document = json.loads(download_info.value.path().read_text(encoding="utf-8"))
    # Then it holds their records
    assert [entry["title"] for entry in document["watched"]] == [movie["title"]]
    assert [entry["title"] for entry in document["watch_later"]] == [other["title"]]
    # When the CSV zip is downloaded, then it is a zip with a CSV per table
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    with zipfile.ZipFile(download_info.value.path()) as archive:
        assert "watched.csv" in archive.namelist()
    # When scrobbling is turned on
    webhooks = page.get_by_test_id("settings-webhooks")
    webhooks.scroll_into_view_if_needed()
    page.get_by_test_id("webhook-on").click()
    # Then the Plex and Jellyfin URLs are shown
    plex = page.get_by_test_id("webhook-plex")
    expect(plex).to_have_value(re.compile(r"/api/v1/webhooks/plex/[\w-]{20,}$"))
    expect(page.get_by_test_id("webhook-jellyfin")).to_have_value(re.compile(r"/api/v1/webhooks/jellyfin/"))
    first_url = plex.input_value()
    assert api.call("GET", "/webhooks").json()["plex"] == first_url
    save_screenshot(page, "settings-scrobbling.png")
    # When new URLs are made, the old one changes
    page.get_by_test_id("webhook-regenerate").click()
    expect(plex).not_to_have_value(first_url)
    # When scrobbling is turned off, the URLs go
    page.get_by_test_id("webhook-off").click()
    expect(plex).to_have_count(0)
    expect(page.get_by_test_id("webhook-on")).to_be_visible()
    # When the watched threshold is set to 80%
    threshold = page.get_by_test_id("threshold-input")
    expect(threshold).to_have_value("90")
    threshold.fill("80")
    page.get_by_test_id("threshold-save").click()
    expect(page.get_by_test_id("threshold-message")).to_contain_text("80%")
    # Then it is kept
    page.reload()
    expect(page.get_by_test_id("threshold-input")).to_have_value("80")
    # When an impossible threshold is entered, it is refused with a message
    page.get_by_test_id("threshold-input").fill("30")
    page.get_by_test_id("threshold-save").click()
    expect(page.get_by_test_id("threshold-error")).to_contain_text("50 to 100")
    page.reload()
    expect(page.get_by_test_id("threshold-input")).to_have_value("80")
    assert errors.take() == []


def test_the_backlog_tabs_show_a_game_set_over_rest(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    api = person(page, running_app, "Gus Gamer")
    # Given a game put in the backlog over REST as being played, with its hours
    game = find_title(context, running_app, "game", FAKE_GAME)
    api.call("PUT", f"/games/{game['id']}/backlog", json={"status": "active", "hours_played": 12.5})
    # When the games page is opened and the backlog view chosen
    page.goto(running_app.url("/app/games"))
    expect(page.get_by_test_id("result-count")).to_be_visible()
    page.get_by_test_id("games-view-backlog").click()
    expect(page).to_have_url(re.compile(r"/app/games/backlog$"))
    # Then the tabs count it as being played, and the entry shows its hours
    expect(page.get_by_test_id("backlog-tab-active")).to_have_text("Playing 1")
    expect(page.get_by_test_id("backlog-tab-all")).to_have_text("All 1")
    entry = page.get_by_test_id("backlog-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(game["title"])
    expect(entry).to_contain_text("12.5 h")
    save_screenshot(page, "games-backlog.png")
    # When its status is changed in place to completed
    entry.get_by_test_id("backlog-status").click()
    page.get_by_role("option", name="Completed").click()
    # Then the counts follow, and the API agrees
    expect(page.get_by_test_id("backlog-tab-completed")).to_have_text("Completed 1")
    expect(page.get_by_test_id("backlog-tab-active")).to_have_text("Playing 0")
    assert api.call("GET", f"/games/{game['id']}/backlog").json()["status"] == "completed"
    # When the "Playing" tab is opened, it is empty; the "Completed" tab holds the game
    page.get_by_test_id("backlog-tab-active").click()
    expect(page).to_have_url(re.compile(r"status=active$"))
    expect(page.get_by_test_id("backlog-empty")).to_be_visible()
    page.get_by_test_id("backlog-tab-completed").click()
    expect(page.get_by_test_id("backlog-entry")).to_contain_text(game["title"])
    # When it is removed, the backlog is empty
    page.get_by_test_id("backlog-remove").click()
    expect(page.get_by_test_id("backlog-empty")).to_be_visible()
    # And the catalogue view is one click away
    page.get_by_test_id("games-view-catalogue").click()
    expect(page).to_have_url(re.compile(r"/app/games/?$"))
    expect(page.get_by_test_id("result-count")).to_be_visible()
    assert errors.take() == []


def test_the_collections_backlog_and_data_pages_fit_a_phone(running_app: RunningApp, phone: BrowserContext):
    page = phone.new_page()
    api = person(page, running_app, "Pia Phone")
    # Given a collection with a title, and scrobbling turned on
    created = api.call("POST", "/collections", json={"name": "Pocket picks"}).json()
    api.call("POST", f"/collections/{created['id']}/items", json={"media_id": api.titles("movie", 1)[0]["id"]})
    api.call("POST", "/webhooks/token")
    # When each page is opened on a phone, Then nothing is wider than the screen
    for path, ready in (
        ("/app/collections", "collection-card"),
        (f"/app/collections/{created['id']}", "collection-item"),
        ("/app/games/backlog", "backlog-empty"),
        ("/app/settings", "webhook-plex"),
    ):
        page.goto(running_app.url(path))
        expect(page.get_by_test_id(ready).first).to_be_visible()
        width = page_width(page)
        assert width <= PHONE_WIDTH, f"{path} is {width}px wide"
