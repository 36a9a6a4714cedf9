"""The event producer of bench/sse.py, in a process of its own.

It appends events with the product's write path (`persona_insight.realtime.events.append`) in
transactions that, like `Database.unit_of_work`, first set the actor (the bench user), and
answers with two `perf_counter()` readings around each COMMIT: just before it and just after it
returned. CLOCK_MONOTONIC is system-wide, so the client process compares them with its own
arrival times. A process of its own, because in the client's event loop the producer would
resume after the commit only once the loop had handled the stream reads of the same wake-up,
which would make the measured commit time late (and latencies too small, even negative); and a
paced run here does not depend on how busy the client's loop is.

Protocol (stdin/stdout, one JSON line each):
  {"op": "commit", "project": id, "n": 1} → {"seqs": [...], "before": t, "after": t}
  {"op": "run", "projects": [id…], "rate": r, "seconds": s, "batch": k}
      → each project gets r events per second for s seconds, k per transaction, one paced task
        per project → {"events", "transactions", "lag_max_ms", "commit_ms": {…}}
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

now = time.perf_counter


class Producer:
    def __init__(self, url: str, company: str, user: str, payload_path: str) -> None:
        from persona_insight.db import Actor, Database

        self.payload = json.loads(Path(payload_path).read_text())
        self.company_id, self.user_id = UUID(company), UUID(user)
        self.actor = Actor(company_id=self.company_id, user_id=self.user_id, role="company_admin")
        self.db = Database(url, pool_size=8)

    async def commit(self, project: UUID, n: int) -> tuple[list[int], float, float]:
        from persona_insight.db import set_actor
        from persona_insight.realtime import events

        # Database.unit_of_work, spelled out so that the clock is read around COMMIT itself
        # (the pool's reset of the connection after it is another round trip).
        async with self.db.sessions() as s:
            await set_actor(s, self.actor)
            for _ in range(n):
                await events.append(
                    s,
                    project_id=project,
                    company_id=self.company_id,
                    type=events.INTERVIEW_ADDED,
                    data=self.payload,
                    actor_id=self.user_id,
                )
            before = now()
            await s.commit()
            after = now()
            # Events are numbered at commit. This process is the project's only writer, one
            # transaction at a time, so its events are the counter's last n.
            await set_actor(s, self.actor)
            last = await events.last_seq(s, project)
            await s.commit()
        return list(range(last - n + 1, last + 1)), before, after

    async def run(
        self, projects: list[str], rate: float, seconds: float, batch: int
    ) -> dict[str, Any]:
        commits: list[float] = []
        lag = [0.0]
        counts = [0, 0]

        async def one(project: UUID) -> None:
            started = now()
            k = 0
            while now() - started < seconds:
                delay = started + k * batch / rate - now()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    lag[0] = max(lag[0], -delay)
                seqs, before, after = await self.commit(project, batch)
                commits.append(after - before)
                counts[0] += len(seqs)
                counts[1] += 1
                k += 1

        started = now()
        await asyncio.gather(*(one(UUID(p)) for p in projects))
        commits.sort()
        return {
            "events": counts[0],
            "transactions": counts[1],
            "seconds": round(now() - started, 3),
            "lag_max_ms": round(lag[0] * 1000, 1),
            "commit_ms": {
                "p50": round(commits[len(commits) // 2] * 1000, 2) if commits else None,
                "p99": round(commits[int(len(commits) * 0.99)] * 1000, 2) if commits else None,
            },
        }


async def main(url: str, company: str, user: str, payload_path: str) -> None:
    producer = Producer(url, company, user, payload_path)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while line := await reader.readline():
            command = json.loads(line)
            if command["op"] == "commit":
                seqs, before, after = await producer.commit(
                    UUID(command["project"]), int(command.get("n", 1))
                )
                answer: dict[str, Any] = {"seqs": seqs, "before": before, "after": after}
            else:
                answer = await producer.run(
                    command["projects"],
                    float(command["rate"]),
                    min(float(command["seconds"]), 300.0),
                    int(command.get("batch", 1)),
                )
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        await producer.db.dispose()


if __name__ == "__main__":
    import uvloop

    uvloop.run(main(*sys.argv[1:5]))
