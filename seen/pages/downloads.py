"""/app/downloads: Magnet, torrent and direct downloads with live progress."""

from seen.components.page import empty_feature_page

empty_feature_page(
    "/app/downloads",
    "Downloads",
    "Magnet, torrent and direct downloads with live progress.",
    ("download", "No downloads", "Add a magnet link, a .torrent file or a URL and follow it to completion here."),
)
