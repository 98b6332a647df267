"""What the production server itself enforces: the websocket's allowed origins and the page headers."""

from __future__ import annotations

import base64
import os
import socket
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e


def _websocket_handshake(app: RunningApp, origin: str) -> str:
    """Open Reflex's event websocket with the given Origin; return the HTTP status line of the answer."""
    target = urlsplit(app.base_url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: {target.netloc}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: {origin}\r\n\r\n"
    )
    with socket.create_connection((target.hostname, target.port), timeout=10) as connection:
        connection.sendall(request.encode())
        answer = connection.recv(4096).decode("latin-1")
    return answer.split("\r\n", 1)[0]


def test_the_websocket_refuses_a_foreign_origin(running_app: RunningApp):
    # A page of the app itself may open the event socket
    assert " 101 " in _websocket_handshake(running_app, running_app.base_url)
    # A page of another site may not
    refused = _websocket_handshake(running_app, "https://evil.example")
    assert " 101 " not in refused
    assert refused.startswith("HTTP/1.1 4")


def test_pages_carry_the_security_headers(running_app: RunningApp):
    response = httpx.get(running_app.url("/login"), follow_redirects=True)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-eval'" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-request-id"]


def test_cookie_writes_from_another_site_are_refused(running_app: RunningApp):
    # A cross-site form trying to log someone in (login CSRF) is turned away
    response = httpx.post(
        running_app.url("/api/v1/auth/browser/login"),
        data={"email": "x@example.com", "password": "whatever"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
