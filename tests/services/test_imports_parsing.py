"""Reading uploads, without a database: each source's files become one item per row, and bad files are
refused with a message naming the file (and line) before anything is stored."""

from __future__ import annotations

import collections
import io
import json
import zipfile
from pathlib import Path

import pytest

from seen.services.errors import InvalidInput
from seen.services.imports import upload
from seen.services.imports.ratings import half_stars
from seen.services.imports.runner import parse_upload
from tests.conftest import SHARED, skip_or_fail

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
LETTERBOXD_CORPUS = SHARED / "corpora" / "imports" / "letterboxd" / "patrickmjones-letterboxd-data"
TRAKT_CORPUS = SHARED / "corpora" / "imports" / "trakt" / "fuzeman-trakt.py" / "tests" / "fixtures" / "api.trakt.tv"


def zip_folder(folder: Path, pattern: str = "*") -> bytes:
    """A folder's files zipped in memory, paths relative to the folder (as an export zip holds them)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob(pattern)):
            if file.is_file():
                archive.write(file, file.relative_to(folder).as_posix())
    return buffer.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def corpus(folder: Path) -> Path:
    if not folder.is_dir():
        skip_or_fail(f"the shared corpus is missing: {folder}")
    return folder


def data_rows(path: Path) -> int:
    """Data rows of a CSV file as Python's csv module counts them (quoted newlines stay in their row)."""
    import csv

    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for row in csv.reader(handle) if any(row)) - 1


def test_the_real_letterboxd_export_gives_one_item_per_row_of_every_file() -> None:
    # Given the real Letterboxd export, zipped
    folder = corpus(LETTERBOXD_CORPUS)
    # When it is read as a Letterboxd import
    parsed, ignored = parse_upload(source="letterboxd", data=zip_folder(folder), file_name="letterboxd.zip")
    # Then every row of every file is an item, with the action its file means
    by_file = collections.Counter(item.file for item in parsed.items)
    for name in ("diary.csv", "watched.csv", "ratings.csv", "watchlist.csv", "reviews.csv"):
        assert by_file[name] == data_rows(folder / name), name
    assert by_file["diary.csv"] == 2132 and by_file["watched.csv"] == 2604
    assert {item.action for item in parsed.items if item.file == "reviews.csv"} == {"skip"}
    # And each list is a collection with its films in order
    assert set(parsed.collections) == {"All-Time Favorites", "Zatoichi"}
    zatoichi = [item.ref.title for item in parsed.items if item.collection == "Zatoichi"]
    assert zatoichi[0] == "The Tale of Zatoichi" and len(zatoichi) == 4
    # And files we do not read are listed with the reason
    assert [entry["file"] for entry in ignored] == ["LICENSE"]


def test_letterboxd_rows_carry_their_day_and_rewatches_stay_separate_viewings() -> None:
    parsed, ignored = parse_upload(
        source="letterboxd", data=zip_folder(FIXTURES / "letterboxd"), file_name="letterboxd.zip"
    )
    diary = [item for item in parsed.items if item.file == "diary.csv"]
    assert [item.watched_at.date().isoformat() for item in diary[:2]] == ["2021-06-12", "2021-07-01"]
    assert all(item.date_only and item.action == "watched" for item in diary)
    assert parsed.collections == {"Night Films": "Films for late, late nights"}
    invalid = next(item for item in parsed.items if item.file == "ratings.csv" and item.action == "skip")
    assert "half stars" in invalid.skip_reason
    assert [entry["file"] for entry in ignored] == ["profile.csv"]


def test_the_recorded_trakt_responses_are_read_by_shape_and_seasons_are_reported() -> None:
    # Given the recorded Trakt API responses, zipped
    data = zip_folder(corpus(TRAKT_CORPUS), "*.json")
    # When they are read as a Trakt import
    parsed, ignored = parse_upload(source="trakt", data=data, file_name="trakt.zip")
    history = [item for item in parsed.items if item.file == "sync/history.json"]
    # Then history entries are dated viewings, episodes with their show and numbers
    assert [item.action for item in history] == ["watched", "watched", "watched"]
    assert (history[1].ref.title, history[1].season_number, history[1].episode_number) == ("Parks and Recreation", 2, 1)
    assert history[1].ref.ids.tmdb == 8592 and history[1].ref.ids.imdb == "tt1266020"
    # And 1-10 ratings are halved; a season's rating is reported with its reason
    ratings = [item for item in parsed.items if item.file == "sync/ratings.json"]
    assert ratings[0].rating == 5.0
    assert "seasons" in ratings[2].skip_reason and "episodes" in ratings[3].skip_reason
    # And watched shows give one item per episode
    chuck = [item for item in parsed.items if item.file == "sync/watched/shows.json" and item.ref.title == "Chuck"]
    assert [(item.season_number, item.episode_number) for item in chuck][:2] == [(1, 1), (1, 2)]
    # And files that are not tracking data (friends, list details) are ignored with a reason
    assert "users/me/friends.json" in {entry["file"] for entry in ignored}


def test_imdb_ratings_in_both_header_versions_become_half_stars() -> None:
    old, _ = parse_upload(source="imdb", data=(FIXTURES / "imdb_ratings_2023.csv").read_bytes(), file_name="r.csv")
    new, _ = parse_upload(source="imdb", data=(FIXTURES / "imdb_ratings_2024.csv").read_bytes(), file_name="r.csv")
    assert [(item.action, item.ref.kind, item.rating) for item in old.items[:2]] == [
        ("rating", "movie", 4.5),
        ("rating", "movie", 0.5),
    ]
    assert old.items[0].ref.ids.imdb == "tt0133093"
    assert "episodes" in old.items[2].skip_reason
    assert [(item.ref.kind, item.rating) for item in new.items[:2]] == [("movie", 4.0), ("show", 5.0)]
    assert "Podcast Series" in new.items[2].skip_reason


def test_an_imdb_file_with_positions_is_a_watchlist() -> None:
    parsed, _ = parse_upload(
        source="imdb", data=(FIXTURES / "imdb_watchlist_2024.csv").read_bytes(), file_name="watchlist.csv"
    )
    assert [(item.action, item.ref.title) for item in parsed.items] == [
        ("watch_later", "Alien"),
        ("watch_later", "Heat"),
    ]


@pytest.mark.parametrize(
    ("value", "stars"), [(10, 5.0), (9, 4.5), (1, 0.5), ("7", 3.5), (0, None), (11, None), ("x", None), (True, None)]
)
def test_ten_point_ratings_halve_into_half_stars(value, stars) -> None:
    assert half_stars(value, out_of=10) == stars


# -- refusals -------------------------------------------------------------------------------------------


def test_an_upload_over_the_size_cap_is_refused() -> None:
    with pytest.raises(InvalidInput, match="larger than 32 MB"):
        parse_upload(source="imdb", data=b"x" * (upload.MAX_UPLOAD_BYTES + 1), file_name="big.csv")


@pytest.mark.parametrize(
    ("source", "data", "message"),
    [
        ("letterboxd", b"Date,Name,Year\n", "not a zip"),
        ("letterboxd", b"\x89PNG\r\n\x1a\n\x00\x00", "neither a zip"),
        ("imdb", b"\x89PNG\r\n\x1a\n\x00\x00", "neither a zip"),
        ("trakt", b"Date,Name\n", "neither"),
        ("seen", b'{"format": "other"}', "not a /seen/ export"),
        ("netflix", b"{}", "unknown import source"),
        ("imdb", b"", "empty"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_with_a_message(source: str, data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_upload(source=source, data=data, file_name="upload")


def test_a_broken_csv_names_its_file_and_line() -> None:
    broken = b'Const,Your Rating,Title,Title Type,Year\ntt1,5,Fine,movie,2000\ntt2,5,"Broken,movie,2001\n'
    with pytest.raises(InvalidInput, match=r"ratings\.csv line \d+: broken CSV"):
        parse_upload(source="imdb", data=broken, file_name="ratings.csv")


def test_a_csv_without_the_needed_columns_says_which_are_missing() -> None:
    with pytest.raises(InvalidInput, match="missing column"):
        parse_upload(source="imdb", data=b"Title,Year\nHeat,1995\n", file_name="ratings.csv")


def test_broken_json_names_the_line() -> None:
    with pytest.raises(InvalidInput, match=r"history\.json line 2: broken JSON"):
        parse_upload(source="trakt", data=b'[\n{"watched_at": }\n]', file_name="history.json")


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    # Given a zip whose one entry unpacks from a few KB to 50 MB of zeros
    bomb = zip_of({"diary.csv": b"\0" * (50 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(InvalidInput, match="zip bomb"):
        parse_upload(source="letterboxd", data=bomb, file_name="letterboxd.zip")


def test_a_zip_with_too_many_entries_is_refused() -> None:
    crowded = zip_of({f"lists/{index}.csv": b"" for index in range(upload.MAX_ZIP_ENTRIES + 1)})
    with pytest.raises(InvalidInput, match="at most"):
        parse_upload(source="letterboxd", data=crowded, file_name="letterboxd.zip")


def test_paths_in_a_zip_are_only_names(tmp_path: Path) -> None:
    # Given an archive whose member tries to climb out of any folder it is unpacked into
    data = zip_of({"../../evil/diary.csv": b"Date,Name,Year\n2020-01-01,Heat,1995\n"})
    # When it is read, nothing is written anywhere and the name is just a key
    files = upload.read_zip(data, file_name="x.zip")
    assert list(files) == ["../../evil/diary.csv"] or list(files) == ["evil/diary.csv"]
    assert not (tmp_path.parent / "evil").exists()
    parsed, _ = parse_upload(source="letterboxd", data=data, file_name="x.zip")
    assert [item.ref.title for item in parsed.items] == ["Heat"]


def test_a_trakt_document_that_is_not_tracking_data_is_refused_alone() -> None:
    with pytest.raises(InvalidInput, match="not a list of Trakt"):
        parse_upload(source="trakt", data=json.dumps({"name": "Movies"}).encode(), file_name="list.json")
