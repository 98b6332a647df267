"""The pure parts of the collections, backlog and "Your data" pages: how the services' results read on screen."""

from __future__ import annotations

from seen.pages.collection_detail import share_url
from seen.pages.collections import summary_view, titles_label
from seen.pages.games import entry_view, hours_label
from seen.pages.settings_data import job_view, row_view
from seen.services.backlog import BacklogEntryView
from seen.services.catalogue_views import MediaCard
from seen.services.collections import CollectionSummary
from seen.services.imports import ImportStatus, ReportRow

GAME = MediaCard(7, "game", "Outer Wilds", 2019, "2019-05-28", 8.9, None, "/app/games/7")


def _summary(covers: list[str], count: int) -> CollectionSummary:
    return CollectionSummary(
        id=3,
        name="Space",
        description="",
        item_count=count,
        cover_urls=covers,
        shared=False,
        share_token=None,
        share_path=None,
        created_at="2026-11-01T10:00:00+00:00",
        updated_at="2026-11-02T10:00:00+00:00",
        href="/app/collections/3",
    )


def test_a_collection_card_always_has_four_mosaic_tiles_and_a_count():
    # Given a collection with two posters, When it is shown, Then the mosaic pads to four tiles
    view = summary_view(_summary(["a.webp", "b.webp"], 2))
    assert view["mosaic"] == ["a.webp", "b.webp", "", ""]
    assert view["count_label"] == "2 titles"
    assert view["updated"] == "2 Nov 2026"
    # And never more than four, whatever the service sent
    assert summary_view(_summary([f"{n}.webp" for n in range(6)], 9))["mosaic"] == [f"{n}.webp" for n in range(4)]
    assert titles_label(1) == "1 title"


def test_a_share_link_is_absolute_and_absent_when_not_shared():
    assert share_url("tok3n").endswith("/shared/collections/tok3n")
    assert share_url("tok3n").startswith("http")
    assert share_url(None) == ""


def test_a_backlog_entry_reads_with_its_labels_and_dates():
    entry = BacklogEntryView(
        media=GAME,
        status="active",
        platform_id=4,
        platform_name="PC",
        hours_played=12.5,
        completion="main_extras",
        started_on="2026-10-03",
        finished_on=None,
        notes="",
        created_at="2026-10-03T10:00:00+00:00",
        updated_at="2026-10-04T10:00:00+00:00",
    )
    view = entry_view(entry)
    assert (view["status_label"], view["platform"], view["hours"]) == ("Playing", "PC", "12.5 h")
    assert (view["completion"], view["started"], view["finished"]) == ("Main + extras", "3 Oct 2026", "")
    assert view["title"] == "Outer Wilds" and view["href"] == "/app/games/7"
    assert hours_label(0) == "" and hours_label(3.0) == "3 h"


def test_an_import_job_and_its_report_rows_read_plainly():
    status = ImportStatus(
        id="j1",
        source="letterboxd",
        file_name="export.zip",
        dry_run=True,
        status="running",
        total_rows=10,
        processed_rows=4,
        added=2,
        already_there=1,
        not_imported=1,
        percent=40,
        error="",
        created_at="2026-11-22T08:00:00+00:00",
        finished_at=None,
    )
    view = job_view(status)
    assert (view["source_label"], view["mode"], view["finished"]) == ("Letterboxd", "Dry run", False)
    assert view["started"] == "22 Nov 2026, 08:00 UTC"
    row = row_view(ReportRow("watched.csv", 3, "Alien", 1979, "not_imported", "no such title", None))
    assert row == {
        "where": "watched.csv:3",
        "title": "Alien (1979)",
        "outcome": "not_imported",
        "outcome_label": "Not imported",
        "reason": "no such title",
    }
