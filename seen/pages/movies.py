"""/app/movies: every film in the catalogue, by genre, year and sort order."""

from seen.components.browse import browse_page

browse_page("movie", "Movies", "Every film in the catalogue, filtered and sorted your way.", "film", "movies")
