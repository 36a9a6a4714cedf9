"""How a search splits its reading between its two transactions (`service._lanes`): the shared
pieces go, in order, to whichever transaction is free first, each exactly once."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.search import service

pytestmark = pytest.mark.anyio

MAIN = cast(AsyncSession, "main")
ASIDE = cast(AsyncSession, "aside")


def _piece(
    ran: list[tuple[str, object]], name: str, wait: asyncio.Future[None] | None = None
) -> service.Work:
    async def work(session: AsyncSession) -> None:
        ran.append((name, session))
        if wait is not None:
            await wait
        await asyncio.sleep(0.01)

    return work


async def test_while_the_first_transaction_is_busy_the_other_takes_every_shared_piece() -> None:
    ran: list[tuple[str, object]] = []

    async def long_keyword_ranking(session: AsyncSession) -> None:
        ran.append(("keyword", session))
        await asyncio.sleep(0.2)

    shared = [_piece(ran, name) for name in ("nearest", "other script", "items")]
    await service._lanes(MAIN, ASIDE, [long_keyword_ranking], shared)
    assert ran == [
        ("keyword", MAIN),
        ("nearest", ASIDE),
        ("other script", ASIDE),
        ("items", ASIDE),
    ]


async def test_when_both_wait_for_the_vector_both_read_by_meaning_each_piece_once() -> None:
    ran: list[tuple[str, object]] = []
    vector: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def quick_keyword_ranking(session: AsyncSession) -> None:
        ran.append(("keyword", session))

    shared = [_piece(ran, name, vector) for name in ("nearest", "other script", "items")]
    lanes = asyncio.ensure_future(service._lanes(MAIN, ASIDE, [quick_keyword_ranking], shared))
    await asyncio.sleep(0.05)
    # Both transactions hold a piece that waits for the vector; the third waits its turn.
    assert [name for name, _ in ran[1:]] == ["nearest", "other script"]
    assert {session for _, session in ran[1:]} == {MAIN, ASIDE}
    vector.set_result(None)
    await lanes
    assert sorted(name for name, _ in ran) == ["items", "keyword", "nearest", "other script"]
    assert not shared


async def test_without_a_second_transaction_everything_runs_in_the_first_in_order() -> None:
    ran: list[tuple[str, object]] = []
    shared = [_piece(ran, name) for name in ("nearest", "items")]
    await service._lanes(MAIN, None, [_piece(ran, "keyword")], shared)
    assert ran == [("keyword", MAIN), ("nearest", MAIN), ("items", MAIN)]


async def test_a_failing_piece_cancels_the_other_transactions_piece_before_the_error() -> None:
    ran: list[tuple[str, object]] = []
    cancelled: list[object] = []

    async def fails(session: AsyncSession) -> None:
        await asyncio.sleep(0.01)
        raise RuntimeError("statement failed")

    async def slow(session: AsyncSession) -> None:
        ran.append(("slow", session))
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.append(session)
            raise

    with pytest.raises(RuntimeError, match="statement failed"):
        await service._lanes(MAIN, ASIDE, [fails], [slow, _piece(ran, "never")])
    assert cancelled == [ASIDE]
    assert [name for name, _ in ran] == ["slow"]
