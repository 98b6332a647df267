"""The built-in player in Chromium, on both app runs: a member opens an episode from the library, plays it,
seeks, pauses and reloads to resume where they stopped; switches subtitles (an embedded track and a sidecar
file), and the choice is carried to the next episode, which starts by itself after the "up next" countdown once
the first one ends (and counts as watched). Theater mode sticks across reloads, and an HEVC file (which
Chromium cannot play) is converted on the fly and plays too. On a phone the player fits the screen.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from tests.conftest import skip_or_fail
from tests.e2e.conftest import PHONE_WIDTH, PageErrors, RunningApp, page_width, save_screenshot, sign_in
from tests.e2e.test_accounts_in_browser import ADMIN
from tests.waiting import wait_until

pytestmark = pytest.mark.e2e

SCAN_SECONDS = 120
SECONDS = 24  # each episode's length
SHOW = "Game of Thrones"
FOLDER = "Game of Thrones (2011) [tmdbid-1399]/Season 01"
EPISODES = {
    1: ("Game of Thrones - S01E01.mp4", "Winter is coming", "L'hiver arrive"),
    2: ("Game of Thrones - S01E02.mp4", "The road north", "La route du nord"),
}
HEVC_EPISODE = "Game of Thrones - S01E03.mkv"
VIEWER = ("Vic Viewer", "vic.viewer@example.com", "plays along 123")  # an address no other e2e test uses


def _ffmpeg(*arguments: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-hide_banner", "-loglevel", "error", *arguments], check=True, timeout=120)


def _srt(text: str) -> str:
    return f"1\n00:00:00,000 --> 00:00:{SECONDS:02d},000\n{text}\n"


@pytest.fixture
def show_folder(tmp_path: Path) -> Path:
    """Three episodes of 24 seconds (a moving test picture, a tone, a keyframe every second): two H.264/AAC MP4s
    with an English track inside and a French .srt beside, and an HEVC/AC-3 MKV."""
    if shutil.which("ffmpeg") is None:
        skip_or_fail("ffmpeg is not installed")
    root = tmp_path / "shows"
    season = root / FOLDER
    season.mkdir(parents=True)
    sources = ["-f", "lavfi", "-i", f"testsrc=size=320x180:rate=10:duration={SECONDS}"]
    sources += ["-f", "lavfi", "-i", f"sine=frequency=330:duration={SECONDS}"]
    for name, english, french in EPISODES.values():
        english_srt = tmp_path / f"{name}.en.srt"
        english_srt.write_text(_srt(english))
        _ffmpeg(
            *sources, "-i", str(english_srt), "-map", "0", "-map", "1", "-map", "2",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-c:s", "mov_text", "-metadata:s:s:0", "language=eng", "-movflags", "+faststart", str(season / name),
        )  # fmt: skip
        (season / name).with_suffix(".fr.srt").write_text(_srt(french))
    _ffmpeg(
        *sources, "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
        "-c:a", "ac3", str(season / HEVC_EPISODE),
    )  # fmt: skip
    return root


# A taller window than the default context's: the whole page fits without scrolling.
VIEWPORT_HEIGHT = 1000


def _admin_token(app: RunningApp) -> dict[str, str]:
    _name, email, password = ADMIN
    response = httpx.post(app.url("/api/v1/auth/login"), json={"email": email, "password": password}, timeout=15)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _library_of(app: RunningApp, folder: Path, page: Page) -> dict[str, str]:
    """The admin adds the folder (over REST); once its scan is over, the item id of each file by name."""
    sign_in(page, app, *ADMIN)  # the first account is the admin
    admin = _admin_token(app)
    added = httpx.post(app.url("/api/v1/admin/library/roots"), json={"path": str(folder)}, headers=admin, timeout=15)
    assert added.status_code == 201, added.text

    def items() -> dict[str, str] | None:
        listing = httpx.get(app.url("/api/v1/library"), params={"query": SHOW, "page_size": 100}, headers=admin)
        found = {item["file_name"]: item for item in listing.json()["items"]}
        wanted = [name for name, *_ in EPISODES.values()] + [HEVC_EPISODE]
        if not all(name in found and found[name]["match_state"] == "matched" for name in wanted):
            return None
        return {name: found[name]["id"] for name in wanted}

    return wait_until(items, timeout=SCAN_SECONDS, what="the three episodes matched")


def video_state(page: Page) -> dict:
    return page.get_by_test_id("player-video").evaluate(
        """video => ({
            time: video.currentTime,
            paused: video.paused,
            source: video.dataset.source || "",
            saved: parseFloat(video.dataset.savedPosition || "-1"),
            showing: Array.from(video.textTracks).filter(t => t.mode === "showing").map(t => t.language),
            cue: Array.from(video.textTracks).filter(t => t.mode === "showing")
                .flatMap(t => Array.from(t.activeCues || []).map(c => c.text)).join(" "),
        })"""
    )


def wait_for(page: Page, condition: str, seconds: float = 30) -> None:
    """Wait until a JavaScript condition on the video (`v`) holds."""
    page.wait_for_function(
        f"() => {{ const v = document.getElementById('seen-player'); return !!v && ({condition}); }}",
        timeout=seconds * 1000,
    )


def _note_failure(answer: Response, failures: list[str]) -> None:
    if answer.status >= 400:
        failures.append(f"{answer.status} {answer.url} {answer.request.post_data} {answer.text()[:300]}")


def ready(page: Page) -> None:
    """The player script has taken the video over (it picks its source), and the file's length is known."""
    wait_for(page, "!!v.dataset.source && v.readyState >= 1")


def test_watching_a_show_in_the_browser(
    running_app: RunningApp, browser: Browser, context: BrowserContext, phone: BrowserContext, show_folder: Path
) -> None:
    admin_context = browser.new_context()
    ids = _library_of(running_app, show_folder, admin_context.new_page())
    admin_context.close()
    first, second = (ids[EPISODES[number][0]] for number in (1, 2))
    page = context.new_page()
    errors = PageErrors(page)
    failures: list[str] = []
    page.on("response", lambda answer: _note_failure(answer, failures))
    # Given a member of the household
    sign_in(page, running_app, *VIEWER)

    # When they open the first episode from the library
    # (searched through the address: a search typed in would draw the grid again under the pointer)
    page.goto(running_app.url("/app/library?q=Thrones"))
    cards = page.get_by_test_id("library-card")
    expect(cards.filter(has_text="S01E03")).to_have_count(1)
    cards.filter(has_text="S01E01").first.click()
    expect(page.get_by_test_id("library-detail")).to_contain_text(EPISODES[1][0])
    page.get_by_test_id("library-play").click()
    expect(page).to_have_url(running_app.url(f"/app/library/{first}/play"))
    # Then the player shows the show and the episode, and the file plays as it is
    expect(page.get_by_test_id("player-heading")).to_contain_text(SHOW)
    expect(page.get_by_test_id("player-subheading")).to_contain_text("S01E01")
    ready(page)
    page.keyboard.press("k")  # play
    wait_for(page, "v.currentTime > 1")
    assert video_state(page)["source"] == "direct"

    # When they jump ahead 10 seconds and pause
    page.keyboard.press("l")
    wait_for(page, "v.currentTime >= 11")
    page.keyboard.press("k")
    wait_for(page, "v.paused && parseFloat(v.dataset.savedPosition || '0') >= 11")
    stopped = video_state(page)["saved"]
    # And reload the page, Then playback resumes where they stopped
    page.reload()
    ready(page)
    wait_for(page, f"Math.abs(v.currentTime - {stopped}) < 1.5")

    # When they pick the French subtitles (a sidecar file)
    picker = page.get_by_test_id("player-subtitles")
    expect(picker.locator("option")).to_have_text(["Off", "English", "French"])
    picker.select_option(label="French")
    page.keyboard.press("k")
    # Then the French line shows, and only it
    wait_for(page, "!v.paused && v.currentTime > 1")
    wait_for(page, f"Array.from(v.textTracks).some(t => t.mode === 'showing' && t.language === 'fr' && "
                   f"Array.from(t.activeCues || []).some(c => c.text.includes({EPISODES[1][2]!r})))")  # fmt: skip
    assert video_state(page)["showing"] == ["fr"]
    # And C cycles to the next track (off), then back via the picker to English (the embedded track)
    page.keyboard.press("c")
    wait_for(page, "Array.from(v.textTracks).every(t => t.mode !== 'showing')")
    picker.select_option(label="English")
    wait_for(page, "Array.from(v.textTracks).some(t => t.mode === 'showing' && "
                   f"Array.from(t.activeCues || []).some(c => c.text.includes({EPISODES[1][1]!r})))")  # fmt: skip
    save_screenshot(page, "player.png")
    picker.select_option(label="French")

    # When theater mode is switched on, Then it stays on after a reload
    player = page.get_by_test_id("player")
    page.keyboard.press("t")
    expect(player).to_have_attribute("data-theater", "true")
    page.reload()
    ready(page)
    expect(page.get_by_test_id("player")).to_have_attribute("data-theater", "true")
    page.get_by_test_id("player-theater").click()
    expect(page.get_by_test_id("player")).to_have_attribute("data-theater", "false")

    # When they skip to the last tenth and let the episode end
    page.keyboard.press("k")
    wait_for(page, "!v.paused")
    page.keyboard.press("9")
    # Then it counts as watched, and the "up next" card counts down to the next episode
    up_next = page.get_by_test_id("up-next")
    expect(up_next).to_be_visible(timeout=20_000)
    expect(up_next).to_contain_text("S01E02")
    expect(page.get_by_test_id("player-message")).to_have_text("Marked as watched.")
    # And the next episode starts by itself, with the French subtitles again
    expect(page).to_have_url(running_app.url(f"/app/library/{second}/play?autoplay=1"), timeout=20_000)
    expect(page.get_by_test_id("player-subheading")).to_contain_text("S01E02")
    wait_for(page, "!v.paused && v.currentTime > 1")
    wait_for(page, f"Array.from(v.textTracks).some(t => t.mode === 'showing' && t.language === 'fr' && "
                   f"Array.from(t.activeCues || []).some(c => c.text.includes({EPISODES[2][2]!r})))")  # fmt: skip
    expect(page.get_by_test_id("player-subtitles").locator("option:checked")).to_have_text("French")
    media_id = page.get_by_test_id("player-video").get_attribute("data-media-id")
    assert media_id

    # When they move on to the HEVC episode, Then it is converted on the fly and plays
    page.get_by_test_id("player-next").click()
    expect(page).to_have_url(running_app.url(f"/app/library/{ids[HEVC_EPISODE]}/play"))
    expect(page.get_by_test_id("player-mode")).to_contain_text("HEVC (H.265) video is converted to H.264")
    ready(page)
    page.keyboard.press("k")
    wait_for(page, "v.dataset.source === 'converted' && !v.paused && v.currentTime > 1", seconds=60)
    expect(page.get_by_test_id("player-seek")).to_be_visible()
    # And seeking asks for a stream from the new position
    page.keyboard.press("5")
    wait_for(page, "v.currentTime > 0.5 && /start=1[12]$/.test(v.src)", seconds=60)
    # The demo catalogue lists S01E03; the recorded TMDB season lists two episodes, unless another test has
    # stored more of the show. When it does not, the episode plays and the page says its place is not kept.
    known = bool(page.get_by_test_id("player-video").get_attribute("data-media-id"))
    if not known:
        expect(page.get_by_test_id("player-note")).to_contain_text("does not list S01E03 of Game of Thrones")
    # When they open the show's page, Then "Play" resumes the episode they are in the middle of (when its place
    # was kept), or offers the one after the episode they finished
    page.get_by_test_id("player-title-link").click()
    play = page.get_by_test_id("title-play")
    label, target = ("Resume S01E03", ids[HEVC_EPISODE]) if known else ("Play S01E02", second)
    expect(play).to_have_text(label)
    play.click()
    expect(page).to_have_url(running_app.url(f"/app/library/{target}/play"))
    # And wherever the show's card shows up, it says the library has it
    page.goto(running_app.url("/app/search?q=Game%20of%20Thrones"))
    result = page.get_by_test_id("search-result").filter(has_text=SHOW).first
    expect(result.get_by_test_id("result-in-library")).to_have_text("In library")
    # And on the dashboard, Continue Watching opens that file in the player
    page.goto(running_app.url("/app/dashboard"))
    resume = page.get_by_test_id("continue-item").filter(has_text=SHOW)
    expect(resume).to_have_attribute("href", f"/app/library/{target}/play")
    resume.click()
    expect(page).to_have_url(running_app.url(f"/app/library/{target}/play"))
    assert (errors.take(), failures) == ([], [])

    # And on a phone the player, its controls and the video fit the screen
    small = phone.new_page()
    sign_in(small, running_app, *VIEWER)
    small.goto(running_app.url(f"/app/library/{first}/play"))
    expect(small.get_by_test_id("player-heading")).to_contain_text(SHOW)
    ready(small)
    assert page_width(small) <= PHONE_WIDTH
    video = small.get_by_test_id("player-video").bounding_box()
    assert video is not None and video["x"] >= 0 and video["x"] + video["width"] <= PHONE_WIDTH
    expect(small.get_by_test_id("player-theater")).to_be_visible()
    save_screenshot(small, "player-phone.png")

    # And over REST, the first episode is in their history, the second one in progress
    tokens = httpx.post(
        running_app.url("/api/v1/auth/login"), json={"email": VIEWER[1], "password": VIEWER[2]}, timeout=15
    ).json()
    rows = httpx.get(
        running_app.url("/api/v1/progress"),
        params={"media_id": media_id},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=15,
    ).json()
    by_episode = {(row["season_number"], row["episode_number"]): row for row in rows}
    assert by_episode[(1, 1)]["finished"] is True
    assert by_episode[(1, 2)]["finished"] is False and by_episode[(1, 2)]["position_seconds"] > 0
