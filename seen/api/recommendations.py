"""The caller's recommendations over REST: the scored list (by kind, paged), votes, the hidden list, a rescoring."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from seen.api.deps import CurrentCaller, in_session
from seen.api.tracking import MediaId
from seen.services import recommendations
from seen.services.recommendations import HiddenTitle, Recommendation

router = APIRouter(tags=["recommendations"])

Kind = Literal["movie", "show", "game"]
VoteValue = Literal["up", "down", "not_interested"]


class RecommendationList(BaseModel):
    items: list[Recommendation]
    total: int
    generated_at: str | None
    limit: int
    offset: int


class VoteIn(BaseModel):
    vote: VoteValue | None


class VoteOut(BaseModel):
    media_id: int
    vote: VoteValue | None


@router.get("/recommendations", response_model=RecommendationList)
async def list_recommendations(
    caller: CurrentCaller,
    kind: Annotated[Kind | None, Query(description="movie, show or game; all kinds when left out")] = None,
    limit: Annotated[int, Query(ge=1, le=recommendations.MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> RecommendationList:
    """Best first, each with up to three reasons ("Because you watched ...") and the caller's vote. A user
    with no history gets popular titles of each genre; the list is never an error."""
    view = await in_session(
        lambda db: recommendations.recommendations(
            session=db, user_id=caller.user.id, kind=kind, limit=limit, offset=offset
        )
    )
    return RecommendationList(
        items=view.items, total=view.total, generated_at=view.generated_at, limit=limit, offset=offset
    )


@router.post("/recommendations/{media_id}/vote", response_model=VoteOut)
async def vote(media_id: MediaId, body: VoteIn, caller: CurrentCaller) -> VoteOut:
    """Thumbs up or down, or "not_interested" (gone from the list at once); null clears the vote (the undo).
    Thumbs down also hides the title. Every vote feeds the next scoring, which is queued."""
    value = await in_session(
        lambda db: recommendations.vote(session=db, user_id=caller.user.id, media_id=media_id, vote=body.vote)
    )
    return VoteOut(media_id=media_id, vote=value)


@router.get("/recommendations/dismissed", response_model=list[HiddenTitle])
async def dismissed(caller: CurrentCaller) -> list[HiddenTitle]:
    """Titles voted "not_interested" or thumbs down, latest first; undo one with a null vote."""
    return await in_session(lambda db: recommendations.hidden(session=db, user_id=caller.user.id))


@router.post("/recommendations/refresh", response_model=RecommendationList)
async def refresh(
    caller: CurrentCaller, limit: Annotated[int, Query(ge=1, le=recommendations.MAX_PAGE)] = 20
) -> RecommendationList:
    """Rescore now (instead of waiting for the queued job) and return the first page."""

    def work(db) -> recommendations.RecommendationsView:
        recommendations.refresh_for_user(session=db, user_id=caller.user.id)
        db.commit()
        return recommendations.recommendations(session=db, user_id=caller.user.id, limit=limit)

    view = await in_session(work)
    return RecommendationList(items=view.items, total=view.total, generated_at=view.generated_at, limit=limit, offset=0)
