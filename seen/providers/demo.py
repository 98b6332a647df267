"""The bundled demo catalogue: what the app browses when no TMDB key is configured.

A self-hosted install should be explorable before anyone signs up for an API key, and the test suite and
offline demos need a catalogue that never touches the network. ``demo_catalogue.json`` holds a few hundred
well-known films, shows and games (facts plus descriptions written for this project); this module turns it
into the same provider-neutral records TMDB and IGDB normalise into (``seen.providers.models``), so services
and pages need no demo special cases. Demo titles carry no provider ids: they are addressed by ``slug``.

Loading is pure and cached (no database, no network) and validates every entry, so a typo in the data file
fails loudly with the offending slug instead of surfacing as a half-empty page. Artwork paths are
``demo/<slug>``; ``seen.providers.demo_art`` renders them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seen.providers.models import (
    Company,
    Credit,
    Episode,
    ExternalIds,
    Genre,
    MediaDetails,
    MediaSummary,
    Person,
    Platform,
    ReleaseDate,
    Season,
    TimeToBeat,
)

DEMO_PROVIDER = "demo"
CATALOGUE_PATH = Path(__file__).with_name("demo_catalogue.json")
KINDS = ("movie", "show", "game")

# TMDB's genre taxonomies (movie and TV lists differ) and IGDB's; the JSON stores ids only.
MOVIE_GENRES: dict[int, str] = {
    28: "Action",
    12: "Adventure",
    16: "Animation",
    35: "Comedy",
    80: "Crime",
    99: "Documentary",
    18: "Drama",
    10751: "Family",
    14: "Fantasy",
    36: "History",
    27: "Horror",
    10402: "Music",
    9648: "Mystery",
    10749: "Romance",
    878: "Science Fiction",
    10770: "TV Movie",
    53: "Thriller",
    10752: "War",
    37: "Western",
}
SHOW_GENRES: dict[int, str] = {
    10759: "Action & Adventure",
    16: "Animation",
    35: "Comedy",
    80: "Crime",
    99: "Documentary",
    18: "Drama",
    10751: "Family",
    10762: "Kids",
    9648: "Mystery",
    10763: "News",
    10764: "Reality",
    10765: "Sci-Fi & Fantasy",
    10766: "Soap",
    10767: "Talk",
    10768: "War & Politics",
    37: "Western",
}
GAME_GENRES: dict[int, str] = {
    2: "Point-and-click",
    4: "Fighting",
    5: "Shooter",
    7: "Music",
    8: "Platform",
    9: "Puzzle",
    10: "Racing",
    11: "Real Time Strategy (RTS)",
    12: "Role-playing (RPG)",
    13: "Simulator",
    14: "Sport",
    15: "Strategy",
    16: "Turn-based strategy (TBS)",
    24: "Tactical",
    25: "Hack and slash/Beat 'em up",
    26: "Quiz/Trivia",
    30: "Pinball",
    31: "Adventure",
    32: "Indie",
    33: "Arcade",
    34: "Visual Novel",
    35: "Card & Board Game",
    36: "MOBA",
}
_GENRES: dict[str, tuple[str, dict[int, str]]] = {
    "movie": ("tmdb", MOVIE_GENRES),
    "show": ("tmdb", SHOW_GENRES),
    "game": ("igdb", GAME_GENRES),
}

# IGDB platform ids and abbreviations, keyed by the platform name used in the JSON.
PLATFORMS: dict[str, tuple[int, str]] = {
    "PC (Microsoft Windows)": (6, "PC"),
    "PlayStation 5": (167, "PS5"),
    "Xbox Series X|S": (169, "Series X|S"),
    "Nintendo Switch": (130, "Switch"),
    "Nintendo Switch 2": (508, "Switch 2"),
    "PlayStation 4": (48, "PS4"),
    "Xbox One": (49, "XONE"),
    "Mac": (14, "Mac"),
    "Linux": (3, "Linux"),
    "iOS": (39, "iOS"),
    "Android": (34, "Android"),
    "PlayStation 3": (9, "PS3"),
    "Xbox 360": (12, "X360"),
    "Wii U": (41, "WiiU"),
    "PlayStation": (7, "PS1"),
    "Super Nintendo Entertainment System": (19, "SNES"),
    "Nintendo 64": (4, "N64"),
    "Nintendo Entertainment System": (18, "NES"),
    "Nintendo 3DS": (37, "3DS"),
    "Wii": (5, "Wii"),
    "PlayStation 2": (8, "PS2"),
    "Xbox": (11, "XBOX"),
    "GameCube": (21, "NGC"),
    "Game Boy Advance": (24, "GBA"),
    "Nintendo DS": (20, "NDS"),
    "DOS": (13, "DOS"),
    "Arcade": (52, "Arcade"),
    "Sega Mega Drive/Genesis": (29, "Genesis/MegaDrive"),
    "Game Boy": (33, "GB"),
}

SHOW_STATUSES = frozenset({"Returning Series", "Ended", "Canceled", "In Production", "Planned"})
# How exact a release date is; anything but "day" means the date is a placeholder inside that period
# (IGDB's convention for a year-only date is 31 December, which the data follows).
DATE_PRECISIONS = frozenset({"day", "month", "quarter", "year"})
MAX_OVERVIEW = 400

SECTIONS = (
    "trending",
    "popular",
    "top_rated",
    "upcoming",
    "now_playing",
    "airing_today",
    "recent_games",
    "anticipated_games",
)
# Which kinds each Discover section can be narrowed to; None (no filter) is always allowed.
_SECTION_KINDS: dict[str, tuple[str, ...]] = {
    "trending": KINDS,
    "popular": KINDS,
    "top_rated": KINDS,
    "upcoming": ("movie", "show"),
    "now_playing": ("movie", "show"),
    "airing_today": ("show",),
    "recent_games": ("game",),
    "anticipated_games": ("game",),
}
TRENDING_PAST = dt.timedelta(days=730)
TRENDING_AHEAD = dt.timedelta(days=60)
NOW_PLAYING_WINDOW = dt.timedelta(weeks=6)
AIRING_WINDOW = dt.timedelta(days=7)
RECENT_GAMES_WINDOW = dt.timedelta(days=90)


class DemoCatalogueError(ValueError):
    """The bundled data file is malformed; the message names the entry so it can be fixed."""


@dataclass(frozen=True, slots=True)
class DemoTitle:
    slug: str
    details: MediaDetails  # summary.kind in {"movie","show","game"}; summary.ids = ExternalIds()


def slugify(text: str) -> str:
    """ASCII, lower-case, dash-separated: stable identifiers that survive URLs and file names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.lower().replace("&", " and ").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def person_slug(name: str) -> str:
    """A person's stable id in the demo catalogue (their art is rendered from it)."""
    slug = slugify(name)
    if not slug:
        raise ValueError(f"cannot derive a person slug from {name!r}")
    return f"person-{slug}"


def company_id(name: str) -> int:
    """A stable positive int for a company name, so demo companies look like IGDB's and compare equal."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "big") & 0x7FFFFFFF


# --- loading -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Catalogue:
    titles: tuple[DemoTitle, ...]
    by_slug: dict[str, DemoTitle]
    people: tuple[tuple[str, Person], ...]


class _Entry:
    """Typed access to one JSON object; every failure names the slug."""

    def __init__(self, data: Any, index: int) -> None:
        if not isinstance(data, dict):
            raise DemoCatalogueError(f"demo catalogue entry #{index} is not an object")
        self.data = data
        self.slug = data.get("slug") if isinstance(data.get("slug"), str) else f"#{index}"

    def fail(self, problem: str) -> DemoCatalogueError:
        return DemoCatalogueError(f"demo catalogue entry {self.slug!r}: {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], *, required: bool = False, default: Any = None) -> Any:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(f"missing {key!r}")
            return default
        # bool is an int subclass; a true/false where a number belongs is a typo.
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(f"{key!r} must be {kind}, got {value!r}")
        if not isinstance(value, kind):
            raise self.fail(f"{key!r} must be {kind}, got {type(value).__name__}")
        return value

    def date(self, value: Any, what: str) -> dt.date | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{what} must be an ISO date string, got {value!r}")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(f"{what} {value!r} is not an ISO date") from None

    def names(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, default=[])
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise self.fail(f"{key!r} must be a list of non-empty strings")
        return tuple(values)


def _genres(entry: _Entry, kind: str) -> tuple[Genre, ...]:
    provider, table = _GENRES[kind]
    ids = entry.get("genres", list, required=True)
    if not ids:
        raise entry.fail("no genres")
    unknown = [g for g in ids if not isinstance(g, int) or g not in table]
    if unknown:
        raise entry.fail(f"unknown {kind} genre ids {unknown}")
    return tuple(Genre(provider=provider, id=g, name=table[g]) for g in ids)  # type: ignore[arg-type]


def _people_credits(entry: _Entry, kind: str) -> tuple[list[tuple[str, str | None]], list[tuple[str, str]]]:
    """(cast as (name, character), crew as (name, job)) before Person records exist."""
    cast: list[tuple[str, str | None]] = []
    for item in entry.get("cast", list, default=[]):
        ok = isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and item[0].strip()
        if not ok or not (item[1] is None or isinstance(item[1], str)):
            raise entry.fail(f"cast items must be [name, character or null], got {item!r}")
        cast.append((item[0], item[1]))
    job, key = ("Director", "directors") if kind == "movie" else ("Creator", "creators")
    crew = [(name, job) for name in entry.names(key)] if kind != "game" else []
    return cast, crew


def _seasons(entry: _Entry, slug: str, first_air: dt.date | None, runtime: int | None) -> tuple[Season, ...]:
    raw = entry.get("seasons", list, required=True)
    if not raw:
        raise entry.fail("a show needs at least one season")
    seasons = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise entry.fail(f"season {number} is not an object")
        count = item.get("episodes")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise entry.fail(f"season {number} needs a positive episode count, got {count!r}")
        air = entry.date(item.get("air_date"), f"season {number} air_date")
        if air is None and number == 1:
            air = first_air
        episodes = tuple(
            Episode(
                season_number=number,
                episode_number=k,
                title=f"Episode {k}",
                air_date=air + dt.timedelta(weeks=k - 1) if air else None,
                runtime=runtime,
                still_path=f"demo/{slug}",
            )
            for k in range(1, count + 1)
        )
        seasons.append(
            Season(
                number=number,
                title=f"Season {number}",
                air_date=air,
                episode_count=count,
                poster_path=f"demo/{slug}",
                episodes=episodes,
            )
        )
    return tuple(seasons)


def _platforms(entry: _Entry) -> tuple[tuple[Platform, ...], tuple[ReleaseDate, ...]]:
    raw = entry.get("platforms", list, required=True)
    if not raw:
        raise entry.fail("a game needs at least one platform")
    platforms: list[Platform] = []
    releases: list[ReleaseDate] = []
    note = _precision_note(entry)
    for item in raw:
        name = item.get("name") if isinstance(item, dict) else None
        if name not in PLATFORMS:
            raise entry.fail(f"unknown platform {name!r}")
        pid, abbreviation = PLATFORMS[name]
        platform = Platform(id=pid, name=name, abbreviation=abbreviation)
        if platform in platforms:
            raise entry.fail(f"platform {name!r} listed twice")
        platforms.append(platform)
        date = entry.date(item.get("date"), f"{name} release date")
        if date is not None:
            releases.append(ReleaseDate(country=None, date=date, platform=platform, note=note))
    return tuple(platforms), tuple(releases)


def _companies(entry: _Entry) -> tuple[Company, ...]:
    roles: dict[str, list[str]] = {}
    for role, key in (("developer", "developers"), ("publisher", "publishers")):
        for name in entry.names(key):
            roles.setdefault(name, []).append(role)
    return tuple(Company(provider="igdb", id=company_id(name), name=name, roles=tuple(r)) for name, r in roles.items())


def _add_ons(entry: _Entry, key: str, slug: str) -> tuple[MediaSummary, ...]:
    out = []
    for item in entry.get(key, list, default=[]):
        title = item.get("title") if isinstance(item, dict) else None
        if not isinstance(title, str) or not title.strip():
            raise entry.fail(f"{key} items need a title, got {item!r}")
        date = entry.date(item.get("release_date"), f"{key} {title!r} release_date")
        out.append(
            MediaSummary(
                kind="game",
                ids=ExternalIds(),
                title=title,
                year=date.year if date else None,
                release_date=date,
                poster_path=f"demo/{slug}",
                backdrop_path=f"demo/{slug}",
            )
        )
    return tuple(out)


def _time_to_beat(entry: _Entry) -> TimeToBeat | None:
    raw = entry.get("time_to_beat", dict)
    if raw is None:
        return None
    hours = [raw.get(k) for k in ("main", "extra", "complete")]
    if any(h is not None and (not isinstance(h, int | float) or isinstance(h, bool) or h <= 0) for h in hours):
        raise entry.fail(f"time_to_beat hours must be positive numbers, got {raw!r}")
    known = [h for h in hours if h is not None]
    if known != sorted(known):
        raise entry.fail(f"time_to_beat must not shrink from main to complete, got {raw!r}")
    main, extra, complete = (round(h * 3600) if h is not None else None for h in hours)
    return TimeToBeat(hastily=main, normally=extra, completely=complete)


def _precision_note(entry: _Entry) -> str | None:
    precision = entry.get("date_precision", str, default="day")
    if precision not in DATE_PRECISIONS:
        raise entry.fail(f"date_precision must be one of {sorted(DATE_PRECISIONS)}, got {precision!r}")
    return None if precision == "day" else f"date precision: {precision}"


def _number(entry: _Entry, key: str, low: float, high: float) -> float:
    value = entry.get(key, (int, float), required=True)
    if not low <= value <= high:
        raise entry.fail(f"{key!r} must be within {low}..{high}, got {value!r}")
    return float(value)


def _build(entry: _Entry, person: Callable[[str], Person]) -> DemoTitle:
    kind = entry.get("kind", str, required=True)
    if kind not in KINDS:
        raise entry.fail(f"kind must be one of {KINDS}, got {kind!r}")
    slug = entry.get("slug", str, required=True)
    if not re.fullmatch(rf"{kind}-[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise entry.fail(f"slug must look like '{kind}-lower-case-words'")
    title = entry.get("title", str, required=True).strip()
    if not title:
        raise entry.fail("empty title")
    overview = entry.get("overview", str, required=True).strip()
    if not overview or len(overview) > MAX_OVERVIEW:
        raise entry.fail(f"overview must be 1..{MAX_OVERVIEW} characters, got {len(overview)}")
    release = entry.date(entry.data.get("release_date"), "release_date")
    note = _precision_note(entry)
    year = entry.get("year", int)
    if release is not None and year is not None and year != release.year:
        raise entry.fail(f"year {year} does not match release_date {release}")
    runtime = entry.get("runtime", int)
    if runtime is not None and runtime <= 0:
        raise entry.fail(f"runtime must be positive, got {runtime}")
    genres = _genres(entry, kind)
    vote_count = entry.get("vote_count", int, default=0)
    summary = MediaSummary(
        kind=kind,  # type: ignore[arg-type]
        ids=ExternalIds(),
        title=title,
        year=release.year if release else year,
        release_date=release,
        overview=overview,
        poster_path=f"demo/{slug}",
        backdrop_path=f"demo/{slug}",
        genre_ids=tuple(g.id for g in genres),
        genre_names=tuple(g.name or "" for g in genres),
        popularity=_number(entry, "popularity", 0, 100),
        vote_average=_number(entry, "vote_average", 0, 10),
        vote_count=vote_count,
        original_language=entry.get("original_language", str),
    )
    cast, crew = _people_credits(entry, kind)
    credits = tuple(
        Credit(
            person=person(name),
            role="cast",
            character=character,
            department="Acting",
            order=order,
            credit_id=f"{slug}:cast:{order}",
        )
        for order, (name, character) in enumerate(cast)
    ) + tuple(
        Credit(
            person=person(name),
            role="crew",
            job=job,
            department="Directing" if job == "Director" else "Writing",
            credit_id=f"{slug}:crew:{i}",
        )
        for i, (name, job) in enumerate(crew)
    )
    extra: dict[str, Any] = {}
    if kind == "movie":
        if release is not None:
            extra["release_dates"] = (ReleaseDate(country="US", date=release, type="theatrical", note=note),)
    elif kind == "show":
        status = entry.get("status", str, required=True)
        if status not in SHOW_STATUSES:
            raise entry.fail(f"status must be one of {sorted(SHOW_STATUSES)}, got {status!r}")
        seasons = _seasons(entry, slug, release, runtime)
        extra.update(
            status=status,
            seasons=seasons,
            number_of_seasons=len(seasons),
            number_of_episodes=sum(s.episode_count or 0 for s in seasons),
            networks=entry.names("networks"),
        )
    else:
        platforms, releases = _platforms(entry)
        franchise = entry.get("franchise", str)
        extra.update(
            platforms=platforms,
            release_dates=releases,
            franchises=(franchise,) if franchise else (),
            companies=_companies(entry),
            dlcs=_add_ons(entry, "dlcs", slug),
            expansions=_add_ons(entry, "expansions", slug),
            time_to_beat=_time_to_beat(entry),
        )
    details = MediaDetails(
        summary=summary,
        runtime=runtime,
        genres=genres,
        credits=credits,
        raw={"slug": slug, "source": DEMO_PROVIDER},
        **extra,
    )
    return DemoTitle(slug=slug, details=details)


def _person_stats(entries: Iterable[_Entry]) -> dict[str, dict[str, Any]]:
    """First pass over the credits: one Person per name, known for what they did most, as popular as
    their most popular title."""
    stats: dict[str, dict[str, Any]] = {}
    for entry in entries:
        kind = entry.data.get("kind")
        if kind not in KINDS:
            continue  # _build reports it
        popularity = entry.data.get("popularity")
        cast, crew = _people_credits(entry, kind)
        for name, department in [(n, "Acting") for n, _ in cast] + [
            (n, "Directing" if job == "Director" else "Writing") for n, job in crew
        ]:
            row = stats.setdefault(name, {"departments": {}, "popularity": 0.0})
            row["departments"][department] = row["departments"].get(department, 0) + 1
            if isinstance(popularity, int | float):
                row["popularity"] = max(row["popularity"], float(popularity))
    return stats


def load(path: Path = CATALOGUE_PATH) -> _Catalogue:
    """Parse and validate a catalogue file (uncached; ``titles()`` caches the bundled one)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DemoCatalogueError(f"cannot read demo catalogue {path}: {exc}") from exc
    items = document.get("titles") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise DemoCatalogueError(f"demo catalogue {path} has no 'titles' list")
    entries = [_Entry(item, i) for i, item in enumerate(items)]

    people: dict[str, Person] = {}
    slugs_by_person: dict[str, str] = {}
    for name, row in _person_stats(entries).items():
        pslug = person_slug(name)
        if pslug in slugs_by_person.values():
            other = next(n for n, s in slugs_by_person.items() if s == pslug)
            raise DemoCatalogueError(f"people {other!r} and {name!r} share the slug {pslug!r}")
        departments: dict[str, int] = row["departments"]
        # Ties go to acting: it is what most people in the file are credited for.
        department = max(departments, key=lambda d: (departments[d], d == "Acting"))
        slugs_by_person[name] = pslug
        people[name] = Person(
            ids=ExternalIds(),
            name=name,
            profile_path=f"demo/{pslug}",
            known_for_department=department,
            popularity=row["popularity"],
        )

    titles: list[DemoTitle] = []
    by_slug: dict[str, DemoTitle] = {}
    for entry in entries:
        title = _build(entry, people.__getitem__)
        if title.slug in by_slug:
            raise entry.fail("duplicate slug")
        by_slug[title.slug] = title
        titles.append(title)
    return _Catalogue(
        titles=tuple(titles),
        by_slug=by_slug,
        people=tuple((slugs_by_person[name], person) for name, person in people.items()),
    )


@functools.cache
def _catalogue() -> _Catalogue:
    return load()


# --- public API ----------------------------------------------------------------------------------------


def titles() -> tuple[DemoTitle, ...]:
    """Every demo title, in file order, parsed and validated once per process."""
    return _catalogue().titles


def by_slug(slug: str) -> DemoTitle | None:
    return _catalogue().by_slug.get(slug)


def genres(kind: str) -> tuple[Genre, ...]:
    """The genre list for a kind, as the matching provider would return it (for filters and labels)."""
    if kind not in _GENRES:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    provider, table = _GENRES[kind]
    return tuple(Genre(provider=provider, id=gid, name=name) for gid, name in table.items())  # type: ignore[arg-type]


def people() -> tuple[tuple[str, Person], ...]:
    """Every distinct person credited in the catalogue with their slug; credits share these Person objects."""
    return _catalogue().people


def _popularity(t: DemoTitle) -> float:
    return t.details.summary.popularity or 0.0


def _date(t: DemoTitle) -> dt.date | None:
    return t.details.summary.release_date


def _premieres(t: DemoTitle) -> list[dt.date]:
    """When something new starts: a film's release, a show's first air date and each season premiere."""
    dates = [s.air_date for s in t.details.seasons if s.air_date]
    release = _date(t)
    return sorted({*dates, release} if release else set(dates))


def _by_popularity(items: Iterable[DemoTitle]) -> list[DemoTitle]:
    return sorted(items, key=lambda t: (-_popularity(t), t.slug))


def section(name: str, *, today: dt.date, kind: str | None = None, limit: int = 40) -> tuple[str, ...]:
    """Slugs ranked for one Discover section, relative to ``today`` (passed in so results are reproducible).

    ``kind`` narrows a section to one kind where that makes sense (see ``_SECTION_KINDS``); film- and
    game-only sections default to their kind.
    """
    if name not in _SECTION_KINDS:
        raise ValueError(f"unknown demo section {name!r}; expected one of {SECTIONS}")
    if kind is not None and kind not in _SECTION_KINDS[name]:
        raise ValueError(f"section {name!r} cannot be narrowed to kind {kind!r}")
    if limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
    pool = [t for t in titles() if kind is None or t.details.summary.kind == kind]
    released = [t for t in pool if (d := _date(t)) is not None and d <= today]

    ranked: list[DemoTitle]
    if name == "trending":
        low, high = today - TRENDING_PAST, today + TRENDING_AHEAD
        ranked = _by_popularity(t for t in pool if (d := _date(t)) is not None and low <= d <= high)
    elif name == "popular":
        ranked = _by_popularity(released)
    elif name == "top_rated":
        ranked = sorted(released, key=lambda t: (-(t.details.summary.vote_average or 0.0), -_popularity(t), t.slug))
    elif name in ("upcoming", "now_playing"):
        wanted = kind or "movie"
        chosen = [t for t in pool if t.details.summary.kind == wanted]
        if name == "upcoming":
            nxt = {t.slug: next((d for d in _premieres(t) if d > today), None) for t in chosen}
            ranked = sorted(
                (t for t in chosen if nxt[t.slug] is not None),
                key=lambda t: (nxt[t.slug], -_popularity(t), t.slug),
            )
        else:
            start = today - NOW_PLAYING_WINDOW
            ranked = _by_popularity(t for t in chosen if any(start < d <= today for d in _premieres(t)))
    elif name == "airing_today":
        shows = [t for t in pool if t.details.summary.kind == "show"]
        end = today + AIRING_WINDOW
        soonest: dict[str, dt.date] = {}
        for t in shows:
            dates = [
                e.air_date
                for s in t.details.seasons
                for e in s.episodes
                if e.air_date is not None and today <= e.air_date <= end
            ]
            if dates:
                soonest[t.slug] = min(dates)
        airing = sorted((t for t in shows if t.slug in soonest), key=lambda t: (soonest[t.slug], -_popularity(t)))
        # Few demo shows have dated episodes in any given week; running series fill the rest of the row.
        returning = _by_popularity(
            t
            for t in shows
            if t.slug not in soonest
            and t.details.status == "Returning Series"
            and (d := _date(t)) is not None
            and d <= today
        )
        ranked = airing + returning
    elif name == "recent_games":
        start = today - RECENT_GAMES_WINDOW
        games = [t for t in pool if t.details.summary.kind == "game"]
        ranked = sorted(
            (t for t in games if (d := _date(t)) is not None and start < d <= today),
            key=lambda t: (-(_date(t) or today).toordinal(), -_popularity(t), t.slug),
        )
    else:  # anticipated_games: dated after today, or announced without a date
        games = [t for t in pool if t.details.summary.kind == "game"]
        ranked = _by_popularity(t for t in games if (d := _date(t)) is None or d > today)
    return tuple(t.slug for t in ranked[:limit])
