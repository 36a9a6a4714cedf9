"""Report job bodies."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

JobStatus = Literal["queued", "running", "done", "failed"]


class ReportJobOut(BaseModel):
    id: UUID
    project_id: UUID
    kind: Literal["report", "findings"]
    format: str
    status: JobStatus
    progress: int = Field(description="0–100.")
    file_name: str | None = Field(description="Once done.")
    download_url: str | None = Field(description="Once done: GET it for the file.")
    error: str | None = Field(description="Once failed: a machine-readable code.")
    filters: dict[str, Any] | None = Field(
        default=None, description="The insights filter the report was asked with; null: none."
    )
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ReportJobAccepted(BaseModel):
    job: ReportJobOut
