"""/app/games: Your backlog: playing, paused, completed and wishlist."""

from seen.components.page import empty_feature_page

empty_feature_page(
    "/app/games",
    "Games",
    "Your backlog: playing, paused, completed and wishlist.",
    (
        "gamepad-2",
        "Your backlog is empty",
        "Add games to your wishlist or mark what you are playing to build your backlog.",
    ),
    action=("Discover games", "/app/discover"),
)
