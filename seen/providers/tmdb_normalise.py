"""TMDB v3 JSON -> provider-neutral records (``seen.providers.models``). Pure: dict in, dataclasses out.

Every function accepts any JSON value and never raises on it: a payload without an id gives None, a list
item that cannot be used is skipped and logged (and counted on ``Page.skipped``). Older payloads are read
too: ``popularity`` as a string, ``""`` for unknown dates, ``similar_movies`` for ``similar``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from seen.providers.coerce import (
    as_date,
    as_dict,
    as_float,
    as_int,
    as_list,
    as_str,
    collect,
    int_tuple,
    str_tuple,
)
from seen.providers.models import (
    Company,
    Credit,
    CreditRole,
    Episode,
    ExternalIds,
    Genre,
    ImageConfiguration,
    MediaDetails,
    MediaKind,
    MediaSummary,
    Page,
    Person,
    PersonCredit,
    PersonDetails,
    ReleaseDate,
    ReleaseType,
    Season,
)

log = logging.getLogger(__name__)

# TMDB says "tv" where we say "show"; anything else (collection, company...) is not a catalogue item.
_KINDS: dict[str, MediaKind] = {"movie": "movie", "tv": "show", "show": "show", "person": "person"}

RELEASE_TYPES: dict[int, ReleaseType] = {
    1: "premiere",
    2: "theatrical_limited",
    3: "theatrical",
    4: "digital",
    5: "physical",
    6: "tv",
}


# --- summaries and pages -------------------------------------------------------------------------------


def _infer_kind(item: dict[str, Any]) -> MediaKind | None:
    """List endpoints (popular, discover...) omit ``media_type``; the fields tell the kinds apart."""
    if "title" in item or "original_title" in item:
        return "movie"
    if any(key in item for key in ("known_for_department", "profile_path", "known_for", "gender")):
        return "person"
    if any(key in item for key in ("name", "original_name", "first_air_date")):
        return "show"
    return None


def _kind(item: dict[str, Any], kind_hint: str | None) -> MediaKind | None:
    media_type = item.get("media_type")
    if isinstance(media_type, str):
        return _KINDS.get(media_type)
    if kind_hint is not None:
        return _KINDS.get(kind_hint)
    return _infer_kind(item)


def _genre_ids(item: dict[str, Any]) -> tuple[int, ...]:
    if "genre_ids" in item:
        return int_tuple(item["genre_ids"])
    return tuple(genre.id for genre in genres(item))


def _person_summary(item: dict[str, Any], tmdb_id: int) -> MediaSummary:
    return MediaSummary(
        kind="person",
        ids=ExternalIds(tmdb=tmdb_id, imdb=as_str(item.get("imdb_id"))),
        title=as_str(item.get("name")) or as_str(item.get("original_name")) or "",
        original_title=as_str(item.get("original_name")),
        poster_path=as_str(item.get("profile_path")),
        popularity=as_float(item.get("popularity")),
    )


def summary(item: Any, kind_hint: str | None = None) -> MediaSummary | None:
    """One movie, show or person from any list, search or details payload; None when unusable.

    ``media_type`` (multi search, trending/all, combined credits) wins over ``kind_hint``
    ("movie", "tv"/"show", "person"), which wins over guessing from the fields.
    """
    data = as_dict(item)
    if data is None:
        return None
    kind = _kind(data, kind_hint)
    tmdb_id = as_int(data.get("id"))
    if kind is None or tmdb_id is None:
        return None
    if kind == "person":
        return _person_summary(data, tmdb_id)
    title_key, original_key, date_key = (
        ("title", "original_title", "release_date") if kind == "movie" else ("name", "original_name", "first_air_date")
    )
    released = as_date(data.get(date_key))
    genre_list = genres(data)
    return MediaSummary(
        kind=kind,
        ids=ExternalIds(tmdb=tmdb_id, imdb=as_str(data.get("imdb_id"))),
        title=as_str(data.get(title_key)) or as_str(data.get(original_key)) or "",
        original_title=as_str(data.get(original_key)),
        year=released.year if released else None,
        release_date=released,
        overview=as_str(data.get("overview")),
        poster_path=as_str(data.get("poster_path")),
        backdrop_path=as_str(data.get("backdrop_path")),
        genre_ids=_genre_ids(data),
        genre_names=tuple(genre.name for genre in genre_list if genre.name),
        popularity=as_float(data.get("popularity")),
        vote_average=as_float(data.get("vote_average")),
        vote_count=as_int(data.get("vote_count")),
        original_language=as_str(data.get("original_language")),
    )


def page(payload: Any, kind_hint: str | None = None) -> Page[MediaSummary]:
    """A paged list (search, trending, popular, discover, recommendations...) of summaries."""
    data = as_dict(payload) or {}
    items, skipped = collect(data.get("results"), lambda item: summary(item, kind_hint), "TMDB result", log)
    return Page(
        items=items,
        page=as_int(data.get("page")) or 1,
        total_pages=as_int(data.get("total_pages")) or 1,
        total_results=as_int(data.get("total_results")) or len(items),
        skipped=skipped,
    )


def find(payload: Any) -> tuple[MediaSummary, ...]:
    """``/find/{external_id}``: the movie, show and person hits (episode and season hits are not titles)."""
    data = as_dict(payload) or {}
    found: list[MediaSummary] = []
    for key, kind in (("movie_results", "movie"), ("tv_results", "tv"), ("person_results", "person")):
        items, _ = collect(data.get(key), lambda item, kind=kind: summary(item, kind), "TMDB find result", log)
        found.extend(items)
    return tuple(found)


def changes(payload: Any) -> Page[int]:
    """``/movie/changes``, ``/tv/changes``, ``/person/changes``: the ids to refresh."""
    data = as_dict(payload) or {}
    ids, skipped = collect(data.get("results"), lambda item: as_int((as_dict(item) or {}).get("id")), "change", log)
    return Page(
        items=ids,
        page=as_int(data.get("page")) or 1,
        total_pages=as_int(data.get("total_pages")) or 1,
        total_results=as_int(data.get("total_results")) or len(ids),
        skipped=skipped,
    )


# --- small shared parts --------------------------------------------------------------------------------


def _genre(item: Any) -> Genre | None:
    data = as_dict(item) or {}
    genre_id, name = as_int(data.get("id")), as_str(data.get("name"))
    return Genre("tmdb", genre_id, name) if genre_id is not None and name is not None else None


def genres(payload: Any) -> tuple[Genre, ...]:
    """``/genre/movie/list`` and ``/genre/tv/list``, or the ``genres`` of a details payload."""
    items, _ = collect((as_dict(payload) or {}).get("genres"), _genre, "TMDB genre", log)
    return items


def external_ids(payload: Any) -> ExternalIds:
    """An ``external_ids`` block (appended or its own endpoint); its ``id`` is the TMDB id when present."""
    data = as_dict(payload) or {}
    return ExternalIds(
        tmdb=as_int(data.get("id")),
        imdb=as_str(data.get("imdb_id")),
        tvdb=as_int(data.get("tvdb_id")),
    )


def configuration(payload: Any) -> ImageConfiguration | None:
    """``/configuration``: where images live and which sizes exist."""
    images = as_dict((as_dict(payload) or {}).get("images")) or {}
    base_url = as_str(images.get("base_url")) or as_str(images.get("secure_base_url"))
    if base_url is None:
        log.warning("TMDB configuration without an image base URL")
        return None
    return ImageConfiguration(
        base_url=base_url,
        secure_base_url=as_str(images.get("secure_base_url")),
        poster_sizes=str_tuple(images.get("poster_sizes")),
        backdrop_sizes=str_tuple(images.get("backdrop_sizes")),
        profile_sizes=str_tuple(images.get("profile_sizes")),
        still_sizes=str_tuple(images.get("still_sizes")),
        logo_sizes=str_tuple(images.get("logo_sizes")),
    )


def _credit_person(data: dict[str, Any]) -> Person | None:
    person_id, name = as_int(data.get("id")), as_str(data.get("name"))
    if person_id is None or name is None:
        return None
    return Person(
        ids=ExternalIds(tmdb=person_id),
        name=name,
        profile_path=as_str(data.get("profile_path")),
        known_for_department=as_str(data.get("known_for_department")),
        popularity=as_float(data.get("popularity")),
    )


def _credit(item: Any, role: CreditRole, creator: bool = False) -> Credit | None:
    data = as_dict(item) or {}
    person = _credit_person(data)
    if person is None:
        return None
    return Credit(
        person=person,
        role=role,
        character=as_str(data.get("character")),
        # A show's created_by entries have no job; TMDB files "Creator" under Writing.
        job=as_str(data.get("job")) or ("Creator" if creator else None),
        department=as_str(data.get("department")) or ("Writing" if creator else None),
        order=as_int(data.get("order")),
        credit_id=as_str(data.get("credit_id")),
    )


def credits(payload: Any) -> tuple[Credit, ...]:
    """A ``credits`` block: ``cast``, ``crew`` and (episodes) ``guest_stars``, who count as cast."""
    data = as_dict(payload) or {}
    cast, _ = collect(data.get("cast"), lambda item: _credit(item, "cast"), "TMDB cast credit", log)
    guests, _ = collect(data.get("guest_stars"), lambda item: _credit(item, "cast"), "TMDB guest star", log)
    crew, _ = collect(data.get("crew"), lambda item: _credit(item, "crew"), "TMDB crew credit", log)
    return cast + guests + crew


def _release_date(item: Any) -> ReleaseDate | None:
    data = as_dict(item) or {}
    date = as_date(data.get("release_date"))
    if date is None:
        return None
    return ReleaseDate(
        country=as_str(data.get("iso_3166_1")),
        date=date,
        type=RELEASE_TYPES.get(as_int(data.get("type")) or 0),
        note=as_str(data.get("note")),
        certification=as_str(data.get("certification")),
    )


def release_dates(payload: Any) -> tuple[ReleaseDate, ...]:
    """``release_dates``: per country, each dated release with its type (1-6 -> premiere ... tv)."""
    flat: list[Any] = []
    for country in as_list((as_dict(payload) or {}).get("results")):
        country_data = as_dict(country) or {}
        code = country_data.get("iso_3166_1")
        # Carry the country down so each dated row stands alone.
        flat.extend(
            {**entry, "iso_3166_1": code} if isinstance(entry, dict) else entry
            for entry in as_list(country_data.get("release_dates"))
        )
    items, _ = collect(flat, _release_date, "TMDB release date", log)
    return items


def _companies(data: dict[str, Any]) -> tuple[Company, ...]:
    def convert(item: Any) -> Company | None:
        company = as_dict(item) or {}
        company_id = as_int(company.get("id"))
        if company_id is None:
            return None
        return Company("tmdb", company_id, as_str(company.get("name")), ("production",))

    items, _ = collect(data.get("production_companies"), convert, "TMDB company", log)
    return items


def _related(data: dict[str, Any], keys: tuple[str, ...], kind: str) -> tuple[MediaSummary, ...]:
    for key in keys:
        block = as_dict(data.get(key))
        if block is not None:
            return page(block, kind).items
    return ()


# --- details -------------------------------------------------------------------------------------------


def _with_ids(base: MediaSummary, data: dict[str, Any]) -> MediaSummary:
    return replace(base, ids=base.ids.merged(external_ids(data.get("external_ids"))))


def movie_details(payload: Any) -> MediaDetails | None:
    """``/movie/{id}``, with ``append_to_response`` parts (credits, external_ids, release_dates,
    recommendations, similar) when present; videos, images and the rest are ignored (kept in ``raw``)."""
    data = as_dict(payload) or {}
    base = summary(data, "movie")
    if base is None:
        log.warning("TMDB movie details without an id: %.200r", payload)
        return None
    return MediaDetails(
        summary=_with_ids(base, data),
        # TMDB writes 0 for an unknown runtime.
        runtime=as_int(data.get("runtime")) or None,
        status=as_str(data.get("status")),
        tagline=as_str(data.get("tagline")),
        genres=genres(data),
        credits=credits(data.get("credits")),
        release_dates=release_dates(data.get("release_dates")),
        companies=_companies(data),
        recommendations=_related(data, ("recommendations",), "movie"),
        similar=_related(data, ("similar", "similar_movies"), "movie"),
        raw=data,
    )


def _show_seasons(data: dict[str, Any]) -> tuple[Season, ...]:
    stubs, _ = collect(data.get("seasons"), season, "TMDB season", log)
    # append_to_response=season/1,season/2 puts full seasons (with episodes) beside the stubs.
    full = {item.number: item for key, value in data.items() if key.startswith("season/") and (item := season(value))}
    return tuple(full.get(stub.number, stub) for stub in stubs)


def _creators(data: dict[str, Any]) -> tuple[Credit, ...]:
    items, _ = collect(data.get("created_by"), lambda item: _credit(item, "crew", creator=True), "TMDB creator", log)
    return items


def show_details(payload: Any) -> MediaDetails | None:
    """``/tv/{id}`` with its season list and the same ``append_to_response`` parts as movies."""
    data = as_dict(payload) or {}
    base = summary(data, "tv")
    if base is None:
        log.warning("TMDB show details without an id: %.200r", payload)
        return None
    run_times = int_tuple(data.get("episode_run_time"))
    networks, _ = collect(data.get("networks"), lambda item: as_str((as_dict(item) or {}).get("name")), "network", log)
    return MediaDetails(
        summary=_with_ids(base, data),
        runtime=(run_times[0] or None) if run_times else None,
        status=as_str(data.get("status")),
        tagline=as_str(data.get("tagline")),
        genres=genres(data),
        seasons=_show_seasons(data),
        number_of_seasons=as_int(data.get("number_of_seasons")),
        number_of_episodes=as_int(data.get("number_of_episodes")),
        networks=networks,
        credits=_creators(data) + credits(data.get("credits")),
        companies=_companies(data),
        recommendations=_related(data, ("recommendations",), "tv"),
        similar=_related(data, ("similar",), "tv"),
        raw=data,
    )


def _episode(item: Any, season_number: int | None = None) -> Episode | None:
    data = as_dict(item) or {}
    # Episodes inside an older season payload carry no season_number of their own.
    number_in_season = as_int(data.get("season_number"))
    season_no = number_in_season if number_in_season is not None else season_number
    episode_number = as_int(data.get("episode_number"))
    if season_no is None or episode_number is None:
        return None
    # Newer payloads put crew/guest_stars on the episode itself; appended credits are the fuller list.
    credit_source = data.get("credits") if isinstance(data.get("credits"), dict) else data
    return Episode(
        season_number=season_no,
        episode_number=episode_number,
        title=as_str(data.get("name")) or f"Episode {episode_number}",
        overview=as_str(data.get("overview")),
        air_date=as_date(data.get("air_date")),
        runtime=as_int(data.get("runtime")) or None,
        still_path=as_str(data.get("still_path")),
        ids=ExternalIds(tmdb=as_int(data.get("id"))).merged(external_ids(data.get("external_ids"))),
        vote_average=as_float(data.get("vote_average")),
        credits=credits(credit_source),
    )


def episode(payload: Any) -> Episode | None:
    """``/tv/{id}/season/{n}/episode/{m}``."""
    result = _episode(payload)
    if result is None:
        log.warning("TMDB episode without season/episode number: %.200r", payload)
    return result


def season(payload: Any) -> Season | None:
    """``/tv/{id}/season/{n}`` (with episodes), or one stub of a show's ``seasons`` list."""
    data = as_dict(payload) or {}
    number = as_int(data.get("season_number"))
    if number is None:
        return None
    episodes, _ = collect(data.get("episodes"), lambda item: _episode(item, number), "TMDB episode", log)
    count = as_int(data.get("episode_count"))
    return Season(
        number=number,
        # TMDB names season 0 "Specials"; older payloads omit names altogether.
        title=as_str(data.get("name")) or ("Specials" if number == 0 else f"Season {number}"),
        overview=as_str(data.get("overview")),
        air_date=as_date(data.get("air_date")),
        episode_count=count if count is not None else (len(episodes) if "episodes" in data else None),
        poster_path=as_str(data.get("poster_path")),
        episodes=episodes,
        ids=ExternalIds(tmdb=as_int(data.get("id"))).merged(external_ids(data.get("external_ids"))),
        credits=credits(data.get("credits")),
    )


# --- people --------------------------------------------------------------------------------------------


def _person_credit(item: Any, role: CreditRole, kind_hint: str | None) -> PersonCredit | None:
    data = as_dict(item) or {}
    media = summary(data, kind_hint)
    if media is None or media.kind == "person":
        return None
    return PersonCredit(
        media=media,
        role=role,
        character=as_str(data.get("character")),
        job=as_str(data.get("job")),
        department=as_str(data.get("department")),
        episode_count=as_int(data.get("episode_count")),
        credit_id=as_str(data.get("credit_id")),
    )


def person_credits(payload: Any, kind_hint: str | None = None) -> tuple[PersonCredit, ...]:
    """``combined_credits`` (items say their ``media_type``), ``movie_credits`` or ``tv_credits`` (give the
    kind as ``kind_hint``)."""
    data = as_dict(payload) or {}
    cast, _ = collect(data.get("cast"), lambda item: _person_credit(item, "cast", kind_hint), "TMDB filmography", log)
    crew, _ = collect(data.get("crew"), lambda item: _person_credit(item, "crew", kind_hint), "TMDB filmography", log)
    return cast + crew


def _filmography(data: dict[str, Any]) -> tuple[PersonCredit, ...]:
    # combined_credits already holds both lists; reading the others too would double every line.
    if isinstance(data.get("combined_credits"), dict):
        return person_credits(data["combined_credits"])
    return person_credits(data.get("movie_credits"), "movie") + person_credits(data.get("tv_credits"), "tv")


def person(payload: Any) -> PersonDetails | None:
    """``/person/{id}`` with ``combined_credits`` / ``movie_credits`` / ``tv_credits`` when appended."""
    data = as_dict(payload) or {}
    person_id, name = as_int(data.get("id")), as_str(data.get("name"))
    if person_id is None or name is None:
        log.warning("TMDB person without id or name: %.200r", payload)
        return None
    ids = ExternalIds(tmdb=person_id, imdb=as_str(data.get("imdb_id"))).merged(external_ids(data.get("external_ids")))
    found = Person(
        ids=ids,
        name=name,
        profile_path=as_str(data.get("profile_path")),
        known_for_department=as_str(data.get("known_for_department")),
        biography=as_str(data.get("biography")),
        birthday=as_date(data.get("birthday")),
        deathday=as_date(data.get("deathday")),
        place_of_birth=as_str(data.get("place_of_birth")),
        popularity=as_float(data.get("popularity")),
    )
    return PersonDetails(person=found, credits=_filmography(data), raw=data)
