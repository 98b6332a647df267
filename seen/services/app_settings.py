"""Settings admins change at run time, stored in the database over the environment's defaults."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from seen.config import get_settings
from seen.models.base import utcnow
from seen.models.system import AppSetting

REGISTRATION_OPEN = "registration_open"


def _stored(*, session: Session, key: str) -> Any | None:
    row = session.get(AppSetting, key)
    return None if row is None else row.value


def _store(*, session: Session, key: str, value: Any) -> None:
    row = session.get(AppSetting, key) or AppSetting(key=key, value=value)
    row.value = value
    row.updated_at = utcnow()
    session.add(row)


def registration_open(*, session: Session) -> bool:
    stored = _stored(session=session, key=REGISTRATION_OPEN)
    return get_settings().registration_open if stored is None else bool(stored)


def set_registration_open(*, session: Session, is_open: bool) -> None:
    _store(session=session, key=REGISTRATION_OPEN, value=bool(is_open))
