"""Every setting of the application, in one place.

Values come from environment variables prefixed ``SEEN_`` (or a ``.env`` file beside the project).
The defaults are the embedded setup of ``make run``: SQLite under ``data/``, no Redis, jobs in-process.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SEEN_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=PROJECT_ROOT / "data",
        description="Directory for the SQLite database, the generated secret key and other state.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the database. Empty: SQLite file `seen.db` in the data directory.",
    )
    redis_url: str = Field(
        default="",
        description=(
            "Redis (or DragonflyDB) URL for the cache, the job broker and login throttling. "
            "Empty: in-memory cache and an in-process job worker."
        ),
    )
    secret_key: str = Field(
        default="",
        description="Key that signs access tokens and CSRF tokens. Empty: generated once into the data dir.",
    )
    public_base_url: str = Field(
        default="http://localhost:3000",
        description="Address users reach the app at. Sets the allowed websocket/CSRF origin and Secure cookies.",
    )
    extra_allowed_origins: list[str] = Field(
        default_factory=list,
        description="More origins (JSON list) allowed to open the websocket and send cookie-authenticated writes.",
    )
    registration_open: bool = Field(
        default=True,
        description="Whether anyone may register. Admins can override it at /app/admin.",
    )
    trust_proxy_headers: bool = Field(
        default=False,
        description="Take the client address from X-Forwarded-For (set it only behind a reverse proxy).",
    )

    access_token_ttl_seconds: int = Field(default=900, ge=60, description="Lifetime of API access tokens.")
    refresh_token_ttl_days: int = Field(default=30, ge=1, description="Lifetime of API refresh tokens.")
    browser_session_ttl_days: int = Field(default=30, ge=1, description="Lifetime of a browser login.")
    password_min_length: int = Field(default=8, ge=6, description="Shortest password accepted.")
    bcrypt_rounds: int = Field(default=12, ge=4, le=16, description="bcrypt cost factor.")

    login_window_seconds: int = Field(default=900, ge=1, description="Window of the login throttle.")
    login_max_failures_per_account: int = Field(
        default=5, ge=1, description="Failed logins for one account within the window before HTTP 429."
    )
    login_max_failures_per_ip: int = Field(
        default=20, ge=1, description="Failed logins from one address within the window before HTTP 429."
    )

    tmdb_api_key: str = Field(default="", description="TMDB v3 API key for the movie and TV catalogue.")
    tmdb_read_token: str = Field(default="", description="TMDB v4 read access token (alternative to the API key).")
    igdb_client_id: str = Field(default="", description="Twitch client id for IGDB (games catalogue).")
    igdb_client_secret: str = Field(default="", description="Twitch client secret for IGDB (games catalogue).")
    tmdb_language: str = Field(
        default="en-US", pattern=r"^[a-z]{2}(-[A-Z]{2})?$", description="Language of TMDB titles and overviews."
    )
    tmdb_region: str = Field(
        default="US", pattern=r"^[A-Z]{2}$", description="Country for TMDB release dates, upcoming and now playing."
    )
    catalogue_stale_days: int = Field(
        default=7, ge=1, le=365, description="Age after which a title's details are refreshed in the background."
    )
    tmdb_base_url: str = Field(
        default="https://api.themoviedb.org/3", description="TMDB v3 API address (tests and demos use a local fake)."
    )
    igdb_base_url: str = Field(
        default="https://api.igdb.com/v4", description="IGDB v4 API address (tests and demos use a local fake)."
    )
    twitch_token_url: str = Field(
        default="https://id.twitch.tv/oauth2/token",
        description="Twitch OAuth token endpoint that issues IGDB access tokens (client credentials).",
    )
    tmdb_image_base_url: str = Field(
        default="https://image.tmdb.org/t/p",
        description="TMDB image CDN address; posters, backdrops, stills and profiles come from `{this}/original`.",
    )
    igdb_image_base_url: str = Field(
        default="https://images.igdb.com/igdb/image/upload",
        description="IGDB image CDN address; covers and screenshots come from `{this}/t_original/<id>.jpg`.",
    )

    downloads_dir: Path | None = Field(
        default=None,
        description="Where downloads are written, one folder per job. Empty: `downloads/` in the data directory.",
    )
    download_engine: Literal["auto", "aria2", "http"] = Field(
        default="auto",
        description=(
            "Download engine. auto = aria2 (SEEN_ARIA2_RPC_URL, or the app's own aria2c when it is on PATH), "
            "otherwise the built-in HTTP engine (plain URLs only: magnets and torrents need aria2)."
        ),
    )
    aria2_rpc_url: str = Field(
        default="",
        description=(
            "JSON-RPC address of an aria2 daemon to use (compose: http://aria2:6800/jsonrpc). "
            "Empty: the app starts and supervises its own aria2c on loopback."
        ),
    )
    aria2_rpc_secret: str = Field(
        default="",
        description="RPC secret of that aria2 daemon. Empty: generated once into the data dir for the app's aria2c.",
    )
    aria2c_path: str = Field(default="aria2c", description="The aria2c program the app starts (name on PATH or path).")
    aria2_rpc_port: int = Field(
        default=6801, ge=1024, le=65535, description="Loopback port of the app's own aria2c RPC interface."
    )
    aria2_listen_port: int = Field(
        default=6881, ge=1024, le=65535, description="BitTorrent port of the app's own aria2c (TCP; DHT uses UDP)."
    )
    download_max_active: int = Field(
        default=3, ge=1, le=100, description="Downloads running at once; the rest wait in the queue."
    )
    download_poll_interval_seconds: float = Field(
        default=3.0, ge=0.2, le=60, description="How often running downloads are polled for progress."
    )
    download_retry_backoff_seconds: float = Field(
        default=15.0, ge=0, le=3600, description="Wait before the first retry of a stalled or failed download; doubles."
    )
    download_stall_seconds: int = Field(
        default=120, ge=5, le=86400, description="A download that gains no bytes for this long is stalled."
    )
    torrent_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest .torrent file accepted for upload."
    )
    download_allowed_hosts: list[str] = Field(
        default_factory=list,
        description=(
            'Hosts or networks (JSON list, e.g. ["nas.lan", "192.168.1.0/24"]) that URL downloads may reach '
            "although they are loopback or private. Admins can add more at /app/admin."
        ),
    )

    library_roots: list[str] = Field(
        default_factory=list,
        description=(
            'Library folders (JSON list of absolute paths, e.g. ["/media/movies", "/media/shows"]) scanned for '
            "video files besides those admins add at /app/admin. Removed by editing this list."
        ),
    )
    transcode_limit: int = Field(
        default=2,
        ge=1,
        le=64,
        description=(
            "How many videos one app process repackages or converts with ffmpeg at once for playback (files a "
            "browser cannot play as they are). Beyond that, viewers get a 503 asking them to try again."
        ),
    )

    embedded_worker: bool | None = Field(
        default=None,
        description="Run jobs and schedules inside the app process. Empty: yes when no Redis URL is set.",
    )
    log_level: str = Field(default="INFO", description="Logging level.")
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto", description="Log line format; auto = JSON unless stderr is a terminal."
    )

    @field_validator("public_base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'seen.db').resolve()}"

    @property
    def uses_redis(self) -> bool:
        return bool(self.redis_url)

    @property
    def runs_embedded_worker(self) -> bool:
        return self.embedded_worker if self.embedded_worker is not None else not self.uses_redis

    @property
    def secure_cookies(self) -> bool:
        return self.public_base_url.startswith("https://")

    @property
    def allowed_origins(self) -> list[str]:
        parts = urlsplit(self.public_base_url)
        origins = [f"{parts.scheme}://{parts.netloc}"]
        # The same app answers on both loopback spellings; browsers send whichever the user typed.
        if parts.hostname in {"localhost", "127.0.0.1"}:
            port = f":{parts.port}" if parts.port else ""
            origins += [f"{parts.scheme}://localhost{port}", f"{parts.scheme}://127.0.0.1{port}"]
        return list(dict.fromkeys([*origins, *self.extra_allowed_origins]))

    @property
    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        return _stored_secret(self.data_dir, "secret_key")

    @property
    def resolved_downloads_dir(self) -> Path:
        return (self.downloads_dir or self.data_dir / "downloads").resolve()

    @property
    def resolved_aria2_rpc_secret(self) -> str:
        if self.aria2_rpc_secret:
            return self.aria2_rpc_secret
        return _stored_secret(self.data_dir, "aria2_rpc_secret")


@lru_cache
def _stored_secret(data_dir: Path, name: str) -> str:
    """A secret generated on first run, kept in the data dir so restarts keep it (sessions stay valid)."""
    path = data_dir / name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # Write a private temp file, then link it into place: the key file appears whole and
        # owner-only at once, and of two processes starting together exactly one link wins.
        descriptor, temp_name = tempfile.mkstemp(dir=data_dir, prefix=f".{name}.")
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            with contextlib.suppress(FileExistsError):
                os.link(temp_name, path)
        finally:
            os.unlink(temp_name)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret; delete it or set SEEN_{name.upper()}.")
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between cases)."""
    get_settings.cache_clear()
