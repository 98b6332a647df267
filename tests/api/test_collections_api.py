"""Collections over real HTTP on both engines: each caller's own, another user's ids are 404, bad input is a
4xx with a message, and a shared link is read without logging in until sharing stops."""

from __future__ import annotations

import httpx
import pytest

from seen.db import session_scope
from seen.providers.models import ExternalIds, MediaSummary
from seen.services import catalogue
from tests.api.test_auth_api import assert_error, bearer, register


@pytest.fixture
def callers(client: httpx.Client) -> tuple[dict[str, str], dict[str, str]]:
    return bearer(register(client, "ada@example.com")), bearer(register(client, "bob@example.com"))


@pytest.fixture
def titles(backend) -> list[int]:
    with session_scope() as session:
        return [
            catalogue.store_summary(session=session, summary=MediaSummary(kind=kind, ids=ids, title=title)).id
            for kind, ids, title in (
                ("movie", ExternalIds(tmdb=603), "The Matrix"),
                ("show", ExternalIds(tmdb=1438), "The Wire"),
                ("game", ExternalIds(igdb=113112), "Hades"),
            )
        ]


def create(client: httpx.Client, headers: dict[str, str], name: str, **extra) -> dict:
    response = client.post("/api/v1/collections", json={"name": name, **extra}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_collection_round_trip(client: httpx.Client, callers, titles):
    ada, bob = callers
    # Given a collection with a movie, a show and a game
    box = create(client, ada, "Weekend", description="For rainy days")
    assert (box["name"], box["item_count"], box["shared"], box["share_path"]) == ("Weekend", 0, False, None)
    items = f"/api/v1/collections/{box['id']}/items"
    for media_id in titles:
        assert client.post(items, json={"media_id": media_id}, headers=ada).json() == {"added": True}
    again = client.post(items, json={"media_id": titles[0]}, headers=ada)
    assert again.status_code == 201 and again.json() == {"added": False}
    # When it is reordered and read a page at a time
    order = client.put(f"{items}/order", json={"media_ids": titles[::-1]}, headers=ada)
    assert order.status_code == 204
    page = client.get(f"/api/v1/collections/{box['id']}", params={"page": 1, "page_size": 2}, headers=ada).json()
    assert set(page) == {"collection", "items", "total", "page", "page_size"}
    assert [entry["media"]["title"] for entry in page["items"]] == ["Hades", "The Wire"] and page["total"] == 3
    assert page["collection"]["item_count"] == 3
    other = create(client, ada, "Other")
    assert client.get(f"/api/v1/media/{titles[0]}/collections", headers=ada).json() == {"collection_ids": [box["id"]]}
    assert client.get(f"/api/v1/media/{titles[0]}/collections", headers=bob).json() == {"collection_ids": []}
    client.delete(f"/api/v1/collections/{other['id']}", headers=ada)
    # When it is renamed, a title removed, it shows in the list with its new name and count
    renamed = client.patch(f"/api/v1/collections/{box['id']}", json={"name": "Rainy weekend"}, headers=ada)
    assert renamed.status_code == 200 and renamed.json()["description"] == "For rainy days"
    assert client.delete(f"{items}/{titles[1]}", headers=ada).status_code == 204
    assert_error(client.delete(f"{items}/{titles[1]}", headers=ada), 404, "not_found")
    listed = client.get("/api/v1/collections", headers=ada).json()
    assert [(entry["name"], entry["item_count"]) for entry in listed] == [("Rainy weekend", 2)]
    # When it is deleted, it is gone
    assert client.delete(f"/api/v1/collections/{box['id']}", headers=ada).status_code == 204
    assert_error(client.get(f"/api/v1/collections/{box['id']}", headers=ada), 404, "not_found")
    assert client.get("/api/v1/collections", headers=ada).json() == []


def test_bad_input_is_refused_with_a_message(client: httpx.Client, callers, titles):
    ada, _ = callers
    box = create(client, ada, "Classics")
    duplicate = client.post("/api/v1/collections", json={"name": "CLASSICS"}, headers=ada)
    assert "already have a collection" in assert_error(duplicate, 409, "duplicate_name")["message"]
    assert (
        "120"
        in assert_error(client.post("/api/v1/collections", json={"name": "x" * 121}, headers=ada), 422, "invalid")[
            "message"
        ]
    )
    assert_error(client.post("/api/v1/collections", json={"name": "  "}, headers=ada), 422, "invalid")
    assert_error(client.post("/api/v1/collections", json={}, headers=ada), 422, "invalid")
    items = f"/api/v1/collections/{box['id']}/items"
    unknown = client.post(items, json={"media_id": 999_999}, headers=ada)
    assert "unknown media id" in assert_error(unknown, 422, "invalid")["message"]
    client.post(items, json={"media_id": titles[0]}, headers=ada)
    partial = client.put(f"{items}/order", json={"media_ids": [titles[0], titles[1]]}, headers=ada)
    assert "exactly once" in assert_error(partial, 422, "invalid")["message"]
    assert_error(client.get("/api/v1/collections/abc", headers=ada), 422, "invalid")
    assert_error(client.get("/api/v1/collections", headers={}), 401, "not_authenticated")


def test_another_users_collection_is_404(client: httpx.Client, callers, titles):
    ada, bob = callers
    box = create(client, ada, "Ada's")
    base = f"/api/v1/collections/{box['id']}"
    client.post(f"{base}/items", json={"media_id": titles[0]}, headers=ada)
    for method, path, body in (
        ("GET", base, None),
        ("PATCH", base, {"name": "Bob's now"}),
        ("DELETE", base, None),
        ("POST", f"{base}/items", {"media_id": titles[1]}),
        ("DELETE", f"{base}/items/{titles[0]}", None),
        ("PUT", f"{base}/items/order", {"media_ids": [titles[0]]}),
        ("POST", f"{base}/share", None),
        ("DELETE", f"{base}/share", None),
    ):
        assert_error(client.request(method, path, json=body, headers=bob), 404, "not_found")
    # And Ada's collection is as she left it
    mine = client.get(base, headers=ada).json()
    assert (mine["collection"]["name"], mine["collection"]["shared"], mine["total"]) == ("Ada's", False, 1)


def test_a_shared_link_reads_without_login_until_sharing_stops(client: httpx.Client, callers, titles):
    ada, _ = callers
    box = create(client, ada, "Shared picks", description="Read only")
    client.post(f"/api/v1/collections/{box['id']}/items", json={"media_id": titles[2]}, headers=ada)
    # When Ada shares it
    shared = client.post(f"/api/v1/collections/{box['id']}/share", headers=ada)
    assert shared.status_code == 200
    link = shared.json()
    assert link["path"] == f"/shared/collections/{link['token']}" and link["url"].endswith(link["path"])
    assert client.post(f"/api/v1/collections/{box['id']}/share", headers=ada).json()["token"] == link["token"]
    # Then anyone reads it with no login at all, and cannot change it through the link
    anonymous = httpx.Client(base_url=str(client.base_url))
    public = anonymous.get(f"/api/v1/shared/collections/{link['token']}")
    assert public.status_code == 200
    body = public.json()
    assert (body["name"], body["description"], body["total"]) == ("Shared picks", "Read only", 1)
    assert [item["title"] for item in body["items"]] == ["Hades"] and body["owner_name"]
    assert "user_id" not in body and "token" not in body
    assert anonymous.delete(f"/api/v1/shared/collections/{link['token']}").status_code == 405
    assert_error(anonymous.get("/api/v1/shared/collections/not-a-real-token"), 404, "not_found")
    # When sharing stops, the link is dead
    assert client.delete(f"/api/v1/collections/{box['id']}/share", headers=ada).status_code == 204
    assert_error(anonymous.get(f"/api/v1/shared/collections/{link['token']}"), 404, "not_found")
    assert client.get(f"/api/v1/collections/{box['id']}", headers=ada).json()["collection"]["shared"] is False
    anonymous.close()
