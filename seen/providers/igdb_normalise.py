"""IGDB v4 JSON -> provider-neutral records (``seen.providers.models``). Pure: dict in, dataclasses out.

IGDB returns a reference either expanded (``{"id": 6, "name": "PC"}``, when the query asked for
``platforms.name``) or as a bare id (``6``). Platforms and genres stay useful as bare ids; other bare
references (covers, involved companies, DLCs...) cannot be turned into records without another request, so
``game_details`` lists them in ``MediaDetails.unresolved`` as (field, id) for the client to expand.
Malformed items are skipped and logged; nothing here raises on a JSON value.
"""

from __future__ import annotations

import logging
from typing import Any

from seen.providers.coerce import as_dict, as_float, as_int, as_list, as_str, collect, timestamp_date
from seen.providers.models import (
    Company,
    ExternalIds,
    Genre,
    MediaDetails,
    MediaSummary,
    Platform,
    ReleaseDate,
    TimeToBeat,
)

log = logging.getLogger(__name__)

IMAGE_BASE_URL = "https://images.igdb.com/igdb/image/upload"

# release_dates.region (release_region in newer payloads).
REGIONS: dict[int, str] = {
    1: "europe",
    2: "north_america",
    3: "australia",
    4: "new_zealand",
    5: "japan",
    6: "china",
    7: "asia",
    8: "worldwide",
    9: "korea",
    10: "brazil",
}

# games.status
STATUSES: dict[int, str] = {
    0: "released",
    2: "alpha",
    3: "beta",
    4: "early_access",
    5: "offline",
    6: "cancelled",
    7: "rumored",
    8: "delisted",
}

_COMPANY_ROLES = ("developer", "publisher", "porting", "supporting")


def image_url(image_id: str, size: str = "cover_big") -> str:
    """``https://images.igdb.com/igdb/image/upload/t_{size}/{image_id}.jpg``; also takes our ``/id.jpg`` paths."""
    ident = image_id.strip().lstrip("/").removesuffix(".jpg")
    return f"{IMAGE_BASE_URL}/t_{size}/{ident}.jpg"


def image_path(value: Any) -> str | None:
    """An expanded image (cover, screenshot, artwork) as a provider-relative path ``/{image_id}.jpg``."""
    data = as_dict(value) or {}
    image_id = as_str(data.get("image_id"))
    if image_id is None:
        # Older payloads may only have a sized URL: //images.igdb.com/.../t_thumb/{image_id}.jpg
        url = as_str(data.get("url"))
        image_id = url.rsplit("/", 1)[-1].rsplit(".", 1)[0] if url else None
    return f"/{image_id}.jpg" if image_id else None


def _ref_id(value: Any) -> int | None:
    return as_int(value) if not isinstance(value, dict) else as_int(value.get("id"))


def _split(values: Any) -> tuple[list[Any], tuple[int, ...]]:
    """Separate expanded objects from bare ids (which are references, not errors)."""
    expanded = [value for value in as_list(values) if not isinstance(value, int | bool)]
    bare = tuple(value for value in as_list(values) if isinstance(value, int) and not isinstance(value, bool))
    return expanded, bare


# --- small records -------------------------------------------------------------------------------------


def platform(item: Any) -> Platform | None:
    """A platform, expanded or as a bare id."""
    platform_id = _ref_id(item)
    if platform_id is None:
        return None
    data = as_dict(item) or {}
    return Platform(id=platform_id, name=as_str(data.get("name")), abbreviation=as_str(data.get("abbreviation")))


def genre(item: Any) -> Genre | None:
    """A genre, expanded or as a bare id (then without a name)."""
    genre_id = _ref_id(item)
    if genre_id is None:
        return None
    return Genre("igdb", genre_id, as_str((as_dict(item) or {}).get("name")))


def release_date(item: Any) -> ReleaseDate | None:
    """One ``release_dates`` row: a platform, a region, a unix ``date`` and IGDB's ``human`` text."""
    data = as_dict(item) or {}
    date = timestamp_date(data.get("date"))
    human = as_str(data.get("human"))
    # A row without either says nothing; "TBD" rows keep their human text with no date.
    if date is None and human is None:
        return None
    region = _ref_id(data.get("region") if "region" in data else data.get("release_region"))
    return ReleaseDate(
        country=REGIONS.get(region) if region is not None else None,
        date=date,
        platform=platform(data.get("platform")),
        note=human,
    )


def involved_company(item: Any) -> Company | None:
    """An expanded ``involved_companies`` row: the company and its developer/publisher/... flags."""
    data = as_dict(item) or {}
    company = data.get("company")
    company_id = _ref_id(company)
    if company_id is None:
        return None
    roles = tuple(role for role in _COMPANY_ROLES if data.get(role) is True)
    return Company("igdb", company_id, as_str((as_dict(company) or {}).get("name")), roles)


def time_to_beat(item: Any) -> TimeToBeat | None:
    """``game_time_to_beats`` rows (``hastily``) and the older embedded object (``hastly``), in seconds."""
    data = as_dict(item)
    if data is None:
        return None
    result = TimeToBeat(
        hastily=as_int(data.get("hastily", data.get("hastly"))),
        normally=as_int(data.get("normally")),
        completely=as_int(data.get("completely")),
    )
    return result if result != TimeToBeat() else None


# --- games ---------------------------------------------------------------------------------------------


def _vote_average(data: dict[str, Any]) -> float | None:
    # IGDB rates 0-100; the catalogue uses TMDB's 0-10 scale everywhere.
    for key in ("total_rating", "rating", "aggregated_rating"):
        rating = as_float(data.get(key))
        if rating is not None:
            return round(rating / 10, 3)
    return None


def _vote_count(data: dict[str, Any]) -> int | None:
    for key in ("total_rating_count", "rating_count", "aggregated_rating_count"):
        count = as_int(data.get(key))
        if count is not None:
            return count
    return None


def _backdrop(data: dict[str, Any]) -> str | None:
    for key in ("artworks", "screenshots"):
        expanded, _ = _split(data.get(key))
        for image in expanded:
            if path := image_path(image):
                return path
    return None


def game_summary(item: Any) -> MediaSummary | None:
    """A game from a search or list; None without an id."""
    data = as_dict(item)
    game_id = as_int((data or {}).get("id"))
    if data is None or game_id is None:
        return None
    released = timestamp_date(data.get("first_release_date"))
    genre_list, _ = collect(data.get("genres"), genre, "IGDB genre", log)
    return MediaSummary(
        kind="game",
        ids=ExternalIds(igdb=game_id),
        title=as_str(data.get("name")) or "",
        year=released.year if released else None,
        release_date=released,
        overview=as_str(data.get("summary")) or as_str(data.get("storyline")),
        poster_path=image_path(data.get("cover")),
        backdrop_path=_backdrop(data),
        genre_ids=tuple(item.id for item in genre_list),
        genre_names=tuple(item.name for item in genre_list if item.name),
        popularity=as_float(data.get("popularity")),
        vote_average=_vote_average(data),
        vote_count=_vote_count(data),
    )


def _expanded(
    data: dict[str, Any], key: str, convert: Any, what: str, unresolved: list[tuple[str, int]]
) -> tuple[Any, ...]:
    expanded, bare = _split(data.get(key))
    unresolved.extend((key, ref) for ref in bare)
    items, _ = collect(expanded, convert, what, log)
    return items


def _franchises(data: dict[str, Any], unresolved: list[tuple[str, int]]) -> tuple[str, ...]:
    # "franchise" is the main one, "franchises" all of them; list each name once, main first.
    values = [data["franchise"]] if "franchise" in data else []
    values += as_list(data.get("franchises"))
    names: list[str] = []
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool):
            if ("franchises", value) not in unresolved:
                unresolved.append(("franchises", value))
            continue
        name = as_str((as_dict(value) or {}).get("name"))
        if name is None:
            log.warning("skipped unusable IGDB franchise: %.200r", value)
        elif name not in names:
            names.append(name)
    return tuple(names)


def _single_refs(data: dict[str, Any], unresolved: list[tuple[str, int]]) -> TimeToBeat | None:
    """Bare single references (cover, time_to_beat) go to ``unresolved``; returns the time to beat."""
    for key in ("cover", "time_to_beat"):
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            unresolved.append((key, value))
    return time_to_beat(data.get("time_to_beat"))


def _status(value: Any) -> str | None:
    code = as_int(value)
    return STATUSES.get(code) if code is not None else None


def game_details(item: Any) -> MediaDetails | None:
    """A game with its platforms, genres, franchises, companies, images, per-platform release dates,
    DLCs/expansions and time to beat, from expanded fields or bare ids (see the module docstring)."""
    data = as_dict(item) or {}
    base = game_summary(data)
    if base is None:
        log.warning("IGDB game without an id: %.200r", item)
        return None
    unresolved: list[tuple[str, int]] = []
    platforms, _ = collect(data.get("platforms"), platform, "IGDB platform", log)
    genres, _ = collect(data.get("genres"), genre, "IGDB genre", log)
    franchises = _franchises(data, unresolved)
    companies = _expanded(data, "involved_companies", involved_company, "IGDB involved company", unresolved)
    releases = _expanded(data, "release_dates", release_date, "IGDB release date", unresolved)
    screenshots = _expanded(data, "screenshots", image_path, "IGDB screenshot", unresolved)
    dlcs = _expanded(data, "dlcs", game_summary, "IGDB DLC", unresolved)
    expansions = _expanded(data, "expansions", game_summary, "IGDB expansion", unresolved)
    similar = _expanded(data, "similar_games", game_summary, "IGDB similar game", unresolved)
    beat = _single_refs(data, unresolved)
    return MediaDetails(
        summary=base,
        status=_status(data.get("status")),
        genres=genres,
        platforms=platforms,
        franchises=franchises,
        companies=companies,
        release_dates=releases,
        screenshots=screenshots,
        dlcs=dlcs,
        expansions=expansions,
        similar=similar,
        time_to_beat=beat,
        unresolved=tuple(unresolved),
        raw=data,
    )
