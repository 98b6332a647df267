"""/app/games: every game in the catalogue, by genre, year, platform and sort order."""

from seen.components.browse import browse_page

browse_page("game", "Games", "Every game in the catalogue, by genre, year and platform.", "gamepad-2", "games")
