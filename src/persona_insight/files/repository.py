"""The locks and the check that keep a shared stored file from being deleted while it is used."""

from __future__ import annotations

from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# The first key of the two-key advisory locks on stored files (the second: the hash of the
# file's sha256), so that they never meet another use of advisory locks.
LOCK_CLASS: Final = 0x70694649  # "piFI"


async def pin(session: AsyncSession, sha256: str) -> None:
    """Until this transaction ends, the file cannot be deleted (shared: uploads do not wait for
    each other)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock_shared(:k, hashtext(:s))"),
        {"k": LOCK_CLASS, "s": sha256},
    )


async def lock_for_delete(session: AsyncSession, sha256: str) -> None:
    """Wait for every transaction that pinned the file to end, and keep new ones waiting until
    this transaction ends."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:k, hashtext(:s))"), {"k": LOCK_CLASS, "s": sha256}
    )


async def referenced(session: AsyncSession, sha256: str) -> bool:
    """Whether any interview or avatar, of any company, uses the file (a SECURITY DEFINER
    function: the store is shared across companies)."""
    return bool(
        (await session.execute(text("SELECT pi_blob_referenced(:s)"), {"s": sha256})).scalar_one()
    )
