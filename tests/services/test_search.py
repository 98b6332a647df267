"""Local catalogue search on a real database: SQLite (FTS5 trigram) and PostgreSQL (pg_trgm) alike."""

# ruff: noqa: RUF001, RUF003  (titles in other scripts, and full-width letters, are what is tested)

from __future__ import annotations

import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, inspect, text
from sqlmodel import Session, SQLModel

from seen import db
from seen.migrate import downgrade, upgrade
from seen.models.media import MediaItem, Person
from seen.services.errors import InvalidInput
from seen.services.search import (
    MAX_QUERY_CHARS,
    SearchHit,
    SearchResult,
    include_name,
    normalise,
    search_catalogue,
)

# --- Helpers ----------------------------------------------------------------------------------------------


def add_title(
    session: Session,
    title: str,
    *,
    kind: str = "movie",
    year: int | None = None,
    popularity: float | None = None,
    original_title: str | None = None,
) -> MediaItem:
    """A catalogue row as the catalogue writer stores it: search_text = normalise(title, original_title)."""
    item = MediaItem(
        kind=kind,
        source="demo",
        title=title,
        original_title=original_title,
        search_text=normalise(title, original_title),
        year=year,
        popularity=popularity,
    )
    session.add(item)
    session.flush()
    return item


def add_person(session: Session, name: str, *, popularity: float | None = None) -> Person:
    person = Person(
        source="demo",
        external_id=f"demo:{normalise(name)}",
        name=name,
        search_text=normalise(name),
        popularity=popularity,
    )
    session.add(person)
    session.flush()
    return person


def search(session: Session, query: str, **options) -> list[SearchHit]:
    return search_catalogue(session=session, query=query, **options).hits


def titles(hits: list[SearchHit]) -> list[str]:
    return [hit.title for hit in hits]


@pytest.fixture
def catalogue(session: Session) -> Session:
    """A small catalogue of movies, shows, games and people, committed."""
    add_title(session, "The Godfather", year=1972, popularity=90.0, original_title="The Godfather")
    add_title(session, "The Godfather Part II", year=1974, popularity=60.0)
    add_title(session, "The Godfather Part III", year=1990, popularity=30.0)
    add_title(session, "Breaking Bad", kind="show", year=2008, popularity=95.0)
    add_title(session, "Bad Sisters", kind="show", year=2022, popularity=40.0)
    add_title(session, "Bad Boys", year=1995, popularity=50.0)
    add_title(session, "The Legend of Zelda: Breath of the Wild", kind="game", year=2017, popularity=80.0)
    add_title(session, "The Legend of Zelda: Ocarina of Time", kind="game", year=1998, popularity=70.0)
    add_title(session, "Spirited Away", year=2001, popularity=85.0, original_title="千と千尋の神隠し")
    add_title(
        session, "Амели с Монмартра", year=2001, popularity=75.0, original_title="Le Fabuleux Destin d'Amélie Poulain"
    )
    add_title(session, "Pokémon: The First Movie", year=1998, popularity=20.0)
    add_title(session, "Up", year=2009, popularity=70.0)
    add_person(session, "Al Pacino", popularity=30.0)
    add_person(session, "Francis Ford Coppola", popularity=20.0)
    add_person(session, "Sofia Coppola", popularity=15.0)
    session.commit()
    return session


# --- Normalising ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("The Godfather: Part II",), "the godfather part ii"),
        (("  Amélie   ", None), "amelie"),
        (("Pokémon", "ポケモン"), "pokemon ポケモン"),
        (("Straße",), "strasse"),
        (("ＦＵＬＬ　ＷＩＤＴＨ １２３",), "full width 123"),
        (("Æon Flux", "Łódź"), "aeon flux lodz"),
        (("Schindler's List",), "schindler s list"),
        (("WALL·E",), "wall e"),
        (("千と千尋の神隠し",), "千と千尋の神隠し"),
        (("Иди и смотри",), "иди и смотри"),  # Cyrillic keeps its letters (й stays й)
        (("Йожин",), "йожин"),
        (("Ζορμπάς",), "ζορμπάσ"),  # Greek is not Latin: accents stay; casefold makes final sigma σ
        (("हम आपके हैं कौन",), "हम आपके हैं कौन"),  # Devanagari vowel signs are part of the word
        (("The Godfather", "The Godfather"), "the godfather"),  # the same original title counts once
        (("Up", ""), "up"),
        (("🎬 Movie\x00 night 🍿",), "movie night"),
        (("%_\\'\"",), ""),
        ((), ""),
        ((None,), ""),
    ],
)
def test_normalise_is_the_one_search_text_rule(texts, expected):
    # Given some texts / When normalised / Then the search text is as the rule says
    assert normalise(*texts) == expected


# --- Finding ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("godfater", "The Godfather"),  # a letter dropped
        ("teh godfather", "The Godfather"),  # letters swapped
        ("brakng bad", "Breaking Bad"),  # two letters dropped
        ("zelda breath wild", "The Legend of Zelda: Breath of the Wild"),  # words out of order, some missing
        ("the godf", "The Godfather"),  # prefix
        ("千と千尋", "Spirited Away"),  # the original title, in Japanese
        ("Амели", "Амели с Монмартра"),  # Cyrillic
        ("amelie poulain", "Амели с Монмартра"),  # the French original title, typed without the accent
        ("POKEMON", "Pokémon: The First Movie"),  # case and accents do not matter
        ("Up", "Up"),  # a title shorter than a trigram
    ],
)
def test_search_finds_typos_prefixes_reordered_words_and_non_latin_titles(catalogue, query, expected_first):
    # Given the catalogue / When searching / Then the expected title comes first
    hits = search(catalogue, query)
    assert hits, f"nothing found for {query!r}"
    assert hits[0].title == expected_first


def test_prefix_matches_are_ordered_by_popularity(catalogue):
    # Given three titles starting with "The Godfather" / When searching a prefix of them
    hits = search(catalogue, "the godf")
    # Then all three come first, most popular first
    assert titles(hits)[:3] == ["The Godfather", "The Godfather Part II", "The Godfather Part III"]


def test_hits_carry_kind_id_title_year_and_a_score(catalogue):
    # Given the catalogue / When searching an exact title
    hit = search(catalogue, "breaking bad")[0]
    # Then the hit says what it is
    row = catalogue.get(MediaItem, hit.id)
    assert row is not None and row.title == "Breaking Bad"
    assert (hit.kind, hit.year, hit.score) == ("show", 2008, 1.0)
    # And every score is within 0..1
    assert all(0.0 <= hit.score <= 1.0 for hit in search(catalogue, "the"))


def test_people_are_found_by_name_with_typos(catalogue):
    # Given people in the catalogue / When searching their names, one misspelt
    pacino = search(catalogue, "pacino")
    coppolas = search(catalogue, "copola", kinds={"person"})
    # Then they are found, as people without a year
    assert (pacino[0].kind, pacino[0].title, pacino[0].year) == ("person", "Al Pacino", None)
    assert set(titles(coppolas)) == {"Francis Ford Coppola", "Sofia Coppola"}


def test_kinds_filter_limits_the_hits(catalogue):
    # Given shows and movies with "bad" in their titles
    # When searching shows only / movies only / people only
    shows = search(catalogue, "bad", kinds={"show"})
    movies = search(catalogue, "bad", kinds=["movie"])
    people = search(catalogue, "godfather", kinds=("person",))
    # Then only that kind comes back
    assert {hit.kind for hit in shows} == {"show"}
    assert set(titles(shows)) >= {"Breaking Bad", "Bad Sisters"}
    assert titles(movies)[0] == "Bad Boys" and {hit.kind for hit in movies} == {"movie"}
    assert people == []
    # And an empty choice finds nothing
    assert search(catalogue, "bad", kinds=()) == []


def test_unknown_kind_is_refused(catalogue):
    with pytest.raises(InvalidInput):
        search(catalogue, "bad", kinds={"book"})


def test_limit_and_offset_page_through_the_same_order(catalogue):
    # Given the full ranking of a query
    everything = search(catalogue, "the", limit=50)
    assert len(everything) >= 6
    # When reading it two at a time
    pages = [search(catalogue, "the", limit=2, offset=offset) for offset in range(0, len(everything), 2)]
    # Then the pages are the full ranking, in order
    assert [hit for page in pages for hit in page] == everything
    assert search(catalogue, "the", limit=2, offset=1000) == []
    assert search(catalogue, "the", limit=0) == []


def test_negative_limit_or_offset_is_refused(catalogue):
    with pytest.raises(InvalidInput):
        search(catalogue, "the", limit=-1)
    with pytest.raises(InvalidInput):
        search(catalogue, "the", offset=-1)


def test_total_estimate_counts_the_matches(catalogue):
    # Given three Godfathers / When searching with a page of one
    result = search_catalogue(session=catalogue, query="godfather", limit=1)
    # Then one hit comes back but the total says there are more
    assert isinstance(result, SearchResult)
    assert len(result.hits) == 1
    assert result.total_estimate >= 3


# --- Ranking ----------------------------------------------------------------------------------------------


def test_exact_title_comes_before_prefix_word_and_fuzzy_matches_however_popular(session):
    # Given an obscure exact match, prefix matches, a word match and a look-alike, all more popular
    add_title(session, "Alien", popularity=1.0)
    add_title(session, "Aliens", popularity=500.0)
    add_title(session, "Alien Nation", popularity=300.0)
    add_title(session, "The Alien", popularity=900.0)
    add_title(session, "Alian", popularity=800.0)
    session.commit()
    # When searching the exact title
    hits = search(session, "alien")
    # Then the exact one is first, then the prefixes by popularity, then the word match, then the look-alike
    assert titles(hits) == ["Alien", "Aliens", "Alien Nation", "The Alien", "Alian"]
    # And the scores say which kind of match each is: exact 1, prefix 0.8+, word 0.6+, look-alike below
    exact, *prefixes, word, fuzzy = (hit.score for hit in hits)
    assert exact == 1.0 and min(prefixes) >= 0.8 and 0.6 <= word < 0.8 and fuzzy < 0.6


def test_word_prefix_matches_come_before_fuzzy_ones(session):
    # Given a title whose words start with the query's words, and a more popular one that only looks alike
    add_title(session, "Night of the Living Dead", popularity=10.0)
    add_title(session, "Nights of Cabiria", popularity=999.0)
    session.commit()
    # When searching two word starts out of order
    hits = search(session, "liv nigh")
    # Then the word-prefix match is first
    assert titles(hits)[0] == "Night of the Living Dead"


def test_equal_matches_go_by_popularity_with_unknown_popularity_last(session):
    # Given three films with the same title, one of unknown popularity
    add_title(session, "Crash", year=1996, popularity=20.0)
    add_title(session, "Crash", year=2004, popularity=50.0)
    add_title(session, "Crash", year=1977, popularity=None)
    session.commit()
    # When searching the title, and a misspelling of it
    exact = search(session, "crash")
    fuzzy = search(session, "crashh")
    # Then the popular one leads and the unknown one trails, both ways
    assert [hit.year for hit in exact] == [2004, 1996, 1977]
    assert [hit.year for hit in fuzzy] == [2004, 1996, 1977]


# --- Hostile input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "\t\n",
        "x" * 10_000,
        "godfather " * 1_000,
        "'; DROP TABLE media_items; --",
        "%_\\'\"",
        "%",
        "_",
        "NEAR(god fat, 2)",
        "*",
        '"',
        '"godfather',
        "god AND fat",
        "godfather OR",
        "NOT godfather",
        "title: godfather",
        "^godfather",
        "godf*",
        "{title search_text}: x",
        "\x00",
        "god\x00father",
        "🎬🍿🎥",
        "\U0010ffff",
        "\ud800",  # a lone surrogate: a Python str that is not valid UTF-8
        "\u202e\u200b",  # right-to-left override, zero-width space
        "a" * 3 + "\\",
    ],
)
def test_any_input_is_safe(catalogue, query):
    # Given the catalogue / When searching for anything at all
    started = time.monotonic()
    result = search_catalogue(session=catalogue, query=query)
    # Then it answers, quickly, and the catalogue is intact
    assert isinstance(result, SearchResult)
    assert time.monotonic() - started < 5
    assert catalogue.execute(text("SELECT count(*) FROM media_items")).scalar_one() == 12


@pytest.mark.parametrize("query", ["", "   ", "\x00", "🎬🍿", "%_\\'\"", "*", '"'])
def test_blank_queries_find_nothing(catalogue, query):
    assert search(catalogue, query) == []


@pytest.mark.parametrize(
    "query", ["\x00godfather\x00", "🎬 godfather 🍿", '"godfather"', "godfather*", "NEAR(godfather)", "godfather%"]
)
def test_syntax_around_a_title_still_finds_it(catalogue, query):
    assert search(catalogue, query)[0].title == "The Godfather"


def test_long_query_is_cut_and_still_finds(catalogue):
    # Given a query far longer than any title, starting with a real one
    query = "The Legend of Zelda: Breath of the Wild " + "and so on " * 1_000
    # When searching / Then it is cut to MAX_QUERY_CHARS and the title is still found
    assert len(normalise(query)) > MAX_QUERY_CHARS
    assert search(catalogue, query)[0].title == "The Legend of Zelda: Breath of the Wild"


# --- Keeping up with writes -------------------------------------------------------------------------------


def test_inserts_updates_and_deletes_are_reflected(session):
    # Given a title, searchable
    item = add_title(session, "Vertigo", popularity=10.0)
    session.commit()
    assert titles(search(session, "vertigo")) == ["Vertigo"]
    # When it is renamed
    item.title = "Rear Window"
    item.search_text = normalise(item.title)
    session.add(item)
    session.commit()
    # Then the new title is found, typos included, and the old one is not
    assert titles(search(session, "rear windw")) == ["Rear Window"]
    assert search(session, "vertigo") == []
    # When it is deleted
    session.delete(item)
    session.commit()
    # Then it is gone
    assert search(session, "rear window") == []
    # And people follow the same way
    person = add_person(session, "Grace Kelly")
    session.commit()
    assert titles(search(session, "grace kely")) == ["Grace Kelly"]
    session.delete(person)
    session.commit()
    assert search(session, "grace kelly") == []


def test_the_search_index_is_kept_in_the_transaction(session):
    # Given a title added but not committed
    add_title(session, "Rashomon", popularity=5.0)
    # When searching in the same transaction / Then it is found (SQLite triggers run on the same connection)
    assert titles(search(session, "rashomn")) == ["Rashomon"]
    session.rollback()
    # And a rollback takes it away again
    assert search(session, "rashomon") == []


# --- Schema -----------------------------------------------------------------------------------------------


def test_migration_backfills_existing_rows(session, backend):
    # Given rows written before the search migration
    session.close()
    downgrade(backend.database_url, "0002_catalogue")
    engine = db.get_engine()
    with Session(engine) as before:
        add_title(before, "Metropolis", popularity=3.0)
        add_person(before, "Fritz Lang")
        before.commit()
    # When the migration runs
    upgrade(backend.database_url)
    # Then they are found
    with Session(engine) as after:
        assert titles(search(after, "metropolis")) == ["Metropolis"]
        assert titles(search(after, "fritz lnag")) == ["Fritz Lang"]


def test_search_objects_exist_and_are_not_schema_drift(backend):
    # Given the database migrated to head
    engine = db.get_engine()
    inspector = inspect(engine)
    if backend.name == "sqlite":
        assert {"media_items_fts", "people_fts"} <= set(inspector.get_table_names())
        # A later "batch" migration recreating media_items or people would drop these with the old table
        with engine.connect() as connection:
            triggers = set(connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
        assert {
            f"{table}_fts_{change}" for table in ("media_items", "people") for change in ("insert", "update", "delete")
        } <= triggers
    else:
        media_indexes = {index["name"] for index in inspector.get_indexes("media_items")}
        assert {"ix_media_items_search_text_trgm", "ix_media_items_search_text_prefix"} <= media_indexes
    # When comparing it with the models, skipping the search objects as alembic/env.py does
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(context, SQLModel.metadata)
    # Then nothing is left to migrate
    assert diff == []


def test_postgres_search_statements_use_the_indexes(session, backend):
    if backend.name != "postgres":
        pytest.skip("PostgreSQL plans only")
    # Given a few hundred titles
    for number in range(300):
        add_title(session, f"Film number {number}", popularity=float(number))
    session.commit()
    # When recording the statements a prefix search and a fuzzy search send
    sent: list[tuple[str, object]] = []

    def record(_connection, _cursor, statement, parameters, _context, _many):
        if "media_items" in statement:
            sent.append((statement, parameters))

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        search(session, "film numbr")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # Then, with sequential scans discouraged as on a large table, each is planned on an index
    session.execute(text("SET LOCAL enable_seqscan = off"))
    connection = session.connection()
    plans = [
        "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
        for statement, parameters in sent
    ]
    assert len(plans) >= 2
    assert all("Seq Scan on media_items" not in plan for plan in plans), plans
    assert any("ix_media_items_search_text_trgm" in plan for plan in plans), plans
    assert any("ix_media_items_search_text_prefix" in plan for plan in plans), plans
    session.rollback()
