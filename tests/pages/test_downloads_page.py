"""The pure parts of /app/downloads: how sizes, speeds and times left read, how a job's row is decided from the
service's view, what the filter tabs count, and where a title page's "Download" button leads."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlsplit

import pytest

from seen.pages.downloads_state import (
    download_href,
    human_bytes,
    human_eta,
    human_speed,
    job_view,
    percent_label,
    status_query,
    tab_counts,
)
from seen.services.downloads import DownloadFileView, DownloadView


@pytest.mark.parametrize(
    ("size", "expected"),
    [(None, "?"), (0, "0 B"), (1023, "1023 B"), (1536, "1.5 KB"), (6 * 1024**2, "6.0 MB"), (3 * 1024**4, "3.0 TB")],
)
def test_sizes_read_in_binary_multiples(size, expected):
    assert human_bytes(size) == expected


@pytest.mark.parametrize(
    ("mbps", "expected"), [(None, ""), (0.0, ""), (0.8, "100 kB/s"), (8.0, "1.0 MB/s"), (100.0, "12.5 MB/s")]
)
def test_the_engines_megabits_read_as_bytes_per_second(mbps, expected):
    assert human_speed(mbps) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(None, ""), (-1, ""), (45, "45 s"), (120, "2 min"), (200, "3 min 20 s"), (7500, "2 h 5 min"), (273600, "3 d 4 h")],
)
def test_time_left_reads_in_the_two_largest_units(seconds, expected):
    assert human_eta(seconds) == expected


def test_percentages_stay_within_bounds():
    assert [percent_label(value) for value in (-3, 0, 42, 100, 130)] == ["0%", "0%", "42%", "100%", "100%"]


def view(**changes) -> DownloadView:
    base = DownloadView(
        id="6f1c0b52-5e9a-4b4f-9f3e-3e1f0c1b2a3d",
        user_id="u",
        owner_name="Dora",
        media_id=7,
        media_title="Big Buck Bunny",
        source_type="magnet",
        source="magnet:?xt=urn:btih:" + "a" * 40,
        title="Big Buck Bunny 1080p",
        status="downloading",
        status_label="Downloading",
        queue_position=None,
        progress_percent=42,
        bytes_total=6 * 1024**2,
        bytes_downloaded=2 * 1024**2,
        download_speed_mbps=8.0,
        eta_seconds=200,
        peers=12,
        seeders=4,
        engine="aria2",
        directory="Big Buck Bunny 1080p (6f1c0b52)",
        error_message="",
        retry_count=0,
        retry_at=None,
        created_at="2026-12-04T05:00:00+00:00",
        updated_at="2026-12-04T05:01:00+00:00",
        started_at="2026-12-04T05:00:01+00:00",
        completed_at=None,
        cancelled_at=None,
        files=[DownloadFileView("Big Buck Bunny 1080p (6f1c0b52)/bbb.mkv", 6 * 1024**2, 2 * 1024**2, True, 33)],
        can_pause=True,
        can_resume=False,
        can_cancel=True,
        can_retry=False,
    )
    return dataclasses.replace(base, **changes)


def test_a_running_torrent_shows_its_numbers_in_words():
    # Given a magnet half way, When its row is made
    row = job_view(view(), {7: "/app/movies/7"})
    # Then every number reads as a person expects, and the title it is for links to its page
    assert (row["percent_label"], row["sizes"], row["speed"], row["eta"]) == (
        "42%",
        "2.0 MB of 6.0 MB",
        "1.0 MB/s",
        "3 min 20 s left",
    )
    assert row["peers"] == "12 peers · 4 seeds" and row["source_label"] == "Magnet" and row["colour"] == "cyan"
    assert row["media_href"] == "/app/movies/7"
    assert row["files"] == [
        {"path": "Big Buck Bunny 1080p (6f1c0b52)/bbb.mkv", "size": "6.0 MB", "percent": 33.0, "percent_label": "33%"}
    ]
    assert (row["can_pause"], row["can_resume"], row["can_cancel"], row["can_retry"]) == (True, False, True, False)


def test_a_failed_direct_download_shows_its_reason_and_no_live_numbers():
    # Given an HTTP download that failed after its retries
    row = job_view(
        view(source_type="http", status="failed", status_label="Failed", error_message="The server answered 404."),
        {},
    )
    # Then the reason shows, the speed, time left and peers do not, and the title has no link
    assert row["error"] == "The server answered 404." and row["colour"] == "red"
    assert (row["speed"], row["eta"], row["peers"], row["media_href"]) == ("", "", "", "")


def test_the_tabs_count_their_statuses_and_ask_the_service_for_them():
    counts = dict.fromkeys(
        ("queued", "preparing", "downloading", "stalled", "retrying", "paused", "completed", "failed", "cancelled"), 0
    )
    counts.update(queued=2, downloading=1, stalled=1, completed=5, failed=1)
    shown = tab_counts(counts)
    assert shown == {
        "all": 10, "active": 2, "queued": 2, "paused": 0, "completed": 5, "failed": 1, "cancelled": 0
    }  # fmt: skip
    assert status_query("all") is None
    assert status_query("active") == "preparing,downloading,stalled,retrying"
    assert status_query("failed") == "failed"


def test_a_title_page_links_to_the_dialog_with_its_title_encoded():
    href = download_href(12, "Amélie & Co / 2001?")
    parts = urlsplit(href)
    assert parts.path == "/app/downloads"
    assert parse_qs(parts.query) == {"add": ["1"], "media": ["12"], "title": ["Amélie & Co / 2001?"]}
