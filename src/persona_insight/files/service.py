"""Storing a file for a row that will refer to it, and deleting a file no row refers to.

The store is content-addressed and shared across companies: two uploads of the same bytes, in
any company, use one file. A purge used to check "still used?" in its own transaction and delete
after it committed, while uploads of the same bytes found the file present, skipped writing it
and committed their reference afterwards: the file was deleted under them (issue 10, item 4).

Now every writer pins the file with a shared advisory lock held until its transaction ends,
*before* it looks at the store; deletion takes the same lock exclusively in a transaction of its
own, after the purge committed, re-checks the references and deletes while holding it. An upload
either committed its reference before the check (the file stays) or waits until the file is
gone and then writes it again. A crash between the purge and the deletion leaves an unused file
behind, never a reference to a missing one.
"""

from __future__ import annotations

import asyncio
import hashlib

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.db import Actor, Database
from persona_insight.files import repository as repo
from persona_insight.files.store import FileStore


async def store(session: AsyncSession, files: FileStore, data: bytes) -> str:
    """Put `data` in the store for a row this transaction writes; returns its sha256."""
    sha = hashlib.sha256(data).hexdigest()
    await repo.pin(session, sha)
    await asyncio.to_thread(files.put, data, sha)
    return sha


async def delete_if_unused(db: Database, files: FileStore, sha256: str) -> bool:
    """Delete a stored file unless some row refers to it; True if it was deleted.

    Call it after the transaction that dropped a reference has committed (a purge, the trash's
    purge job). Safe to call for any file at any time: it never deletes a file in use or about to
    be.
    """
    async with db.unit_of_work(Actor.system()) as session:
        await repo.lock_for_delete(session, sha256)
        if await repo.referenced(session, sha256):
            return False
        await asyncio.to_thread(files.delete, sha256)
        return True
