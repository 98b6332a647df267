"""SQLModel tables by domain. Importing this package registers every table on SQLModel.metadata."""

from seen.models.calendar import CalendarFeed
from seen.models.downloads import DownloadEvent, DownloadFile, DownloadJob
from seen.models.library import LibraryItem, LibraryRoot, LibraryScan, LibraryStream
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
from seen.models.notifications import Notification, NotificationSettings
from seen.models.recommendations import RecommendationEntry, RecommendationVote
from seen.models.system import AppSetting, JobRun
from seen.models.tracking import (
    Collection,
    CollectionItem,
    Favourite,
    GameBacklogEntry,
    ImportJob,
    PlaybackProgress,
    Rating,
    WatchEvent,
    WatchLaterItem,
)
from seen.models.users import AuthSession, User

__all__ = [
    "AppSetting",
    "AuthSession",
    "CalendarFeed",
    "Collection",
    "CollectionItem",
    "DiscoverEntry",
    "DownloadEvent",
    "DownloadFile",
    "DownloadJob",
    "Favourite",
    "GameBacklogEntry",
    "Genre",
    "ImportJob",
    "JobRun",
    "LibraryItem",
    "LibraryRoot",
    "LibraryScan",
    "LibraryStream",
    "MediaCredit",
    "MediaExternalId",
    "MediaGenre",
    "MediaItem",
    "MediaPlatform",
    "MediaRelation",
    "MediaReleaseDate",
    "Notification",
    "NotificationSettings",
    "Person",
    "Platform",
    "PlaybackProgress",
    "Rating",
    "RecommendationEntry",
    "RecommendationVote",
    "ShowEpisode",
    "ShowSeason",
    "SyncLogEntry",
    "User",
    "WatchEvent",
    "WatchLaterItem",
]
