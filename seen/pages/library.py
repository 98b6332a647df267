"""/app/library: Your media files, matched to titles and ready to play."""

from seen.components.page import empty_feature_page

empty_feature_page(
    "/app/library",
    "Library",
    "Your media files, matched to titles and ready to play.",
    (
        "hard-drive",
        "Your library is empty",
        "Files in the library folders an admin configures are scanned, matched and listed here.",
    ),
)
