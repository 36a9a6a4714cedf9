"""Media uploads go to disk as they arrive and into the store by rename: never whole in memory."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.files import repository as files_repo
from persona_insight.files.store import FileStore

_CHUNK = 1024 * 1024


def spill(source: BinaryIO, directory: Path) -> tuple[Path, str, int]:
    """Copy an upload to a private temporary file; (its path, sha256, size)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(dir=directory, prefix="media-")
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            source.seek(0)
            while chunk := source.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name), digest.hexdigest(), size


def _move_in(files: FileStore, path: Path, sha256: str) -> None:
    target = files.path_of(sha256)
    if target.exists():
        path.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o600)
    try:
        os.replace(path, target)
    except OSError:  # another filesystem: copy under a temporary name, then rename
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
        path.unlink(missing_ok=True)


async def store_path(session: AsyncSession, files: FileStore, path: Path, sha256: str) -> None:
    """`files.service.store` for a file already on disk: pinned first (see files.service), then
    renamed into the store."""
    import asyncio

    await files_repo.pin(session, sha256)
    await asyncio.to_thread(_move_in, files, path, sha256)
