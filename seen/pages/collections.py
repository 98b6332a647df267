"""/app/collections: Lists you curate and share."""

from seen.components.page import empty_feature_page

empty_feature_page(
    "/app/collections",
    "Collections",
    "Lists you curate and share.",
    ("library-big", "No collections", "Group titles into your own lists, private or shared by link."),
)
