"""/app/downloads in Chromium, on both app runs: a person adds a URL download served slowly from a local file
server, watches its progress move, pauses and resumes it, sees it complete with its timeline, gets the
service's refusal of a bad magnet inline, cancels a second download, and finds the running one on the
dashboard. On the postgres-redis run the runner's ticks happen in the separate worker process.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.downloads.swarm import make_torrent, serve_files, write_payload
from tests.e2e.conftest import PageErrors, RunningApp, save_screenshot, sign_in

pytestmark = pytest.mark.e2e

FINISH_TIMEOUT = 120_000
PASSWORD = "fetch it all 42"
SIZE = 6 * 1024 * 1024
# Slow enough to watch (about 10 s per connection at this rate), fast again once the test lets it finish.
SLOW_RATE = 600 * 1024
CRAWL_RATE = 4 * 1024


def row(page: Page, title: str) -> Locator:
    return page.get_by_test_id("download-row").filter(has_text=title)


def add_download(page: Page, source: str, title: str) -> None:
    page.get_by_test_id("add-download").click()
    dialog = page.get_by_test_id("add-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("add-source").fill(source)
    dialog.get_by_test_id("add-title").fill(title)
    dialog.get_by_test_id("add-submit").click()


def percents_seen(job: Locator, *, wanted: int, timeout_s: float = 60) -> list[int]:
    """The distinct percentages the row showed while downloading, until `wanted` of them were seen."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout_s
    while len(seen) < wanted and time.monotonic() < deadline:
        text = job.get_by_test_id("download-percent").inner_text().strip().rstrip("%")
        value = int(text) if text.isdigit() else -1
        if 0 < value < 100 and value not in seen:
            seen.append(value)
        time.sleep(0.2)
    return seen


def test_a_download_is_followed_live_from_adding_to_completion(
    running_app: RunningApp, context: BrowserContext, tmp_path: Path
):
    page = context.new_page()
    errors = PageErrors(page)
    # Given a signed-in person with no downloads, and a file served slowly from this machine
    sign_in(page, running_app, "Dora Downloader", "dora@example.com", PASSWORD)
    write_payload(tmp_path / "files" / "big-buck-bunny.mkv", SIZE)
    write_payload(tmp_path / "crawl" / "sintel.mkv", SIZE, seed=1)
    page.goto(running_app.url("/app/downloads"))
    expect(page.get_by_test_id("downloads-empty")).to_contain_text("No downloads yet")

    with (
        serve_files(tmp_path / "files", rate=SLOW_RATE) as files,
        serve_files(tmp_path / "crawl", rate=CRAWL_RATE) as crawl,
    ):
        # When they add the file's URL with a title
        add_download(page, files.url("big-buck-bunny.mkv"), "Big Buck Bunny")
        # Then the dialog closes and the job heads the list
        expect(page.get_by_test_id("add-dialog")).to_be_hidden()
        job = row(page, "Big Buck Bunny")
        expect(page.get_by_test_id("download-row").first).to_contain_text("Big Buck Bunny")
        expect(job.get_by_test_id("download-source")).to_contain_text("HTTP")
        # And its progress moves by itself while it downloads (no reload)
        expect(job.get_by_test_id("download-status")).to_have_text("Downloading", timeout=60_000)
        assert len(percents_seen(job, wanted=2)) == 2
        expect(job).to_contain_text(re.compile(r"MB of 6\.0 MB"))
        expect(job).to_contain_text(re.compile(r"[0-9.]+ [kM]B/s"))

        # And the dashboard shows it as an active download, with its progress bar
        dashboard = context.new_page()
        dashboard.goto(running_app.url("/app/dashboard"))
        shown = dashboard.get_by_test_id("dashboard-download").filter(has_text="Big Buck Bunny")
        expect(shown).to_be_visible()
        expect(shown.get_by_test_id("download-progress")).to_be_visible()
        dashboard.close()

        # When they pause it, Then it says so and offers to resume
        job.get_by_test_id("download-pause").click()
        expect(job.get_by_test_id("download-status")).to_have_text("Paused")
        expect(job.get_by_test_id("download-resume")).to_be_visible()
        expect(job.get_by_test_id("download-pause")).to_have_count(0)

        # When they resume it (and the server lets it finish fast), Then it completes at 100%
        job.get_by_test_id("download-resume").click()
        files.rate = None
        expect(job.get_by_test_id("download-status")).to_have_text("Completed", timeout=FINISH_TIMEOUT)
        expect(job.get_by_test_id("download-percent")).to_have_text("100%")
        expect(job.get_by_test_id("download-cancel")).to_have_count(0)

        # And its timeline tells the story: queued, downloading, paused, queued again, completed
        job.get_by_test_id("download-details").click()
        timeline = job.get_by_test_id("download-timeline")
        expect(timeline.get_by_test_id("download-event").first).to_be_visible()
        for label in ("Queued", "Downloading", "Paused", "Completed"):
            expect(timeline.get_by_test_id("download-event").filter(has_text=label).first).to_be_visible()

        # When they add a magnet that is not one, Then the service's reason shows in the dialog
        page.get_by_test_id("add-download").click()
        dialog = page.get_by_test_id("add-dialog")
        dialog.get_by_test_id("add-source").fill("magnet:?xt=urn:btih:not-a-hash")
        dialog.get_by_test_id("add-submit").click()
        expect(dialog.get_by_test_id("add-error")).to_be_visible()
        expect(dialog.get_by_test_id("add-error")).not_to_be_empty()
        save_screenshot(page, "downloads-add.png")
        # And nothing was added
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(page.get_by_test_id("download-row")).to_have_count(1)

        # When they add a second download and cancel it half way
        add_download(page, crawl.url("sintel.mkv"), "Sintel")
        second = row(page, "Sintel")
        expect(second.get_by_test_id("download-status")).to_have_text(re.compile("Queued|Preparing|Downloading"))
        second.get_by_test_id("download-cancel").click()
        # Then it is cancelled, can be retried, and the filter tabs count it
        expect(second.get_by_test_id("download-status")).to_have_text("Cancelled")
        expect(second.get_by_test_id("download-retry")).to_be_visible()
        expect(page.get_by_test_id("downloads-tab-cancelled")).to_contain_text("1")
        expect(page.get_by_test_id("downloads-tab-completed")).to_contain_text("1")
        # The page header in the picture: scroll it below the sticky top bar.
        page.get_by_test_id("add-download").evaluate("element => element.scrollIntoView({block: 'center'})")
        save_screenshot(page, "downloads.png")

        # And the Completed tab shows only the finished one
        page.get_by_test_id("downloads-tab-completed").click()
        expect(page.get_by_test_id("download-row")).to_have_count(1)
        expect(page.get_by_test_id("download-row")).to_contain_text("Big Buck Bunny")
    assert errors.take() == []


def test_a_title_page_opens_the_dialog_for_that_title(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    # Given a signed-in person on a title's page
    sign_in(page, running_app, "Tito Titles", "tito@example.com", PASSWORD)
    page.goto(running_app.url("/app/movies"))
    first = page.locator("a.seen-media-card").first
    expect(first).to_be_visible(timeout=150_000)  # the fake run's catalogue syncs at start-up
    first.click()
    expect(page).to_have_url(re.compile(r"/app/movies/\d+"))
    title = page.locator(".seen-detail-title").inner_text().strip()
    # When they press Download
    page.get_by_test_id("download-title").click()
    # Then the add dialog opens for that title, which they can take off again
    expect(page).to_have_url(re.compile(r"/app/downloads\?add=1&media=\d+&title="))
    dialog = page.get_by_test_id("add-dialog")
    expect(dialog.get_by_test_id("add-target")).to_have_text(title)
    expect(dialog.get_by_test_id("add-title")).to_have_value(title)
    dialog.get_by_test_id("add-target-clear").click()
    expect(dialog.get_by_test_id("add-target")).to_have_count(0)
    assert errors.take() == []


def test_a_torrent_file_is_uploaded_from_the_dialog(running_app: RunningApp, context: BrowserContext, tmp_path: Path):
    page = context.new_page()
    errors = PageErrors(page)
    # Given a signed-in person holding a .torrent of a two-file folder (no peers: it only has to be queued)
    sign_in(page, running_app, "Theo Torrent", "theo@example.com", PASSWORD)
    write_payload(tmp_path / "Elephants Dream" / "part1.bin", 40_000)
    write_payload(tmp_path / "Elephants Dream" / "part2.bin", 30_000, seed=2)
    torrent = tmp_path / "elephants.torrent"
    torrent.write_bytes(make_torrent(tmp_path / "Elephants Dream", announce="http://127.0.0.1:9/announce"))
    page.goto(running_app.url("/app/downloads"))
    expect(page.get_by_test_id("downloads-empty")).to_be_visible()
    # When they choose the file in the dialog's second tab and add it
    page.get_by_test_id("add-download").click()
    dialog = page.get_by_test_id("add-dialog")
    dialog.get_by_test_id("add-mode-file").click()
    expect(dialog.get_by_test_id("add-submit-file")).to_be_disabled()
    dialog.locator("input[type=file]").set_input_files(str(torrent))
    expect(dialog.get_by_test_id("torrent-chosen")).to_have_text("elephants.torrent")
    dialog.get_by_test_id("add-submit-file").click()
    # Then the dialog closes and the job, named after the torrent, heads the list as a torrent
    expect(dialog).to_be_hidden()
    job = row(page, "Elephants Dream")
    expect(job.get_by_test_id("download-source")).to_contain_text("Torrent")
    expect(job.get_by_test_id("download-status")).to_have_text(re.compile("Queued|Preparing|Downloading|Stalled"))
    # When they add the same torrent again, Then the duplicate is refused with the service's words
    page.get_by_test_id("add-download").click()
    dialog.get_by_test_id("add-mode-file").click()
    dialog.locator("input[type=file]").set_input_files(str(torrent))
    dialog.get_by_test_id("add-submit-file").click()
    expect(dialog.get_by_test_id("add-error")).not_to_be_empty()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("download-row")).to_have_count(1)
    # And cancelling it leaves it cancelled
    job.get_by_test_id("download-cancel").click()
    expect(job.get_by_test_id("download-status")).to_have_text("Cancelled")
    assert errors.take() == []
