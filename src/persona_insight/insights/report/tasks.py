"""The report job."""

from __future__ import annotations

from uuid import UUID

import procrastinate

from persona_insight.db import Database
from persona_insight.insights.report import jobs
from persona_insight.jobs.queue import queue


@queue.task(name=jobs.REPORT_TASK, queue=jobs.REPORT_QUEUE, pass_context=True)
async def make_report(context: procrastinate.JobContext, job_id: str, company_id: str) -> None:
    db: Database = context.additional_context["db"]
    await jobs.run(db, UUID(job_id), UUID(company_id))
