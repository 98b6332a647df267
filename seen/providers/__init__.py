"""Catalogue providers (TMDB, IGDB via Twitch OAuth): HTTP through one chokepoint, then normalisation.

`http.ProviderClient` is the only way out to a provider; `errors` holds what it raises. No module here
touches the database.
"""
