"""GET /api/v1/images/... through the real app over HTTP, with the fake CDNs behind it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from io import BytesIO

import httpx
import pytest
from PIL import Image

from seen.services.images import image_url
from tests.fakes.provider_server import FakeUrls, ProviderFake, serve

POSTER = "/kqjL17yufvn9OVLyXYpvtyrFfak.jpg"
POSTER_URL_PATH = f"/t/p/original{POSTER}"
CACHE_FOREVER = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def provider_server() -> Iterator[tuple[ProviderFake, FakeUrls]]:
    fake = ProviderFake(fixtures=None, corpora=False)
    with serve(fake) as urls:
        yield fake, urls


@pytest.fixture
def fake(provider_server: tuple[ProviderFake, FakeUrls], backend, settings_env) -> ProviderFake:
    """The fake CDNs, clean, with the app (and its fresh data dir from `backend`) pointed at them."""
    fake, urls = provider_server
    fake.reset()
    settings_env(TMDB_IMAGE_BASE_URL=urls.tmdb_images, IGDB_IMAGE_BASE_URL=urls.igdb_images)
    return fake


def test_a_poster_is_served_as_webp_with_long_cache_headers(client, fake):
    # Given no login at all (an <img> tag sends no bearer token)
    # When the URL the UI would render is fetched
    response = client.get(image_url("tmdb", "poster", POSTER, "md"))
    # Then it is a WebP at the medium poster width, cacheable for a year
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["cache-control"] == CACHE_FOREVER
    assert response.headers["etag"].startswith('"')
    with Image.open(BytesIO(response.content)) as image:
        assert (image.format, image.size) == ("WEBP", (342, 513))


def test_every_size_comes_from_one_fetch_and_revalidates_with_304(client, fake):
    # Given the small size was served once
    first = client.get(image_url("igdb", "cover", "co1wyy", "sm"))
    assert first.status_code == 200
    # When the other sizes are asked for, and the small one again with its ETag
    large = client.get(image_url("igdb", "cover", "co1wyy", "lg"))
    again = client.get(image_url("igdb", "cover", "co1wyy", "sm"), headers={"If-None-Match": first.headers["etag"]})
    # Then the CDN was called once, and the revalidation costs no body
    assert large.status_code == 200
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["cache-control"] == CACHE_FOREVER
    assert len(fake.requests_to("/igdb/image/upload/t_original/co1wyy.jpg")) == 1


def test_head_answers_headers_only(client, fake):
    response = client.head(image_url("tmdb", "backdrop", "/wide.jpg", "lg"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/webp"
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""


def test_concurrent_requests_for_one_image_fetch_it_once(client, fake, api_base_url):
    # Given eight clients asking for the same cold, slow poster at once
    url = api_base_url + image_url("tmdb", "poster", "/slow-poster.jpg", "lg")
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def ask() -> None:
        barrier.wait()
        statuses.append(httpx.get(url, timeout=20).status_code)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # Then all were served, from one upstream download
    assert statuses == [200] * 8
    assert len(fake.requests_to("/t/p/original/slow-poster.jpg")) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/images/tmdb/poster/md/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/v1/images/tmdb/poster/md/%2E%2E",
        "/api/v1/images/tmdb/poster/md/x.jpg%0A",
        "/api/v1/images/tmdb/poster/md/x.exe",
        "/api/v1/images/tmdb/poster/md/http:%2F%2Fevil.example%2Fx.jpg",
        "/api/v1/images/tmdb/poster/md/a/b.jpg",
        "/api/v1/images/tmdb/poster/xl/x.jpg",
        "/api/v1/images/tmdb/still/lg/x.jpg",
        "/api/v1/images/tmdb/banner/md/x.jpg",
        "/api/v1/images/web/poster/md/x.jpg",
        "/api/v1/images/igdb/cover/md/CO1WYY",
        "/api/v1/images/demo/poster/md/..",
    ],
)
def test_junk_and_traversal_are_404_without_touching_the_cdn(client, fake, path):
    # When a URL off the tables is requested (sent raw, as an attacker would)
    response = client.get(path)
    # Then it is a JSON 404 and the CDN never heard of it
    assert response.status_code == 404
    assert response.json()["error"]["code"] in {"image_not_found", "not_found"}
    assert fake.requests == []


def test_an_image_the_cdn_lacks_is_404(client, fake):
    response = client.get(image_url("tmdb", "poster", "/missing-poster.jpg"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "image_not_found"


@pytest.mark.parametrize(
    ("name", "message"),
    [("/notimage.jpg", "not an image"), ("/huge-poster.jpg", "too large")],
)
def test_an_unusable_answer_is_502_and_not_cached(client, fake, name, message):
    response = client.get(image_url("tmdb", "poster", name))
    assert response.status_code == 502
    assert response.headers["cache-control"] == "no-store"
    assert message in response.json()["error"]["message"]


def test_a_failing_cdn_is_502_and_the_next_request_succeeds(client, fake):
    # Given the CDN failing once
    fake.fail_next(POSTER_URL_PATH, status=503)
    failed = client.get(image_url("tmdb", "poster", POSTER))
    # When asked again
    served = client.get(image_url("tmdb", "poster", POSTER))
    # Then the failure was a no-store 502 and the retry was served
    assert failed.status_code == 502
    assert failed.headers["cache-control"] == "no-store"
    assert failed.json()["error"]["code"] == "image_unavailable"
    assert served.status_code == 200


def test_the_route_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/images/{provider}/{kind}/{size}/{name}" in paths
