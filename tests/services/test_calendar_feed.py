"""The iCal feed is a valid RFC 5545 file: CRLF line ends, lines folded at 75 octets without splitting a
UTF-8 character, TEXT escaping, the calendar's required properties and all-day events with stable,
unique UIDs."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from seen.services.calendar import CalendarEvent
from seen.services.calendar_feed import escape_text, fold, render
from seen.services.catalogue_views import MediaCard

NOW = datetime(2026, 12, 4, 17, 30, 5, tzinfo=UTC)


def event(uid: str, date: str, kind: str, title: str, label: str, **extra) -> CalendarEvent:
    card = MediaCard(1, "movie", title, 2026, date, None, None, "/app/movies/1")
    return CalendarEvent(
        uid=uid, date=date, kind=kind, title=title, label=label, media=card, href=card.href, tracked=True, **extra
    )


EVENTS = [
    event("movie-1-theatrical", "2026-12-18", "movie_release", "Dune; Part Three", "Theatrical release (US, GB)"),
    event(
        "show-2-s2e1",
        "2026-12-31",
        "season_premiere",
        "Ünïcödé — 東京の物語 " * 4,
        "Season premiere · S02E01\u2013E08 · Ünïcödé — 東京の物語 " * 2,
        season=2,
        episode=1,
        episode_end=8,
    ),
    event(
        "game-3-2027-09-30",
        "2027-09-30",
        "game_release",
        "Back\\slash\nGame",
        "PlayStation 5, Xbox Series X|S",
        precision="Q3 2027",
        platforms=["PlayStation 5", "Xbox Series X|S"],
    ),
]


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_lines_end_in_crlf_and_fold_at_75_octets_between_characters():
    text = render(EVENTS, base_url="https://seen.example.org", now=NOW)
    raw = text.encode("utf-8")
    # Every line ends in CRLF, and there is no bare LF or CR
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    physical = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    # Each physical line is valid UTF-8 on its own: no character was cut in two
    for line in physical:
        line.decode("utf-8")
    assert any(line.startswith(b" ") for line in physical)  # the long summary was folded
    # Unfolding gives back the long lines whole
    summary = next(line for line in unfold(text) if line.startswith("SUMMARY:Season premiere"))
    assert "東京の物語" in summary and summary.count("Ünïcödé") == 2


def test_fold_handles_multibyte_characters_at_the_boundary():
    line = "SUMMARY:" + "é" * 100 + "東" * 40
    folded = fold(line).encode("utf-8").split(b"\r\n")
    assert all(len(part) <= 75 for part in folded)
    assert all(part.startswith(b" ") for part in folded[1:])
    assert b"".join(part[1:] if i else part for i, part in enumerate(folded)).decode() == line
    assert fold("short") == "short"


def test_text_values_are_escaped():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    lines = unfold(render(EVENTS, base_url="https://seen.example.org", now=NOW))
    assert "SUMMARY:Dune\\; Part Three: Theatrical release (US\\, GB)" in lines
    assert "SUMMARY:Back\\\\slash\\nGame: PlayStation 5\\, Xbox Series X|S [Q3 2027]" in lines


def test_the_calendar_and_its_events_carry_the_required_properties():
    lines = unfold(render(EVENTS, base_url="https://seen.example.org/", now=NOW))
    assert lines[:6] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//seen//release calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:/seen/ releases",
    ]
    assert lines[-1] == "END:VCALENDAR"
    blocks = "\n".join(lines).split("BEGIN:VEVENT")[1:]
    assert len(blocks) == 3 and lines.count("END:VEVENT") == 3
    for block in blocks:
        names = {line.split(":", 1)[0].split(";", 1)[0] for line in block.strip().split("\n")}
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "URL"} <= names
        assert "DTSTAMP:20261204T173005Z" in block
    # All-day events end the next day (across a year's end too), and link to the title's page
    assert "DTSTART;VALUE=DATE:20261231" in blocks[1] and "DTEND;VALUE=DATE:20270101" in blocks[1]
    assert "URL:https://seen.example.org/app/movies/1" in blocks[0]
    # UIDs are unique within the file and the same on the next fetch
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == 3 and all(re.fullmatch(r"UID:[\w-]+@seen\.example\.org", uid) for uid in uids)
    later = unfold(render(EVENTS, base_url="https://seen.example.org", now=datetime(2027, 1, 1, tzinfo=UTC)))
    assert [line for line in later if line.startswith("UID:")] == uids


def test_an_empty_calendar_is_still_a_valid_file():
    lines = unfold(render([], base_url="http://localhost:3000", now=NOW))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR" and "BEGIN:VEVENT" not in lines
