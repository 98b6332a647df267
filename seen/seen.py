"""The app: pages, the REST API under /api/v1, middleware, and (embedded setup) the job worker."""

from __future__ import annotations

import contextlib
from pathlib import Path

import reflex as rx

from seen.api import create_api
from seen.api.middleware import with_request_context
from seen.config import get_settings
from seen.logs import configure_logging

# Importing a page module registers its route.
from seen.pages import (  # noqa: F401
    admin,
    calendar,
    collection_detail,
    collections,
    dashboard,
    discover,
    downloads,
    game_detail,
    games,
    index,
    library,
    login,
    movie_detail,
    movies,
    notifications,
    person,
    player,
    recommendations,
    register,
    search,
    season_detail,
    settings,
    shared_collection,
    show_detail,
    shows,
    stats,
    watch_later,
    watched,
)

configure_logging()

THEME_BOOT_SCRIPT = (Path(__file__).resolve().parent.parent / "assets" / "theme-boot.js").read_text()


@contextlib.asynccontextmanager
async def embedded_jobs():
    """Without Redis the app runs its own job worker and scheduler; with Redis they are separate services."""
    if not get_settings().runs_embedded_worker:
        yield
        return
    from workers.embedded import EmbeddedJobs

    jobs = EmbeddedJobs()
    jobs.start()
    try:
        yield
    finally:
        jobs.stop()


app = rx.App(
    stylesheets=["/seen.css"],
    head_components=[
        rx.el.script(THEME_BOOT_SCRIPT),
        # The built-in player's browser half: it wakes up only on a page with a #seen-player video.
        rx.el.script(src="/player.js", defer=True),
        rx.el.meta(name="color-scheme", content="dark light"),
    ],
    api_transformer=[create_api(), with_request_context],
)
app.register_lifespan_task(embedded_jobs)
