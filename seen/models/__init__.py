"""SQLModel tables by domain. Importing this package registers every table on SQLModel.metadata."""

from seen.models.system import AppSetting, JobRun
from seen.models.users import AuthSession, User

__all__ = ["AppSetting", "AuthSession", "JobRun", "User"]
