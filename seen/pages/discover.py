"""/app/discover: Trending, popular and upcoming movies, shows and games."""

from seen.components.page import empty_feature_page

empty_feature_page(
    "/app/discover",
    "Discover",
    "Trending, popular and upcoming movies, shows and games.",
    (
        "compass",
        "The catalogue is empty",
        "Discover fills from TMDB and IGDB (or the bundled demo catalogue) once the catalogue is synced.",
    ),
)
