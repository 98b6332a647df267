"""/app/library in Chromium, on both app runs: the admin adds a library folder of two small real video files on
the admin page, its first scan runs (in-process on the embedded run, in the separate worker on postgres-redis)
and its result shows on the library page; the file named after a catalogue film is matched and opens its
detail with its tracks, the one with a meaningless name waits in the unmatched queue; a member sees the queue
read-only; the admin matches the file to a title found by search, and a rescan is followed to its end.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import skip_or_fail
from tests.e2e.conftest import TIMEOUT, PageErrors, RunningApp, save_screenshot, sign_in
from tests.e2e.test_accounts_in_browser import ADMIN

pytestmark = pytest.mark.e2e

SCAN_TIMEOUT = 120_000
# A film both catalogues have (the demo one, and the provider fake's recorded answers).
MATCHED_FILE = "The Matrix (1999).mp4"
MATCHED_TITLE = "The Matrix"
UNMATCHED_FILE = "qzxv blorptangle 7731.mp4"
MEMBER = ("Mia Member", "mia@example.com", "read only 12345")


# A taller window than the default context's: the whole page fits without scrolling.
VIEWPORT_HEIGHT = 1000


@pytest.fixture
def media_folder(tmp_path: Path) -> Path:
    """Two small real videos with an audio track. The film runs as long as the catalogue says (136 min of a
    still frame and silence, under 1 MB): the matcher weighs the runtime, and a 2-second "film" is a sample."""
    if shutil.which("ffmpeg") is None:
        skip_or_fail("ffmpeg is not installed")
    folder = tmp_path / "films"
    folder.mkdir()
    for name, seconds in ((MATCHED_FILE, 136 * 60), (UNMATCHED_FILE, 2)):
        subprocess.run(
            [
                *("ffmpeg", "-y", "-hide_banner", "-loglevel", "error"),
                *("-f", "lavfi", "-i", "color=c=black:s=160x120:r=1", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono"),
                *("-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "8k"),
                str(folder / name),
            ],
            check=True,
            timeout=120,
        )
    return folder


def open_tab(page: Page, name: str) -> None:
    page.get_by_test_id(f"library-tab-{name}").click()
    expect(page.get_by_test_id(f"library-tab-{name}")).to_have_attribute("data-active", "true")


def test_a_library_folder_is_scanned_browsed_and_reviewed(
    running_app: RunningApp, context: BrowserContext, browser: Browser, media_folder: Path
):
    page = context.new_page()
    errors = PageErrors(page)
    # Given the admin (the first account) and no library folder yet (the library may already hold the files
    # of finished downloads, which other tests made)
    sign_in(page, running_app, *ADMIN)

    # When they add a folder on the admin page, a path that is no folder first
    page.goto(running_app.url("/app/admin"))
    folders = page.get_by_test_id("library-folders")
    folders.get_by_test_id("library-folder-path").fill(str(media_folder / "nowhere"))
    folders.get_by_test_id("library-folder-add").click()
    # Then the service's reason shows inline
    expect(folders.get_by_test_id("library-folder-error")).to_contain_text("does not exist")
    folders.get_by_test_id("library-folder-path").fill(str(media_folder))
    folders.get_by_test_id("library-folder-label").fill("Films")
    folders.get_by_test_id("library-folder-add").click()
    expect(folders.get_by_test_id("library-folder-message")).to_contain_text("first scan is queued")
    # (other tests may have added folders of their own)
    row = folders.get_by_test_id("library-folder").filter(has_text=str(media_folder))
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("library-folder-remove")).to_be_visible()

    # And its first scan ends, with its numbers on the library page
    page.goto(running_app.url("/app/library"))
    scan = page.get_by_test_id("library-scan")
    expect(scan.get_by_test_id("scan-status")).to_have_text("completed", timeout=SCAN_TIMEOUT)
    expect(scan.get_by_test_id("scan-files")).to_have_text("2 of 2 files")
    expect(scan.get_by_test_id("scan-matched")).to_have_text("1 matched")
    expect(scan.get_by_test_id("scan-unmatched")).to_have_text("1 unmatched")
    # The film is a card under its title; the other file under its name
    cards = page.get_by_test_id("library-card")
    expect(cards.filter(has_text=UNMATCHED_FILE)).to_have_count(1)
    matched = cards.filter(has_text=MATCHED_TITLE)
    expect(matched).to_have_count(1)
    expect(matched.get_by_test_id("library-state")).to_contain_text("Matched")
    expect(matched).to_contain_text("1999")
    expect(cards.filter(has_text=UNMATCHED_FILE).get_by_test_id("library-state")).to_contain_text("Unmatched")
    save_screenshot(page, "library.png")

    # When the film's card is opened, Then its file, tracks and title page are there
    matched.click()
    detail = page.get_by_test_id("library-detail")
    expect(detail).to_contain_text(MATCHED_FILE)
    expect(detail).to_contain_text("Films")
    expect(detail.get_by_test_id("library-stream")).to_contain_text("aac")
    expect(detail.get_by_test_id("library-detail-title-link")).to_have_attribute("href", re.compile(r"/app/movies/\d+"))
    detail.get_by_test_id("library-detail-close").click()
    expect(detail).to_be_hidden()

    # And the other file waits in the unmatched queue
    open_tab(page, "unmatched")
    waiting = page.get_by_test_id("library-unmatched-row").filter(has_text=UNMATCHED_FILE)
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(UNMATCHED_FILE)
    expect(waiting.get_by_test_id("library-find-title")).to_be_visible()
    save_screenshot(page, "library-unmatched.png")

    # Given a member: they see the same queue, without a button to change it
    member_context = browser.new_context(viewport={"width": 1280, "height": 900})
    member_context.set_default_timeout(TIMEOUT)
    member = member_context.new_page()
    member_errors = PageErrors(member)
    sign_in(member, running_app, *MEMBER)
    member.goto(running_app.url("/app/library"))
    expect(member.get_by_test_id("library-card").filter(has_text=MATCHED_TITLE)).to_have_count(1)
    expect(member.get_by_test_id("library-rescan")).to_have_count(0)
    open_tab(member, "unmatched")
    expect(member.get_by_test_id("library-unmatched-row").filter(has_text=UNMATCHED_FILE)).to_have_count(1)
    expect(member.get_by_test_id("library-find-title")).to_have_count(0)
    expect(member.get_by_test_id("library-ignore")).to_have_count(0)
    expect(member.get_by_test_id("library-candidate-match")).to_have_count(0)
    assert member_errors.take() == []
    member_context.close()

    # When the admin searches the catalogue for the title and matches the file to it
    waiting.get_by_test_id("library-find-title").click()
    dialog = page.get_by_test_id("library-match-dialog")
    dialog.get_by_test_id("library-match-query").fill("Matrix")
    dialog.get_by_test_id("library-match-search").click()
    hit = dialog.get_by_test_id("library-search-hit").filter(has_text=MATCHED_TITLE).first
    hit.get_by_test_id("library-search-match").click()
    # Then it leaves the queue and is matched by hand
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("library-feedback-notice")).to_contain_text(f"Matched {UNMATCHED_FILE} to")
    expect(page.get_by_test_id("library-unmatched-row").filter(has_text=UNMATCHED_FILE)).to_have_count(0)
    open_tab(page, "matched")
    films = page.get_by_test_id("library-card").filter(has_text=MATCHED_TITLE)
    expect(films).to_have_count(2)
    expect(films.get_by_test_id("library-state").filter(has_text=re.compile(r"^Matched$"))).to_have_count(1)

    # When the admin rescans (every folder: other tests may have added some), Then it is followed to its end
    page.get_by_test_id("library-rescan").click()
    expect(page.get_by_test_id("library-feedback-notice")).to_contain_text(
        re.compile(r"Scan requested for \d+ library folders?")
    )
    expect(scan.get_by_test_id("scan-status")).to_have_text("completed", timeout=SCAN_TIMEOUT)
    expect(scan.get_by_test_id("scan-files")).to_have_text(re.compile(r"^(\d+) of \1 files$"))
    assert errors.take() == []
