"""Matching media files to catalogue titles with a confidence, on SQLite and PostgreSQL, with the local fake
TMDB standing in for the provider."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from seen.models.media import MediaExternalId, MediaItem, ShowEpisode, ShowSeason, SyncLogEntry
from seen.naming import ParsedName, parse_name
from seen.services import catalogue_sync
from seen.services.library_match import (
    AUTO_MATCH_THRESHOLD,
    MatchCandidate,
    MatchResult,
    match_file,
    title_closeness,
)
from tests.fakes.provider_server import FakeUrls, ProviderFake
from tests.services.test_search import add_title

# --- Helpers ----------------------------------------------------------------------------------------------


def film(
    session: Session,
    title: str,
    year: int | None,
    *,
    runtime: int | None = None,
    popularity: float | None = None,
    tmdb_id: int | None = None,
    original_title: str | None = None,
) -> MediaItem:
    item = add_title(session, title, year=year, popularity=popularity, original_title=original_title)
    item.runtime = runtime
    session.add(item)
    if tmdb_id is not None:
        session.add(MediaExternalId(media_id=item.id, kind="movie", provider="tmdb", external_id=str(tmdb_id)))
    session.commit()
    return item


def show_with_season(session: Session, title: str, *, season: int, episodes: int, year: int | None = None) -> MediaItem:
    """A show whose season's episode list has been stored (as a details sync leaves it)."""
    show = add_title(session, title, kind="show", year=year)
    session.add(
        ShowSeason(
            media_id=show.id,
            number=season,
            title=f"Season {season}",
            episode_count=episodes,
            episodes_synced_at=datetime.now(UTC),
        )
    )
    for number in range(1, episodes + 1):
        session.add(ShowEpisode(media_id=show.id, season_number=season, episode_number=number, title=f"E{number}"))
    session.commit()
    return show


def match(session: Session, path: str, **options) -> MatchResult:
    return match_file(session, parse_name(path), **options)


def ids(result: MatchResult) -> list[int]:
    return [candidate.media_id for candidate in result.candidates]


@pytest.fixture
def tmdb(backend, settings_env, urls: FakeUrls, fake: ProviderFake, monkeypatch: pytest.MonkeyPatch) -> ProviderFake:
    """TMDB (and IGDB) configured against the local fake, without the sync's backoff between attempts."""
    monkeypatch.setattr(catalogue_sync, "RETRY_BASE_SECONDS", 0.0)
    settings_env(**{name.removeprefix("SEEN_"): value for name, value in urls.settings_env(fake).items()})
    return fake


# --- Movies -----------------------------------------------------------------------------------------------


def test_an_exact_title_and_year_auto_matches(session: Session) -> None:
    # Given the film and an unrelated one with a similar title
    inception = film(session, "Inception", 2010, runtime=148)
    film(session, "Inception: The Cobol Job", 2010)
    # When its file is matched
    result = match(session, "Movies/Inception (2010)/Inception.2010.1080p.BluRay.x264.mkv", duration_seconds=148 * 60)
    # Then it is the best candidate, matched automatically, and the reasons say why
    assert result.best is not None and result.best.media_id == inception.id
    assert result.auto
    assert result.best.score >= 0.95
    assert "title matches exactly" in result.best.reasons
    assert "year 2010 matches" in result.best.reasons
    assert "runtime 148 min vs file 2 h 28 min" in result.best.reasons
    # And the other title is a weaker candidate, well behind
    assert len(result.candidates) == 2
    assert result.candidates[1].score < AUTO_MATCH_THRESHOLD


def test_a_remake_is_decided_by_the_year(session: Session) -> None:
    # Given both Dunes
    old = film(session, "Dune", 1984, popularity=20.0)
    new = film(session, "Dune", 2021, popularity=80.0)
    # When a file names each year
    for year, wanted, other in ((1984, old, new), (2021, new, old)):
        result = match(session, f"Dune ({year}).mkv")
        # Then the title of that year is matched automatically, the other is a distant runner-up
        assert ids(result) == [wanted.id, other.id]
        assert result.auto
        assert any("differs" in reason for reason in result.candidates[1].reasons)


def test_a_remake_without_a_year_is_not_auto_matched(session: Session) -> None:
    # Given both Dunes, one far more popular
    old = film(session, "Dune", 1984, popularity=20.0)
    new = film(session, "Dune", 2021, popularity=80.0)
    # When a file names no year
    result = match(session, "Dune.mkv", use_providers=False)
    # Then both are offered, the popular one first, but neither is chosen for the user
    assert ids(result) == [new.id, old.id]
    assert result.best.score >= AUTO_MATCH_THRESHOLD
    assert not result.auto


def test_one_year_off_is_tolerated_for_a_film(session: Session) -> None:
    # Given a film the provider dates a year later than the file does
    heat = film(session, "Heat", 1995)
    # When matched
    result = match(session, "Heat.1994.mkv")
    # Then it still matches, a little less surely than the right year would
    assert result.best.media_id == heat.id and result.auto
    assert result.best.score < match(session, "Heat.1995.mkv").best.score


def test_an_id_in_the_name_wins_over_a_misleading_title(session: Session) -> None:
    # Given Heat (1995) and Fight Club with its TMDB id
    film(session, "Heat", 1995)
    fight_club = film(session, "Fight Club", 1999, tmdb_id=550)
    # When a file titled "Heat (1995)" carries Fight Club's id
    result = match(session, "Heat (1995) {tmdb-550}.mkv", use_providers=False)
    # Then the id decides, with full confidence
    assert ids(result) == [fight_club.id]
    assert result.best.score == 1.0 and result.auto
    assert result.best.reasons == ("TMDB id 550 in the file name",)


def test_an_id_the_catalogue_lacks_falls_back_to_the_title_without_providers(session: Session) -> None:
    # Given a catalogue without the id
    heat = film(session, "Heat", 1995)
    # When the file's id is unknown and providers may not be asked
    result = match(session, "Heat (1995) {tmdb-999999}.mkv", use_providers=False)
    # Then the title still matches it
    assert result.best.media_id == heat.id and result.auto
    assert result.best.score < 1.0


def test_a_runtime_far_from_the_file_duration_lowers_the_score(session: Session) -> None:
    # Given a 148-minute film
    inception = film(session, "Inception", 2010, runtime=148)
    path = "Inception.2010.mkv"
    # When a full-length file, a slightly long one and a 20-minute one are matched
    full = match(session, path, duration_seconds=150 * 60).best
    unknown = match(session, path).best
    short = match(session, path, duration_seconds=20 * 60).best
    # Then the full one scores best, no duration is neutral, and the short one is no longer auto-matched
    assert full.media_id == unknown.media_id == short.media_id == inception.id
    assert full.score > unknown.score > short.score
    assert short.score < AUTO_MATCH_THRESHOLD
    assert "runtime 148 min vs file 20 min: far too different" in short.reasons


def test_a_stacked_part_is_not_judged_by_its_length(session: Session) -> None:
    # Given a film whose file is split in two
    film(session, "Inception", 2010, runtime=148)
    parsed = ParsedName(input="Inception.2010.cd1.mkv", type="movie", title="Inception", year=2010, part=1)
    # When the first half is matched
    result = match_file(session, parsed, duration_seconds=74 * 60)
    # Then its length costs nothing
    assert result.auto
    assert any("not compared" in reason for reason in result.best.reasons)


@pytest.mark.parametrize(
    ("catalogue_title", "path"),
    [
        ("Amélie", "Amelie.2001.mkv"),
        ("Amelie", "Amélie (2001).mkv"),
        ("Spider-Man: No Way Home", "Spider Man No Way Home 2021.mkv"),
        ("Spider Man No Way Home", "Movies/Spider-Man No Way Home (2021)/Spider-Man.No.Way.Home.2021.mkv"),
        ("WALL·E", "Movies/WALL-E (2001)/WALL-E (2001).mkv"),
    ],
)
def test_accents_case_and_punctuation_do_not_matter(session: Session, catalogue_title: str, path: str) -> None:
    # Given the title written one way
    wanted = film(session, catalogue_title, 2021 if "Spider" in catalogue_title else 2001)
    # When the file writes it another way
    result = match(session, path, use_providers=False)
    # Then it is an exact match
    assert result.best.media_id == wanted.id and result.auto
    assert "title matches exactly" in result.best.reasons


def test_the_original_title_matches_too(session: Session) -> None:
    # Given a film known by its English title, with its original one
    wanted = film(session, "Spirited Away", 2001, original_title="Sen to Chihiro no Kamikakushi")
    # When the file uses the original title
    result = match(session, "Sen.to.Chihiro.no.Kamikakushi.2001.mkv", use_providers=False)
    # Then it matches
    assert result.best.media_id == wanted.id and result.auto
    assert "original title matches exactly" in result.best.reasons


def test_an_unknown_title_has_no_candidate_above_the_threshold(session: Session, fake: ProviderFake) -> None:
    # Given a catalogue of other films and no provider configured (the demo catalogue serves)
    film(session, "Inception", 2010)
    film(session, "Interstellar", 2014)
    film(session, "The Prestige", 2006)
    # When a file with a title it does not hold is matched
    result = match(session, "Interstellar.Wars.Of.Tomorrow.1987.mkv")
    # Then nothing is matched, whatever is offered is below the threshold, and no provider was asked
    assert not result.auto
    assert all(candidate.score < AUTO_MATCH_THRESHOLD for candidate in result.candidates)
    assert fake.requests == []
    assert session.exec(select(SyncLogEntry)).all() == []


def test_a_typo_is_offered_but_not_auto_matched(session: Session) -> None:
    # Given the film
    godfather = film(session, "The Godfather", 1972)
    # When the file misspells it
    result = match(session, "The.Godfathr.1972.mkv", use_providers=False)
    # Then it is the candidate, for a person to confirm
    assert result.best.media_id == godfather.id
    assert not result.auto


def test_games_and_shows_are_never_candidates_for_a_film(session: Session) -> None:
    # Given a game and a show with the film's title, and no film
    add_title(session, "Inception", kind="game", year=2010)
    add_title(session, "Inception", kind="show", year=2010)
    session.commit()
    # When a film file is matched
    result = match(session, "Inception.2010.mkv", use_providers=False)
    # Then there is no candidate
    assert result.candidates == ()


@pytest.mark.parametrize(
    "parsed",
    [
        parse_name("Movies/Inception (2010)/Featurettes/Making of.mkv"),
        ParsedName(input="x.mkv", type="unknown", title="Inception"),
        ParsedName(input="x.mkv", type="movie", title=None),
        ParsedName(input="x.mkv", type="movie", title="  "),
    ],
)
def test_extras_unknown_names_and_missing_titles_give_nothing(session: Session, parsed: ParsedName) -> None:
    # Given the title the names point at
    film(session, "Inception", 2010)
    # When matched
    result = match_file(session, parsed)
    # Then there is no candidate, and no error
    assert result == MatchResult(candidates=())
    assert result.best is None and not result.auto


def test_the_same_inputs_give_the_same_answer(session: Session) -> None:
    # Given several close titles, two of them equally popular
    for year in (1984, 2021, 2000):
        film(session, "Dune", year, popularity=10.0)
    film(session, "Dune: Part Two", 2024, popularity=10.0)
    # When the same name is matched twice
    first = match(session, "Dune.mkv", use_providers=False)
    second = match(session, "Dune.mkv", use_providers=False)
    # Then scores and order are identical, at most five, best first
    assert first == second
    assert len(first.candidates) == 4
    scores = [candidate.score for candidate in first.candidates]
    assert scores == sorted(scores, reverse=True)
    assert first.candidates[-1].title == "Dune: Part Two"


def test_a_candidate_serialises_for_the_library_item() -> None:
    candidate = MatchCandidate(
        media_id=7, kind="movie", title="Dune", year=2021, score=0.95, reasons=("title matches exactly",)
    )
    assert candidate.to_json() == {
        "media_id": 7,
        "kind": "movie",
        "title": "Dune",
        "year": 2021,
        "score": 0.95,
        "reasons": ["title matches exactly"],
    }


@pytest.mark.parametrize(
    ("wanted", "title", "closeness"),
    [
        ("The Matrix", "the matrix", 1.0),
        ("Matrix The", "The Matrix", 0.9),
        ("Dune", "Dune: Part Two", 0.55 + 0.25 / 3),
        ("Completely Different", "The Matrix", 0.0),
    ],
)
def test_title_closeness_tiers(wanted: str, title: str, closeness: float) -> None:
    assert title_closeness(wanted, title)[0] == pytest.approx(closeness)


# --- Episodes ---------------------------------------------------------------------------------------------


def test_an_existing_episode_auto_matches_and_a_missing_one_lowers_the_score(session: Session) -> None:
    # Given a show with seven episodes in season 1, and a film of the same name
    show = show_with_season(session, "Breaking Bad", season=1, episodes=7)
    film(session, "Breaking Bad", 2008)
    # When its third episode is matched
    found = match(session, "Shows/Breaking Bad/Season 1/Breaking.Bad.S01E03.720p.mkv", use_providers=False)
    # Then the show is matched automatically (the film is not a candidate for an episode)
    assert ids(found) == [show.id]
    assert found.auto
    assert "S01E03 exists" in found.best.reasons
    # When an episode the season does not have is matched
    missing = match(session, "Breaking.Bad.S01E09.mkv", use_providers=False)
    # Then the show is still the candidate, with a lower score, left for review
    assert ids(missing) == [show.id]
    assert missing.best.score < found.best.score
    assert not missing.auto
    # And a season the show does not have lowers it as well
    assert match(session, "Breaking.Bad.S07E01.mkv", use_providers=False).best.score < found.best.score


def test_a_multi_episode_file_needs_every_episode(session: Session) -> None:
    show = show_with_season(session, "Breaking Bad", season=1, episodes=7)
    both = match(session, "Breaking.Bad.S01E06E07.mkv", use_providers=False)
    beyond = match(session, "Breaking.Bad.S01E07E08.mkv", use_providers=False)
    assert both.best.media_id == beyond.best.media_id == show.id
    assert both.auto and "S01E06E07 exists" in both.best.reasons
    assert beyond.best.score < both.best.score


def test_an_episode_of_a_show_without_an_episode_list_is_neutral(session: Session) -> None:
    # Given a show whose seasons were never synced
    show = add_title(session, "Severance", kind="show", year=2022)
    session.commit()
    # When an episode is matched
    result = match(session, "Severance.S02E04.mkv", use_providers=False)
    # Then the exact title alone matches it
    assert result.best.media_id == show.id and result.auto
    assert "S02E04: the show's episode list is not known yet" in result.best.reasons


def test_date_and_absolute_numbered_episodes_are_checked(session: Session) -> None:
    # Given a show with seven stored episodes in season 1, the third aired on 2008-02-03
    show = show_with_season(session, "Breaking Bad", season=1, episodes=7)
    third = session.exec(select(ShowEpisode).where(ShowEpisode.episode_number == 3)).one()
    third.air_date = date(2008, 2, 3)
    session.add(third)
    session.commit()

    def score(**name) -> float:
        parsed = ParsedName(input="x.mkv", type="episode", title="Breaking Bad", **name)
        result = match_file(session, parsed, use_providers=False)
        assert result.best.media_id == show.id
        return result.best.score

    # Then an aired date and an absolute number within the show score above ones the show does not have
    assert score(air_date="2008-02-03") > score(air_date="2008-02-04")
    assert score(absolute_episode=7) > score(absolute_episode=8)


def test_an_imdb_id_of_the_other_kind_is_offered_not_auto_matched(session: Session) -> None:
    # Given a show holding an IMDb id
    show = add_title(session, "Breaking Bad", kind="show", year=2008)
    session.add(MediaExternalId(media_id=show.id, kind="show", provider="imdb", external_id="tt0903747"))
    session.commit()
    # When a name that looks like a film carries it
    result = match(session, "Pilot [imdbid-tt0903747].mkv", use_providers=False)
    # Then the show is offered, below the threshold
    assert ids(result) == [show.id]
    assert not result.auto


# --- Providers --------------------------------------------------------------------------------------------


def test_a_title_the_catalogue_lacks_is_found_at_tmdb_and_stored(session: Session, tmdb: ProviderFake) -> None:
    # Given an empty catalogue and TMDB (the fake) whose search answers The Matrix (1999)
    # When its file is matched
    result = match(session, "The.Matrix.1999.1080p.mkv")
    # Then TMDB was asked, and the title it found was stored and matched automatically
    assert tmdb.requests_to("/3/search/multi")
    assert result.auto
    stored = session.get(MediaItem, result.best.media_id)
    assert (stored.title, stored.year, stored.kind) == ("The Matrix", 1999, "movie")
    external = session.exec(select(MediaExternalId).where(MediaExternalId.media_id == stored.id)).all()
    assert ("tmdb", "603") in {(row.provider, row.external_id) for row in external}
    # And the show the same search found is no candidate for a film
    assert {candidate.kind for candidate in result.candidates} == {"movie"}


def test_providers_are_not_asked_when_told_not_to_or_when_the_catalogue_has_it(
    session: Session, tmdb: ProviderFake
) -> None:
    assert match(session, "The.Matrix.1999.mkv", use_providers=False).candidates == ()
    film(session, "Heat", 1995)
    assert match(session, "Heat.1995.mkv").auto
    assert tmdb.requests == []


def test_a_failing_provider_gives_fewer_candidates_not_an_error(session: Session, tmdb: ProviderFake) -> None:
    # Given TMDB failing every search
    tmdb.fail_next("/3/search/multi", times=100, status=503)
    # When a title the catalogue lacks is matched
    result = match(session, "The.Matrix.1999.mkv")
    # Then there is simply no candidate
    assert result.candidates == ()
    assert tmdb.requests_to("/3/search/multi")


def test_an_id_the_catalogue_lacks_is_fetched_from_tmdb(session: Session, tmdb: ProviderFake) -> None:
    # Given an empty catalogue
    # When a file carries Fight Club's TMDB id under another title
    result = match(session, "Heat (1995) {tmdb-550}.mkv")
    # Then the title is fetched by id, stored and matched with full confidence
    assert tmdb.requests_to("/3/movie/550")
    assert result.auto and result.best.score == 1.0
    assert session.get(MediaItem, result.best.media_id).title == "Fight Club"
