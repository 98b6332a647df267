"""/app/recommendations: Picked from your history, ratings and favourite genres."""

from seen.components.page import empty_feature_page

empty_feature_page(
    "/app/recommendations",
    "Recommendations",
    "Picked from your history, ratings and favourite genres.",
    ("sparkles", "No recommendations yet", "Watch and rate a few titles and recommendations will be built for you."),
)
