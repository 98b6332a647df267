"""`seen parse` as a real subprocess: names from arguments or stdin, one JSON object per line, no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seen.naming.model import JSON_KEYS

ROOT = Path(__file__).resolve().parents[2]
SEEN = ROOT / ".venv" / "bin" / "seen"


@pytest.fixture
def run(tmp_path: Path):
    """Run the command from an empty directory with no SEEN_* settings and an unusable database URL."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SEEN_")}
    env["SEEN_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"  # parse must never touch it

    def run(*command: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(command),
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=tmp_path,
            timeout=60,
        )

    return run


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def test_names_given_as_arguments_print_one_json_line_each_in_order(run):
    done = run(str(SEEN), "parse", "Show.S01E02.720p.HDTV.x264-GRP.mkv", "Blade Runner 2049 (2017).mkv")
    assert done.returncode == 0, done.stderr
    assert _lines(done.stdout) == [
        {
            "input": "Show.S01E02.720p.HDTV.x264-GRP.mkv",
            "type": "episode",
            "title": "Show",
            "year": None,
            "season": 1,
            "episode": 2,
            "absolute_episode": None,
            "air_date": None,
            "edition": None,
            "tmdb_id": None,
            "imdb_id": None,
        },
        {
            "input": "Blade Runner 2049 (2017).mkv",
            "type": "movie",
            "title": "Blade Runner 2049",
            "year": 2017,
            "season": None,
            "episode": None,
            "absolute_episode": None,
            "air_date": None,
            "edition": None,
            "tmdb_id": None,
            "imdb_id": None,
        },
    ]
    assert all(list(line) == list(JSON_KEYS) for line in _lines(done.stdout))


def test_names_on_stdin_skip_blank_lines_and_keep_non_latin_text(run):
    stdin = (
        "[SubsPlease] Sousou no Frieren - 12 (1080p) [ABCD1234].mkv\n"
        "\n"
        "   \n"
        "The.Daily.Show.2024.03.12.Guest.Name.720p.WEB.h264.mkv\r\n"
        "Звёздные войны (1977) [tmdbid-11].mkv\n"
        "Movie (2010)/Extras/Making Of.mkv"
    )
    done = run(sys.executable, "-m", "seen", "parse", stdin=stdin)
    assert done.returncode == 0, done.stderr
    lines = _lines(done.stdout)
    assert [line["input"] for line in lines] == [
        "[SubsPlease] Sousou no Frieren - 12 (1080p) [ABCD1234].mkv",
        "The.Daily.Show.2024.03.12.Guest.Name.720p.WEB.h264.mkv",
        "Звёздные войны (1977) [tmdbid-11].mkv",
        "Movie (2010)/Extras/Making Of.mkv",
    ]
    frieren, daily, star_wars, extra = lines
    assert (frieren["type"], frieren["title"], frieren["absolute_episode"]) == ("episode", "Sousou no Frieren", 12)
    assert (daily["title"], daily["air_date"]) == ("The Daily Show", "2024-03-12")
    assert (star_wars["title"], star_wars["year"], star_wars["tmdb_id"]) == ("Звёздные войны", 1977, 11)
    assert (extra["type"], extra["title"], extra["year"]) == ("extra", "Movie", 2010)
    # ensure_ascii=False: the characters themselves, not \u escapes.
    assert "Звёздные войны" in done.stdout


def test_empty_stdin_prints_nothing_and_succeeds(run):
    done = run(str(SEEN), "parse", stdin="")
    assert (done.returncode, done.stdout) == (0, "")


def test_parse_does_not_load_settings_the_database_or_the_app(run):
    probe = (
        "import sys; from seen.cli import main; main(['parse', 'Show.S01E02.mkv']); "
        "loaded = [m for m in ('seen.config', 'seen.db', 'seen.seen', 'reflex', 'sqlalchemy', 'sqlmodel') "
        "if m in sys.modules]; print(loaded, file=sys.stderr)"
    )
    done = run(sys.executable, "-c", probe)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "[]"
    assert _lines(done.stdout)[0]["title"] == "Show"
