"""File name parsing: `seen.naming.parse_name` and `seen parse` throughput on 10,000 realistic names.

The names are generated from a fixed seed: scene and web movie releases, scene episodes, library layouts
(`Show (Year)/Season NN/...`), anime fansubs, date-based shows, extras and samples, disc folders, ID tags.
In-process: one `parse_name` call per name after a warm-up (guessit builds its rules on first use), timed one
by one -> names/s, p50/p95/p99 per name. CLI: one `seen parse` process fed every name on stdin, run with
PYTHONUNBUFFERED so each line leaves as it is written; names/s over the whole run (start-up included), the
start-up (launch to first line) and the gaps between output lines as per-name latency.
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import subprocess
import threading
import time
from collections import Counter
from typing import Any

from bench.catalogue_search import percentile
from bench.common import ROOT, VENV_BIN

NAME = "naming"
COUNT = 10_000
SEED = 20261205
WARMUP = 200

WORDS = " ".join(
    (
        "the last dark night city river house ghost storm blue silent road star king queen lost iron garden winter",
        "summer fire shadow broken glass empire secret machine wild heart paper moon island north black golden",
        "hidden station dragon little big crime blood story world love death robots",
    )
).split(" ")
NON_LATIN = ("Левиафан", "Звёздные войны", "千と千尋の神隠し", "기생충", "الرسالة", "Amélie", "Léon", "Ζορμπάς")
QUALITIES = ("720p", "1080p", "2160p")
SOURCES = ("BluRay", "WEB-DL", "WEBRip", "HDTV", "BDRip", "DVDRip", "AMZN.WEB-DL", "NF.WEB-DL")
CODECS = ("x264", "x265", "H.264", "HEVC", "h264")
GROUPS = ("SPARKS", "FLUX", "NTb", "LOL", "ROVERS", "GRP", "TERMINAL", "MEMENTO", "DIMENSION", "KILLERS")
FANSUBS = ("SubsPlease", "Erai-raws", "HorribleSubs", "Judas", "ASW", "Commie")
EXTRAS = ("Extras", "Featurettes", "Behind The Scenes", "Deleted Scenes", "Interviews", "Trailers", "Shorts")
SUFFIXES = ("trailer", "featurette", "behindthescenes", "deleted", "interview", "scene", "short", "other")
# Share of each shape in the 10,000 (sums to 1).
MIX = {
    "scene_movie": 0.18,
    "library_movie": 0.14,
    "scene_episode": 0.20,
    "library_episode": 0.14,
    "anime": 0.12,
    "date_show": 0.06,
    "extra": 0.08,
    "release_folder": 0.04,
    "disc_or_part": 0.04,
}


def _title(rng: random.Random) -> str:
    if rng.random() < 0.06:
        return rng.choice(NON_LATIN)
    words = [rng.choice(WORDS) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.1:
        words.append(str(rng.randint(2, 9)))
    return " ".join(word.capitalize() for word in words)


def _dotted(title: str) -> str:
    return title.replace(" ", ".")


def _release(rng: random.Random) -> str:
    return f"{rng.choice(QUALITIES)}.{rng.choice(SOURCES)}.{rng.choice(CODECS)}-{rng.choice(GROUPS)}"


def make_names(count: int = COUNT, seed: int = SEED) -> list[tuple[str, str]]:
    """(shape, name) pairs, the same list for the same seed."""
    rng = random.Random(seed)
    shapes = list(MIX)
    weights = [MIX[shape] for shape in shapes]
    names = []
    for _ in range(count):
        shape = rng.choices(shapes, weights)[0]
        title, year = _title(rng), rng.randint(1950, 2025)
        season, episode = rng.randint(1, 12), rng.randint(1, 24)
        if shape == "scene_movie":
            name = f"{_dotted(title)}.{year}.{_release(rng)}.mkv"
        elif shape == "library_movie":
            tag = rng.choice(("", f" [tmdbid-{rng.randint(1, 999999)}]", " {edition-Extended}", ""))
            name = f"Movies/{title} ({year}){tag}/{title} ({year}){tag}.{rng.choice(('mkv', 'mp4', 'avi'))}"
        elif shape == "scene_episode":
            code = rng.choice(
                (f"S{season:02d}E{episode:02d}", f"{season}x{episode:02d}", f"s{season:02d}e{episode:02d}")
            )
            name = f"{_dotted(title)}.{code}.{_release(rng)}.mkv"
        elif shape == "library_episode":
            file = rng.choice((f"{title} - S{season:02d}E{episode:02d} - Episode Title.mkv", f"{episode:02d}.mkv"))
            name = f"TV/{title} ({year})/Season {season:02d}/{file}"
        elif shape == "anime":
            crc = "".join(rng.choice("0123456789ABCDEF") for _ in range(8))
            name = f"[{rng.choice(FANSUBS)}] {title} - {rng.randint(1, 1100):02d} (1080p) [{crc}].mkv"
        elif shape == "date_show":
            day = f"{rng.randint(2000, 2025)}.{rng.randint(1, 12):02d}.{rng.randint(1, 28):02d}"
            name = f"{_dotted(title)}.{day}.Guest.Name.720p.WEB.h264-{rng.choice(GROUPS)}.mkv"
        elif shape == "extra":
            if rng.random() < 0.5:
                name = f"{title} ({year})/{rng.choice(EXTRAS)}/{_title(rng)}.mkv"
            else:
                name = f"{title} ({year})/{_title(rng)}-{rng.choice(SUFFIXES)}.mkv"
        elif shape == "release_folder":
            name = f"{_dotted(title)}.{year}.{_release(rng)}/{rng.choice(GROUPS).lower()}-{rng.randint(100, 999)}.mkv"
        else:
            part = rng.randint(1, 3)
            name = rng.choice(
                (
                    f"{title} ({year})/{title} ({year}) - cd{part}.avi",
                    f"{title} ({year})/VIDEO_TS/VTS_01_{part}.VOB",
                    f"{_dotted(title)}.{year}.Part.{part}.mkv",
                )
            )
        names.append((shape, name))
    return names


def _ms(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(values), 3),
        "p95": round(percentile(values, 0.95), 3),
        "p99": round(percentile(values, 0.99), 3),
        "mean": round(statistics.fmean(values), 3),
        "max": round(max(values), 3),
    }


def in_process(names: list[str]) -> dict[str, Any]:
    from seen.naming import parse_name

    for name in names[:WARMUP]:
        parse_name(name)
    latencies = []
    types: Counter[str] = Counter()
    started = time.perf_counter()
    for name in names:
        before = time.perf_counter()
        parsed = parse_name(name)
        latencies.append((time.perf_counter() - before) * 1000)
        types[parsed.type] += 1
    wall = time.perf_counter() - started
    return {
        "names": len(names),
        "wall_s": round(wall, 3),
        "names_per_s": round(len(names) / wall, 1),
        "per_name_ms": _ms(latencies),
        "types": dict(types),
    }


def through_cli(names: list[str]) -> dict[str, Any]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("SEEN_")}
    env["PYTHONUNBUFFERED"] = "1"
    payload = ("\n".join(names) + "\n").encode()
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(VENV_BIN / "seen"), "parse"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )

    def feed() -> None:
        assert process.stdin is not None
        process.stdin.write(payload)
        process.stdin.close()

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    arrivals = []
    assert process.stdout is not None
    for _line in process.stdout:
        arrivals.append(time.perf_counter())
    stderr = process.stderr.read().decode() if process.stderr else ""
    code = process.wait(timeout=600)
    feeder.join(timeout=10)
    wall = time.perf_counter() - started
    errors = []
    if code != 0 or len(arrivals) != len(names):
        errors.append(f"exit {code}, {len(arrivals)} lines for {len(names)} names: {stderr[-500:]}")
    gaps = [(later - earlier) * 1000 for earlier, later in itertools.pairwise(arrivals)]
    return {
        "names": len(names),
        "lines": len(arrivals),
        "wall_s": round(wall, 3),
        "names_per_s": round(len(names) / wall, 1),
        "startup_to_first_line_s": round(arrivals[0] - started, 3) if arrivals else None,
        "per_name_ms": _ms(gaps) if gaps else None,
        "errors": errors,
    }


def run() -> dict[str, Any]:
    pairs = make_names()
    names = [name for _, name in pairs]
    local = in_process(names)
    cli = through_cli(names)
    return {
        "names": len(names),
        "seed": SEED,
        "mix": dict(Counter(shape for shape, _ in pairs)),
        "in_process": local,
        "cli_stdin": cli,
        "errors": cli.pop("errors"),
    }


def summary(results: dict[str, Any]) -> list[str]:
    local, cli = results["in_process"], results["cli_stdin"]
    return [
        f"in-process: {local['names_per_s']} names/s, p50 {local['per_name_ms']['p50']} ms, "
        f"p95 {local['per_name_ms']['p95']} ms",
        f"seen parse (stdin, one process): {cli['names_per_s']} names/s incl. {cli['startup_to_first_line_s']} s "
        f"start-up, p50 {cli['per_name_ms']['p50']} ms, p95 {cli['per_name_ms']['p95']} ms",
    ]


if __name__ == "__main__":
    found = run()
    for line in summary(found):
        print(line)
