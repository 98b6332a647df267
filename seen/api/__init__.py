"""The REST API under /api/v1: thin routers over the services."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from seen.api import (
    admin,
    auth,
    backlog,
    calendar,
    catalogue,
    collections,
    dashboard,
    downloads,
    health,
    images,
    imports,
    library,
    library_stream,
    notifications,
    progress,
    recommendations,
    tracking,
    webhooks,
)
from seen.api.errors import install_error_handlers

API_PREFIX = "/api/v1"


def create_api() -> FastAPI:
    api = FastAPI(
        title="/seen/ API",
        version="1",
        docs_url=f"{API_PREFIX}/docs",
        openapi_url=f"{API_PREFIX}/openapi.json",
        redoc_url=None,
    )
    v1 = APIRouter(prefix=API_PREFIX)
    for module in (
        health,
        auth,
        admin,
        catalogue,
        images,
        tracking,
        progress,
        webhooks,
        imports,
        dashboard,
        collections,
        backlog,
        calendar,
        downloads,
        library,
        library_stream,
        notifications,
        recommendations,
    ):
        v1.include_router(module.router)
    v1.include_router(library.admin_router)
    api.include_router(v1)
    install_error_handlers(api)
    return api
