"""/app/shows: Series you follow, with episode progress."""

from seen.components.page import empty_feature_page

empty_feature_page(
    "/app/shows",
    "Shows",
    "Series you follow, with episode progress.",
    ("tv", "No shows tracked", "Follow a show to track its seasons and see what is up next."),
    action=("Discover shows", "/app/discover"),
)
