"""/app/movies: The films you track, watched and rated."""

from seen.components.page import empty_feature_page

empty_feature_page(
    "/app/movies",
    "Movies",
    "The films you track, watched and rated.",
    ("film", "No movies tracked", "Mark a movie watched, rate it or save it for later and it is listed here."),
    action=("Discover movies", "/app/discover"),
)
