"""SQLModel tables by domain. Importing this package registers every table on SQLModel.metadata."""

from seen.models.media import (
    DiscoverEntry,
    Genre,
    MediaCredit,
    MediaExternalId,
    MediaGenre,
    MediaItem,
    MediaPlatform,
    MediaRelation,
    MediaReleaseDate,
    Person,
    Platform,
    ShowEpisode,
    ShowSeason,
    SyncLogEntry,
)
from seen.models.system import AppSetting, JobRun
from seen.models.tracking import Favourite, Rating, WatchEvent, WatchLaterItem
from seen.models.users import AuthSession, User

__all__ = [
    "AppSetting",
    "AuthSession",
    "DiscoverEntry",
    "Favourite",
    "Genre",
    "JobRun",
    "MediaCredit",
    "MediaExternalId",
    "MediaGenre",
    "MediaItem",
    "MediaPlatform",
    "MediaRelation",
    "MediaReleaseDate",
    "Person",
    "Platform",
    "Rating",
    "ShowEpisode",
    "ShowSeason",
    "SyncLogEntry",
    "User",
    "WatchEvent",
    "WatchLaterItem",
]
