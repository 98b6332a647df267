"""The caller's playback progress over REST: report a position, read and clear it, Continue Watching, and the
share of a title after which playback counts as watched."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field
from sqlmodel import Session

from seen.api.deps import CurrentCaller, in_session
from seen.services import progress
from seen.services.progress import CONTINUE_WATCHING_LIMIT, MAX_DURATION_SECONDS, ContinueItem, ProgressState

router = APIRouter(prefix="/progress", tags=["progress"])

MediaId = Annotated[int, Path(ge=1, le=2**31 - 1)]
SeasonNumber = Annotated[int | None, Field(ge=0, le=10_000)]
EpisodeNumber = Annotated[int | None, Field(ge=0, le=100_000)]


class ProgressIn(BaseModel):
    media_id: int = Field(ge=1, le=2**31 - 1)
    # Bounds wide enough that the service, not the parser, explains what is wrong with a position.
    position_seconds: int = Field(ge=-(2**31), le=2**31 - 1)
    duration_seconds: int = Field(ge=-(2**31), le=2**31 - 1, description=f"1 to {MAX_DURATION_SECONDS}")
    season_number: SeasonNumber = None
    episode_number: EpisodeNumber = None


class ThresholdSetting(BaseModel):
    watched_threshold_percent: int


@router.post("", response_model=ProgressState)
async def report_progress(body: ProgressIn, caller: CurrentCaller) -> ProgressState:
    """Where playback of a movie (no numbers) or an episode is now; past the caller's watched threshold the
    viewing goes into the history, once per round."""

    def work(db: Session) -> ProgressState:
        return progress.record_progress(
            session=db,
            user_id=caller.user.id,
            media_id=body.media_id,
            position_seconds=body.position_seconds,
            duration_seconds=body.duration_seconds,
            season_number=body.season_number,
            episode_number=body.episode_number,
        )

    return await in_session(work)


@router.get("", response_model=list[ProgressState])
async def read_progress(
    media_id: Annotated[int, Query(ge=1, le=2**31 - 1, description="the movie or show")], caller: CurrentCaller
) -> list[ProgressState]:
    return await in_session(lambda db: progress.progress_for(session=db, user_id=caller.user.id, media_id=media_id))


@router.get("/continue-watching", response_model=list[ContinueItem])
async def continue_watching(
    caller: CurrentCaller,
    limit: Annotated[int, Query(ge=1, le=CONTINUE_WATCHING_LIMIT)] = CONTINUE_WATCHING_LIMIT,
) -> list[ContinueItem]:
    return await in_session(lambda db: progress.continue_watching(session=db, user_id=caller.user.id, limit=limit))


@router.get("/settings", response_model=ThresholdSetting)
async def read_settings(caller: CurrentCaller) -> ThresholdSetting:
    percent = await in_session(lambda db: progress.watched_threshold(session=db, user_id=caller.user.id))
    return ThresholdSetting(watched_threshold_percent=percent)


@router.put("/settings", response_model=ThresholdSetting)
async def change_settings(body: ThresholdSetting, caller: CurrentCaller) -> ThresholdSetting:
    percent = await in_session(
        lambda db: progress.set_watched_threshold(
            session=db, user_id=caller.user.id, percent=body.watched_threshold_percent
        )
    )
    return ThresholdSetting(watched_threshold_percent=percent)


@router.delete("/{media_id}", status_code=status.HTTP_204_NO_CONTENT)
async def clear_progress(
    media_id: MediaId,
    caller: CurrentCaller,
    season_number: Annotated[SeasonNumber, Query()] = None,
    episode_number: Annotated[EpisodeNumber, Query()] = None,
) -> Response:
    """Forget the position in a title, one season or one episode (the history stays)."""
    await in_session(
        lambda db: progress.clear_progress(
            session=db,
            user_id=caller.user.id,
            media_id=media_id,
            season_number=season_number,
            episode_number=episode_number,
        )
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
