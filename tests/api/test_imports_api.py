"""Imports and exports over real HTTP on both engines: upload (multipart), status, report pages, downloads;
refusals are 4xx with a message and change nothing; another user's import is not found.

The test API has no job worker (its broker only queues), so after a POST the test runs the queued job itself
with `imports.run_import`, exactly as the "imports.run" actor would, then reads the outcome over HTTP.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import httpx
import pytest
from sqlmodel import select

from seen.db import session_scope
from seen.models.tracking import ImportJob
from seen.services import imports
from seen.services.imports.upload import MAX_UPLOAD_BYTES
from tests.api.test_auth_api import assert_error, bearer, register
from tests.services.test_imports_parsing import FIXTURES, zip_folder
from tests.services.test_imports_runner import store_titles


@pytest.fixture
def callers(client: httpx.Client) -> tuple[dict[str, str], dict[str, str]]:
    return bearer(register(client, "ada@example.com")), bearer(register(client, "bob@example.com"))


@pytest.fixture
def titles(backend) -> dict[str, int]:
    with session_scope() as session:
        return store_titles(session)


def upload(client: httpx.Client, headers, source: str, name: str, data: bytes, *, dry_run: bool = False):
    return client.post(
        "/api/v1/imports",
        files={"file": (name, data, "application/octet-stream")},
        data={"source": source, "dry_run": "true" if dry_run else "false"},
        headers=headers,
    )


def run_queued(job_id: str) -> None:
    imports.run_import(job_id=uuid.UUID(job_id))


def jobs_in_database() -> int:
    with session_scope() as session:
        return len(session.exec(select(ImportJob.id)).all())


def test_an_upload_is_accepted_then_its_status_and_report_are_read(client: httpx.Client, callers, titles) -> None:
    ada, _ = callers
    # When Ada uploads a Letterboxd export as a dry run
    answer = upload(client, ada, "letterboxd", "letterboxd.zip", zip_folder(FIXTURES / "letterboxd"), dry_run=True)
    # Then it is accepted (202) and queued with its row count
    assert answer.status_code == 202, answer.text
    queued = answer.json()
    assert (queued["status"], queued["total_rows"], queued["dry_run"], queued["percent"]) == ("queued", 14, True, 0)
    # When the job has run
    run_queued(queued["id"])
    status = client.get(f"/api/v1/imports/{queued['id']}", headers=ada).json()
    assert (status["status"], status["percent"], status["added"], status["already_there"], status["not_imported"]) == (
        "completed",
        100,
        9,
        1,
        4,
    )
    # Then the report pages through every row and filters by outcome
    page = client.get(f"/api/v1/imports/{queued['id']}/report", params={"page_size": 5}, headers=ada).json()
    assert (page["total"], len(page["rows"]), page["page"]) == (14, 5, 1)
    missing = client.get(
        f"/api/v1/imports/{queued['id']}/report", params={"outcome": "not_imported"}, headers=ada
    ).json()
    assert missing["total"] == 4 and all(row["reason"] for row in missing["rows"])
    assert {"file", "line", "title", "year", "outcome", "reason", "media_id"} <= set(missing["rows"][0])
    # And the dry run wrote nothing
    assert client.get("/api/v1/watch-later", headers=ada).json()["total"] == 0
    assert [job["id"] for job in client.get("/api/v1/imports", headers=ada).json()["items"]] == [queued["id"]]


def test_another_users_import_is_not_found(client: httpx.Client, callers, titles) -> None:
    ada, bob = callers
    job = upload(client, ada, "imdb", "watchlist.csv", (FIXTURES / "imdb_watchlist_2024.csv").read_bytes()).json()
    assert_error(client.get(f"/api/v1/imports/{job['id']}", headers=bob), 404, "not_found")
    assert_error(client.get(f"/api/v1/imports/{job['id']}/report", headers=bob), 404, "not_found")
    assert_error(client.get(f"/api/v1/imports/{uuid.uuid4()}", headers=ada), 404, "not_found")
    assert client.get("/api/v1/imports", headers=bob).json()["items"] == []


@pytest.mark.parametrize(
    ("source", "name", "data", "message"),
    [
        ("letterboxd", "notes.csv", b"Date,Name,Year\n2020-01-01,Heat,1995\n", "not a zip"),
        ("imdb", "ratings.csv", b'Const,Your Rating,Title,Title Type,Year\ntt1,"5,x,movie,2000\n', "broken CSV"),
        ("trakt", "history.json", b'[{"watched_at": ]', "broken JSON"),
        ("seen", "export.json", b'{"format": "something-else"}', "not a /seen/ export"),
    ],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_stored(
    client: httpx.Client, callers, source: str, name: str, data: bytes, message: str
) -> None:
    ada, _ = callers
    answer = upload(client, ada, source, name, data)
    assert_error(answer, 422, "invalid")
    assert message in answer.json()["error"]["message"]
    assert jobs_in_database() == 0


def test_a_zip_bomb_is_refused(client: httpx.Client, callers) -> None:
    ada, _ = callers
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("diary.csv", b"\0" * (40 * 1024 * 1024))
    answer = upload(client, ada, "letterboxd", "letterboxd.zip", buffer.getvalue())
    assert_error(answer, 422, "invalid")
    assert "zip bomb" in answer.json()["error"]["message"]
    assert jobs_in_database() == 0


def test_an_oversized_upload_is_refused_with_413(client: httpx.Client, callers) -> None:
    ada, _ = callers
    answer = upload(client, ada, "imdb", "ratings.csv", b"x" * (MAX_UPLOAD_BYTES + 1))
    assert_error(answer, 413, "too_large")
    assert jobs_in_database() == 0


def test_an_unknown_source_is_a_422(client: httpx.Client, callers) -> None:
    ada, _ = callers
    assert_error(upload(client, ada, "netflix", "x.csv", b"a,b\n1,2\n"), 422, "invalid")


def test_the_export_downloads_and_imports_back_into_a_new_account(client: httpx.Client, callers, titles) -> None:
    ada, bob = callers
    client.post("/api/v1/watch-later", json={"media_id": titles["heat"]}, headers=ada)
    client.post(
        "/api/v1/watched", json={"media_id": titles["matrix"], "watched_at": "2024-05-01T20:00:00Z"}, headers=ada
    )
    client.post("/api/v1/ratings", json={"media_id": titles["alien"], "rating": 4.5}, headers=ada)
    # When Ada downloads her export as JSON and as CSV
    as_json = client.get("/api/v1/exports", params={"format": "json"}, headers=ada)
    as_csv = client.get("/api/v1/exports", params={"format": "csv"}, headers=ada)
    # Then both are attachments with a dated name
    assert as_json.status_code == 200 and as_json.headers["content-type"].startswith("application/json")
    assert 'attachment; filename="seen-export-' in as_json.headers["content-disposition"]
    assert as_csv.headers["content-type"] == "application/zip"
    assert ".zip" in as_csv.headers["content-disposition"]
    document = as_json.json()
    assert document["user"]["email"] == "ada@example.com" and len(document["watched"]) == 1
    with zipfile.ZipFile(io.BytesIO(as_csv.content)) as archive:
        assert {"watched.csv", "ratings.csv", "watch_later.csv", "collections.csv", "backlog.csv"} <= set(
            archive.namelist()
        )
    # When Bob imports Ada's CSV export
    job = upload(client, bob, "seen", "seen-export.zip", as_csv.content).json()
    run_queued(job["id"])
    # Then Bob's records equal Ada's
    done = client.get(f"/api/v1/imports/{job['id']}", headers=bob).json()
    assert (done["added"], done["not_imported"]) == (3, 0)
    bobs = client.get("/api/v1/exports", headers=bob).json()
    for table in ("watch_later", "watched", "ratings"):
        assert bobs[table] == document[table]
    assert_error(client.get("/api/v1/exports", params={"format": "xml"}, headers=ada), 422, "invalid")


def test_imports_need_a_login(client: httpx.Client) -> None:
    assert client.get("/api/v1/imports").status_code == 401
    assert client.get("/api/v1/exports").status_code == 401
    assert json.loads(client.get("/api/v1/imports").text)["error"]["code"] == "not_authenticated"
