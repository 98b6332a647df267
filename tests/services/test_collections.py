"""Collections on SQLite and PostgreSQL: named, ordered lists of any titles, each user's own, shared read-only
by an unguessable link that stops working when sharing stops."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from seen import cache
from seen.models.tracking import CollectionItem
from seen.providers.models import ExternalIds, MediaSummary
from seen.services import catalogue, collections, user_cache
from seen.services.errors import Conflict, InvalidInput, NotFound
from tests.services.test_tracking import make_users


@pytest.fixture
def users(session: Session):
    return make_users(session)


@pytest.fixture
def titles(session: Session) -> dict[str, int]:
    """Five movies, a show and a game, each with a poster."""

    def store(kind: str, ids: ExternalIds, title: str) -> int:
        summary = MediaSummary(kind=kind, ids=ids, title=title, poster_path=f"/{title.lower().replace(' ', '-')}.jpg")
        return catalogue.store_summary(session=session, summary=summary).id

    found = {
        "matrix": store("movie", ExternalIds(tmdb=603), "The Matrix"),
        "heat": store("movie", ExternalIds(tmdb=949), "Heat"),
        "alien": store("movie", ExternalIds(tmdb=348), "Alien"),
        "ronin": store("movie", ExternalIds(tmdb=8195), "Ronin"),
        "drive": store("movie", ExternalIds(tmdb=64690), "Drive"),
        "wire": store("show", ExternalIds(tmdb=1438), "The Wire"),
        "hades": store("game", ExternalIds(igdb=113112), "Hades"),
    }
    session.commit()
    return found


def test_a_collection_holds_any_titles_in_order(session: Session, users, titles):
    ada, _ = users
    # Given a new collection
    created = collections.create_collection(
        session=session, user_id=ada, name="  Night   watch  ", description=" Late films "
    )
    assert (created.name, created.description, created.item_count, created.shared) == (
        "Night watch",
        "Late films",
        0,
        False,
    )
    # When a movie, a show and a game go in (one of them twice)
    for name in ("heat", "wire", "hades"):
        assert collections.add_to_collection(
            session=session, user_id=ada, collection_id=created.id, media_id=titles[name]
        )
    assert not collections.add_to_collection(
        session=session, user_id=ada, collection_id=created.id, media_id=titles["heat"]
    )
    session.commit()
    # Then the page lists them once each, in the order they were added, with their kinds
    page = collections.collection(session=session, user_id=ada, collection_id=created.id)
    assert [(entry.media.title, entry.media.type) for entry in page.items] == [
        ("Heat", "movie"),
        ("The Wire", "show"),
        ("Hades", "game"),
    ]
    assert page.total == 3 and page.collection.item_count == 3
    # And a page of it holds only what was asked for
    second = collections.collection(session=session, user_id=ada, collection_id=created.id, offset=1, limit=1)
    assert [entry.media.title for entry in second.items] == ["The Wire"] and second.total == 3


def test_reorder_needs_the_exact_set_and_remove_takes_one_out(session: Session, users, titles):
    ada, _ = users
    box = collections.create_collection(session=session, user_id=ada, name="Heist")
    for name in ("heat", "ronin", "drive"):
        collections.add_to_collection(session=session, user_id=ada, collection_id=box.id, media_id=titles[name])
    session.commit()
    # When the titles are put in a new order
    new_order = [titles["drive"], titles["heat"], titles["ronin"]]
    collections.reorder_collection(session=session, user_id=ada, collection_id=box.id, media_ids=new_order)
    session.commit()
    page = collections.collection(session=session, user_id=ada, collection_id=box.id)
    assert [entry.media.id for entry in page.items] == new_order
    assert [entry.position for entry in page.items] == [1, 2, 3]
    # Then an order missing a title, repeating one or naming a stranger is refused
    for wrong in (new_order[:2], [*new_order, titles["heat"]], [*new_order[:2], titles["alien"]]):
        with pytest.raises(InvalidInput, match="exactly once"):
            collections.reorder_collection(session=session, user_id=ada, collection_id=box.id, media_ids=wrong)
    # When one title is removed, the others keep their order; removing it again is not found
    collections.remove_from_collection(session=session, user_id=ada, collection_id=box.id, media_id=titles["heat"])
    session.commit()
    page = collections.collection(session=session, user_id=ada, collection_id=box.id)
    assert [entry.media.id for entry in page.items] == [titles["drive"], titles["ronin"]]
    with pytest.raises(NotFound):
        collections.remove_from_collection(session=session, user_id=ada, collection_id=box.id, media_id=titles["heat"])


def test_names_are_checked_and_unique_per_user_whatever_the_case(session: Session, users):
    ada, bob = users
    collections.create_collection(session=session, user_id=ada, name="Favourites")
    session.commit()
    # Then the same name in another case is a conflict for Ada, but fine for Bob
    with pytest.raises(Conflict, match="already have a collection named"):
        collections.create_collection(session=session, user_id=ada, name="  FAVOURITES ")
    assert collections.create_collection(session=session, user_id=bob, name="favourites").name == "favourites"
    # And empty, too long names and descriptions are refused with their limits
    with pytest.raises(InvalidInput, match="needs a name"):
        collections.create_collection(session=session, user_id=ada, name="   ")
    with pytest.raises(InvalidInput, match="120"):
        collections.create_collection(session=session, user_id=ada, name="x" * 121)
    assert len(collections.create_collection(session=session, user_id=ada, name="y" * 120).name) == 120
    with pytest.raises(InvalidInput, match="2000"):
        collections.create_collection(session=session, user_id=ada, name="Long", description="d" * 2001)


def test_rename_describe_and_delete(session: Session, users, titles):
    ada, _ = users
    first = collections.create_collection(session=session, user_id=ada, name="Sci-fi")
    other = collections.create_collection(session=session, user_id=ada, name="Crime")
    collections.add_to_collection(session=session, user_id=ada, collection_id=first.id, media_id=titles["alien"])
    session.commit()
    # When it is renamed (its own name in another case is allowed) and described
    renamed = collections.update_collection(session=session, user_id=ada, collection_id=first.id, name="SCI-FI")
    described = collections.update_collection(
        session=session, user_id=ada, collection_id=first.id, description="Space and such"
    )
    assert (renamed.name, described.name, described.description) == ("SCI-FI", "SCI-FI", "Space and such")
    # Then taking another collection's name is a conflict
    with pytest.raises(Conflict):
        collections.update_collection(session=session, user_id=ada, collection_id=first.id, name="crime")
    session.rollback()
    # When it is deleted, its items go with it and it is not found any more
    collections.delete_collection(session=session, user_id=ada, collection_id=first.id)
    session.commit()
    assert session.exec(select(CollectionItem).where(CollectionItem.collection_id == first.id)).all() == []
    assert [entry.id for entry in collections.list_collections(session=session, user_id=ada)] == [other.id]
    with pytest.raises(NotFound):
        collections.collection(session=session, user_id=ada, collection_id=first.id)


def test_the_list_has_counts_covers_and_the_latest_change_first(session: Session, users, titles):
    ada, _ = users
    big = collections.create_collection(session=session, user_id=ada, name="Big")
    small = collections.create_collection(session=session, user_id=ada, name="Small")
    empty = collections.create_collection(session=session, user_id=ada, name="Empty")
    for name in ("matrix", "heat", "alien", "ronin", "drive"):
        collections.add_to_collection(session=session, user_id=ada, collection_id=big.id, media_id=titles[name])
    collections.add_to_collection(session=session, user_id=ada, collection_id=small.id, media_id=titles["wire"])
    session.commit()
    # Then the last one changed comes first, with its item count and up to four posters of its first titles
    listed = collections.list_collections(session=session, user_id=ada)
    assert [entry.name for entry in listed] == ["Small", "Big", "Empty"]
    by_name = {entry.name: entry for entry in listed}
    assert by_name["Big"].item_count == 5 and len(by_name["Big"].cover_urls) == 4
    assert "the-matrix" in by_name["Big"].cover_urls[0] and "ronin" in by_name["Big"].cover_urls[3]
    assert by_name["Small"].item_count == 1 and len(by_name["Small"].cover_urls) == 1
    assert by_name["Empty"].cover_urls == [] and by_name["Empty"].href == f"/app/collections/{empty.id}"
    # When the oldest one is renamed, it moves to the top
    collections.update_collection(session=session, user_id=ada, collection_id=empty.id, name="Soon")
    session.commit()
    assert collections.list_collections(session=session, user_id=ada)[0].name == "Soon"


def test_unknown_titles_are_invalid_and_the_picker_knows_where_a_title_is(session: Session, users, titles):
    ada, bob = users
    mine = collections.create_collection(session=session, user_id=ada, name="Mine")
    also = collections.create_collection(session=session, user_id=ada, name="Also")
    bobs = collections.create_collection(session=session, user_id=bob, name="Bob's")
    for box, user in ((mine, ada), (also, ada), (bobs, bob)):
        collections.add_to_collection(session=session, user_id=user, collection_id=box.id, media_id=titles["heat"])
    session.commit()
    with pytest.raises(InvalidInput, match="unknown media id"):
        collections.add_to_collection(session=session, user_id=ada, collection_id=mine.id, media_id=987654)
    # Then the picker lists only Ada's collections holding the title
    assert collections.collections_containing(session=session, user_id=ada, media_id=titles["heat"]) == {
        mine.id,
        also.id,
    }
    assert collections.collections_containing(session=session, user_id=ada, media_id=titles["alien"]) == set()


def test_another_users_collection_is_not_found(session: Session, users, titles):
    ada, bob = users
    adas = collections.create_collection(session=session, user_id=ada, name="Private")
    collections.add_to_collection(session=session, user_id=ada, collection_id=adas.id, media_id=titles["heat"])
    session.commit()
    arguments = {"session": session, "user_id": bob, "collection_id": adas.id}
    attempts = [
        lambda: collections.collection(**arguments),
        lambda: collections.update_collection(**arguments, name="Mine now"),
        lambda: collections.add_to_collection(**arguments, media_id=titles["alien"]),
        lambda: collections.remove_from_collection(**arguments, media_id=titles["heat"]),
        lambda: collections.reorder_collection(**arguments, media_ids=[titles["heat"]]),
        lambda: collections.set_shared(**arguments, shared=True),
        lambda: collections.delete_collection(**arguments),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    session.rollback()
    # And Ada's collection is untouched
    page = collections.collection(session=session, user_id=ada, collection_id=adas.id)
    assert (page.collection.name, page.collection.shared, page.total) == ("Private", False, 1)
    assert collections.list_collections(session=session, user_id=bob) == []


def test_sharing_by_link_and_withdrawing_it(session: Session, users, titles):
    ada, _ = users
    box = collections.create_collection(session=session, user_id=ada, name="To share", description="Good ones")
    collections.add_to_collection(session=session, user_id=ada, collection_id=box.id, media_id=titles["alien"])
    collections.add_to_collection(session=session, user_id=ada, collection_id=box.id, media_id=titles["hades"])
    session.commit()
    # When Ada shares it, the link is long and random, and sharing again keeps the same link
    token = collections.set_shared(session=session, user_id=ada, collection_id=box.id, shared=True)
    session.commit()
    assert token is not None and len(token) >= 40
    assert collections.set_shared(session=session, user_id=ada, collection_id=box.id, shared=True) == token
    summary = collections.list_collections(session=session, user_id=ada)[0]
    assert summary.shared and summary.share_path == f"/shared/collections/{token}"
    # Then anyone with the token reads it, with the owner's display name and the titles in order
    shared = collections.shared_collection(session=session, token=token)
    assert (shared.name, shared.description, shared.owner_name, shared.total) == ("To share", "Good ones", "Ada", 2)
    assert [card.title for card in shared.items] == ["Alien", "Hades"]
    # And a wrong token is not found
    with pytest.raises(NotFound):
        collections.shared_collection(session=session, token=token[:-2] + "xx")
    with pytest.raises(NotFound):
        collections.shared_collection(session=session, token="")
    # When sharing stops, the old link is dead, and sharing again gives a new one
    assert collections.set_shared(session=session, user_id=ada, collection_id=box.id, shared=False) is None
    session.commit()
    with pytest.raises(NotFound):
        collections.shared_collection(session=session, token=token)
    again = collections.set_shared(session=session, user_id=ada, collection_id=box.id, shared=True)
    session.commit()
    assert again and again != token
    assert collections.shared_collection(session=session, token=again).total == 2


def test_every_change_drops_the_dashboard_after_commit(session: Session, users, titles):
    ada, _ = users
    store = cache.get_cache()
    box = collections.create_collection(session=session, user_id=ada, name="Cached")
    session.commit()
    changes = [
        lambda: collections.add_to_collection(
            session=session, user_id=ada, collection_id=box.id, media_id=titles["heat"]
        ),
        lambda: collections.update_collection(session=session, user_id=ada, collection_id=box.id, name="Renamed"),
        lambda: collections.set_shared(session=session, user_id=ada, collection_id=box.id, shared=True),
        lambda: collections.reorder_collection(
            session=session, user_id=ada, collection_id=box.id, media_ids=[titles["heat"]]
        ),
        lambda: collections.remove_from_collection(
            session=session, user_id=ada, collection_id=box.id, media_id=titles["heat"]
        ),
        lambda: collections.delete_collection(session=session, user_id=ada, collection_id=box.id),
    ]
    for change in changes:
        # Given a cached dashboard and an older "last changed" time
        store.set_json(user_cache.dashboard_key(ada), {"stale": True}, 60)
        before = [entry.updated_at for entry in collections.list_collections(session=session, user_id=ada)]
        change()
        # Then the cache keeps it until the change is committed, and drops it then
        assert store.get_json(user_cache.dashboard_key(ada)) == {"stale": True}
        session.commit()
        assert store.get_json(user_cache.dashboard_key(ada)) is None
        after = [entry.updated_at for entry in collections.list_collections(session=session, user_id=ada)]
        assert after == [] or after[0] > before[0]
