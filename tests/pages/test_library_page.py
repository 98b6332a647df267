"""The pure parts of /app/library and the admin's library folders: how a file's card, its detail, its tracks,
the review queue's candidates, a scan and a folder read, from the library service's views."""

from __future__ import annotations

import dataclasses

import pytest

from seen.pages.admin import root_rows
from seen.pages.library_state import (
    candidate_view,
    card_view,
    detail_view,
    entry_view,
    human_duration,
    percent,
    scan_view,
    stream_view,
)
from seen.services.library import (
    CandidateView,
    LibraryCard,
    LibraryItemDetail,
    LibraryTitle,
    RootView,
    ScanView,
    StreamView,
    UnmatchedEntry,
)

MATRIX = LibraryTitle(603, "movie", "The Matrix", 1999, "/api/v1/images/demo/poster/md/x.webp", "/app/movies/603")


def card(**changes) -> LibraryCard:
    base = LibraryCard(
        id="2b7a3c1e-0d5f-4c8e-9a61-5f0e8d3b7c21",
        file_name="The Matrix (1999).mkv",
        relative_path="Films/The Matrix (1999).mkv",
        root_id="r",
        root_label="Films",
        size_bytes=3 * 1024**3,
        duration_seconds=8160,
        resolution="1080p",
        width=1920,
        height=1080,
        container="matroska",
        video_codec="h264",
        audio_codec="aac",
        match_state="matched",
        match_confidence=0.93,
        matched_manually=False,
        media=MATRIX,
        season_number=None,
        episode_number=None,
        episode_numbers=[],
        audio_languages=["en"],
        subtitle_languages=[],
        missing=False,
        probe_error="",
        updated_at="2026-12-04T05:00:00+00:00",
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    ("seconds", "expected"), [(0, ""), (-5, ""), (42, "42 s"), (600, "10 min"), (3600, "1 h"), (8160, "2 h 16 min")]
)
def test_durations_read_in_hours_and_minutes(seconds, expected):
    assert human_duration(seconds) == expected


def test_confidences_read_as_percentages_within_bounds():
    assert [percent(value) for value in (-0.1, 0.0, 0.874, 1.0, 1.3)] == ["0%", "0%", "87%", "100%", "100%"]


def test_a_matched_file_shows_its_title_poster_and_confidence():
    view = card_view(card())
    assert view["title"] == "The Matrix"
    assert view["year"] == "1999"
    assert view["poster_url"] == MATRIX.poster_url
    assert view["media_href"] == "/app/movies/603"
    assert view["state_label"] == "Matched 93%"
    assert view["colour"] == "green"
    assert view["duration"] == "2 h 16 min"
    assert view["episode"] == ""


def test_a_file_matched_by_hand_says_matched_without_a_score():
    assert card_view(card(matched_manually=True, match_confidence=1.0))["state_label"] == "Matched"


def test_an_unmatched_episode_shows_its_file_name_and_episode_code():
    view = card_view(
        card(media=None, match_state="unmatched", match_confidence=0.41, season_number=1, episode_number=2)
    )
    assert view["title"] == "The Matrix (1999).mkv"
    assert view["poster_url"] == ""
    assert view["media_href"] == ""
    assert view["episode"] == "S01E02"
    assert view["state_label"] == "Unmatched · best 41%"
    assert view["colour"] == "amber"


def test_the_queue_shows_how_the_name_was_read_and_the_three_best_candidates():
    candidates = [
        CandidateView(603 + number, "movie", f"Title {number}", 1999, 0.6 - number / 10, ["title close"], None)
        for number in range(5)
    ]
    entry = UnmatchedEntry(card(media=None, match_state="unmatched"), "The Matrix", 1999, "movie", candidates)
    view = entry_view(entry)
    assert view["parsed"] == "The Matrix · 1999 · movie"
    assert [candidate["title"] for candidate in view["candidates"]] == ["Title 0", "Title 1", "Title 2"]
    assert view["candidates"][0]["score"] == "60%"


def test_a_candidate_lists_its_reasons_in_one_line():
    view = candidate_view(CandidateView(1, "show", "Dark", None, 0.5, ["title exact", "no year"], None))
    assert view == {
        "media_id": 1,
        "kind": "show",
        "title": "Dark",
        "year": "",
        "score": "50%",
        "reasons": "title exact; no year",
    }


def test_a_track_says_its_language_and_flags_and_whether_it_is_a_sidecar():
    audio = StreamView("s", "audio", 1, "aac", "AAC", "en", "Commentary", 2, 128, True, False, False)
    subtitle = StreamView("t", "subtitle", 2, "srt", "", "", "", 0, 0, False, True, True)
    assert stream_view(audio) == {
        "type": "audio",
        "language": "en",
        "details": "aac · 2 ch · Commentary",
        "flags": "default",
    }
    assert stream_view(subtitle)["language"] == "unknown language"
    assert stream_view(subtitle)["flags"] == "forced, sidecar"


def test_the_detail_has_the_file_facts_in_words():
    detail = LibraryItemDetail(card(), [], [], "The Matrix", 1999, "movie", None, None, None, "", None, None)
    view = detail_view(detail)
    assert view["folder"] == "Films"
    assert view["size"] == "3.0 GB"
    assert view["codecs"] == "h264 / aac"
    assert view["dimensions"] == "1920x1080"
    assert detail_view(dataclasses.replace(detail, item=card(root_label=None)))["folder"] == "Downloads"


def scan(**changes) -> ScanView:
    base = ScanView(
        id="s",
        scope="all",
        status="running",
        root_id=None,
        download_job_id=None,
        requested_by=None,
        files_total=40,
        files_done=10,
        progress_percent=25,
        files_per_second=12.5,
        files_new=10,
        files_changed=0,
        files_unchanged=0,
        files_moved=0,
        files_missing=0,
        files_skipped=0,
        matched=7,
        unmatched=3,
        ignored=0,
        errors=0,
        error_samples=[],
        message="",
        created_at="2026-12-04T05:00:00+00:00",
        started_at="2026-12-04T05:00:01+00:00",
        finished_at=None,
    )
    return dataclasses.replace(base, **changes)


def test_a_running_scan_is_active_with_its_rate_and_a_finished_one_is_not():
    running = scan_view(scan())
    assert running["active"] is True
    assert running["files"] == "10 of 40 files"
    assert running["rate"] == "12.5 files/s"
    assert running["finished"] == ""
    done = scan_view(scan(status="completed", files_done=40, finished_at="2026-12-04T05:00:05+00:00"))
    assert done["active"] is False
    assert done["finished"] == "4 Dec 2026, 05:00 UTC"
    assert scan_view(None) == {}


def test_a_configured_folder_is_marked_and_counts_its_files():
    rows = root_rows(
        [
            RootView("a", "/srv/films", "Films", "movies", True, True, 1, "2026-12-04T05:00:00+00:00", None),
            RootView("b", "/srv/shows", "Shows", "shows", True, False, 3, "2026-12-04T05:00:00+00:00", None),
        ]
    )
    assert [(row["configured"], row["items"], row["scanned"]) for row in rows] == [
        (True, "1 file", "not scanned yet"),
        (False, "3 files", "not scanned yet"),
    ]
