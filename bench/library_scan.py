"""Library scan: a 10,000-file tree scanned into library items, then rescanned unchanged and after a few changes.

The tree is built from a fixed seed in scratch space: films in `Movies/Title (Year)/Title (Year) 1080p.mkv` folders
(some with extras, sidecar subtitles, posters), scene releases `Title.Year.1080p.BluRay.x264-GRP.mkv` (flat or in
a release folder with a sample), shows as `Shows/Show (Year)/Season 01/Show - S01E02 - Episode Title.mkv` and anime
as `Anime/Name/[SubsPlease] Name - 07 (1080p).mkv`. Titles come from `bench.naming`'s generators. The videos'
content (SEEN_BENCH_LIBRARY_CONTENT) is by default a tiny real Matroska file made once with ffmpeg (black 1080p, a
frame a minute, the duration of a film, an episode or an extra: 5-30 KB), and for 0.5 % of them a sparse file of a
plausible size holding nothing but zeros (a preallocated download that never finished). `sparse` gives every video
its plausible size (the Matroska header followed by a hole) and `zeros` makes them all holes; MediaInfo reads 64 MB
of a hole after a header and about 400 MB of a file of zeros (0.12-0.5 s a file), so those modes take 0.5-1.5 hours
per engine: raise SEEN_BENCH_LIBRARY_SCAN_SECONDS.
`probe_ms` records what one probe costs on each kind of content, real 1080p files included. A catalogue holds four
in five of the films and shows (episodes included) beside the ggplot2movies films when that CSV is there; no
provider is configured, so matching uses local candidates only and nothing leaves the machine.

On SQLite (a fresh file, migrated) and on PostgreSQL (`SEEN_BENCH_DATABASE_URL`, rebuilt from base; skipped when
unset) the root is added with `library_scan.add_root` and scans run in-process (`request_scan(send_job=False)` +
`run_scan`), as the `library.scan` job runs them: the first scan (files/s, items, matched / unmatched / errors,
where the time went), a rescan with nothing changed five times (goal: median <= 2 s), then a rescan after touching
1 % of the files and removing another 1 %.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, insert, select, text

from bench import procs
from bench.catalogue_search import CSV_PATH, IN_CI, ensure_postgres_database, load, read_films
from bench.common import in_process_env
from bench.naming import CODECS, EXTRAS, FANSUBS, GROUPS, QUALITIES, SOURCES, _dotted, _title
from seen.services.catalogue_bulk import blank_columns

NAME = "library_scan"
FILES = int(os.environ.get("SEEN_BENCH_LIBRARY_FILES", "10000"))
# The first scan is stopped (and the rescans skipped) past this: a broken scanner must not hold the bench for hours.
SCAN_SECONDS = float(os.environ.get("SEEN_BENCH_LIBRARY_SCAN_SECONDS", "600"))
SEED = 20261206
GOAL_RESCAN_S = 2.0
RESCANS = 5  # the median is the result: one burst of another process cannot make it
CHANGED_SHARE = 0.01
REMOVED_SHARE = 0.01
CONTENT = os.environ.get("SEEN_BENCH_LIBRARY_CONTENT", "tiny")  # tiny | sparse | zeros
ZEROS_SHARE = 0.005  # holes only, whatever the mode: what the scanner does with nothing but zeros
CATALOGUED_SHARE = 0.8
BATCH = 2000
# Picked at random until the tree has FILES videos: about 23 % library films, 15 % scene films, 9 % extras and
# samples, 36 % show episodes and 17 % anime episodes.
UNITS = {"library_film": 0.5, "scene_film": 0.4, "show": 0.05, "anime": 0.02}
# Media templates by duration in seconds. A frame a minute (a few per trailer) of black 1080p video and a second of
# audio: a few KB that MediaInfo reads as a full-length film or episode.
TEMPLATES = {
    "film_95": 5700,
    "film_105": 6300,
    "film_120": 7200,
    "film_140": 8400,
    "episode_44": 2640,
    "episode_25": 1500,
    "anime_24": 1440,
    "trailer": 150,
    "featurette": 720,
    "sample": 60,
}
SUBTITLE = "1\n00:00:01,000 --> 00:00:03,000\nHello.\n\n2\n00:00:04,000 --> 00:00:06,000\nAgain.\n"
MB = 1024 * 1024


# --- The tree ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Planned:
    relative: str
    shape: str  # library_film | scene_film | extra | sample | episode | anime
    size: int  # bytes (apparent: most of it a hole)
    template: str
    content: str = "media"  # media (a template, followed by a hole in `sparse` mode) | zeros (a hole only)
    expected: tuple[str, str, int] | None = None  # (kind, title, year) when the catalogue holds the title
    sidecar: str | None = None  # a subtitle file's name beside it


@dataclass
class Catalogued:
    kind: str  # movie | show
    title: str
    year: int
    runtime: int
    seasons: dict[int, int]  # season -> episodes (shows)


@dataclass
class Plan:
    files: list[Planned]
    others: list[str]  # non-video files: posters, .nfo
    catalogue: list[Catalogued]


def _release(rng: random.Random, quality: str) -> str:
    return f"{quality}.{rng.choice(SOURCES)}.{rng.choice(CODECS)}-{rng.choice(GROUPS)}"


def _size(rng: random.Random, low_mb: int, high_mb: int) -> int:
    return rng.randint(low_mb * MB, high_mb * MB)


def make_plan(count: int = FILES, seed: int = SEED) -> Plan:
    """The tree's files (exactly `count` videos), other files and catalogue: the same for the same seed."""
    rng = random.Random(seed)
    files: list[Planned] = []
    others: list[str] = []
    catalogue: list[Catalogued] = []
    used: set[tuple[str, str]] = set()
    paths: set[str] = set()

    def new_title(kind: str) -> tuple[str, int]:
        while True:
            title, year = _title(rng), rng.randint(1950, 2025)
            if (kind, title) not in used:
                used.add((kind, title))
                return title, year

    def add(file: Planned) -> None:
        if file.relative not in paths:  # two trailers of one film, two extras drawn with the same name
            paths.add(file.relative)
            files.append(file)

    def subtitle(stem: str, share: float) -> str | None:
        return f"{stem}.{rng.choice(('en', 'eng', 'fr', 'en.forced', 'es'))}.srt" if rng.random() < share else None

    def film(scene: bool) -> None:
        title, year = new_title("movie")
        template = rng.choice(("film_95", "film_105", "film_120", "film_140"))
        expected = ("movie", title, year) if rng.random() < CATALOGUED_SHARE else None
        if expected:
            catalogue.append(Catalogued("movie", title, year, TEMPLATES[template] // 60 + rng.randint(-4, 4), {}))
        quality = rng.choice(QUALITIES)
        size = _size(rng, 700, 4000) if quality != "2160p" else _size(rng, 8000, 30000)
        if not scene:
            folder = f"Movies/{title} ({year})"
            stem = f"{title} ({year}) {quality}"
            add(
                Planned(
                    f"{folder}/{stem}.mkv",
                    "library_film",
                    size,
                    template,
                    expected=expected,
                    sidecar=subtitle(stem, 0.25),
                )
            )
            if rng.random() < 0.3:
                others.append(f"{folder}/poster.jpg")
            if rng.random() < 0.2:
                for _ in range(rng.randint(1, 3)):
                    if rng.random() < 0.4:
                        add(Planned(f"{folder}/{title} ({year})-trailer.mkv", "extra", _size(rng, 20, 150), "trailer"))
                    else:
                        name = f"{folder}/{rng.choice(EXTRAS)}/{_title(rng)}.mkv"
                        add(Planned(name, "extra", _size(rng, 50, 600), "featurette"))
            return
        release = f"{_dotted(title)}.{year}.{_release(rng, quality)}"
        if rng.random() < 0.5:
            add(
                Planned(
                    f"Movies/{release}.mkv",
                    "scene_film",
                    size,
                    template,
                    expected=expected,
                    sidecar=subtitle(release, 0.1),
                )
            )
            return
        folder = f"Movies/{release}"
        add(
            Planned(
                f"{folder}/{release}.mkv",
                "scene_film",
                size,
                template,
                expected=expected,
                sidecar=subtitle(release, 0.2),
            )
        )
        others.append(f"{folder}/{release.rsplit('-', 1)[-1].lower()}.nfo")
        if rng.random() < 0.3:
            add(Planned(f"{folder}/Sample/{release.lower()}-sample.mkv", "sample", _size(rng, 20, 80), "sample"))

    def show() -> None:
        title, year = new_title("show")
        template = rng.choice(("episode_44", "episode_44", "episode_25"))
        seasons = {number: rng.randint(6, 13) for number in range(1, rng.randint(1, 5) + 1)}
        catalogued = rng.random() < CATALOGUED_SHARE
        if catalogued:
            catalogue.append(Catalogued("show", title, year, TEMPLATES[template] // 60, seasons))
        for season, episodes in seasons.items():
            for episode in range(1, episodes + 1):
                if rng.random() < 0.1:
                    continue  # a library is rarely complete
                stem = f"{title} - S{season:02d}E{episode:02d} - {_title(rng)}"
                add(
                    Planned(
                        f"Shows/{title} ({year})/Season {season:02d}/{stem}.mkv",
                        "episode",
                        _size(rng, 200, 2500),
                        template,
                        expected=("show", title, year) if catalogued else None,
                        sidecar=subtitle(stem, 0.1),
                    )
                )

    def anime() -> None:
        title, year = new_title("show")
        group = rng.choice(FANSUBS)
        episodes = rng.choice((12, 12, 13, 24, 25, 26)) if rng.random() > 0.1 else rng.randint(50, 150)
        first = 1 if rng.random() < 0.8 else rng.randint(2, max(2, episodes - 11))  # joined a running series
        catalogued = rng.random() < CATALOGUED_SHARE
        if catalogued:
            catalogue.append(Catalogued("show", title, year, 24, {1: episodes}))
        for number in range(first, episodes + 1):
            crc = f" [{rng.getrandbits(32):08X}]" if rng.random() < 0.5 else ""
            add(
                Planned(
                    f"Anime/{title}/[{group}] {title} - {number:02d} (1080p){crc}.mkv",
                    "anime",
                    _size(rng, 250, 1500),
                    "anime_24",
                    expected=("show", title, year) if catalogued else None,
                )
            )

    makers: dict[str, Callable[[], None]] = {
        "library_film": lambda: film(scene=False),
        "scene_film": lambda: film(scene=True),
        "show": show,
        "anime": anime,
    }
    while len(files) < count:
        makers[rng.choices(list(UNITS), list(UNITS.values()))[0]]()
    files = files[:count]
    for index in rng.sample(range(count), round(count * ZEROS_SHARE)):  # a few holes, spread over the tree
        files[index] = replace(files[index], content="zeros")
    return Plan(files=files, others=others, catalogue=catalogue)


def _ffmpeg(*arguments: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-hide_banner", "-loglevel", "error", *arguments], check=True, timeout=300)


def make_templates(folder: Path) -> dict[str, bytes]:
    """Template name -> the bytes of a small real Matroska file of that duration, made with ffmpeg."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for name, seconds in TEMPLATES.items():
        every = max(1, seconds // 100)  # about 100 frames whatever the length
        target = folder / f"{name}.mkv"
        _ffmpeg(
            *("-f", "lavfi", "-i", f"color=c=black:size=1920x1080:rate=1/{every}:duration={seconds}"),
            *("-f", "lavfi", "-i", "sine=frequency=440:duration=1"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-g", "1000", "-c:a", "aac"),
            *("-metadata:s:a:0", "language=eng", str(target)),
        )
        made[name] = target.read_bytes()
    return made


def build_tree(root: Path, plan: Plan, templates: dict[str, bytes], mode: str = CONTENT) -> dict[str, Any]:
    """Write the plan under `root`: the videos (as `mode` says), subtitles, posters and .nfo files."""
    started = time.monotonic()
    written = 0
    for file in plan.files:
        path = root / file.relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = templates[file.template] if file.content == "media" and mode != "zeros" else b""
        path.write_bytes(data)
        written += len(data)
        if not data or mode == "sparse":
            os.truncate(path, file.size)
        if file.sidecar:
            (path.parent / file.sidecar).write_text(SUBTITLE)
            written += len(SUBTITLE)
    for other in plan.others:
        path = root / other
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"bench\n")
    apparent = sum((root / file.relative).stat().st_size for file in plan.files)
    return {
        "build_s": round(time.monotonic() - started, 1),
        "written_mb": round(written / MB, 1),
        "apparent_gb": round(apparent / MB / 1024, 1),
    }


def probe_costs(folder: Path, templates: dict[str, bytes], rounds: int = 5) -> dict[str, float]:
    """Median ms of one `probe` per kind of content: real 1080p files (20 s at 30 Mbit/s, 76 MB: MediaInfo reads
    as much of one as of a 2 GB file), the default tree's tiny files, and sparse 2 GB files."""
    from seen.library.probe import probe

    folder.mkdir()
    real = folder / "real.mkv"
    _ffmpeg(
        *("-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=24:duration=20"),
        *("-f", "lavfi", "-i", "sine=frequency=440:duration=20"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-b:v", "30M", "-maxrate", "30M", "-bufsize", "60M"),
        *("-c:a", "aac", "-metadata:s:a:0", "language=eng", str(real)),
    )
    _ffmpeg("-i", str(real), "-map", "0", "-c", "copy", "-movflags", "+faststart", str(folder / "real.mp4"))
    (folder / "tiny.mkv").write_bytes(templates["film_105"])
    (folder / "sparse.mkv").write_bytes(templates["film_105"])
    os.truncate(folder / "sparse.mkv", 2048 * MB)
    (folder / "zeros.mkv").touch()
    os.truncate(folder / "zeros.mkv", 2048 * MB)
    files = {
        "real_mkv_1080p": "real.mkv",
        "real_mp4_1080p": "real.mp4",
        "tiny_mkv": "tiny.mkv",  # the default tree's files
        "mkv_header_then_2gb_hole": "sparse.mkv",  # `sparse` mode's
        "zeros_2gb": "zeros.mkv",  # `zeros` mode's, and 0.5 % of every tree
    }
    found = {}
    for label, name in files.items():
        probe(folder / name)  # MediaInfo's library loaded, the file's pages cached
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            probe(folder / name)
            timings.append((time.perf_counter() - started) * 1000)
        found[label] = round(statistics.median(timings), 1)
    shutil.rmtree(folder)
    return found


# --- The catalogue ----------------------------------------------------------------------------------------


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(table), rows[start : start + BATCH])


def load_catalogue(engine: Engine, plan: Plan, films: list[Any]) -> dict[tuple[str, str, int], int]:
    """The plan's titles (shows with every season and episode, synced), then the CSV's films; (kind, title,
    year) -> id of the plan's titles."""
    from seen.models.media import MediaItem, ShowEpisode, ShowSeason
    from seen.services.search import normalise

    rng = random.Random(SEED + 1)
    now = datetime.now(UTC)
    rows = [
        {
            "kind": entry.kind,
            "source": "demo",
            "title": entry.title,
            "original_title": None,
            "search_text": normalise(entry.title),
            "year": entry.year,
            "release_date": date(entry.year, rng.randint(1, 12), rng.randint(1, 28)),
            "runtime": entry.runtime,
            "popularity": round(rng.uniform(1, 500), 2),
            "vote_average": round(rng.uniform(4, 9), 1),
            "vote_count": rng.randint(10, 20000),
            "number_of_seasons": len(entry.seasons) or None,
            "number_of_episodes": sum(entry.seasons.values()) or None,
            **blank_columns(now),
            "details_synced_at": now,
        }
        for entry in plan.catalogue
    ]
    _insert(engine, MediaItem.__table__, rows)
    with engine.connect() as connection:
        table = MediaItem.__table__.c
        ids = {
            (kind, title, year): media_id
            for media_id, kind, title, year in connection.execute(select(table.id, table.kind, table.title, table.year))
        }
    seasons, episodes = [], []
    for entry in plan.catalogue:
        media_id = ids[(entry.kind, entry.title, entry.year)]
        for season, count in entry.seasons.items():
            aired = date(entry.year, 1, 1) + timedelta(days=365 * (season - 1))
            seasons.append(
                {
                    "media_id": media_id,
                    "number": season,
                    "title": f"Season {season}",
                    "air_date": aired,
                    "episode_count": count,
                    "episodes_synced_at": now,
                }
            )
            for episode in range(1, count + 1):
                episodes.append(
                    {
                        "media_id": media_id,
                        "season_number": season,
                        "episode_number": episode,
                        "title": f"Episode {episode}",
                        "runtime": entry.runtime,
                        "air_date": aired + timedelta(days=7 * (episode - 1)),
                    }
                )
    _insert(engine, ShowSeason.__table__, seasons)
    _insert(engine, ShowEpisode.__table__, episodes)
    if films:
        load(engine, films)  # ends with ANALYZE
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return ids


# --- Measuring --------------------------------------------------------------------------------------------


class OutOfTime(Exception):
    """The first scan ran past SCAN_SECONDS."""


@dataclass
class Meter:
    """Where a scan's time goes: the scanner's calls to the parser, the probe and the matcher, timed in place,
    and every SQL statement's execution (inside the matcher or not)."""

    seconds: Counter[str]
    calls: Counter[str]
    probe_by_content: Counter[str]
    statements: Counter[str]
    in_match: bool = False

    def report(self, wall: float) -> dict[str, Any]:
        parts = {
            "parse_name": self.seconds["parse_name"],
            "probe": self.seconds["probe"],
            "match_file": self.seconds["match_file"],
            "sql_outside_matching": self.seconds["sql"] - self.seconds["sql_in_match"],
        }
        parts["rest"] = wall - sum(parts.values())  # walking, ORM flushes, commits, bookkeeping
        return {
            "time_s": {name: round(value, 2) for name, value in parts.items()},
            "sql_in_matching_s": round(self.seconds["sql_in_match"], 2),
            "calls": dict(self.calls),
            "probe_s_by_content": {name: round(value, 2) for name, value in self.probe_by_content.items()},
            "statements": dict(self.statements.most_common()),
        }


@contextmanager
def metered(engine: Engine, contents: dict[str, str]) -> Iterator[Meter]:
    """Time the scanner's parse_name / probe / match_file calls and every statement, for one scan."""
    from seen.services import library_scan

    meter = Meter(Counter(), Counter(), Counter(), Counter())
    originals = {name: getattr(library_scan, name) for name in ("parse_name", "probe", "match_file")}

    def timed(name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            meter.in_match = name == "match_file"
            try:
                return call(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                meter.in_match = False
                meter.seconds[name] += spent
                meter.calls[name] += 1
                if name == "probe":
                    meter.probe_by_content[contents.get(str(args[0]), "other")] += spent

        return wrapper

    def before(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        spent = time.perf_counter() - conn.info["bench_started"].pop()
        meter.seconds["sql"] += spent
        if meter.in_match:
            meter.seconds["sql_in_match"] += spent
        words = statement.split(None, 3)
        verb = words[0].upper() if words else "?"
        table = next((word.strip('"') for word in words[1:] if word.upper() not in ("INTO", "FROM")), "")
        meter.statements[f"{verb} {table}".strip() if verb in ("INSERT", "UPDATE", "DELETE") else verb] += 1

    for name, call in originals.items():
        setattr(library_scan, name, timed(name, call))
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield meter
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        for name, call in originals.items():
            setattr(library_scan, name, call)


def _scan(root_id: uuid.UUID, label: str, *, deadline: float | None = None) -> tuple[Any, float]:
    """Ask for a scan of the root and run it here, as the job does; the finished scan row and the wall time."""
    from seen.db import session_scope
    from seen.services import library_scan

    last_print = [time.monotonic()]

    def progress(scan: Any) -> None:
        now = time.monotonic()
        if now - last_print[0] >= 30:
            last_print[0] = now
            print(f"bench: {NAME} {label}: {scan.files_done}/{scan.files_total} files", flush=True)
        if deadline is not None and now > deadline:
            raise OutOfTime(f"stopped after {SCAN_SECONDS:.0f} s at {scan.files_done}/{scan.files_total} files")

    started = time.perf_counter()
    with session_scope() as session:
        scan_id = library_scan.request_scan(session, user=None, scope="root", root_id=root_id, send_job=False).id
    finished = library_scan.run_scan(scan_id=scan_id, progress=progress)
    wall = time.perf_counter() - started
    assert finished is not None
    return finished, wall


def _counts(scan: Any) -> dict[str, Any]:
    names = ("total", "done", "new", "changed", "unchanged", "moved", "missing", "skipped")
    return {
        "status": scan.status,
        "message": scan.message,
        **{f"files_{name}": getattr(scan, f"files_{name}") for name in names},
        "matched": scan.matched,
        "unmatched": scan.unmatched,
        "ignored": scan.ignored,
        "errors": scan.errors,
        "error_kinds": dict(Counter(sample["error"] for sample in scan.error_samples)),
        "scan_row_files_per_second": scan.files_per_second,
    }


def _item_stats(engine: Engine) -> dict[str, Any]:
    from seen.models.library import LibraryItem, LibraryStream

    columns = LibraryItem.__table__.c
    with engine.connect() as connection:
        states = dict(connection.execute(select(columns.match_state, func.count()).group_by(columns.match_state)).all())
        return {
            "items": connection.execute(select(func.count()).select_from(LibraryItem.__table__)).scalar_one(),
            "items_missing": connection.execute(
                select(func.count()).where(columns.missing_since.is_not(None))
            ).scalar_one(),
            "items_by_match_state": states,
            "items_with_probe_error": dict(
                connection.execute(
                    select(columns.probe_error, func.count())
                    .where(columns.probe_error != "")
                    .group_by(columns.probe_error)
                ).all()
            ),
            "containers": dict(
                connection.execute(
                    select(columns.container_format, func.count()).group_by(columns.container_format)
                ).all()
            ),
            "streams": connection.execute(select(func.count()).select_from(LibraryStream.__table__)).scalar_one(),
        }


def _match_quality(engine: Engine, plan: Plan, ids: dict[tuple[str, str, int], int]) -> dict[str, int]:
    """Each video against the title it was made for: right, wrong, missed, or matched though not catalogued."""
    from seen.models.library import LibraryItem

    expected = {file.relative: ids[file.expected] if file.expected else None for file in plan.files}
    columns = LibraryItem.__table__.c
    outcome: Counter[str] = Counter()
    with engine.connect() as connection:
        for relative, media_id, state in connection.execute(
            select(columns.relative_path, columns.media_id, columns.match_state)
        ):
            wanted = expected.get(relative)
            if state == "ignored":
                outcome["ignored (extras, samples)"] += 1
            elif state == "matched":
                outcome[
                    "matched right"
                    if media_id == wanted
                    else "matched wrong"
                    if wanted
                    else "matched, title not catalogued"
                ] += 1
            else:
                outcome["unmatched, title catalogued" if wanted else "unmatched, title not catalogued"] += 1
    return dict(sorted(outcome.items()))


def _measured_scan(engine: Engine, root_id: uuid.UUID, label: str, contents: dict[str, str], **options: Any):
    busy, cpu = procs.machine_busy_seconds(), time.process_time()
    with metered(engine, contents) as meter:
        scan, wall = _scan(root_id, label, **options)
    found = {
        "wall_s": round(wall, 3),
        "files_per_s": round(scan.files_done / wall, 1) if wall else None,
        "bench_process_cpu_s": round(time.process_time() - cpu, 2),
        "machine_busy_cpu_s": round(procs.machine_busy_seconds() - busy, 2),
        **_counts(scan),
        **meter.report(wall),
    }
    return scan, found


def _run_engine(
    label: str, url: str, work: Path, plan: Plan, films: list[Any], templates: dict[str, bytes]
) -> dict[str, Any]:
    from seen import db
    from seen.config import reset_settings
    from seen.db import session_scope
    from seen.migrate import downgrade, upgrade
    from seen.naming import parse_name
    from seen.services import library_scan

    library = (work / "library").resolve()
    shutil.rmtree(library, ignore_errors=True)
    print(f"bench: {NAME} {label}: building the tree ({len(plan.files)} videos) ...", flush=True)
    tree = build_tree(library, plan, templates)
    contents = {str(library / file.relative): file.content for file in plan.files}
    print(f"bench: {NAME} {label}: migrating, loading the catalogue ...", flush=True)
    if url.startswith("postgresql"):
        downgrade(url, "base")
    upgrade(url)
    os.environ["SEEN_DATABASE_URL"] = url
    reset_settings()
    db.reset_engine()
    engine = db.get_engine()
    try:
        started = time.monotonic()
        ids = load_catalogue(engine, plan, films)
        load_s = round(time.monotonic() - started, 1)
        with session_scope() as session:
            root_id = library_scan.add_root(session=session, path=str(library), label="Bench").id
        for file in plan.files[:20]:  # guessit builds its rules on first use
            parse_name(file.relative)
        result: dict[str, Any] = {
            "tree": tree,
            "catalogue_load_s": load_s,
            "loadavg_1m": [round(os.getloadavg()[0], 2)],
        }

        print(f"bench: {NAME} {label}: first scan ...", flush=True)
        deadline = time.monotonic() + SCAN_SECONDS
        scan, first = _measured_scan(engine, root_id, f"{label} first scan", contents, deadline=deadline)
        first.update(_item_stats(engine))
        first["match_quality"] = _match_quality(engine, plan, ids)
        result["first_scan"] = first
        if scan.status != "completed":
            result["loadavg_1m"].append(round(os.getloadavg()[0], 2))
            result["rescans_skipped"] = f"the first scan did not complete: {scan.status} {scan.message}"
            return result

        print(f"bench: {NAME} {label}: rescans ...", flush=True)
        runs = []
        for number in range(RESCANS):
            _, again = _measured_scan(engine, root_id, f"{label} rescan {number + 1}", contents)
            runs.append(again)
        walls = [run["wall_s"] for run in runs]
        result["rescan_unchanged"] = {
            "median_s": round(statistics.median(walls), 3),
            "min_s": min(walls),
            "runs_s": walls,
            "meets_goal": statistics.median(walls) <= GOAL_RESCAN_S,
            "files_per_s": round(len(plan.files) / statistics.median(walls), 1),
            "last_run": runs[-1],
        }

        rng = random.Random(SEED + 2)
        touched = round(len(plan.files) * CHANGED_SHARE)
        chosen = rng.sample(plan.files, touched + round(len(plan.files) * REMOVED_SHARE))
        changed, removed = chosen[:touched], chosen[touched:]
        now_ns = time.time_ns()
        for file in changed:
            os.utime(library / file.relative, ns=(now_ns, now_ns))
        for file in removed:
            (library / file.relative).unlink()
        _, incremental = _measured_scan(engine, root_id, f"{label} incremental rescan", contents)
        incremental.update(_item_stats(engine))
        incremental["touched"], incremental["removed"] = len(changed), len(removed)
        incremental["touched_by_content"] = dict(Counter(file.content for file in changed))
        result["rescan_incremental"] = incremental
        result["loadavg_1m"].append(round(os.getloadavg()[0], 2))
        return result
    finally:
        engine.dispose()
        db.reset_engine()


def run() -> dict[str, Any]:
    if CONTENT not in ("tiny", "sparse", "zeros"):
        raise ValueError(f"SEEN_BENCH_LIBRARY_CONTENT is tiny, sparse or zeros, not {CONTENT!r}")
    if shutil.which("ffmpeg") is None:
        message = "ffmpeg is not installed (it makes the media files); nothing to measure"
        if IN_CI:
            raise FileNotFoundError(message)
        print(f"bench: {NAME} skipped: {message}")
        return {"skipped": message, "errors": []}
    plan = make_plan()
    films = read_films() if CSV_PATH.exists() else []
    results: dict[str, Any] = {
        "files": len(plan.files),
        "seed": SEED,
        "mix": dict(Counter(file.shape for file in plan.files)),
        "content_mode": CONTENT,
        "contents": dict(Counter(file.content for file in plan.files)),
        "sidecar_subtitles": sum(1 for file in plan.files if file.sidecar),
        "other_files": len(plan.others),
        "catalogue": {
            "movies_of_the_tree": sum(1 for entry in plan.catalogue if entry.kind == "movie"),
            "shows_of_the_tree": sum(1 for entry in plan.catalogue if entry.kind == "show"),
            "episodes": sum(sum(entry.seasons.values()) for entry in plan.catalogue),
            "videos_whose_title_is_catalogued": sum(1 for file in plan.files if file.expected),
            "ggplot2movies_films": len(films),
        },
        "goal_rescan_s": GOAL_RESCAN_S,
        "scan_seconds_cap": SCAN_SECONDS,
        "engines": {},
        "errors": [],
    }
    # No provider: matching uses the local catalogue only and nothing leaves the machine. No Redis either: a scan
    # run in-process touches neither the cache nor the broker.
    empty = ("TMDB_API_KEY", "TMDB_READ_TOKEN", "IGDB_CLIENT_ID", "IGDB_CLIENT_SECRET", "REDIS_URL")
    settings = {f"SEEN_{name}": "" for name in empty}
    with in_process_env("library-scan", SEEN_LIBRARY_ROOTS="[]", **settings) as work:
        # The library must not be inside the app's data directory (add_root refuses it).
        os.environ["SEEN_DATA_DIR"] = str(work / "data")
        (work / "data").mkdir()
        print(f"bench: {NAME}: making the media files with ffmpeg ...", flush=True)
        templates = make_templates(work / "templates")
        results["probe_ms"] = probe_costs(work / "probe", templates)
        engines = [("sqlite", f"sqlite:///{work / 'data' / 'seen.db'}")]
        pg_url = os.environ.get("SEEN_BENCH_DATABASE_URL", "")
        if pg_url:
            engines.append(("postgresql", pg_url))
        for label, url in engines:
            try:
                if url.startswith("postgresql"):
                    ensure_postgres_database(url)
                found = _run_engine(label, url, work, plan, films, templates)
            except Exception as error:  # PostgreSQL down: say so, keep the SQLite numbers
                results["errors"].append(f"{label}: {type(error).__name__}: {error}")
                continue
            results["engines"][label] = found
            first = found["first_scan"]
            # The same scan if every file cost what a real 1080p Matroska file costs MediaInfo.
            others_ms = (first["wall_s"] - first["time_s"]["probe"]) * 1000 / max(1, first["files_done"])
            first["ms_per_file_besides_probe"] = round(others_ms, 2)
            first["estimated_files_per_s_with_real_mkv_probes"] = round(
                1000 / (others_ms + results["probe_ms"]["real_mkv_1080p"]), 1
            )
            if first["status"] != "completed":
                results["errors"].append(f"{label}: first scan {first['status']}: {first['message']}")
            elif first["items"] != len(plan.files):
                results["errors"].append(f"{label}: {first['items']} items for {len(plan.files)} files")
            incremental = found.get("rescan_incremental")
            if incremental and (
                incremental["files_changed"] != incremental["touched"]
                or incremental["files_missing"] != incremental["removed"]
            ):
                results["errors"].append(f"{label}: the incremental rescan saw other changes than made")
    if not pg_url:
        results["engines"]["postgresql"] = {"skipped": "SEEN_BENCH_DATABASE_URL is not set"}
    from seen import db
    from seen.config import reset_settings

    # The environment is back as it was: so must the settings and engine the services read.
    reset_settings()
    db.reset_engine()
    measured = [found["rescan_unchanged"] for found in results["engines"].values() if "rescan_unchanged" in found]
    results["meets_goal"] = bool(measured) and all(found["meets_goal"] for found in measured)
    return results


def summary(results: dict[str, Any]) -> list[str]:
    if "skipped" in results:
        return [f"skipped: {results['skipped']}"]
    lines = [f"one probe, ms: {results['probe_ms']}"]
    for label, found in results["engines"].items():
        if "skipped" in found:
            lines.append(f"{label}: skipped ({found['skipped']})")
            continue
        first = found["first_scan"]
        line = (
            f"{label}: first scan {first['files_done']} files in {first['wall_s']} s ({first['files_per_s']} files/s), "
            f"{first['items']} items: {first['matched']} matched, {first['unmatched']} unmatched, "
            f"{first['ignored']} ignored, {first['errors']} errors"
        )
        if "rescan_unchanged" in found:
            again, incremental = found["rescan_unchanged"], found["rescan_incremental"]
            verdict = "meets" if again["meets_goal"] else "MISSES"
            line += (
                f"; rescan unchanged {again['median_s']} s ({verdict} <= {results['goal_rescan_s']} s); "
                f"{incremental['touched']} touched + {incremental['removed']} removed: {incremental['wall_s']} s"
            )
        lines.append(line)
    return lines


if __name__ == "__main__":
    found = run()
    for line in summary(found):
        print(line)
