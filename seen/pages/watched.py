"""/app/watched: Your viewing history, every rewatch included."""

from seen.components.page import empty_feature_page

empty_feature_page(
    "/app/watched",
    "Watched",
    "Your viewing history, every rewatch included.",
    ("history", "No viewing history", "Movies and episodes you watch are logged here with their dates."),
)
