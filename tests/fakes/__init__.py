"""Local fakes of the outside services (TMDB, IGDB, Twitch) that tests and demos point the real clients at."""
