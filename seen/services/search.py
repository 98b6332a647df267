"""Local catalogue search: titles (movies, shows, games) and people, typo tolerant, on SQLite and PostgreSQL.

One rule makes the text both sides compare, `normalise`: the catalogue writer stores
`MediaItem.search_text = normalise(title, original_title)` and `Person.search_text = normalise(name)`, and
the query goes through the same function.

A search is two steps:

1. Candidates from an index, at most a few hundred per table, whatever the catalogue's size:
   - prefix: `search_text` starting with the query, most popular first (a b-tree range / `LIKE 'q%'`);
   - fuzzy (queries of 3+ characters): rows sharing trigrams with the query. PostgreSQL asks pg_trgm's GIN
     index (`%` similarity and `<%` word similarity); SQLite asks an FTS5 trigram table with an OR of the
     query's trigrams, best bm25 first.
2. One ranking in Python, the same on both engines: exact title, then prefix, then every query word a
   prefix of a title word (any order), then trigram similarity in the spirit of pg_trgm; ties go to the more
   popular row (nulls last), then the title.

The FTS tables, triggers and indexes are created by migration 0003_catalogue_search, outside the models.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, Literal

from sqlalchemy import Select, and_, bindparam, func, literal, select, text, union
from sqlmodel import Session, col

from seen.models.media import MEDIA_KINDS, MediaItem, Person
from seen.services.errors import InvalidInput

PERSON = "person"
SEARCH_KINDS = (*MEDIA_KINDS, PERSON)
HitKind = Literal["movie", "show", "game", "person"]

# Longer queries are cut after normalising: a title is rarely longer, and the cost of a query grows with it.
MAX_QUERY_CHARS = 100
MAX_LIMIT = 100
# Ranking happens on a bounded candidate set, so pages stop there: a search is not a catalogue browser.
MAX_WINDOW = 500
PREFIX_POOL = 120
FUZZY_POOL = 200
# SQLite sends the query's rarest trigrams to FTS5: at least MIN, then more while the rows they appear in
# stay within the budget, never more than MAX.
MIN_QUERY_TRIGRAMS = 2
MAX_QUERY_TRIGRAMS = 12
TRIGRAM_ROW_BUDGET = 2000
# PostgreSQL word similarity (`<%`): 0.5 rather than pg_trgm's default 0.6 finds more typos ("brakng bad");
# raised up to MAX for queries heavy with short words (see _pg_word_threshold), SHORT_QUERY for queries of
# short words only. Whole-text similarity (`%`) joins in for one-word queries of SIMILARITY_MIN_CHARS or more.
PG_WORD_SIMILARITY = 0.5
PG_MAX_WORD_SIMILARITY = 0.8
PG_SHORT_QUERY_WORD_SIMILARITY = 0.75
SHORT_WORD_CHARS = 3
PG_SIMILARITY_MIN_CHARS = 5
# Fuzzy rows below both of these are noise (pg_trgm's defaults for `%` and `<%`).
MIN_SIMILARITY = 0.3
MIN_COVERAGE = 0.6
# Fuzzy matches this close count as a tie, which popularity then breaks.
CLOSENESS_BUCKET = 0.05

# Objects migrations 0003 and 0007 create outside the SQLModel metadata; autogenerate must not call them drift.
SEARCH_SCHEMA_OBJECTS = frozenset(
    {
        "media_items_fts",
        "people_fts",
        "ix_media_items_search_text_trgm",
        "ix_people_search_text_trgm",
        "ix_media_items_search_text_prefix",
        "ix_people_search_text_prefix",
        # The unmatched-review search over library file names (migration 0007, PostgreSQL only).
        "ix_library_items_file_name_trgm",
    }
)


def is_search_schema_object(name: str | None) -> bool:
    """True for the search objects and the FTS5 shadow tables (`media_items_fts_data`, ..._idx, ...)."""
    if not name:
        return False
    return name in SEARCH_SCHEMA_OBJECTS or name.startswith(("media_items_fts_", "people_fts_"))


def include_name(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Alembic's `include_name` hook: autogenerate and compare_metadata skip the search objects."""
    return not (type_ in ("table", "index") and is_search_schema_object(name))


# --- Normalising ------------------------------------------------------------------------------------------

# Latin letters NFKD does not decompose, folded the way people type them without the key.
_LATIN_FOLDS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ł": "l", "ŀ": "l", "ŧ": "t", "æ": "ae", "œ": "oe", "þ": "th"}  # noqa: RUF001
)
_ASCII_GAPS = re.compile(r"[^a-z0-9]+")

# What a character becomes: a word character (possibly folded), a mark, or a gap.
_WORD, _MARK, _GAP = 0, 1, 2


@lru_cache(maxsize=8192)
def _classify(char: str) -> tuple[int, str, bool]:
    """(class, folded text, is Latin) for one casefolded character."""
    category = unicodedata.category(char)
    if category[0] in "LN":
        if unicodedata.name(char, "").startswith("LATIN"):
            bare = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
            return _WORD, bare.translate(_LATIN_FOLDS), True
        return _WORD, char, False
    if category[0] == "M":
        return _MARK, char, False
    return _GAP, "", False


def _normalise_one(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).casefold()
    if value.isascii():
        return _ASCII_GAPS.sub(" ", value).strip()
    out: list[str] = []
    previous_latin = False
    in_word = False
    for char in value:
        kind, folded, latin = _classify(char)
        if kind == _WORD:
            out.append(folded)
            previous_latin, in_word = latin, True
        elif kind == _MARK:
            # A mark belongs to the letter before it: accents on Latin letters go, but Devanagari vowel
            # signs, Thai tone marks or kana voicing marks are part of the word and stay.
            if in_word and not previous_latin:
                out.append(char)
        else:
            if in_word:
                out.append(" ")
            in_word = False
    return "".join(out).strip()


def normalise(*texts: str | None) -> str:
    """The one search-text rule: NFKC, casefold, accents off Latin letters, punctuation runs to one space.

    Non-Latin letters (CJK, Cyrillic, Greek, Arabic...) are kept as they are. Texts are joined with a space;
    empty ones and repeats are skipped (a title whose original title is the same is indexed once).
    """
    parts: list[str] = []
    for value in texts:
        if not value:
            continue
        part = _normalise_one(value)
        if part and part not in parts:
            parts.append(part)
    return " ".join(parts)


# --- Similarity (pg_trgm's model) -------------------------------------------------------------------------


def trigrams(value: str) -> frozenset[str]:
    """pg_trgm's trigrams of a normalised text: each word padded with two spaces before and one after."""
    # All words in one padded string ("  ab   cd "), minus the windows that straddle two words: those are
    # the ones ending in two spaces. One pass instead of one per word; this runs for every candidate.
    padded = "  " + "   ".join(value.split()) + " "
    return frozenset(gram for index in range(len(padded) - 2) if not (gram := padded[index : index + 3]).endswith("  "))


def _fts_trigrams(query: str) -> list[str]:
    """The 3-character substrings of the query's words, as FTS5's trigram tokenizer indexed them."""
    grams: dict[str, None] = {}
    for word in query.split():
        for index in range(len(word) - 2):
            grams.setdefault(word[index : index + 3])
    return list(grams)


# --- Results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    kind: HitKind
    id: int
    title: str
    year: int | None
    # How well the text matches, 0..1: 1 exact, 0.8+ prefix, 0.6+ word prefixes, below that similarity.
    score: float


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    # Rows that matched among the candidates looked at: exact up to MAX_WINDOW-ish, a floor beyond.
    total_estimate: int


@dataclass(frozen=True)
class _Candidate:
    kind: str
    id: int
    title: str
    original_title: str | None
    year: int | None
    popularity: float | None
    search_text: str


_EXACT, _PREFIX, _WORDS, _FUZZY = range(4)


@dataclass(frozen=True)
class _Query:
    text: str
    words: tuple[str, ...]
    grams: frozenset[str]


def _similarity(query: _Query, target: str) -> tuple[float, float]:
    """pg_trgm-style similarity (shared / all trigrams) and coverage (shared / the query's trigrams)."""
    grams = trigrams(target)
    shared = len(query.grams & grams)
    union_size = len(query.grams) + len(grams) - shared
    return (shared / union_size if union_size else 0.0), (shared / len(query.grams) if query.grams else 0.0)


@dataclass(frozen=True)
class _Ranked:
    tier: int
    candidate: _Candidate
    # Trigram closeness, 0..1: the mean of similarity and coverage, so a title containing the query is not
    # punished for being long. Fuzzy matches need it to rank; the others only for their score, so it is
    # computed for the hits returned only (it is the costly part of ranking a few hundred candidates).
    closeness: float | None = None

    def score(self, query: _Query) -> float:
        # One number per hit that keeps the tiers apart: 1 exact, 0.8+ prefix, 0.6+ word prefixes, < 0.6 fuzzy.
        if self.tier == _EXACT:
            return 1.0
        closeness = self.closeness
        if closeness is None:
            closeness = sum(_similarity(query, self.candidate.search_text)) / 2
        return (1.0, 0.8 + 0.19 * closeness, 0.6 + 0.19 * closeness, 0.59 * closeness)[self.tier]

    def sort_key(self) -> tuple[Any, ...]:
        # Exact, prefix and word-prefix matches are equally good within their tier: popularity orders them.
        # Fuzzy ones go by closeness first, in buckets, so near-equal closeness counts as a tie too.
        bucket = int((self.closeness or 0.0) / CLOSENESS_BUCKET) if self.tier == _FUZZY else 0
        popularity = self.candidate.popularity
        return (
            self.tier,
            -bucket,
            popularity is None,
            -(popularity or 0.0),
            self.candidate.title.casefold(),
            self.candidate.id,
        )


def _rank_one(query: _Query, candidate: _Candidate) -> _Ranked | None:
    target = candidate.search_text
    if query.text in target:
        original = normalise(candidate.original_title) if candidate.original_title else ""
        if query.text in (target, normalise(candidate.title), original):
            return _Ranked(_EXACT, candidate)
        if target.startswith(query.text) or original.startswith(query.text):
            return _Ranked(_PREFIX, candidate)
    if _words_are_prefixes(query.words, target.split()):
        return _Ranked(_WORDS, candidate)
    similarity, coverage = _similarity(query, target)
    if similarity < MIN_SIMILARITY and coverage < MIN_COVERAGE:
        return None
    return _Ranked(_FUZZY, candidate, (similarity + coverage) / 2)


def _words_are_prefixes(words: Sequence[str], targets: list[str]) -> bool:
    """Every query word starts a different word of the text, in any order (longest query words first)."""
    free = list(targets)
    for word in sorted(words, key=len, reverse=True):
        for index, target in enumerate(free):
            if target.startswith(word):
                del free[index]
                break
        else:
            return False
    return True


# --- Candidates -------------------------------------------------------------------------------------------


def _media_columns() -> list[Any]:
    return [
        col(MediaItem.kind).label("kind"),
        col(MediaItem.id).label("id"),
        col(MediaItem.title).label("title"),
        col(MediaItem.original_title).label("original_title"),
        col(MediaItem.year).label("year"),
        col(MediaItem.popularity).label("popularity"),
        col(MediaItem.search_text).label("search_text"),
    ]


def _people_columns() -> list[Any]:
    return [
        literal(PERSON).label("kind"),
        col(Person.id).label("id"),
        col(Person.name).label("title"),
        literal(None).label("original_title"),
        literal(None).label("year"),
        col(Person.popularity).label("popularity"),
        col(Person.search_text).label("search_text"),
    ]


def _like_escape(value: str) -> str:
    # A normalised text holds no LIKE wildcard; escaping anyway keeps that an assumption nobody relies on.
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@lru_cache(maxsize=16)
def _prefix_statement(table: type[MediaItem] | type[Person], dialect: str, by_kind: bool) -> Select[Any]:
    """Built once per shape: building a Core statement costs about as much as SQLite running it."""
    column = col(table.search_text)
    columns = _media_columns() if table is MediaItem else _people_columns()
    if dialect == "postgresql":
        # Served by the text_pattern_ops b-tree.
        condition = column.like(bindparam("pattern"), escape="\\")
    else:
        # SQLite compares bytes: everything starting with q sorts between q and q + the highest code point.
        condition = and_(column >= bindparam("low"), column < bindparam("high"))
    statement = select(*columns).where(condition)
    if by_kind:
        statement = statement.where(col(MediaItem.kind).in_(bindparam("kinds", expanding=True)))
    # The exact text first so a long run of popular prefix matches cannot push it out of the pool.
    ordering = ((column == bindparam("exact")).desc(), col(table.popularity).desc().nulls_last())
    return statement.order_by(*ordering).limit(bindparam("pool"))


def _prefix_candidates(
    *, session: Session, table: type[MediaItem] | type[Person], query: str, kinds: tuple[str, ...], pool: int
) -> list[_Candidate]:
    dialect = session.get_bind().dialect.name
    by_kind = table is MediaItem and len(kinds) < len(MEDIA_KINDS)
    params: dict[str, Any] = {"exact": query, "pool": pool}
    if dialect == "postgresql":
        params["pattern"] = _like_escape(query) + "%"
    else:
        params.update(low=query, high=query + "\U0010ffff")
    if by_kind:
        params["kinds"] = list(kinds)
    rows = session.execute(_prefix_statement(table, dialect, by_kind), params).all()
    return [_Candidate(*row) for row in rows]


def _pg_word_threshold(query: str) -> float:
    """The word-similarity threshold for `<%`: above what the query's short words alone could reach.

    GIN keeps every row holding that share of the query's trigrams and pg_trgm then rechecks each one.
    Short words ("the", "of", "s") are in a large part of any catalogue, so when their trigrams alone make
    half the query, thousands of rows pass ("the cook": 12,000 of 58,788 films). Demanding two trigrams more
    than the short words give keeps the rows that also match a real word. A query of short words only must
    nearly match them.
    """
    words = query.split()
    long_grams = trigrams(" ".join(word for word in words if len(word) > SHORT_WORD_CHARS))
    if not long_grams:
        return PG_SHORT_QUERY_WORD_SIMILARITY
    all_grams = trigrams(query)
    short_only = len(all_grams - long_grams)
    return round(min(PG_MAX_WORD_SIMILARITY, max(PG_WORD_SIMILARITY, (short_only + 2) / len(all_grams))), 3)


def _fuzzy_candidates_postgres(
    *, session: Session, table: type[MediaItem] | type[Person], query: str, kinds: tuple[str, ...], pool: int
) -> list[_Candidate]:
    whole_text = " " not in query and len(query) >= PG_SIMILARITY_MIN_CHARS
    rows = partial(_pg_trigram_rows, session=session, table=table, query=query, kinds=kinds, pool=pool)
    strict = _pg_word_threshold(query)
    found = rows(threshold=strict, whole_text=whole_text)
    if not found and strict > PG_WORD_SIMILARITY:
        # Nothing got past the strict pass: the short words may be the meaningful ones ("lone sar", "ice age").
        # A query that found nothing is one whose relaxed pass is affordable.
        found = rows(threshold=PG_WORD_SIMILARITY, whole_text=whole_text)
    return found


def _pg_trigram_rows(
    *,
    session: Session,
    table: type[MediaItem] | type[Person],
    query: str,
    kinds: tuple[str, ...],
    pool: int,
    threshold: float,
    whole_text: bool,
) -> list[_Candidate]:
    # Both GIN operators pre-filter on the share of the query's trigrams a row holds, then recheck every
    # row that passed: the thresholds decide the cost. Set per transaction, so the server's defaults do not
    # change what a search finds.
    session.execute(
        text(
            "SELECT set_config('pg_trgm.similarity_threshold', :similarity, true), "
            "set_config('pg_trgm.word_similarity_threshold', :word_similarity, true)"
        ),
        {"similarity": str(MIN_SIMILARITY), "word_similarity": str(threshold)},
    )
    words = query.split()
    # Every word somewhere in the text, for multi-word queries with at least one word GIN can look up.
    all_words = len(words) > 1 and any(len(word) >= 3 for word in words)
    by_kind = table is MediaItem and len(kinds) < len(MEDIA_KINDS)
    params: dict[str, Any] = {"query": query, "pool": pool}
    if all_words:
        params.update({f"word{index}": f"%{_like_escape(word)}%" for index, word in enumerate(words)})
    if by_kind:
        params["kinds"] = list(kinds)
    statement = _pg_fuzzy_statement(table, by_kind, whole_text, len(words) if all_words else 0)
    return [_Candidate(*row) for row in session.execute(statement, params).all()]


@lru_cache(maxsize=128)
def _pg_fuzzy_statement(
    table: type[MediaItem] | type[Person], by_kind: bool, whole_text: bool, word_count: int
) -> Select[Any]:
    column = col(table.search_text)
    identity = col(table.id)
    query = bindparam("query", type_=column.type)
    # `q <% search_text`: the query (or most of it) appears in the text.
    conditions = [query.bool_op("<%")(column)]
    if whole_text:
        # `search_text % q`: the whole text is close to the query. It finds a typo in a one-word title that
        # the word similarity misses ("wismhaster"); with a short common word in the query ("the cook")
        # thousands of rows pass its index pre-filter, so only one-word queries use it.
        conditions.append(column.bool_op("%")(query))
    if word_count:
        # pg_trgm's word similarity falls for words far apart or out of order ("liv nigh" / "night of the
        # living dead": 0.44), the word-prefix ranking does not. GIN answers an AND of LIKEs from the
        # intersection of their trigrams.
        likes = (column.like(bindparam(f"word{index}"), escape="\\") for index in range(word_count))
        conditions.append(and_(*likes))
    columns = _media_columns() if table is MediaItem else _people_columns()
    if len(conditions) == 1:
        statement = select(*columns).where(conditions[0])
    else:
        # In one WHERE with an OR the planner scans the table; a UNION keeps one index scan per condition.
        matched = union(*(select(identity.label("id")).where(condition) for condition in conditions)).subquery()
        statement = select(*columns).join_from(table, matched, identity == matched.c.id)
    if by_kind:
        statement = statement.where(col(MediaItem.kind).in_(bindparam("kinds", expanding=True)))
    closeness = func.similarity(column, query) + func.word_similarity(query, column)
    return statement.order_by(closeness.desc()).limit(bindparam("pool"))


@lru_cache(maxsize=8)
def _sqlite_vocab_statement(fts: str) -> Any:
    return text(f"SELECT term, doc FROM {fts}_vocab WHERE term IN :grams").bindparams(
        bindparam("grams", expanding=True)
    )


@lru_cache(maxsize=8)
def _sqlite_fuzzy_statement(table: str, by_kind: bool) -> Any:
    fts = f"{table}_fts"
    kind_filter = " AND kind IN :kinds" if by_kind else ""
    ranked = f"SELECT rowid FROM {fts} WHERE {fts} MATCH :match{kind_filter} ORDER BY rank LIMIT :pool"
    if table == "media_items":
        columns = "m.kind, m.id, m.title, m.original_title, m.year, m.popularity, m.search_text"
    else:
        columns = "'person', m.id, m.name, NULL, NULL, m.popularity, m.search_text"
    statement = text(f"SELECT {columns} FROM {table} AS m JOIN ({ranked}) AS f ON f.rowid = m.id")
    return statement.bindparams(bindparam("kinds", expanding=True)) if by_kind else statement


def _rare_trigrams(*, session: Session, fts: str, grams: list[str]) -> list[str]:
    """The query's rarest trigrams, up to a budget of rows they appear in.

    bm25 costs a few microseconds per matching row: "the" alone matches a fifth of an English catalogue.
    The rare trigrams find the same titles (the re-ranking then looks at all of them); trigrams in no row
    at all are dropped, they cannot match anything.
    """
    counts = dict(session.execute(_sqlite_vocab_statement(fts), {"grams": grams}).all())
    chosen: list[str] = []
    rows = 0
    for gram in sorted(counts, key=counts.__getitem__):
        within_budget = rows + counts[gram] <= TRIGRAM_ROW_BUDGET
        # The rarest always goes (else a query of common words finds nothing out of order: "one the" for
        # "One, The"); up to MIN go when each alone fits the budget, even if together they do not.
        wanted = not chosen or (len(chosen) < MIN_QUERY_TRIGRAMS and counts[gram] <= TRIGRAM_ROW_BUDGET)
        if not (within_budget or wanted):
            break
        chosen.append(gram)
        rows += counts[gram]
        if len(chosen) == MAX_QUERY_TRIGRAMS:
            break
    return chosen


def _fuzzy_candidates_sqlite(
    *, session: Session, table: type[MediaItem] | type[Person], query: str, kinds: tuple[str, ...], pool: int
) -> list[_Candidate]:
    name = table.__tablename__
    grams = _fts_trigrams(query)
    if grams:
        grams = _rare_trigrams(session=session, fts=f"{name}_fts", grams=grams)
    if not grams:
        return []
    by_kind = table is MediaItem and len(kinds) < len(MEDIA_KINDS)
    # Every trigram is a quoted FTS5 string (quotes doubled), so nothing in the query is FTS syntax.
    params: dict[str, Any] = {"match": " OR ".join('"' + gram.replace('"', '""') + '"' for gram in grams), "pool": pool}
    if by_kind:
        params["kinds"] = list(kinds)
    rows = session.execute(_sqlite_fuzzy_statement(name, by_kind), params).all()
    return [_Candidate(*row) for row in rows]


# --- Entry point ------------------------------------------------------------------------------------------


def _checked_kinds(kinds: Collection[str] | None) -> tuple[str, ...]:
    if kinds is None:
        return SEARCH_KINDS
    unknown = sorted(set(kinds) - set(SEARCH_KINDS))
    if unknown:
        raise InvalidInput(f"unknown search kind(s): {', '.join(unknown)}")
    return tuple(kind for kind in SEARCH_KINDS if kind in kinds)


def search_catalogue(
    *,
    session: Session,
    query: str,
    kinds: Collection[str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Titles and people matching `query`, best first. Any text is safe; an empty one finds nothing."""
    if limit < 0 or offset < 0:
        raise InvalidInput("limit and offset must not be negative")
    chosen = _checked_kinds(kinds)
    limit = min(limit, MAX_LIMIT)
    normalised = normalise(query)[:MAX_QUERY_CHARS].strip()
    if not normalised or not chosen or limit == 0 or offset >= MAX_WINDOW:
        return SearchResult(hits=[], total_estimate=0)
    parsed = _Query(text=normalised, words=tuple(normalised.split()), grams=trigrams(normalised))
    dialect = session.get_bind().dialect.name
    prefix_pool = max(PREFIX_POOL, min(offset + limit, MAX_WINDOW))
    fuzzy_pool = max(FUZZY_POOL, min(offset + limit, MAX_WINDOW))
    media_kinds = tuple(kind for kind in chosen if kind != PERSON)
    tables: list[tuple[type[MediaItem] | type[Person], tuple[str, ...]]] = []
    if media_kinds:
        tables.append((MediaItem, media_kinds))
    if PERSON in chosen:
        tables.append((Person, ()))
    candidates: dict[tuple[str, int], _Candidate] = {}
    for table, table_kinds in tables:
        found = _prefix_candidates(session=session, table=table, query=normalised, kinds=table_kinds, pool=prefix_pool)
        if len(normalised) >= 3:
            fuzzy = _fuzzy_candidates_postgres if dialect == "postgresql" else _fuzzy_candidates_sqlite
            found += fuzzy(session=session, table=table, query=normalised, kinds=table_kinds, pool=fuzzy_pool)
        for candidate in found:
            candidates.setdefault((candidate.kind, candidate.id), candidate)
    ranked = [found for found in (_rank_one(parsed, candidate) for candidate in candidates.values()) if found]
    ranked.sort(key=_Ranked.sort_key)
    hits = [
        SearchHit(
            kind=one.candidate.kind,  # type: ignore[arg-type]
            id=one.candidate.id,
            title=one.candidate.title,
            year=one.candidate.year,
            score=round(one.score(parsed), 4),
        )
        for one in ranked[offset : offset + limit]
    ]
    return SearchResult(hits=hits, total_estimate=len(ranked))
