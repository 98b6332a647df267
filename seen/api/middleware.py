"""ASGI middleware around the whole app (pages, websocket, REST): request ids, access log, security headers."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seen.logs import request_id_var

log = logging.getLogger("seen.access")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Scrobbling webhook URLs and shared collection links carry their secret in the path: the access log keeps it out.
_WEBHOOK_SECRET = re.compile(r"^(/api/v1/(?:webhooks/(?:plex|jellyfin)|shared/collections)/)[^/]+")

PAGE_CSP = "; ".join(
    [
        "default-src 'self'",
        # The compiled pages carry inline bootstrap scripts (theme preload, router hydration data).
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https:",
        "media-src 'self' blob:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The interactive API docs load Swagger UI from its CDN.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "frame-ancestors 'none'"
)
DOCS_PATH = "/api/v1/docs"


def _security_headers(path: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", (DOCS_CSP if path.startswith(DOCS_PATH) else PAGE_CSP).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]


def with_request_context(app: ASGIApp) -> ASGIApp:
    """Give every HTTP request an id (kept from X-Request-ID when sane), log API calls, add headers."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        path: str = scope.get("path", "")
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                existing = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(item for item in _security_headers(path) if item[0] not in existing)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await app(scope, receive, send_with_headers)
        finally:
            if path.startswith("/api/"):
                log.info(
                    "%s %s %s",
                    scope.get("method"),
                    _WEBHOOK_SECRET.sub(r"\1***", path),
                    status_holder["status"],
                    extra={
                        "status": status_holder["status"],
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
            request_id_var.reset(token)

    return middleware
