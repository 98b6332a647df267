"""Admin settings are read through the shared cache: a change is seen by every session once committed, its own
session sees it at once, and a change rolled back is never seen."""

from __future__ import annotations

from sqlmodel import Session

from seen import db
from seen.services import app_settings


def _region(session: Session) -> str:
    return app_settings.provider_settings(session=session).tmdb_region


def test_a_committed_change_is_read_by_other_sessions_at_once(session: Session):
    # Given the region read once (so it sits in the cache) by another session
    with Session(db.get_engine()) as other:
        before = _region(other)
    # When an admin changes it and commits
    app_settings.set_provider_settings(session=session, values={"tmdb_region": "GB" if before != "GB" else "FR"})
    session.commit()
    # Then a new session reads the new value, not the cached one
    with Session(db.get_engine()) as other:
        assert _region(other) != before
        assert _region(other) == ("GB" if before != "GB" else "FR")


def test_a_change_is_seen_by_its_own_session_before_commit_and_by_nobody_after_a_rollback(session: Session):
    # Given the registration flag cached as open
    with Session(db.get_engine()) as other:
        assert app_settings.registration_open(session=other) is True
    # When a session closes registration without committing
    app_settings.set_registration_open(session=session, is_open=False)
    session.flush()
    # Then that session reads its own change, and others still read the committed value
    assert app_settings.registration_open(session=session) is False
    with Session(db.get_engine()) as other:
        assert app_settings.registration_open(session=other) is True
    # And after a rollback nobody reads the change, not even from the cache
    session.rollback()
    assert app_settings.registration_open(session=session) is True
    with Session(db.get_engine()) as other:
        assert app_settings.registration_open(session=other) is True
