"""File path → ParsedName: guessit on the file name, folder context, and small rules for guessit's known misses.

The order of work:

1. Split the path; take ID tags (`[tmdbid-123]`, `{imdb-tt0123456}`...) and Plex `{edition-...}` out of every part.
2. Walk the folders up from the file: disc folders (`CD1`, `VIDEO_TS`) are skipped, an extras folder
   (`Extras`, `Featurettes`...) makes the file an extra, a season folder (`Season 01`, `S01`, `Specials`)
   gives the season; the next folder up is the owner (the movie's or the show's folder).
3. Read the file name: fansub names (`[Group] Title - 12 [1080p]`) with our own pattern, everything else
   with guessit (told `type=episode` under a season folder).
4. Fix what guessit gets wrong (each rule below says which case it is for), then choose the title: the
   owner folder's when the file name says nothing, is obfuscated, or names the same title less cleanly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from seen.naming.model import NameType, ParsedName

# Long names are cut before parsing (the input is kept whole): guessit's time grows with the length.
MAX_PART_CHARS = 300

VIDEO_EXTENSIONS = (
    "3gp asf avi divx flv iso m2ts m4v mk3d mkv mov mp4 mpeg mpg mts ogm ogv rm rmvb ts vob webm wmv xvid"
)
SIDE_EXTENSIONS = "ifo bup srt sub idx ass ssa vtt sup smi nfo txt jpg jpeg png tbn mp3 flac m4a aac ogg opus wav mka"
KNOWN_EXTENSIONS = frozenset(f"{VIDEO_EXTENSIONS} {SIDE_EXTENSIONS}".split(" "))
_EXTENSION = re.compile(r"\.(?P<ext>[A-Za-z0-9]{2,5})$")

# --- tags taken out of names before anything else reads them --------------------------------------------------
_ID_TAG = re.compile(
    r"[\[{(]\s*(?P<kind>tmdbid|tmdb|themoviedb|imdbid|imdb|tvdbid|tvdb)\s*[-=:_ ]\s*(?P<value>tt\d+|\d+)\s*[\]})]",
    re.IGNORECASE,
)
_BARE_IMDB = re.compile(r"(?<![A-Za-z0-9])(?P<value>tt\d{7,9})(?![A-Za-z0-9])")
_PLEX_EDITION = re.compile(r"\{\s*edition\s*-\s*(?P<value>[^}]*?)\s*\}", re.IGNORECASE)

# --- folders ----------------------------------------------------------------------------------------------------
_SEASON_FOLDER = re.compile(
    r"^(?:season|series|saison|staffel|temporada|stagione|seizoen|sezon|sezona|kausi|сезон)[\s._-]*(?P<n>\d{1,4})\b",
    re.IGNORECASE,
)
_SHORT_SEASON_FOLDER = re.compile(r"^s(?P<n>\d{1,4})$", re.IGNORECASE)
_SPECIALS_FOLDERS = frozenset({"specials", "special", "seasonspecials"})
_DISC_FOLDER = re.compile(r"^(?:cd|dvd|disc|disk)[\s._-]*(?P<n>\d{1,2})$", re.IGNORECASE)
_STRUCTURE_FOLDERS = frozenset(
    {"videots", "audiots", "bdmv", "stream", "playlist", "clipinf", "backup", "certificate", "sub", "subs"}
)
# Folder names (lower case, letters only) that hold extras, and the kind each gives.
_EXTRA_FOLDERS = {
    "extras": "extras",
    "extra": "extras",
    "bonus": "extras",
    "bonusfeatures": "extras",
    "specialfeatures": "extras",
    "featurettes": "featurette",
    "featurette": "featurette",
    "behindthescenes": "behind the scenes",
    "makingof": "behind the scenes",
    "deletedscenes": "deleted scene",
    "deleted": "deleted scene",
    "interviews": "interview",
    "interview": "interview",
    "trailers": "trailer",
    "trailer": "trailer",
    "samples": "sample",
    "sample": "sample",
    "shorts": "short",
    "short": "short",
    "scenes": "scene",
    "clips": "clip",
    "other": "other",
    "others": "other",
}

# --- file names -------------------------------------------------------------------------------------------------
# Plex/Jellyfin suffixes (`Name-trailer.mkv`); the common ones also after a dot or space (`Movie.2010.Trailer`).
_EXTRA_SUFFIX = re.compile(
    r"(?:[-_. ]+(?P<loose>trailer|sample|featurette|teaser|behindthescenes|deletedscene|deleted|interview)"
    r"|-(?P<strict>scene|short|other|clip|extra))\d{0,2}$",
    re.IGNORECASE,
)
_EXTRA_PREFIX = re.compile(r"^(?P<kind>sample|trailer)[-_. ]+", re.IGNORECASE)
# Scene samples: `grp-movie.2010.sample.mkv`, `Movie.2010.1080p.Sample-GRP.mkv`.
_SAMPLE_WORD = re.compile(r"(?:^|[-_. \[(])sample(?:[-_. \])]|$)", re.IGNORECASE)
_EXTRA_KINDS = {
    "trailer": "trailer",
    "teaser": "trailer",
    "sample": "sample",
    "featurette": "featurette",
    "behindthescenes": "behind the scenes",
    "deletedscene": "deleted scene",
    "deleted": "deleted scene",
    "interview": "interview",
    "scene": "scene",
    "short": "short",
    "other": "other",
    "clip": "clip",
    "extra": "extras",
}

# `[Group] Title - 12 (1080p) [CRC]`, `[Group] Title S2 - 03v2 [720p]`: the fansub shape, read by us
# because guessit cuts titles at inner dashes (`Kimetsu no Yaiba - Katanakaji no Sato-hen - 05`).
_FANSUB = re.compile(
    r"^\s*\[(?P<group>[^\]]+)\]\s*(?P<title>[^\[\]]+?)\s+-\s+(?P<episode>\d{1,4})(?:v\d)?"
    r"(?:\s*(?:END|FINAL|Final|End))?\s*(?:[\[(].*)?$"
)
# `[Group][Title][01][1080p]`: every field in its own brackets.
_FANSUB_BRACKETS = re.compile(r"^\s*\[[^\]]+\]\s*\[(?P<title>[^\]]+)\]\s*\[(?P<episode>\d{1,4})(?:v\d)?(?:\s*END)?\]")
# A title ending in a season: `Jujutsu Kaisen 2nd Season`, `Title S2`, `Title Season 3`.
_TITLE_SEASON = re.compile(
    r"^(?P<title>.+?)[\s._-]+(?:(?P<a>\d{1,2})(?:st|nd|rd|th)[\s._-]+season|season[\s._-]*(?P<b>\d{1,2})|s(?P<c>\d{1,2}))$",
    re.IGNORECASE,
)
# A file name that is only an episode number: `01`, `E03`, `Ep 3`, `Episode 12`.
_BARE_EPISODE = re.compile(r"^(?:e|ep|episode|épisode|episodio|folge)?[\s._-]*(?P<n>\d{1,4})$", re.IGNORECASE)
# Markers of explicit season/episode numbering; without them a 3-4 digit number is ambiguous (`Show - 102`).
_EXPLICIT_NUMBERING = re.compile(
    r"s\d{1,4}[\s._-]*e\d|\d{1,2}x\d{1,3}|season|episode|(?:^|[\s._-])ep?[\s._-]*\d|\bs\d{1,2}\b", re.IGNORECASE
)
_EPISODE_MARKER = re.compile(r"s\d{1,4}[\s._-]*e\d|\d{1,2}x\d{1,3}", re.IGNORECASE)
# File names that say nothing about the title (DVD/Blu-ray structures, `movie.mkv`, `cd1.avi`...).
_GENERIC_STEM = re.compile(
    r"^(?:movie|video|film|feature|main|title[\s._-]*\d*|video[\s._]ts|vts[\s._]\d+[\s._]\d+|\d{5}|index"
    r"|(?:cd|dvd|disc|disk|part|pt)[\s._-]*\d{1,2}|sample|trailer|unknown|untitled)$",
    re.IGNORECASE,
)
# A stacking part at the end of the name: `- cd1`, `.disc2`, ` pt2`, `(Part 1)`.
_STACK_PART = re.compile(r"(?:^|[\s._\-\[(])(?:cd|dvd|disc|disk|pt|part)[\s._-]*(?P<n>\d{1,2})[\])]?$", re.IGNORECASE)
# `Part 2` followed by a year: part of the title (`Harry Potter and the Deathly Hallows Part 2 (2011)`).
_TITLE_PART = re.compile(
    r"(?P<word>part)[\s._-]*(?P<n>\d{1,2}|[ivx]{1,4}|one|two|three)[\s._-]*[\[(]?(?:19|20)\d\d(?!\d)", re.IGNORECASE
)
_PART_WORD = re.compile(r"(?P<word>part)[\s._-]*(?P<n>\d{1,2}|[ivx]{1,4}|one|two|three)(?![a-z0-9])", re.IGNORECASE)
# An edition guessit left in the title (`Movie.Extended.Edition.2003` -> title "Movie Extended Edition").
_TITLE_EDITION = re.compile(
    r"[\s._-]+(?P<edition>extended|director'?s|directors|unrated|uncut|theatrical|ultimate|special|collector'?s"
    r"|collectors|final|anniversary|remastered|imax|criterion)(?:[\s._-]+(?:cut|edition|version))+$",
    re.IGNORECASE,
)
_EDITION_NAMES = {
    "extended": "Extended",
    "director's": "Director's Cut",
    "directors": "Director's Cut",
    "unrated": "Unrated",
    "uncut": "Uncut",
    "theatrical": "Theatrical",
    "ultimate": "Ultimate",
    "special": "Special",
    "collector's": "Collector",
    "collectors": "Collector",
    "final": "Final",
    "anniversary": "Anniversary",
    "remastered": "Remastered",
    "imax": "IMAX",
    "criterion": "Criterion",
}
# A file named `Title (Year) ...` the Plex way: everything before the year is the title, dashes included
# (guessit cuts `The Lord of the Rings - The Fellowship of the Ring (2001)` at the dash).
_TITLE_YEAR_FILE = re.compile(r"^(?P<title>[^\[\]{}()]*[^\[\]{}()\s.])\s+\((?P<year>(?:18|19|20)\d\d)\)")
# `Vol. 2` that guessit reads as a volume and drops from the title (`Kill.Bill.Vol.2.2004`).
_VOLUME = re.compile(r"(?:^|[\s._-])(?P<word>vol(?:ume)?)\.?[\s._-]*(?P<n>\d{1,2})(?=[\s._-]+(?:19|20)\d\d\b)", re.I)
# Editions guessit does not know.
_STEM_EDITIONS = ((re.compile(r"(?:^|[\s._-])final[\s._-]cut(?:$|[\s._-])", re.I), "Final Cut"),)
# A library folder `Title (Year)` / `Title [Year]`.
_TITLE_YEAR_FOLDER = re.compile(r"^(?P<title>.+?)[\s._-]*[(\[](?P<year>(?:18|19|20)\d\d)[)\]]\s*$")
# guessit keys that mark a scene release name rather than a plain title.
_RELEASE_KEYS = frozenset(
    {"screen_size", "source", "video_codec", "audio_codec", "release_group", "season", "episode", "date", "other"}
)


@dataclass
class _Tags:
    tmdb_id: int | None = None
    imdb_id: str | None = None
    edition: str | None = None


@dataclass
class _Context:
    """What the folders above the file say."""

    owner: str | None = None
    season: int | None = None
    extra_kind: str | None = None
    disc: int | None = None


@dataclass(frozen=True)
class _Folder:
    title: str | None = None
    year: int | None = None
    season: int | None = None
    episode: int | list[int] | None = None
    air_date: str | None = None
    # `Title (Year)` or a plain title; False for a scene release folder.
    library: bool = False
    has_year_pattern: bool = False


@dataclass
class _Guess:
    title: str | None = None
    year: int | None = None
    season: int | None = None
    episode: int | list[int] | None = None
    air_date: str | None = None
    edition: str | None = None
    part: int | None = None
    extra_kind: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


def parse_name(path: str) -> ParsedName:
    """Read a media file path (with as many folders as known) into a ParsedName. Never raises."""
    text = path if isinstance(path, str) else str(path)
    try:
        return _parse(text)
    except Exception:  # a name is data from the wild: a parser bug must not stop a library scan
        return ParsedName(input=text)


def _parse(text: str) -> ParsedName:
    parts = [part.strip()[:MAX_PART_CHARS] for part in re.split(r"[\\/]+", text.strip())]
    parts = [part for part in parts if part and part not in {".", ".."}]
    if not parts:
        return ParsedName(input=text)

    tags = _Tags()
    # Nearest first: a tag on the file wins over one on its folder.
    cleaned = [_take_tags(part, tags) for part in reversed(parts)][::-1]
    file_name, folders = cleaned[-1], cleaned[:-1]
    context = _read_folders(folders)
    stem = _stem(file_name)

    guess = _read_file(file_name, stem, context)
    owner = _folder_info(context.owner) if context.owner else None
    _choose_title(guess, stem, context, owner)
    _fix_part(guess, stem, owner)
    _fix_title_edition(guess)
    _fix_title_season(guess)

    season = guess.season if guess.season is not None else context.season
    episode = guess.episode
    extra_kind = guess.extra_kind or context.extra_kind
    absolute = None
    if season is None and guess.air_date is None and isinstance(episode, int):
        absolute = episode

    kind: NameType
    if extra_kind:
        kind = "extra"
    elif episode is not None or guess.air_date or season is not None:
        kind = "episode"
    elif guess.title:
        kind = "movie"
    else:
        kind = "unknown"

    return ParsedName(
        input=text,
        type=kind,
        title=guess.title,
        year=guess.year,
        season=season,
        episode=episode,
        absolute_episode=absolute,
        air_date=guess.air_date,
        edition=tags.edition or guess.edition,
        tmdb_id=tags.tmdb_id,
        imdb_id=tags.imdb_id,
        part=guess.part if guess.part is not None else context.disc,
        extra_kind=extra_kind,
    )


# --- tags and folders -------------------------------------------------------------------------------------------


def _take_tags(name: str, tags: _Tags) -> str:
    def id_tag(match: re.Match[str]) -> str:
        kind, value = match["kind"].lower(), match["value"]
        if kind.startswith(("tmdb", "themoviedb")) and value.isdigit():
            tags.tmdb_id = tags.tmdb_id if tags.tmdb_id is not None else int(value)
        elif kind.startswith("imdb") and value.lower().startswith("tt"):
            tags.imdb_id = tags.imdb_id or value.lower()
        return " "  # tvdb ids are taken out of the title too, but not reported

    def edition_tag(match: re.Match[str]) -> str:
        tags.edition = tags.edition or (match["value"] or None)
        return " "

    name = _ID_TAG.sub(id_tag, name)
    name = _PLEX_EDITION.sub(edition_tag, name)
    bare = _BARE_IMDB.search(name)
    if bare:
        tags.imdb_id = tags.imdb_id or bare["value"]
        name = name[: bare.start()] + " " + name[bare.end() :]
    # Tidy what the tags leave behind: `Movie (2010)  .mkv` -> `Movie (2010).mkv`.
    name = re.sub(r"\s+(?=\.[A-Za-z0-9]{2,5}$)", "", name)
    return re.sub(r"\s{2,}", " ", name).strip()


def _letters(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _read_folders(folders: list[str]) -> _Context:
    context = _Context()
    index = len(folders) - 1
    while index >= 0:
        name = folders[index]
        key = _letters(name)
        disc = _DISC_FOLDER.match(name)
        season = _SEASON_FOLDER.match(name) or _SHORT_SEASON_FOLDER.match(name)
        if disc or key in _STRUCTURE_FOLDERS:
            if disc and context.disc is None:
                context.disc = int(disc["n"])
        elif key in _EXTRA_FOLDERS and context.season is None:
            context.extra_kind = context.extra_kind or _EXTRA_FOLDERS[key]
        elif (season or key in _SPECIALS_FOLDERS) and context.season is None:
            context.season = int(season["n"]) if season else 0
        else:
            context.owner = name
            break
        index -= 1
    return context


@lru_cache(maxsize=4096)
def _folder_info(name: str) -> _Folder:
    plain = _TITLE_YEAR_FOLDER.match(name)
    if plain:
        return _Folder(title=_clean_title(plain["title"]), year=int(plain["year"]), library=True, has_year_pattern=True)
    found = _guessit(name, {})
    title = _clean_title(found.get("title"))
    year = found.get("year") if isinstance(found.get("year"), int) else None
    if _RELEASE_KEYS & found.keys():
        season = found.get("season") if isinstance(found.get("season"), int) else None
        return _Folder(
            title=title,
            year=year,
            season=season,
            episode=_episode(found.get("episode")),
            air_date=_air_date(found.get("date")),
        )
    raw = _clean_title(name)
    # A plain folder name keeps its punctuation (`Love, Death & Robots`) unless guessit found a year in it.
    if raw and " " in raw and year is None:
        title = raw
    return _Folder(title=title, year=year, library=True)


# --- the file name ----------------------------------------------------------------------------------------------


def _stem(file_name: str) -> str:
    stem = file_name
    for _ in range(2):  # `Movie.mkv.srt`
        match = _EXTENSION.search(stem)
        if not match or match["ext"].lower() not in KNOWN_EXTENSIONS:
            break
        stem = stem[: match.start()]
    return stem.strip()


def _read_file(file_name: str, stem: str, context: _Context) -> _Guess:
    guess = _Guess()
    rest = stem
    prefix = _EXTRA_PREFIX.match(rest)
    suffix = _EXTRA_SUFFIX.search(rest)
    if prefix:
        guess.extra_kind = _EXTRA_KINDS[prefix["kind"].lower()]
        rest = rest[prefix.end() :]
    elif suffix and suffix.start() > 0:
        guess.extra_kind = _EXTRA_KINDS[(suffix["loose"] or suffix["strict"]).lower()]
        rest = rest[: suffix.start()]
    elif _SAMPLE_WORD.search(rest):
        guess.extra_kind = "sample"

    fansub = _FANSUB.match(rest) or _FANSUB_BRACKETS.match(rest)
    if fansub and not _EPISODE_MARKER.search(fansub["title"]):
        guess.title = _clean_title(fansub["title"])
        guess.episode = int(fansub["episode"])
        return guess

    bare = _BARE_EPISODE.match(rest)
    if bare and (context.season is not None or (context.owner and len(bare["n"]) <= 3)):
        # `Season 2/3.mkv`, `S01/E03.mkv`, `Show/01.mkv`: guessit reads a lone number as a title.
        number = int(bare["n"])
        owner = _folder_info(context.owner) if context.owner else None
        same_as_owner = owner and owner.title and _loose(owner.title) == _loose(rest)
        if same_as_owner:  # `21 (2008)/21.mkv` is the film 21
            guess.title = rest
            return guess
        guess.episode = number
        return guess

    # `movie.mkv` says nothing, but `movie-trailer.mkv` is the trailer of "movie".
    if not rest or (_GENERIC_STEM.match(rest) and rest == stem and context.owner):
        return guess

    options = {"type": "episode"} if context.season is not None else {}
    name = rest + file_name[len(stem) :] if rest != stem else file_name
    found = _guessit(name, options)
    guess.raw = found
    guess.title = _clean_title(found.get("title"))
    year = found.get("year")
    guess.year = year if isinstance(year, int) else None
    season = found.get("season")
    guess.season = season if isinstance(season, int) else None
    guess.episode = _episode(found.get("episode"))
    guess.air_date = _air_date(found.get("date"))
    guess.edition = _edition(found.get("edition"))
    cd = found.get("cd")
    guess.part = cd if isinstance(cd, int) else None
    other = found.get("other")
    others = other if isinstance(other, list) else [other]
    if guess.extra_kind is None and "Trailer" in others and "trailer" in rest.lower():
        guess.extra_kind = "trailer"
    _fix_bare_number(guess, rest, context)
    _fix_title_from_stem(guess, rest)
    return guess


def _fix_title_from_stem(guess: _Guess, stem: str) -> None:
    """Put back what guessit cut from a movie title: the text after ` - ` in `Title - Subtitle (Year)`, `Vol. 2`."""
    if guess.season is not None or guess.episode is not None or guess.air_date is not None:
        return
    plex = _TITLE_YEAR_FILE.match(stem)
    if plex and guess.title and int(plex["year"]) == guess.year:
        full = _clean_title(plex["title"])
        if full and _loose(full).startswith(_loose(guess.title)):
            guess.title = full
    volume = _VOLUME.search(stem)
    if volume and guess.title and "vol" not in guess.title.lower():
        guess.title = f"{guess.title} {volume['word'].capitalize()} {volume['n']}"
    if guess.edition is None:
        guess.edition = next((name for pattern, name in _STEM_EDITIONS if pattern.search(stem)), None)


def _fix_bare_number(guess: _Guess, stem: str, context: _Context) -> None:
    """guessit splits a lone 3-4 digit number into season and episode (`One Piece - 1000` -> S10E00).

    Kept for `Show - 102 - Title` (S01E02, the common Western case) when a season folder agrees or the split
    is plausible; read as one absolute number when the split gives episode 0, the number has 4 digits, or a
    season folder says another season."""
    if guess.season is None or not isinstance(guess.episode, int) or _EXPLICIT_NUMBERING.search(stem):
        return
    number = f"{guess.season}{guess.episode:02d}"
    if not re.search(rf"(?<!\d)0*{number}(?!\d)", stem):
        return
    if context.season is not None:
        if context.season != guess.season:
            guess.season, guess.episode = None, int(number)
        return
    # `Naruto - 001`: a leading zero is never a season 0.
    if guess.episode == 0 or guess.season == 0 or len(number) >= 4:
        guess.season, guess.episode = None, int(number)


def _choose_title(guess: _Guess, stem: str, context: _Context, owner: _Folder | None) -> None:
    if owner is None or not owner.title:
        return
    says_nothing = not guess.title or _GENERIC_STEM.match(guess.title) is not None
    has_numbering = guess.season is not None or guess.episode is not None or guess.air_date is not None
    # A release folder names an obfuscated file (`Movie.2010.1080p.BluRay-GRP/grp-mn1080p.mkv`).
    obfuscated = (
        guess.year is None
        and not has_numbering
        and not owner.library
        and (owner.year is not None or owner.episode is not None or owner.air_date is not None)
    )
    same = bool(guess.title) and _loose(guess.title) == _loose(owner.title)
    # An extra (or a season folder) belongs to the title its owner folder names.
    belongs = context.season is not None or (
        (guess.extra_kind or context.extra_kind) is not None and (owner.has_year_pattern or context.extra_kind)
    )
    # A movie in `Title (Year)/` whose own name is a scene release of the same year.
    library_movie = (
        owner.has_year_pattern
        and not has_numbering
        and (guess.year is None or guess.year == owner.year)
        and (same or guess.raw.keys() & _RELEASE_KEYS or guess.year == owner.year)
    )
    if says_nothing or obfuscated or belongs or library_movie or same:
        guess.title = owner.title
        if guess.year is None:
            guess.year = owner.year
        if says_nothing or obfuscated:
            if guess.season is None:
                guess.season = owner.season
            if guess.episode is None:
                guess.episode = owner.episode
            if guess.air_date is None:
                guess.air_date = owner.air_date


def _fix_part(guess: _Guess, stem: str, owner: _Folder | None) -> None:
    """Stacking parts (`cd1`, `disc2`, `pt2`, `Part.2` after the year) versus `Part 2` of a title."""
    found = guess.raw.get("part")
    stacked = _STACK_PART.search(stem)
    if isinstance(found, int):
        in_title = _TITLE_PART.search(stem)
        in_owner = owner and owner.title and _PART_WORD.search(owner.title)
        if in_title or in_owner:
            word = in_title or _PART_WORD.search(stem)
            if guess.title and word and not _PART_WORD.search(guess.title):
                guess.title = f"{guess.title} {word['word'].capitalize()} {word['n']}"
            return
        guess.part = found
    elif guess.part is None and stacked:
        guess.part = int(stacked["n"])
    if guess.title and guess.part is not None:
        trimmed = _clean_title(re.sub(r"[\s._-]+(?:cd|dvd|disc|disk|pt)[\s._-]*\d{1,2}$", "", guess.title, flags=re.I))
        guess.title = trimmed or guess.title


def _fix_title_edition(guess: _Guess) -> None:
    if not guess.title:
        return
    match = _TITLE_EDITION.search(guess.title)
    if match and match.start() > 0:
        guess.title = _clean_title(guess.title[: match.start()])
        guess.edition = guess.edition or _EDITION_NAMES[match["edition"].lower()]


def _fix_title_season(guess: _Guess) -> None:
    """`Jujutsu Kaisen 2nd Season - 04`, `[Group] Title S2 - 03`: the season sits at the end of the title."""
    if not guess.title or guess.season is not None or guess.episode is None:
        return
    match = _TITLE_SEASON.match(guess.title)
    if match:
        guess.title = _clean_title(match["title"])
        guess.season = int(match["a"] or match["b"] or match["c"])


# --- small helpers ----------------------------------------------------------------------------------------------


def _guessit(name: str, options: dict[str, Any]) -> dict[str, Any]:
    from guessit import guessit  # imported on first use: `seen parse --help` and the app's start stay fast

    try:
        found = dict(guessit(name, options))
    except Exception:  # guessit raises on a few pathological inputs; the caller falls back to nothing known
        return {}
    _keep_hyphenated_title(name, found)
    return found


def _keep_hyphenated_title(name: str, found: dict[str, Any]) -> None:
    """guessit reads `Spider-Man.No.Way.Home.2021` and `WALL-E.2008` as release group "Spider"/"WALL" before the
    title. A capitalised word joined by a hyphen to the start of the title belongs to it; scene prefixes
    (`grp-mn1080p.mkv`) are lower case."""
    group, title = found.get("release_group"), found.get("title")
    if not isinstance(group, str) or not isinstance(title, str) or not group[:1].isupper():
        return
    if not name.startswith(f"{group}-"):
        return
    words = title.split()
    if words and name[len(group) + 1 :].lower().startswith(words[0].lower()):
        found["title"] = f"{group}-{title}"
        del found["release_group"]


def _clean_title(value: Any) -> str | None:
    if isinstance(value, list):
        value = " ".join(str(item) for item in value)
    if not isinstance(value, str):
        return None
    value = value.replace("_", " ")
    value = re.sub(r"[\[(]\s*[\])]", " ", value)
    value = re.sub(r"\s+", " ", value)
    previous = None
    while value != previous:  # trim separators and brackets left without their partner, from both ends
        previous = value
        value = value.strip(" -_,;:").lstrip(".)]}").rstrip("([{")
        # A final dot goes, unless it closes an abbreviation (`S.H.I.E.L.D.`).
        if value.endswith(".") and not re.search(r"(?:^|[\s.])\w\.\w\.$", value):
            value = value.rstrip(".")
        for opening, closing in ("()", "[]", "{}"):
            if value.endswith(closing) and value.count(closing) > value.count(opening):
                value = value[:-1]
            if value.startswith(opening) and value.count(opening) > value.count(closing):
                value = value[1:]
        # An opening bracket never closed (`Title (US`): drop it and what follows.
        for opening, closing in ("()", "[]"):
            if value.count(opening) > value.count(closing):
                value = value[: value.rfind(opening)]
    return value or None


def _loose(value: str) -> str:
    return re.sub(r"[\W_]+", "", value.lower().replace("&", "and"))


def _episode(value: Any) -> int | list[int] | None:
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        numbers = sorted({item for item in value if isinstance(item, int)})
        if len(numbers) == 1:
            return numbers[0]
        return numbers or None
    return None


def _air_date(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else None


def _edition(value: Any) -> str | None:
    if isinstance(value, list):
        names = [str(item) for item in value if item]
        return ", ".join(names) or None
    return str(value) if value else None
