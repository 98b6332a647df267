"""Runtime settings changed by admins, and the record of scheduled job runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from seen.models.base import timestamp


class AppSetting(SQLModel, table=True):
    """An admin's override of a setting from the environment (e.g. registration_open)."""

    __tablename__ = "app_settings"

    key: str = Field(primary_key=True, max_length=64)
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = timestamp()


class JobRun(SQLModel, table=True):
    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_name_started_at", "job_name", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    job_name: str = Field(max_length=64)
    status: str = Field(default="running", max_length=16)  # running | ok | failed
    started_at: datetime = timestamp()
    finished_at: datetime | None = timestamp(nullable=True)
    duration_ms: int | None = Field(default=None)
    detail: str = Field(default="", max_length=2000)
