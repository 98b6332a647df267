"""A local fake of TMDB v3, IGDB v4 and Twitch OAuth (recorded responses, served unchanged) and of the image CDNs.

Routing is by method and path only (query strings and bodies do not pick the file, except IGDB's
`search` and `where id = N`), so a test gets exactly the bytes that were recorded. Sources, first match
wins among equally specific routes:

- TMDB: `tests/fixtures/tmdb/<path>.json` (ours, GET `/3/<path>`), then every entry of
  `../shared/corpora/tmdb/openapi_examples/_index.json` when that folder exists; `{placeholders}` in a
  recorded path match any one segment, and a literal segment beats a placeholder (`/3/movie/popular`
  is not `/3/movie/{movie_id}`).
- IGDB: `tests/fixtures/igdb/<endpoint>.json`, then `Henry-Sarabia-igdb/test_data/<singular>_list.json`
  (`_search.json` for a body with `search "..."`, `_get.json` for `where id = N;`).
- Twitch: `POST /oauth2/token` issues bearer tokens the fake IGDB accepts until they are expired.
- Image CDNs: `GET /t/p/original/<name>` (TMDB) and `GET /igdb/image/upload/t_original/<id>.jpg` (IGDB) answer a
  generated JPEG (1000x1500; "small" in the name: 150x225, "wide": 1920x1080, "rotated": stored 1500x1000 with
  EXIF orientation 6). Names with "missing" answer 404, "notimage" a non-image body labelled image/jpeg,
  "wrongtype" an HTML page, "huge" a 20 MB chunked body with no Content-Length, "slow" answer after 0.5 s.

Faults for tests: `rate_limit_next`, `fail_next`, `expire_igdb_tokens`; every request is recorded.
Run it for a demo with `python -m tests.fakes.provider_server --port 8765` (prints the SEEN_* settings).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qsl

from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.servers import serve_asgi

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
SHARED = PROJECT_ROOT.parent / "shared"
TMDB_CORPUS = SHARED / "corpora" / "tmdb" / "openapi_examples"
IGDB_CORPUS = SHARED / "corpora" / "igdb" / "Henry-Sarabia-igdb" / "test_data"

JSON_TYPE = "application/json;charset=utf-8"
TMDB_INVALID_KEY = {
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
    "success": False,
}
TMDB_NOT_FOUND = {
    "success": False,
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
}
TMDB_FAULTS = {
    429: {
        "success": False,
        "status_code": 25,
        "status_message": "Your request count (#) is over the allowed limit of (40).",
    },
    503: {"success": False, "status_code": 9, "status_message": "Service offline."},
}
IGDB_AUTH_FAILURE = {
    "message": "Authorization Failure. Have you tried:",
    "Tip 1": "Ensure you are sending Authorization and Client-ID as headers.",
    "Tip 2": "Ensure Authorization value starts with 'Bearer ', including the space",
    "Tip 3": "Ensure Authorization value ends with the App Access Token you generated, NOT your Client Secret.",
}
# IGDB endpoints whose recorded file name is not simply the singular without underscores.
IGDB_FILE_ALIASES = {"age_rating_content_descriptions": "ageratingcontent"}
_IGDB_SEARCH = re.compile(r"(?:^|;)\s*search\s+\"", re.IGNORECASE)
_IGDB_BY_ID = re.compile(r"where\s+id\s*=\s*\d+\s*;", re.IGNORECASE)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
TMDB_IMAGE_PREFIX = "/t/p/original/"
IGDB_IMAGE_PREFIX = "/igdb/image/upload/t_original/"
HUGE_IMAGE_BYTES = 20 * 1024 * 1024


def igdb_file_stem(endpoint: str) -> str:
    """`involved_companies` -> `involvedcompany`: how the recorded IGDB files are named."""
    if endpoint in IGDB_FILE_ALIASES:
        return IGDB_FILE_ALIASES[endpoint]
    name = endpoint.replace("_", "")
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class TmdbRoute:
    method: str
    segments: tuple[str, ...]
    files: dict[int, Path] = field(default_factory=dict)  # status -> recorded body

    def matches(self, method: str, segments: tuple[str, ...]) -> bool:
        if method != self.method or len(segments) != len(self.segments):
            return False
        return all(
            mine == theirs or _is_placeholder(mine) for mine, theirs in zip(self.segments, segments, strict=True)
        )

    @property
    def specificity(self) -> tuple[int, ...]:
        # Compared left to right: a literal (0) sorts before a placeholder (1) at the first difference.
        return tuple(1 if _is_placeholder(segment) else 0 for segment in self.segments)

    @property
    def success_file(self) -> tuple[int, Path] | None:
        ok = sorted(status for status in self.files if status < 400)
        return (ok[0], self.files[ok[0]]) if ok else None


def _is_placeholder(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def _segments(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.strip("/").split("/") if part)


@dataclass
class _Fault:
    status: int
    remaining: int
    retry_after: str | None


class ProviderFake:
    """The fake's state and Starlette app; serve it over HTTP with `serve(fake)`."""

    def __init__(
        self,
        *,
        fixtures: Path | None = FIXTURES,
        corpora: bool = True,
        tmdb_api_key: str = "fake-tmdb-api-key",
        tmdb_read_token: str = "fake-tmdb-read-token",
        twitch_client_id: str = "fake-twitch-client-id",
        twitch_client_secret: str = "fake-twitch-client-secret",
        token_lifetime: int = 5_184_000,
    ) -> None:
        self.tmdb_api_key = tmdb_api_key
        self.tmdb_read_token = tmdb_read_token
        self.twitch_client_id = twitch_client_id
        self.twitch_client_secret = twitch_client_secret
        self.token_lifetime = token_lifetime
        self.igdb_fixtures = fixtures / "igdb" if fixtures is not None and (fixtures / "igdb").is_dir() else None
        self.igdb_corpus = IGDB_CORPUS if corpora and IGDB_CORPUS.is_dir() else None
        self.tmdb_routes = _tmdb_routes(fixtures / "tmdb" if fixtures else None, TMDB_CORPUS if corpora else None)
        self.requests: list[RecordedRequest] = []
        self._tokens: dict[str, float] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/{path:path}", self._handle, methods=METHODS)])

    # -- test controls -------------------------------------------------------------------------

    def rate_limit_next(self, path: str, times: int = 1, retry_after: str | None = "1") -> None:
        """The next `times` requests to `path` answer 429 with `Retry-After` (None: no header)."""
        self._add_fault(path, _Fault(429, times, retry_after))

    def fail_next(self, path: str, times: int = 1, status: int = 503, retry_after: str | None = None) -> None:
        """The next `times` requests to `path` answer `status` (a 5xx by default)."""
        self._add_fault(path, _Fault(status, times, retry_after))

    def expire_igdb_tokens(self) -> None:
        """Every token issued so far stops working, so the next IGDB call gets 401."""
        with self._lock:
            self._tokens.clear()

    def issued_tokens(self) -> list[str]:
        with self._lock:
            return list(self._tokens)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._faults.clear()
            self._tokens.clear()

    def _add_fault(self, path: str, fault: _Fault) -> None:
        with self._lock:
            self._faults.setdefault(path, deque()).append(fault)

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            queue = self._faults.get(path)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            return fault

    # -- HTTP ----------------------------------------------------------------------------------

    async def _handle(self, request: Request) -> Response:
        path = "/" + request.path_params["path"].strip("/")
        body = await request.body()
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    path=path,
                    params=dict(request.query_params),
                    headers={name.lower(): value for name, value in request.headers.items()},
                    body=body,
                )
            )
        fault = self._take_fault(path)
        if fault is not None:
            return _fault_response(path, fault)
        if path.startswith((TMDB_IMAGE_PREFIX, IGDB_IMAGE_PREFIX)):
            return await _image(request.method, path)
        if path.startswith("/3/"):
            return self._tmdb(request, path)
        if path.startswith("/v4/"):
            return self._igdb(request, path, body)
        if path == "/oauth2/token":
            return self._twitch(request, body)
        return JSONResponse({"message": "Not Found"}, status_code=404)

    def _tmdb(self, request: Request, path: str) -> Response:
        route = self._tmdb_route(request.method, _segments(path))
        if not self._tmdb_authorised(request):
            # Serve the recorded 401 when one exists for this route; otherwise TMDB's documented shape.
            if route is not None and 401 in route.files:
                return _file_response(route.files[401], 401)
            return JSONResponse(TMDB_INVALID_KEY, status_code=401)
        found = route.success_file if route is not None else None
        if found is None:
            return JSONResponse(TMDB_NOT_FOUND, status_code=404)
        status, file = found
        return _file_response(file, status)

    def _tmdb_authorised(self, request: Request) -> bool:
        if request.query_params.get("api_key") == self.tmdb_api_key:
            return True
        return request.headers.get("authorization") == f"Bearer {self.tmdb_read_token}"

    def _tmdb_route(self, method: str, segments: tuple[str, ...]) -> TmdbRoute | None:
        candidates = [route for route in self.tmdb_routes if route.matches(method, segments)]
        # min() keeps the first of equally specific routes, so our fixtures beat the corpus.
        return min(candidates, key=lambda route: route.specificity) if candidates else None

    def _igdb(self, request: Request, path: str, body: bytes) -> Response:
        if not self._igdb_authorised(request):
            return JSONResponse(IGDB_AUTH_FAILURE, status_code=401)
        file = self.igdb_file(path.removeprefix("/v4/"), body.decode("utf-8", "replace"))
        if request.method != "POST" or file is None:
            return JSONResponse({"message": "Not Found"}, status_code=404)
        return _file_response(file, 200)

    def _igdb_authorised(self, request: Request) -> bool:
        if request.headers.get("client-id") != self.twitch_client_id:
            return False
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            expires_at = self._tokens.get(token)
        return expires_at is not None and expires_at > time.monotonic()

    def igdb_file(self, endpoint: str, query: str) -> Path | None:
        """The recorded file an IGDB endpoint and Apicalypse body are answered with."""
        if self.igdb_fixtures is not None and (self.igdb_fixtures / f"{endpoint}.json").is_file():
            return self.igdb_fixtures / f"{endpoint}.json"
        if self.igdb_corpus is None or "/" in endpoint:
            return None
        stem = igdb_file_stem(endpoint)
        names = [f"{stem}_list.json"]
        if _IGDB_BY_ID.search(query):
            names.insert(0, f"{stem}_get.json")
        if _IGDB_SEARCH.search(query):
            names.insert(0, f"{stem}_search.json")
        if endpoint == "search":
            names = ["search.json"]
        return next((self.igdb_corpus / name for name in names if (self.igdb_corpus / name).is_file()), None)

    def _twitch(self, request: Request, body: bytes) -> Response:
        # Twitch takes the client credentials in the query string or as a form body.
        fields = {**dict(parse_qsl(body.decode("utf-8", "replace"))), **dict(request.query_params)}
        if request.method != "POST":
            return JSONResponse({"status": 404, "message": "Not Found"}, status_code=404)
        if fields.get("client_id") != self.twitch_client_id:
            return JSONResponse({"status": 400, "message": "invalid client"}, status_code=400)
        if fields.get("client_secret") != self.twitch_client_secret:
            return JSONResponse({"status": 403, "message": "invalid client secret"}, status_code=403)
        if fields.get("grant_type") != "client_credentials":
            return JSONResponse({"status": 400, "message": "unsupported grant type"}, status_code=400)
        token = secrets.token_hex(15)
        with self._lock:
            self._tokens[token] = time.monotonic() + self.token_lifetime
        return JSONResponse({"access_token": token, "expires_in": self.token_lifetime, "token_type": "bearer"})


def _tmdb_routes(fixtures: Path | None, corpus: Path | None) -> list[TmdbRoute]:
    routes: list[TmdbRoute] = []
    if fixtures is not None and fixtures.is_dir():
        for file in sorted(fixtures.rglob("*.json")):
            relative = file.relative_to(fixtures).with_suffix("").as_posix()
            routes.append(TmdbRoute("GET", ("3", *_segments(relative)), {200: file}))
    if corpus is not None and (corpus / "_index.json").is_file():
        by_key: dict[tuple[str, str], TmdbRoute] = {}
        for entry in json.loads((corpus / "_index.json").read_text()):
            key = (entry["method"].upper(), entry["path"])
            route = by_key.get(key)
            if route is None:
                route = by_key[key] = TmdbRoute(key[0], _segments(entry["path"]))
                routes.append(route)
            route.files[int(entry["status"])] = corpus / entry["file"]
    return routes


async def _image(method: str, path: str) -> Response:
    """The CDNs answer a bare 404 page for unknown files; the name's hints pick every other answer."""
    name = path.rsplit("/", 1)[-1]
    igdb = path.startswith(IGDB_IMAGE_PREFIX)
    if method != "GET" or "missing" in name or (igdb and not name.endswith(".jpg")):
        return Response(b"<html><body>404 Not Found</body></html>", status_code=404, media_type="text/html")
    if "notimage" in name:
        return Response(b"<html><body>certainly not a JPEG</body></html>", media_type="image/jpeg")
    if "wrongtype" in name:
        return Response(b"<html><body>a login page</body></html>", media_type="text/html")
    if "huge" in name:
        # Chunked, so only a reader that counts while streaming can stop it.
        return StreamingResponse(_huge_body(), media_type="image/jpeg")
    if "slow" in name:
        await asyncio.sleep(0.5)
    if "small" in name:
        body = fake_jpeg(150, 225)
    elif "wide" in name:
        body = fake_jpeg(1920, 1080)
    elif "rotated" in name:
        body = fake_jpeg(1500, 1000, orientation=6)
    else:
        body = fake_jpeg(1000, 1500)
    return Response(body, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=31536000"})


async def _huge_body() -> AsyncIterator[bytes]:
    chunk = b"\xff" * 65536
    for _ in range(HUGE_IMAGE_BYTES // len(chunk)):
        yield chunk


@lru_cache(maxsize=8)
def fake_jpeg(width: int, height: int, *, orientation: int = 1) -> bytes:
    """A JPEG with gradients (so resizing and encoding do real work), optionally carrying an EXIF orientation."""
    across = Image.linear_gradient("L").resize((width, height))
    down = Image.linear_gradient("L").rotate(90).resize((width, height))
    image = Image.merge("RGB", (across, down, Image.new("L", (width, height), 96)))
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation  # Orientation
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif.tobytes())
    return buffer.getvalue()


def _file_response(file: Path, status: int) -> Response:
    return Response(file.read_bytes(), status_code=status, media_type=JSON_TYPE)


def _fault_response(path: str, fault: _Fault) -> Response:
    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
    if path.startswith("/3/"):
        body = TMDB_FAULTS.get(fault.status, {"success": False, "status_code": 11, "status_message": "Internal error."})
    else:
        body = {"message": "Too Many Requests" if fault.status == 429 else "Service Unavailable"}
    return JSONResponse(body, status_code=fault.status, headers=headers)


# -- running it -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeUrls:
    root: str

    @property
    def tmdb(self) -> str:
        return f"{self.root}/3"

    @property
    def igdb(self) -> str:
        return f"{self.root}/v4"

    @property
    def twitch_token(self) -> str:
        return f"{self.root}/oauth2/token"

    @property
    def tmdb_images(self) -> str:
        return f"{self.root}/t/p"

    @property
    def igdb_images(self) -> str:
        return f"{self.root}/igdb/image/upload"

    def settings_env(self, fake: ProviderFake) -> dict[str, str]:
        """The SEEN_* variables that point the real clients at this fake with its credentials."""
        return {
            "SEEN_TMDB_BASE_URL": self.tmdb,
            "SEEN_IGDB_BASE_URL": self.igdb,
            "SEEN_TWITCH_TOKEN_URL": self.twitch_token,
            "SEEN_TMDB_IMAGE_BASE_URL": self.tmdb_images,
            "SEEN_IGDB_IMAGE_BASE_URL": self.igdb_images,
            "SEEN_TMDB_API_KEY": fake.tmdb_api_key,
            "SEEN_IGDB_CLIENT_ID": fake.twitch_client_id,
            "SEEN_IGDB_CLIENT_SECRET": fake.twitch_client_secret,
        }


@contextmanager
def serve(fake: ProviderFake, *, port: int | None = None, host: str = "127.0.0.1") -> Iterator[FakeUrls]:
    """Run the fake over real HTTP until the block ends."""
    with serve_asgi(fake.app, name="provider-fake", port=port, host=host) as base_url:
        yield FakeUrls(base_url)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the fake TMDB + IGDB + Twitch + image CDNs for demos.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    arguments = parser.parse_args()
    fake = ProviderFake()
    with serve(fake, port=arguments.port, host=arguments.host) as urls:
        for name, value in urls.settings_env(fake).items():
            print(f"{name}={value}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
