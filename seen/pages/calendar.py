"""/app/calendar: Premieres, new episodes and game launches."""

from seen.components.page import empty_feature_page

empty_feature_page(
    "/app/calendar",
    "Calendar",
    "Premieres, new episodes and game launches.",
    (
        "calendar-days",
        "No upcoming releases",
        "Releases of the titles you follow are scheduled here, by month, week or agenda.",
    ),
)
