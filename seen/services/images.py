"""The catalogue image pipeline: fetch an artwork once, resize it to a few widths, keep it as WebP, serve it forever.

Sources are (provider, path) pairs exactly as the catalogue stores them:

- ``tmdb``: a file path such as ``/kqjL17yufvn9OVLyXYpvtyrFfak.jpg``, fetched from
  ``{tmdb_image_base_url}/original{path}``;
- ``igdb``: an image id such as ``co1wyy``, fetched from ``{igdb_image_base_url}/t_original/{id}.jpg``;
- ``demo``: ``demo/<slug>``, drawn locally by ``seen.providers.demo_art.render(kind, slug)``.

Every path must match its provider's strict pattern before it is used, and the upstream URL is always the configured
base plus that path: a request can neither climb out of the image directory nor make us fetch an arbitrary URL.

All widths of a kind are produced from one fetch and written atomically (temp file + ``os.replace``) to
``<data_dir>/images/<provider>/<kind>/<key[:2]>/<key>-<size>.webp``, key = sha1 of provider and path. When every file
of a source exists nothing is fetched. Concurrent callers in one process share one fetch per source; two processes
may both fetch a cold source, which is harmless since each replace installs a whole, identical file.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import math
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import httpx
from PIL import ExifTags, Image, ImageOps

from seen.config import Settings, get_settings
from seen.services.errors import NotFound, ServiceError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Where the router is mounted. Spelled here, not imported from seen.api, because the API imports the services.
URL_PREFIX = "/api/v1/images"

SIZES = ("sm", "md", "lg")
_POSTER_WIDTHS = {"sm": 185, "md": 342, "lg": 780}
_WIDE_WIDTHS = {"sm": 300, "md": 780, "lg": 1280}
WIDTHS: dict[str, dict[str, int]] = {
    "poster": _POSTER_WIDTHS,
    "cover": _POSTER_WIDTHS,
    "backdrop": _WIDE_WIDTHS,
    "still": {"sm": 300, "md": 780},
    "profile": {"sm": 185, "md": 421},
    "screenshot": _WIDE_WIDTHS,
}
# fullmatch, not `$`: `$` also matches before a trailing newline, which would let "x.jpg\n" through.
PATH_PATTERNS: dict[str, re.Pattern[str]] = {
    "tmdb": re.compile(r"/[A-Za-z0-9_-]{1,80}\.(?:jpg|jpeg|png|webp)"),
    "igdb": re.compile(r"[a-z0-9]{1,40}"),
    "demo": re.compile(r"demo/[a-z0-9-]{1,120}"),
}
PROVIDERS = tuple(PATH_PATTERNS)
# What the URL drops from the front of a path, so each URL ends in exactly one plain segment.
_URL_STRIPPED = {"tmdb": "/", "igdb": "", "demo": "demo/"}
# The demo art knows no screenshots; a backdrop-shaped picture stands in for one.
_DEMO_KINDS = {kind: kind for kind in WIDTHS} | {"screenshot": "backdrop"}

MAX_BYTES = 15 * 1024 * 1024
# Well under Pillow's own MAX_IMAGE_PIXELS (89 M), so its bomb warning never fires: we refuse before decoding.
MAX_PIXELS = 50_000_000
# A drip-feeding upstream could keep every read under the read timeout for ever; this caps the whole download.
MAX_DOWNLOAD_SECONDS = 60.0
TIMEOUT = httpx.Timeout(20.0, connect=5.0, pool=5.0)
WEBP_QUALITY = 80
WEBP_METHOD = 4
WEBP_MAX_SIDE = 16383  # WebP cannot encode a longer side
# Only the formats the CDNs serve are decoded: each extra decoder is attack surface for nothing.
DECODE_FORMATS = ("JPEG", "PNG", "WEBP")
_ROTATED_ORIENTATIONS = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height


class ImageNotFound(NotFound):
    """No such image: a source off our tables, or one the upstream does not have."""

    code = "image_not_found"


class ImageUnavailable(ServiceError):
    """The upstream could not give us a usable image now (down, slow, too big, not an image)."""

    status = 502
    code = "image_unavailable"


@dataclass(frozen=True)
class ImageSource:
    """A validated (provider, kind, path): the only thing that reaches the disk or the network."""

    provider: str
    kind: str
    path: str

    @property
    def key(self) -> str:
        return hashlib.sha1(f"{self.provider}\0{self.path}".encode(), usedforsecurity=False).hexdigest()

    @property
    def widths(self) -> dict[str, int]:
        return WIDTHS[self.kind]

    def files(self, settings: Settings) -> dict[str, Path]:
        folder = settings.data_dir / "images" / self.provider / self.kind / self.key[:2]
        return {size: folder / f"{self.key}-{size}.webp" for size in self.widths}

    def upstream_url(self, settings: Settings) -> str:
        if self.provider == "tmdb":
            return f"{settings.tmdb_image_base_url.rstrip('/')}/original{self.path}"
        if self.provider == "igdb":
            return f"{settings.igdb_image_base_url.rstrip('/')}/t_original/{self.path}.jpg"
        raise ValueError(f"{self.provider} images are not downloaded")


@dataclass(frozen=True)
class PrefetchReport:
    ready: int  # stored before, or stored now
    missing: int  # not ours to serve or not upstream: retrying will not help
    failed: int  # upstream down or sent something unusable: worth retrying


# -- names and URLs ------------------------------------------------------------------------------------------------


def source_for(*, provider: str, kind: str, path: str) -> ImageSource:
    """Check a source against the tables and patterns; anything else is `ImageNotFound`."""
    pattern = PATH_PATTERNS.get(provider)
    if pattern is None or kind not in WIDTHS or not pattern.fullmatch(path):
        raise ImageNotFound("No such image.")
    return ImageSource(provider, kind, path)


def source_from_url(*, provider: str, kind: str, size: str, name: str) -> ImageSource:
    """The source behind the last four segments of an image URL (the inverse of `image_url`)."""
    prefix = _URL_STRIPPED.get(provider)
    if prefix is None or size not in WIDTHS.get(kind, {}):
        raise ImageNotFound("No such image.")
    return source_for(provider=provider, kind=kind, path=prefix + name)


def fit_size(kind: str, size: str) -> str:
    """`size` when the kind has it, else the kind's largest (stills and profiles stop at "md")."""
    if kind not in WIDTHS:
        raise ValueError(f"unknown image kind {kind!r}; one of {sorted(WIDTHS)}")
    if size not in SIZES:
        raise ValueError(f"unknown image size {size!r}; one of {list(SIZES)}")
    widths = WIDTHS[kind]
    return size if size in widths else list(widths)[-1]


def image_url(provider: str | None, kind: str, path: str | None, size: str = "md") -> str | None:
    """The app-relative URL of an artwork at one size, or None when there is nothing to show.

    Pure and deterministic (no I/O), so pages can call it while rendering; the file is produced on the first
    request. A path the pipeline would refuse also gives None, so the UI shows its placeholder, not a broken image.
    Unknown kinds or sizes are programming errors and raise ValueError.
    """
    size = fit_size(kind, size)
    if not provider or not path:
        return None
    try:
        source = source_for(provider=provider, kind=kind, path=path)
    except ImageNotFound:
        return None
    name = source.path.removeprefix(_URL_STRIPPED[source.provider])
    return f"{URL_PREFIX}/{source.provider}/{source.kind}/{size}/{quote(name, safe='')}"


# -- producing the files -------------------------------------------------------------------------------------------


def ensure_images(*, provider: str, kind: str, path: str, settings: Settings | None = None) -> dict[str, Path]:
    """The stored WebP file of every size of a source, fetching and converting it first when any is missing.

    Raises `ImageNotFound` (bad source, upstream 404, unknown demo slug) or `ImageUnavailable` (upstream down, timed
    out, too large, not an image). Blocking: call it from a worker thread, never on the event loop.
    """
    source = source_for(provider=provider, kind=kind, path=path)
    settings = settings or get_settings()
    files = source.files(settings)
    if not _all_exist(files):
        _single_flight(f"{source.provider}/{source.kind}/{source.key}", lambda: _produce(source, files, settings))
    return files


def prefetch(*, items: Iterable[tuple[str, str, str]], settings: Settings | None = None) -> PrefetchReport:
    """Make sure every (provider, kind, path) is stored; one bad item never stops the others."""
    settings = settings or get_settings()
    ready = missing = failed = 0
    for provider, kind, path in items:
        try:
            ensure_images(provider=provider, kind=kind, path=path, settings=settings)
        except ImageNotFound:
            missing += 1
            log.info("image not found", extra={"provider": provider, "kind": kind, "path": path})
        except ImageUnavailable as error:
            failed += 1
            where = {"provider": provider, "kind": kind, "path": path}
            log.warning("image unavailable", extra={**where, "error": str(error)})
        else:
            ready += 1
    return PrefetchReport(ready=ready, missing=missing, failed=failed)


def queue_prefetch(
    *, items: Iterable[tuple[str | None, str, str | None]], settings: Settings | None = None, batch: int = 50
) -> int:
    """Enqueue `images.prefetch` for the items not stored yet (call it after the commit); returns how many.

    Items without a provider or path, or that the pipeline would refuse, are dropped here rather than in the job.
    """
    from seen import jobs  # the broker is only needed by callers that enqueue

    settings = settings or get_settings()
    wanted: dict[tuple[str, str, str], None] = {}
    for provider, kind, path in items:
        if not provider or not path:
            continue
        try:
            source = source_for(provider=provider, kind=kind, path=path)
        except ImageNotFound:
            continue
        if not _all_exist(source.files(settings)):
            wanted[(source.provider, source.kind, source.path)] = None
    pending = [list(item) for item in wanted]
    for start in range(0, len(pending), batch):
        jobs.enqueue("images.prefetch", items=pending[start : start + batch])
    return len(pending)


def _all_exist(files: dict[str, Path]) -> bool:
    return all(file.is_file() for file in files.values())


def _produce(source: ImageSource, files: dict[str, Path], settings: Settings) -> None:
    # Looked at again under the flight: a caller that queued behind a finished flight must not fetch twice.
    if _all_exist(files):
        return
    if source.provider == "demo":
        image = _render_demo(source)
    else:
        image = _decode(_download(source.upstream_url(settings)), max(source.widths.values()))
    image = _normalise(image)
    for size, width in source.widths.items():
        resized = image.resize(_fitted(image.size, width), Image.Resampling.LANCZOS, reducing_gap=3.0)
        _save_atomic(resized, files[size])
    log.info("image stored", extra={"provider": source.provider, "kind": source.kind, "path": source.path})


def _fitted(size: tuple[int, int], width: int) -> tuple[int, int]:
    """`width` wide keeping the aspect, never larger than the original and never beyond what WebP can encode."""
    original_width, original_height = size
    scale = min(1.0, width / original_width, WEBP_MAX_SIDE / original_height, WEBP_MAX_SIDE / original_width)
    return max(1, round(original_width * scale)), max(1, round(original_height * scale))


def _normalise(image: Image.Image) -> Image.Image:
    """Upright (EXIF orientation applied) and in RGB, or RGBA when the picture has transparency."""
    image = ImageOps.exif_transpose(image)
    transparent = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if transparent else "RGB"
    return image if image.mode == mode else image.convert(mode)


def _save_atomic(image: Image.Image, path: Path) -> None:
    """Write a WebP so readers only ever see no file or a whole one (served as immutable, it must be whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            image.save(handle, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes it private; artwork is public, a reverse proxy may serve it
        os.replace(temp_name, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


# -- sources -------------------------------------------------------------------------------------------------------


def _render_demo(source: ImageSource) -> Image.Image:
    # Imported by name at call time: the demo art is optional to everything but the demo catalogue.
    demo_art = importlib.import_module("seen.providers.demo_art")
    try:
        return demo_art.render(_DEMO_KINDS[source.kind], source.path.removeprefix("demo/"))
    except KeyError as error:
        raise ImageNotFound("No such demo image.") from error


_client: httpx.Client | None = None
_client_lock = threading.Lock()


def _http() -> httpx.Client:
    """One pooled client per process; thread-safe, and the URL is built per call so settings may change."""
    global _client
    with _client_lock:
        if _client is None:
            # Redirects are not followed: the CDN answers directly, and a redirect could steer us to another host.
            _client = httpx.Client(
                timeout=TIMEOUT,
                follow_redirects=False,
                headers={"User-Agent": "seen-image-pipeline/1"},
                limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
            )
        return _client


def _download(url: str) -> bytes:
    """The body of a 200 image/* answer, at most MAX_BYTES, read as a stream so a huge body is cut off early."""
    started = time.monotonic()
    try:
        with _http().stream("GET", url) as response:
            status = response.status_code
            if status in {404, 410}:
                raise ImageNotFound("The image source has no such image.")
            if status != 200:
                raise ImageUnavailable(f"The image source answered {status}.")
            if not response.headers.get("content-type", "").lower().startswith("image/"):
                raise ImageUnavailable("The image source sent something that is not an image.")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise ImageUnavailable("The image is too large.")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise ImageUnavailable("The image is too large.")
                if time.monotonic() - started > MAX_DOWNLOAD_SECONDS:
                    raise ImageUnavailable("The image source is too slow.")
            return bytes(body)
    except httpx.TimeoutException as error:
        raise ImageUnavailable("The image source timed out.") from error
    except httpx.HTTPError as error:
        raise ImageUnavailable(f"The image source is unreachable ({type(error).__name__}).") from error


def _decode(data: bytes, largest: int) -> Image.Image:
    """Decode untrusted bytes: header checked for size first, then verified, then decoded in full."""
    try:
        with Image.open(BytesIO(data), formats=DECODE_FORMATS) as probe:
            pixels = probe.width * probe.height
            if pixels <= MAX_PIXELS:
                probe.verify()
    except Image.DecompressionBombError as error:
        raise ImageUnavailable("The image has too many pixels.") from error
    except Exception as error:  # whatever a decoder trips over, the bytes are not an image we can use
        raise ImageUnavailable("The image source sent something that is not an image.") from error
    if pixels > MAX_PIXELS:
        raise ImageUnavailable("The image has too many pixels.")
    try:
        # verify() leaves the image unusable; a fresh open decodes it, at a reduced scale when only small sizes
        # are wanted (JPEG's DCT scaling makes a 4000 px original cheap to bring down to 1280).
        image = Image.open(BytesIO(data), formats=DECODE_FORMATS)
        _draft(image, largest)
        image.load()
    except Exception as error:
        raise ImageUnavailable("The image source sent something that is not an image.") from error
    return image


def _draft(image: Image.Image, width: int) -> None:
    """Ask the JPEG decoder for the smallest scale still at least `width` wide once upright (no-op for others)."""
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    upright_width = image.height if orientation in _ROTATED_ORIENTATIONS else image.width
    if upright_width <= width:
        return
    scale = width / upright_width
    image.draft(image.mode, (math.ceil(image.width * scale), math.ceil(image.height * scale)))


# -- one fetch per source at a time --------------------------------------------------------------------------------


class _Flight:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: ServiceError | None = None


_flights: dict[str, _Flight] = {}
_flights_lock = threading.Lock()


def _single_flight(key: str, work: Callable[[], None]) -> None:
    """Run `work` once for concurrent callers of one key; the others wait and share its outcome.

    Sharing a failure too (not only a success) keeps a burst of requests for a missing or broken image at one
    upstream call; the next caller after the flight lands tries again.
    """
    with _flights_lock:
        flight = _flights.get(key)
        leader = flight is None
        if flight is None:
            flight = _flights[key] = _Flight()
    if not leader:
        flight.done.wait()
        if flight.error is not None:
            # A fresh exception per waiter: one object raised in several threads would tangle their tracebacks.
            raise type(flight.error)(flight.error.message)
        return
    try:
        work()
    except ServiceError as error:
        flight.error = error
        raise
    except BaseException:
        flight.error = ImageUnavailable("The image could not be produced.")
        raise
    finally:
        with _flights_lock:
            del _flights[key]
        flight.done.set()
