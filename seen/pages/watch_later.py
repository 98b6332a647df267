"""/app/watch-later: Everything you saved for later, in your order."""

from seen.components.page import empty_feature_page

empty_feature_page(
    "/app/watch-later",
    "Watch later",
    "Everything you saved for later, in your order.",
    ("bookmark", "Nothing saved for later", "Use the bookmark on any title to keep it here."),
    action=("Find something", "/app/discover"),
)
