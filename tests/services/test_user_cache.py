"""Per-user cached views are dropped by the changes the cache contract names, and only once they commit."""

from __future__ import annotations

import dataclasses

from sqlmodel import Session

from seen import cache
from seen.services import user_cache
from seen.services.auth import create_user


def _fill(user_id) -> list[str]:
    names = [
        user_cache.dashboard_key(user_id),
        user_cache.continue_watching_key(user_id),
        user_cache.recommendations_key(user_id),
    ]
    for name in names:
        cache.get_cache().set_json(name, {"cached": True}, 60)
    return names


def _present(names: list[str]) -> list[bool]:
    return [cache.get_cache().get_json(name) is not None for name in names]


def test_watch_later_change_drops_dashboard_and_recommendations_after_commit(session: Session):
    user = create_user(session=session, email="ada@example.com", password="correct horse 1", display_name="Ada")
    session.commit()
    names = _fill(user.id)
    user_cache.after_watch_later_change(session, user.id)
    assert _present(names) == [True, True, True]  # not before the commit
    session.commit()
    assert _present(names) == [False, True, False]


def test_progress_change_drops_continue_watching_and_dashboard(session: Session):
    user = create_user(session=session, email="ada@example.com", password="correct horse 1", display_name="Ada")
    session.commit()
    names = _fill(user.id)
    user_cache.after_progress_change(session, user.id)
    session.commit()
    assert _present(names) == [False, False, True]


def test_a_rolled_back_change_drops_nothing(session: Session):
    user = create_user(session=session, email="ada@example.com", password="correct horse 1", display_name="Ada")
    session.commit()
    names = _fill(user.id)
    session.connection()  # the change happens inside a transaction
    user_cache.after_history_change(session, user.id)
    session.rollback()
    session.commit()
    assert _present(names) == [True, True, True]


def test_cached_builds_once_until_dropped(session: Session):
    calls: list[int] = []

    def build() -> list[int]:
        calls.append(1)
        return [len(calls)]

    first = user_cache.cached("seen:v1:test-cached", 60, build, list[int])
    again = user_cache.cached("seen:v1:test-cached", 60, build, list[int])
    assert first == again == [1] and len(calls) == 1


@dataclasses.dataclass(frozen=True)
class Inner:
    value: int


@dataclasses.dataclass(frozen=True)
class Outer:
    one: Inner | None
    many: list[Inner]
    by_name: dict[str, Inner]
    pair: tuple[int, ...]


def test_revive_rebuilds_nested_dataclasses_from_json():
    original = Outer(Inner(1), [Inner(2)], {"x": Inner(3)}, (4, 5))
    assert user_cache.revive(Outer, user_cache.as_json(original)) == original
    assert user_cache.revive(Outer, {**user_cache.as_json(original), "one": None}).one is None
