"""How the notification centre words a notification's time and what each kind shows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from seen.models.notifications import NOTIFICATION_KINDS
from seen.pages.notifications import KIND_ICONS, item_view, relative_time
from seen.services.notifications import NotificationView

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stored", "said"),
    [
        ("2026-12-04T11:59:30+00:00", "just now"),
        ("2026-12-04T11:59:00+00:00", "1 minute ago"),
        ("2026-12-04T11:15:00+00:00", "45 minutes ago"),
        ("2026-12-04T09:00:00+00:00", "3 hours ago"),
        ("2026-12-03T10:00:00+00:00", "yesterday"),
        ("2026-11-30T12:00:00+00:00", "4 days ago"),
        ("2026-11-20T08:00:00+00:00", "20 Nov 2026"),
        ("2026-12-04T09:00:00", "3 hours ago"),  # a naive time from SQLite is UTC
        ("2026-12-04T12:05:00+00:00", "just now"),  # a clock a little ahead
    ],
)
def test_relative_time(stored: str, said: str):
    assert relative_time(stored, NOW) == said


def test_every_kind_has_its_own_icon_and_an_item_reads_as_shown():
    assert set(KIND_ICONS) == set(NOTIFICATION_KINDS)
    view = item_view(
        NotificationView(
            id=7,
            kind="download_failed",
            title="X failed to download",
            body="404",
            link=None,
            media_id=None,
            created_at="2026-12-04T09:00:00+00:00",
            read=False,
            read_at=None,
        )
    )
    assert (view["icon"], view["link"], view["read"], view["at"]) == (
        "circle-alert",
        "",
        False,
        "4 Dec 2026, 09:00 UTC",
    )
