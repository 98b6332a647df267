"""The image pipeline against the fake CDNs over real HTTP: sizes, storage, one fetch, refusals, upstream faults."""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from seen.config import Settings, get_settings, reset_settings
from seen.services import images
from tests.fakes.provider_server import FakeUrls, ProviderFake, serve
from tests.servers import free_port
from tests.waiting import run_side_by_side

POSTER = "/kqjL17yufvn9OVLyXYpvtyrFfak.jpg"
POSTER_URL_PATH = f"/t/p/original{POSTER}"


@pytest.fixture(scope="module")
def provider_server() -> Iterator[tuple[ProviderFake, FakeUrls]]:
    fake = ProviderFake(fixtures=None, corpora=False)
    with serve(fake) as urls:
        yield fake, urls


@pytest.fixture
def fake(provider_server: tuple[ProviderFake, FakeUrls]) -> ProviderFake:
    provider_server[0].reset()
    return provider_server[0]


@pytest.fixture
def settings(
    fake: ProviderFake, provider_server: tuple[ProviderFake, FakeUrls], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings whose image CDNs are the fake and whose data dir is this test's own."""
    for name, value in provider_server[1].settings_env(fake).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SEEN_DATA_DIR", str(tmp_path / "data"))
    reset_settings()
    yield get_settings()
    reset_settings()


def widths(files: dict[str, Path]) -> dict[str, tuple[int, int]]:
    result = {}
    for size, file in files.items():
        with Image.open(file) as image:
            assert image.format == "WEBP"
            result[size] = image.size
    return result


def stored_files(settings: Settings) -> list[Path]:
    root = settings.data_dir / "images"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


# -- sizes and storage ---------------------------------------------------------------------------------------------


def test_a_tmdb_poster_is_stored_once_at_every_poster_width(fake, settings):
    # Given a 1000x1500 poster on the CDN
    # When its images are ensured
    files = images.ensure_images(provider="tmdb", kind="poster", path=POSTER)
    # Then the three poster widths exist as WebP, with the poster's aspect kept
    assert widths(files) == {"sm": (185, 278), "md": (342, 513), "lg": (780, 1170)}
    # ... stored under the data dir by provider and kind, fanned out by key
    folder = settings.data_dir / "images" / "tmdb" / "poster"
    assert all(file.is_relative_to(folder) and file.parent.parent == folder for file in files.values())
    assert files["md"].name.endswith("-md.webp")
    # ... with no temp file left behind, from exactly one download
    assert stored_files(settings) == sorted(files.values())
    assert len(fake.requests_to(POSTER_URL_PATH)) == 1


def test_a_second_call_reads_the_disk_and_does_not_refetch(fake, settings):
    # Given a poster already stored
    first = images.ensure_images(provider="tmdb", kind="poster", path=POSTER)
    written = {size: file.stat().st_mtime_ns for size, file in first.items()}
    # When it is asked for again
    second = images.ensure_images(provider="tmdb", kind="poster", path=POSTER)
    # Then the same files come back untouched and the CDN was called once in all
    assert second == first
    assert {size: file.stat().st_mtime_ns for size, file in second.items()} == written
    assert len(fake.requests_to(POSTER_URL_PATH)) == 1


def test_a_small_original_is_never_upscaled(fake, settings):
    # Given a 150x225 original, narrower than every poster width
    files = images.ensure_images(provider="tmdb", kind="poster", path="/small-poster.jpg")
    # Then every size keeps the original's own width
    assert set(widths(files).values()) == {(150, 225)}


def test_a_wide_original_gets_the_backdrop_widths_but_not_beyond_its_own(fake, settings):
    # Given a 1920x1080 backdrop and a still of the same source
    backdrop = images.ensure_images(provider="tmdb", kind="backdrop", path="/wide-backdrop.jpg")
    still = images.ensure_images(provider="tmdb", kind="still", path="/wide-backdrop.jpg")
    # Then each kind has its own widths, in its own folder
    assert widths(backdrop) == {"sm": (300, 169), "md": (780, 439), "lg": (1280, 720)}
    assert widths(still) == {"sm": (300, 169), "md": (780, 439)}
    assert backdrop["md"] != still["md"]


def test_exif_orientation_is_applied(fake, settings):
    # Given a JPEG stored landscape (1500x1000) whose EXIF says "rotate 90°"
    files = images.ensure_images(provider="tmdb", kind="poster", path="/rotated-poster.jpg")
    # Then the stored images are upright, so portrait
    assert widths(files)["md"] == (342, 513)


def test_an_igdb_cover_is_fetched_by_image_id(fake, settings):
    # Given an IGDB image id
    files = images.ensure_images(provider="igdb", kind="cover", path="co1wyy")
    # Then the original was fetched from the t_original path and cut to the cover widths
    assert len(fake.requests_to("/igdb/image/upload/t_original/co1wyy.jpg")) == 1
    assert widths(files)["lg"] == (780, 1170)
    assert files["lg"].is_relative_to(settings.data_dir / "images" / "igdb" / "cover")


def test_concurrent_callers_share_one_fetch(fake, settings):
    # Given eight threads asking for the same cold (and slow) poster at once
    barrier = threading.Barrier(8)
    results: list[dict[str, Path]] = []

    def ask() -> None:
        barrier.wait()
        results.append(images.ensure_images(provider="tmdb", kind="poster", path="/slow-poster.jpg"))

    errors = run_side_by_side(*[ask] * 8, timeout=30)
    # Then all of them got the files, from one download
    assert errors == []
    assert len(results) == 8 and all(result == results[0] for result in results)
    assert len(fake.requests_to("/t/p/original/slow-poster.jpg")) == 1


# -- refusals and upstream faults ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "kind", "path"),
    [
        ("tmdb", "poster", "../../etc/passwd"),
        ("tmdb", "poster", "/../../etc/passwd.jpg"),
        ("tmdb", "poster", "/a/b.jpg"),
        ("tmdb", "poster", "/x.jpg\n"),
        ("tmdb", "poster", "/x.gif"),
        ("tmdb", "poster", "https://evil.example/x.jpg"),
        ("tmdb", "poster", "/" + "a" * 81 + ".jpg"),
        ("igdb", "cover", "CO1WYY"),
        ("igdb", "cover", "co1wyy.jpg"),
        ("igdb", "cover", "../co1"),
        ("demo", "poster", "demo/../secret"),
        ("demo", "poster", "dune"),
        ("web", "poster", "/x.jpg"),
        ("tmdb", "banner", "/x.jpg"),
    ],
)
def test_sources_off_the_tables_are_not_found_without_any_request(fake, settings, provider, kind, path):
    # When a source off the tables or patterns is asked for
    with pytest.raises(images.ImageNotFound):
        images.ensure_images(provider=provider, kind=kind, path=path)
    # Then nothing was fetched and nothing written
    assert fake.requests == []
    assert stored_files(settings) == []


def test_an_upstream_404_is_not_found(fake, settings):
    with pytest.raises(images.ImageNotFound):
        images.ensure_images(provider="tmdb", kind="poster", path="/missing-poster.jpg")
    assert stored_files(settings) == []


@pytest.mark.parametrize("name", ["/notimage.jpg", "/wrongtype.jpg"])
def test_a_body_that_is_not_an_image_is_unavailable(fake, settings, name):
    # Given an answer that is not an image (garbage labelled image/jpeg, or an HTML page)
    with pytest.raises(images.ImageUnavailable, match="not an image"):
        images.ensure_images(provider="tmdb", kind="poster", path=name)
    # Then nothing is stored
    assert stored_files(settings) == []


def test_an_oversized_body_is_cut_off(fake, settings):
    # Given a 20 MB chunked body with no Content-Length
    with pytest.raises(images.ImageUnavailable, match="too large"):
        images.ensure_images(provider="tmdb", kind="poster", path="/huge-poster.jpg")
    assert stored_files(settings) == []


def test_an_image_with_too_many_pixels_is_refused_before_decoding(fake, settings, monkeypatch):
    # Given a pixel budget smaller than the 1000x1500 original
    monkeypatch.setattr(images, "MAX_PIXELS", 1000 * 1500 - 1)
    with pytest.raises(images.ImageUnavailable, match="too many pixels"):
        images.ensure_images(provider="tmdb", kind="poster", path=POSTER)


def test_an_upstream_5xx_is_unavailable_and_the_next_call_retries(fake, settings):
    # Given a CDN failing once
    fake.fail_next(POSTER_URL_PATH, status=503)
    with pytest.raises(images.ImageUnavailable, match="503"):
        images.ensure_images(provider="tmdb", kind="poster", path=POSTER)
    # When asked again after it recovered
    files = images.ensure_images(provider="tmdb", kind="poster", path=POSTER)
    # Then the failure was not remembered
    assert all(file.is_file() for file in files.values())
    assert len(fake.requests_to(POSTER_URL_PATH)) == 2


def test_an_unreachable_upstream_is_unavailable(settings, monkeypatch):
    # Given a CDN address nobody listens on
    monkeypatch.setenv("SEEN_TMDB_IMAGE_BASE_URL", f"http://127.0.0.1:{free_port()}/t/p")
    reset_settings()
    with pytest.raises(images.ImageUnavailable, match="unreachable"):
        images.ensure_images(provider="tmdb", kind="poster", path=POSTER)


def test_a_slow_upstream_times_out(fake, settings, monkeypatch):
    # Given a read timeout shorter than the CDN takes to answer
    monkeypatch.setattr(images, "TIMEOUT", httpx.Timeout(0.1, connect=5.0))
    monkeypatch.setattr(images, "_client", None)  # restored afterwards, so later tests get the real timeouts
    try:
        with pytest.raises(images.ImageUnavailable, match="timed out"):
            images.ensure_images(provider="tmdb", kind="poster", path="/slow-timeout.jpg")
    finally:
        if images._client is not None:
            images._client.close()


# -- the demo catalogue --------------------------------------------------------------------------------------------


@pytest.fixture
def demo_art(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """`seen.providers.demo_art` held to its contract: render(kind, slug) -> PIL image, KeyError when unknown."""
    calls: list[tuple[str, str]] = []

    def render(kind: str, slug: str) -> Image.Image:
        calls.append((kind, slug))
        if slug != "dune":
            raise KeyError(slug)
        return Image.new("RGB", (600, 900) if kind in {"poster", "cover", "profile"} else (1600, 900), "teal")

    monkeypatch.setitem(sys.modules, "seen.providers.demo_art", types.SimpleNamespace(render=render))
    return calls


def test_demo_art_is_rendered_locally_and_stored(fake, settings, demo_art):
    # When a demo poster and a demo screenshot are ensured
    poster = images.ensure_images(provider="demo", kind="poster", path="demo/dune")
    screenshot = images.ensure_images(provider="demo", kind="screenshot", path="demo/dune")
    # Then they were drawn, not fetched (a screenshot is drawn as a backdrop), never upscaled
    assert demo_art == [("poster", "dune"), ("backdrop", "dune")]
    assert fake.requests == []
    assert widths(poster) == {"sm": (185, 278), "md": (342, 513), "lg": (600, 900)}
    assert widths(screenshot)["lg"] == (1280, 720)


def test_an_unknown_demo_slug_is_not_found(settings, demo_art):
    with pytest.raises(images.ImageNotFound):
        images.ensure_images(provider="demo", kind="poster", path="demo/no-such-film")


# -- URLs ----------------------------------------------------------------------------------------------------------


def test_image_url_is_deterministic_and_round_trips():
    # Then each provider's path becomes one plain URL segment...
    assert images.image_url("tmdb", "poster", POSTER) == "/api/v1/images/tmdb/poster/md/kqjL17yufvn9OVLyXYpvtyrFfak.jpg"
    assert images.image_url("igdb", "cover", "co1wyy", "lg") == "/api/v1/images/igdb/cover/lg/co1wyy"
    assert images.image_url("demo", "backdrop", "demo/dune", "sm") == "/api/v1/images/demo/backdrop/sm/dune"
    assert images.image_url("tmdb", "poster", POSTER) == images.image_url("tmdb", "poster", POSTER)
    # ... that the route reads back as the same source
    provider, kind, size, name = images.image_url("demo", "backdrop", "demo/dune", "sm").split("/")[-4:]
    assert images.source_from_url(provider=provider, kind=kind, size=size, name=name) == images.ImageSource(
        "demo", "backdrop", "demo/dune"
    )


def test_image_url_is_none_when_there_is_nothing_to_show():
    assert images.image_url("tmdb", "poster", None) is None
    assert images.image_url(None, "poster", POSTER) is None
    assert images.image_url("tmdb", "poster", "") is None
    # A path the route would refuse gives the placeholder, not a broken image
    assert images.image_url("tmdb", "poster", "/../x.jpg") is None
    assert images.image_url("web", "poster", POSTER) is None


def test_image_url_falls_back_to_the_largest_size_a_kind_has():
    assert images.image_url("tmdb", "still", "/s.jpg", "lg") == "/api/v1/images/tmdb/still/md/s.jpg"
    assert images.image_url("tmdb", "profile", "/p.jpg", "lg") == "/api/v1/images/tmdb/profile/md/p.jpg"


def test_image_url_rejects_unknown_kinds_and_sizes():
    with pytest.raises(ValueError, match="kind"):
        images.image_url("tmdb", "banner", POSTER)
    with pytest.raises(ValueError, match="size"):
        images.image_url("tmdb", "poster", POSTER, "xl")


def test_the_url_prefix_is_where_the_router_is_mounted():
    from seen.api import API_PREFIX
    from seen.api.images import router

    assert API_PREFIX + router.prefix == images.URL_PREFIX


# -- jobs ----------------------------------------------------------------------------------------------------------


def test_prefetch_stores_what_it_can_and_counts_the_rest(fake, settings):
    # Given a batch with a good poster, a stored one, a missing one, a refused one and a broken one
    images.ensure_images(provider="igdb", kind="cover", path="co1wyy")
    items = [
        ("tmdb", "poster", POSTER),
        ("igdb", "cover", "co1wyy"),
        ("tmdb", "poster", "/missing.jpg"),
        ("tmdb", "poster", "../etc/passwd"),
        ("tmdb", "backdrop", "/notimage.jpg"),
    ]
    # When it is prefetched
    report = images.prefetch(items=items)
    # Then one bad item did not stop the others
    assert report == images.PrefetchReport(ready=2, missing=2, failed=1)
    assert len(fake.requests_to("/igdb/image/upload/t_original/co1wyy.jpg")) == 1
    assert all(
        file.is_file()
        for file in images.source_for(provider="tmdb", kind="poster", path=POSTER).files(settings).values()
    )


def test_queue_prefetch_enqueues_only_what_is_missing(fake, settings, monkeypatch):
    # Given one poster stored already
    images.ensure_images(provider="tmdb", kind="poster", path=POSTER)
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr("seen.jobs.enqueue", lambda name, **kwargs: sent.append((name, kwargs)))
    # When a page's artwork is queued
    count = images.queue_prefetch(
        items=[
            ("tmdb", "poster", POSTER),
            ("tmdb", "backdrop", "/b.jpg"),
            ("tmdb", "backdrop", "/b.jpg"),
            ("tmdb", "poster", None),
            (None, "poster", "/x.jpg"),
            ("tmdb", "poster", "/../x.jpg"),
            ("igdb", "cover", "co1wyy"),
        ]
    )
    # Then one message carries the two missing sources, once each
    assert count == 2
    assert sent == [("images.prefetch", {"items": [["tmdb", "backdrop", "/b.jpg"], ["igdb", "cover", "co1wyy"]]})]


def test_the_prefetch_actor_stores_images_and_raises_for_a_retry_on_failure(fake, settings):
    from workers.tasks import prefetch_images

    # When the actor runs with a good item (as JSON lists, the way messages carry them)
    prefetch_images([["tmdb", "poster", POSTER]])
    assert len(fake.requests_to(POSTER_URL_PATH)) == 1
    # Then a second run skips it, and an upstream failure raises so dramatiq retries the message
    fake.fail_next("/t/p/original/other.jpg", status=503)
    with pytest.raises(images.ImageUnavailable):
        prefetch_images([["tmdb", "poster", POSTER], ["tmdb", "poster", "/other.jpg"]])
    assert len(fake.requests_to(POSTER_URL_PATH)) == 1
    assert prefetch_images.actor_name == "images.prefetch"
    assert prefetch_images.queue_name == "images"
