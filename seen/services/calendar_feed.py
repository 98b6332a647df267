"""The calendar as an iCalendar file (RFC 5545) that calendar apps subscribe to.

All-day events (DTSTART;VALUE=DATE and DTEND the next day), one per calendar event, with a UID that stays
the same from one fetch to the next (so apps update events instead of duplicating them), DTSTAMP in UTC,
and a URL to the title's page. Lines end in CRLF and are folded at 75 octets without splitting a UTF-8
character; TEXT values escape backslashes, semicolons, commas and newlines.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from seen.services.calendar import CalendarEvent

PRODID = "-//seen//release calendar//EN"
CALENDAR_NAME = "/seen/ releases"
MAX_OCTETS = 75
KIND_NAMES = {
    "movie_release": "Movie",
    "episode": "Episode",
    "season_premiere": "Premiere",
    "game_release": "Game",
    "dlc": "DLC",
    "expansion": "Expansion",
}


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, newlines as \\n."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """One content line folded to lines of at most 75 octets (continuations start with a space), cut only
    between characters so a multibyte UTF-8 character never straddles two lines."""
    pieces: list[str] = []
    current, size, limit = [], 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1  # the leading space takes one octet
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def summary(event: CalendarEvent) -> str:
    """What a calendar app shows in its grid."""
    if event.kind in ("episode", "season_premiere"):
        text = event.label  # "S02E03 · Title" already names the show
    elif event.kind in ("dlc", "expansion"):
        text = f"{event.title} ({event.label})"
    else:
        text = f"{event.title}: {event.label}"
    return f"{text} [{event.precision}]" if event.precision else text


def render(
    found: Iterable[CalendarEvent], *, base_url: str, now: datetime | None = None, name: str = CALENDAR_NAME
) -> str:
    """The whole VCALENDAR as text with CRLF line ends (encode as UTF-8 to serve it)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    host = urlsplit(base_url).hostname or "seen.local"
    base = base_url.rstrip("/")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "X-PUBLISHED-TTL:PT6H",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
    ]
    for event in found:
        start = date.fromisoformat(event.date)
        details = [KIND_NAMES.get(event.kind, event.kind), event.label]
        if event.precision:
            details.append(f"Date is an estimate: {event.precision}")
        if event.platforms:
            details.append("Platforms: " + ", ".join(event.platforms))
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{_day(start)}",
            f"DTEND;VALUE=DATE:{_day(start + timedelta(days=1))}",
            f"SUMMARY:{escape_text(summary(event))}",
            f"DESCRIPTION:{escape_text(chr(10).join(details))}",
            f"CATEGORIES:{escape_text(KIND_NAMES.get(event.kind, event.kind))}",
            f"URL:{base}{event.href}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
