"""The baseline: a bare Starlette app answering the same JSON as /seen/'s two benchmarked endpoints.

Served by granian exactly like the app (`granian --interface asgi --workers N bench.bare_app:app`), it shows
what the server and framework cost alone, so the app's numbers read as a ratio of the ceiling.
The bodies are the app's own answers captured just before the run (path in SEEN_BENCH_BARE_BODIES),
so both send the same bytes; without that file, representative bodies of the same shape are used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODIES_ENV = "SEEN_BENCH_BARE_BODIES"
ME_PATH = "/api/v1/auth/me"
READY_PATH = "/api/v1/health/ready"

_SAMPLE_BODIES: dict[str, object] = {
    ME_PATH: {
        "id": "0c6f1f0e-8a57-4f4b-9d4e-3c1b2a7d9e10",
        "email": "bench@example.com",
        "display_name": "",
        "role": "admin",
        "disabled": False,
        "theme": "dark",
        "created_at": "2025-01-01T00:00:00Z",
        "last_login_at": "2025-01-01T00:00:00Z",
    },
    READY_PATH: {
        "status": "ready",
        "checks": {
            "database": {"ok": True, "latency_ms": 0.2, "detail": "sqlite"},
            "cache": {"ok": True, "latency_ms": 0.01, "detail": "MemoryCache"},
            "broker": {"ok": True, "latency_ms": 0.01, "detail": "in-process"},
        },
    },
}


def _load_bodies() -> dict[str, bytes]:
    source = os.environ.get(BODIES_ENV, "")
    if source:
        captured: dict[str, str] = json.loads(Path(source).read_text())
        return {path: body.encode() for path, body in captured.items()}
    return {path: json.dumps(body, separators=(",", ":")).encode() for path, body in _SAMPLE_BODIES.items()}


BODIES = _load_bodies()


def _answer(path: str) -> Callable[[Request], Awaitable[Response]]:
    body = BODIES[path]

    async def endpoint(_: Request) -> Response:
        return Response(body, media_type="application/json")

    return endpoint


app = Starlette(routes=[Route(path, _answer(path)) for path in (ME_PATH, READY_PATH)])
