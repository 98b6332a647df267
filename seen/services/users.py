"""What admins do to accounts: list, create, change roles, disable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from seen.models.base import utcnow
from seen.models.users import Role, User
from seen.services import auth
from seen.services.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class UserPage:
    items: list[User]
    total: int


def list_users(*, session: Session, page: int, page_size: int, query: str = "") -> UserPage:
    statement = select(User)
    count = select(func.count()).select_from(User)
    if query:
        pattern = f"%{query.strip().lower()}%"
        condition = or_(col(User.email).like(pattern), func.lower(User.display_name).like(pattern))
        statement = statement.where(condition)
        count = count.where(condition)
    rows = session.exec(
        statement.order_by(col(User.created_at), col(User.email)).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return UserPage(items=list(rows), total=session.exec(count).one())


def _active_admin_count(*, session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, col(User.is_disabled).is_(False))
    ).one()


def update_user(
    *,
    session: Session,
    actor: User,
    user_id: uuid.UUID,
    role: str | None = None,
    is_disabled: bool | None = None,
) -> User:
    """Change a user's role or disabled flag. The last active admin cannot be demoted or disabled."""
    user = auth.get_user(session=session, user_id=user_id)
    if role is not None and role not in set(Role):
        raise InvalidInput("Role must be user or admin.")
    loses_admin = (
        user.role == Role.ADMIN
        and not user.is_disabled
        and ((role is not None and role != Role.ADMIN) or is_disabled is True)
    )
    if loses_admin and _active_admin_count(session=session) <= 1:
        raise Conflict("This is the last admin; make another admin first.", code="last_admin")
    if is_disabled is True and user.id == actor.id:
        raise Conflict("You cannot disable your own account.", code="self_disable")
    if role is not None:
        user.role = role
    if is_disabled is not None and is_disabled != user.is_disabled:
        user.is_disabled = is_disabled
        if is_disabled:
            auth.revoke_all_sessions(session=session, user_id=user.id)
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return user
