"""Reflex configuration. Everything the operator sets lives in seen.config.Settings (SEEN_* variables)."""

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

from seen.config import get_settings

settings = get_settings()

config = rx.Config(
    app_name="seen",
    db_url=settings.resolved_database_url,
    # The websocket and the REST API accept these origins only.
    cors_allowed_origins=settings.allowed_origins,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    default_color_mode="dark",
    disable_plugins=[SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="cyan", gray_color="slate", radius="large")),
    ],
)
