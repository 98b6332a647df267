"""The pure parts of the personal pages: how a reorder is computed, how filters and edited dates are read
from what a person typed, and how the services' results read on screen."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from seen.pages.personal import viewing_day, viewing_time
from seen.pages.stats import month_label, stars
from seen.pages.watch_later import moved
from seen.pages.watched import parse_day_param, parse_edit
from seen.services.errors import InvalidInput


@pytest.mark.parametrize(
    ("order", "media_id", "neighbour", "expected"),
    [
        ([1, 2, 3, 4], 1, 2, [2, 1, 3, 4]),  # down
        ([1, 2, 3, 4], 3, 2, [1, 3, 2, 4]),  # up
        ([1, 2, 3, 4], 4, None, [4, 1, 2, 3]),  # to the top
        # With a type filter the visible neighbour may be far away: only the two swap places.
        ([1, 2, 3, 4, 5], 1, 4, [4, 2, 3, 1, 5]),
    ],
)
def test_a_move_swaps_with_the_visible_neighbour_or_goes_to_the_top(order, media_id, neighbour, expected):
    # Given the stored order, When a title moves, Then every other title keeps its place
    assert moved(order, media_id, neighbour) == expected


def test_date_filters_read_days_and_name_what_is_not_one():
    # Given what the URL says, Then a day is a day, nothing is no filter, and anything else is explained
    assert parse_day_param("2026-02-01", "from") == (date(2026, 2, 1), "")
    assert parse_day_param("", "from") == (None, "")
    found, problem = parse_day_param("yesterday", "from")
    assert found is None and "“yesterday” is not a date" in problem


def test_an_edited_viewing_time_is_read_to_the_minute_or_refused():
    assert parse_edit("2025-12-24T20:15") == datetime(2025, 12, 24, 20, 15)
    with pytest.raises(InvalidInput, match="pick a date and a time"):
        parse_edit("24/12/2025")


def test_stored_times_read_in_utc():
    assert viewing_day("2026-03-05T21:30:00+00:00") == "5 Mar 2026"
    # A time stored with another offset is shown as the same moment in UTC.
    assert viewing_time("2026-03-05T23:30:00+02:00") == "5 Mar 2026, 21:30 UTC"


def test_chart_labels():
    assert month_label("2026-11") == "Nov 26"
    assert stars(4.5) == "4.5★" and stars(3.0) == "3★"
