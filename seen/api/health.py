"""Liveness and readiness for load balancers and compose healthchecks."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from seen.services import health

router = APIRouter(prefix="/health", tags=["health"])


class CheckOut(BaseModel):
    ok: bool
    latency_ms: float
    detail: str


class ReadinessOut(BaseModel):
    status: str
    checks: dict[str, CheckOut]


@router.get("/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", response_model=ReadinessOut, responses={503: {"model": ReadinessOut}})
async def ready() -> JSONResponse:
    checks = await run_in_threadpool(health.readiness)
    ok = all(check.ok for check in checks)
    body = ReadinessOut(
        status="ready" if ok else "unavailable",
        checks={c.name: CheckOut(ok=c.ok, latency_ms=c.latency_ms, detail=c.detail) for c in checks},
    )
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
