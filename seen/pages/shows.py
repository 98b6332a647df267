"""/app/shows: every series in the catalogue, by genre, year and sort order."""

from seen.components.browse import browse_page

browse_page("show", "Shows", "Every series in the catalogue, filtered and sorted your way.", "tv", "shows")
