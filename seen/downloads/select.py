"""Which download engine this process uses, as process-wide singletons.

`SEEN_DOWNLOAD_ENGINE=auto` picks aria2 when an external daemon is configured (SEEN_ARIA2_RPC_URL) or aria2c
is installed (the app then runs its own, see `daemon.py`), and the built-in HTTP engine otherwise. Only the
download runner calls `download_engine()` / `engine_named()`: they may start aria2c. Anything else that just
needs to know what the engine can take asks `engine_capabilities()`, which starts nothing.
"""

from __future__ import annotations

import threading

from seen import db
from seen.config import get_settings
from seen.downloads.aria2 import Aria2Engine
from seen.downloads.daemon import ManagedAria2, aria2c_available
from seen.downloads.engine import DownloadEngine, EngineError, EngineUnavailable
from seen.downloads.http_engine import HttpEngine
from seen.downloads.sources import URL_SCHEMES, AllowList, allowed_hosts

ARIA2_SOURCES = frozenset({"magnet", "torrent", "http", "direct"})
HTTP_SOURCES = frozenset({"http", "direct"})
HTTP_URL_SCHEMES = frozenset({"http", "https"})

_lock = threading.Lock()
_daemon: ManagedAria2 | None = None
_aria2: Aria2Engine | None = None
_http: HttpEngine | None = None


def chosen_engine_name() -> str:
    """ "aria2" or "http", from the settings alone (nothing is started)."""
    settings = get_settings()
    if settings.download_engine != "auto":
        return settings.download_engine
    return "aria2" if settings.aria2_rpc_url or aria2c_available(settings) else "http"


def download_engine() -> DownloadEngine:
    """The engine new downloads go to. Restarts the app's own aria2c when it died (EngineUnavailable if it can't)."""
    return engine_named(chosen_engine_name())


def engine_named(name: str) -> DownloadEngine:
    """The engine holding existing jobs of that name ("aria2" or "http")."""
    if name == "aria2":
        return _aria2_engine()
    if name == "http":
        return _http_engine()
    raise EngineError(f"There is no download engine named {name!r}.")


def engine_capabilities() -> set[str]:
    """The source types (magnet, torrent, http, direct) the current engine takes."""
    return set(ARIA2_SOURCES if chosen_engine_name() == "aria2" else HTTP_SOURCES)


def engine_url_schemes() -> set[str]:
    """The URL schemes the current engine fetches."""
    return set(URL_SCHEMES if chosen_engine_name() == "aria2" else HTTP_URL_SCHEMES)


def ensure_running() -> None:
    """Start the app's own aria2c again if it is configured and died; a no-op otherwise."""
    if chosen_engine_name() == "aria2":
        _aria2_engine()


def shutdown_engines() -> None:
    """Stop the managed aria2c and the HTTP engine's threads (partial files stay): the process is stopping."""
    with _lock:
        daemon, http = _daemon, _http
    if http is not None:
        http.shutdown()
    if daemon is not None:
        daemon.stop()


def reset_engines() -> None:
    """Forget the engines (tests change settings between cases); call `shutdown_engines()` first."""
    global _daemon, _aria2, _http
    with _lock:
        _daemon = _aria2 = _http = None


def managed_daemon() -> ManagedAria2:
    """The supervisor of the app's own aria2c (created on first use)."""
    global _daemon
    with _lock:
        if _daemon is None:
            _daemon = ManagedAria2()
        return _daemon


def _aria2_engine() -> Aria2Engine:
    global _aria2
    settings = get_settings()
    if settings.aria2_rpc_url:
        rpc_url, secret = settings.aria2_rpc_url, settings.aria2_rpc_secret
    elif aria2c_available(settings):
        rpc_url, secret = managed_daemon().ensure_running(), settings.resolved_aria2_rpc_secret
    else:
        raise EngineUnavailable("aria2 is not available: install aria2c, or set SEEN_ARIA2_RPC_URL to an aria2 daemon.")
    with _lock:
        if _aria2 is None or _aria2.rpc_url != rpc_url:
            _aria2 = Aria2Engine(rpc_url, secret)
        return _aria2


def _http_engine() -> HttpEngine:
    global _http
    with _lock:
        if _http is None:
            _http = HttpEngine(_current_allow_list)
        return _http


def _current_allow_list() -> AllowList:
    """The hosts URL downloads may reach although private: settings plus the admin's list (read fresh)."""
    with db.session_scope() as session:
        return allowed_hosts(session=session)
