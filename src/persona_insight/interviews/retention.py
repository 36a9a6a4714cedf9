"""The trash's retention: trashed interviews past their company's retention are purged for good.

The worker's reconciler calls `purge_expired` periodically. Each interview is purged in a
transaction of its own, acting for its company (row-level security), through the same
`service.remove_for_good` as an admin's "Delete for good"; its file goes after that commit,
through the race-free `files.service.delete_if_unused`, and only when no other interview of any
company uses the same bytes.
"""

from __future__ import annotations

import datetime as dt
import logging
from uuid import UUID

from persona_insight.companies import repository as company_repo
from persona_insight.config import Settings
from persona_insight.db import Actor, Database
from persona_insight.files import service as stored_files
from persona_insight.files.store import FileStore
from persona_insight.interviews import repository as repo
from persona_insight.interviews import service

log = logging.getLogger(__name__)
BATCH = 100


def purge_at(deleted_at: dt.datetime, retention_days: int) -> dt.datetime:
    """When a trashed interview will be purged."""
    return deleted_at + dt.timedelta(days=retention_days)


async def purge_expired(db: Database, files: FileStore, settings: Settings) -> int:
    """Purge every trashed interview past its retention; return how many were purged."""
    purged = 0
    # Bounded: a batch per pass at most this many times, the next pass takes the rest.
    for _ in range(10):
        async with db.unit_of_work(Actor.system()) as session:
            expired = await repo.expired_trash(
                session, default_days=settings.trash_retention_days, limit=BATCH
            )
        for interview_id, company_id in expired:
            if await _purge_one(db, files, settings, interview_id, company_id):
                purged += 1
        if len(expired) < BATCH:
            break
    return purged


async def _purge_one(
    db: Database, files: FileStore, settings: Settings, interview_id: UUID, company_id: UUID
) -> bool:
    async with db.unit_of_work(Actor(company_id=company_id, role="system")) as session:
        interview = await repo.get(session, interview_id, lock=True)
        company = await company_repo.company(session, company_id)
        if interview is None or interview.deleted_at is None or company is None:
            return False  # restored or purged since it was listed
        days = company.trash_retention_days or settings.trash_retention_days
        if purge_at(interview.deleted_at, days) > dt.datetime.now(dt.UTC):
            return False
        sha = await service.remove_for_good(
            session, interview, None, reason="retention", retention_days=days
        )
    log.info("purged interview %s from the trash after %d days", interview_id, days)
    if sha:
        await stored_files.delete_if_unused(db, files, sha)
    return True
