"""Built insight views kept in this process, so a read of unchanged insights costs a version
check instead of loading and recounting every theme (~1.5 s at 1,000 interviews).

An entry is keyed by everything a stored view depends on: the project, the filter and the
state's version numbers (a recomputation or a rename/pin/hide bumps `version`, a merge or move
`edit_version`, a new summary `summary_at`). The caller reads those numbers in one small query
per request, so every process answers current data without telling the others anything.
Concurrent misses of one key build it once; the others wait for that build.

What the answer says about the inputs as they are now (`pending`, the summary's new interviews)
needs a pass over every live interview; it is kept per project event seq: every change of an
interview appends an event in its own transaction (docs/events.md: the list plus the events
always equals a fresh fetch), so an unchanged seq means unchanged interviews.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from persona_insight.insights.repository import InputsMark
from persona_insight.insights.schemas import ProjectInsights

# Each entry is one answer (~200 KB at 1,000 interviews, themes capped per kind): a few dozen
# projects and filters in a few MB.
MAX_ENTRIES = 64


@dataclass(frozen=True, slots=True)
class Key:
    project_id: UUID
    filters: str
    version: int
    edit_version: int
    computed_at: dt.datetime | None
    summary_at: dt.datetime | None


_entries: OrderedDict[Key, ProjectInsights] = OrderedDict()
_building: dict[Key, asyncio.Future[ProjectInsights | None]] = {}


async def get_or_build(
    key: Key, build: Callable[[], Awaitable[ProjectInsights]]
) -> ProjectInsights:
    found = _entries.get(key)
    if found is not None:
        _entries.move_to_end(key)
        return found
    pending = _building.get(key)
    if pending is not None:
        built = await asyncio.shield(pending)
        if built is not None:
            return built
        # The build we waited for failed: try ourselves (and fail with our own error).
        return await build()
    future: asyncio.Future[ProjectInsights | None] = asyncio.get_running_loop().create_future()
    _building[key] = future
    try:
        value = await build()
    except BaseException:
        future.set_result(None)
        raise
    finally:
        _building.pop(key, None)
    future.set_result(value)
    _entries[key] = value
    # Older versions of the same view are never asked for again.
    for old in [k for k in _entries if k.project_id == key.project_id and k.version < key.version]:
        del _entries[old]
    while len(_entries) > MAX_ENTRIES:
        _entries.popitem(last=False)
    return value


@dataclass(frozen=True, slots=True)
class InputsKey:
    project_id: UUID
    last_seq: int
    # In the fingerprint; a merge or move bumps it without an event.
    edit_version: int
    # A new summary covers other interviews.
    summary_at: dt.datetime | None


_inputs: OrderedDict[InputsKey, InputsMark] = OrderedDict()


async def inputs_or_read(
    key: InputsKey, read: Callable[[], Awaitable[InputsMark | None]]
) -> InputsMark | None:
    found = _inputs.get(key)
    if found is not None:
        _inputs.move_to_end(key)
        return found
    value = await read()
    if value is not None:
        for old in [k for k in _inputs if k.project_id == key.project_id]:
            del _inputs[old]
        _inputs[key] = value
        while len(_inputs) > MAX_ENTRIES:
            _inputs.popitem(last=False)
    return value


def clear() -> None:
    _entries.clear()
    _inputs.clear()
