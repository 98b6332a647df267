"""The caller's dashboard (every home-page widget in one read) and their viewing statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from seen.api.deps import CurrentCaller, in_session
from seen.services import dashboard, stats
from seen.services.dashboard import Dashboard
from seen.services.stats import Stats

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard", response_model=Dashboard)
async def my_dashboard(caller: CurrentCaller) -> Dashboard:
    return await in_session(lambda db: dashboard.dashboard(session=db, user_id=caller.user.id))


@router.get("/stats", response_model=Stats)
async def my_stats(
    caller: CurrentCaller,
    months: Annotated[int, Query(ge=1, le=stats.MAX_MONTHS, description="calendar months shown, this one last")] = 12,
) -> Stats:
    return await in_session(lambda db: stats.stats(session=db, user_id=caller.user.id, months=months))
