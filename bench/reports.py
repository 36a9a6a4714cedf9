"""Reports of a 1,000-interview project: the PDF (target ≤ 20 s), DOCX, Markdown and the
findings as XLSX and CSV, each end to end as a request makes it — read from PostgreSQL, built,
rendered — in one process.

The project: 1,000 completed interviews of 80 script lines and 20 findings each (20,000
findings), made from the committed demo transcripts (Korean and English) with variation: lines
are drawn from every sample, so the report's alphabet is that of real interviews (about 1,000
distinct characters). Peak memory is the process's maximum resident size after each format; CPU
seconds are this process's, beside the wall time, because the machine is shared.

    uv run --frozen python -m bench.reports [--interviews 1000]

Prints the figures and writes bench/results/reports.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import resource
import time
import uuid
from typing import Any

import psycopg

from bench.harness import ROOT, fresh_database, save, seed

LINES = 80
FINDINGS = 10  # of each kind


def sentences() -> list[str]:
    found = []
    for path in sorted((ROOT / "src/persona_insight/demo/samples").iterdir()):
        if path.suffix in (".txt", ".md"):
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.split(":", 1)[-1].strip()
                if 10 <= len(line) <= 300:
                    found.append(line)
    return found


def analysis(pool: list[str], rng: random.Random) -> dict[str, Any]:
    script = [
        {
            "id": [n],
            "speaker": "question" if n % 2 else "answer",
            "cleaned_sentence": rng.choice(pool),
        }
        for n in range(1, LINES + 1)
    ]
    answers = [n for n in range(2, LINES + 1, 2)]

    def findings() -> list[dict[str, Any]]:
        return [
            {
                "description": rng.choice(pool)[:120],
                "evidence": rng.sample(answers, 2),
                "confidence": round(rng.uniform(0.5, 1), 2),
            }
            for _ in range(FINDINGS)
        ]

    return {
        "language": rng.choice(["ko", "en"]),
        "cleaned_script": script,
        "interview_quality_assessment": {"overall_quality": {"score": 4}},
        "summary": rng.choice(pool),
        "primary_pain_points": findings(),
        "primary_needs": findings(),
    }


def populate(url: str, project_id: str, count: int) -> str:
    """The interviews, written straight as the database's owner (as the security world is)."""
    rng = random.Random(12)
    pool = sentences()
    with psycopg.connect(url) as conn:
        company = conn.execute(
            "SELECT company_id FROM projects WHERE id = %s", (project_id,)
        ).fetchone()
        assert company is not None
        for i in range(count):
            interview = uuid.uuid4()
            result = analysis(pool, rng)
            conn.execute(
                "INSERT INTO interviews (id, company_id, project_id, title, status, source, text,"
                " language, interview_date, completed_at) VALUES (%s, %s, %s, %s, 'completed',"
                " 'text', 'Q: …', %s, %s, now())",
                (
                    interview,
                    company[0],
                    project_id,
                    f"인터뷰 {i + 1} – {rng.choice(pool)[:30]}",
                    result["language"],
                    dt.date(2026, 1, 1) + dt.timedelta(days=i % 330),
                ),
            )
            conn.execute(
                "INSERT INTO interview_analyses (interview_id, company_id, engine, result,"
                " duration_ms) VALUES (%s, %s, 'offline', %s, 1)",
                (interview, company[0], json.dumps(result, ensure_ascii=False)),
            )
        conn.commit()
    return str(company[0])


async def measure(url: str, project_id: str, user_id: str) -> dict[str, Any]:
    from sqlalchemy import text

    from persona_insight.accounts.repository import Authenticated
    from persona_insight.db import Actor, Database
    from persona_insight.insights.report import service

    db = Database(url, pool_size=2, app_role=False)
    out: dict[str, Any] = {}
    try:
        async with db.unit_of_work(Actor.system()) as session:
            row = (
                await session.execute(
                    text("SELECT id, company_id, email, role FROM users WHERE id = :id"),
                    {"id": user_id},
                )
            ).one()
        user = Authenticated(
            user_id=row.id,
            company_id=row.company_id,
            role=row.role,
            email=row.email,
            name="Bench",
            locale="ko",
            session_id=None,
            token_id=None,
            csrf_token=None,
            last_seen_at=None,
        )
        for kind, fmt in (
            ("report", "pdf"),
            ("report", "pdf"),  # again: the font's glyphs are converted once per process
            ("report", "docx"),
            ("report", "md"),
            ("findings", "xlsx"),
            ("findings", "csv"),
        ):
            started, cpu = time.perf_counter(), time.process_time()
            async with db.unit_of_work(Actor(company_id=user.company_id, role="system")) as s:
                file = await service.project_file(
                    s,
                    user,
                    uuid.UUID(project_id),
                    kind,  # type: ignore[arg-type]
                    fmt,
                    locale="ko",
                    _=service.translator("ko"),
                    ip=None,
                )
            seconds = time.perf_counter() - started
            # This process's CPU (render threads included, PostgreSQL's not): what the wall
            # time would be on an idle core, the machine being shared.
            cpu = time.process_time() - cpu
            key = f"{kind}_{fmt}" + ("_again" if f"{kind}_{fmt}" in out else "")
            out[key] = {
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "bytes": len(file.body),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
            print(f"{key:18} {seconds:6.2f} s  cpu {cpu:6.2f} s  {len(file.body) / 1e6:6.2f} MB")
    finally:
        await db.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=1000)
    args = parser.parse_args()
    url = fresh_database(prefix="bench_reports")
    seeded = seed(url)
    started = time.perf_counter()
    populate(url, seeded.project_id, args.interviews)
    print(f"{args.interviews} interviews stored in {time.perf_counter() - started:.1f} s")
    figures = asyncio.run(measure(url, seeded.project_id, seeded.user_id))
    path = save(
        "reports",
        {
            "interviews": args.interviews,
            "findings": args.interviews * 2 * FINDINGS,
            "target_pdf_seconds": 20,
            # The machine is shared: what else ran while this did.
            "load_average_1m": round(os.getloadavg()[0], 1),
            **figures,
        },
    )
    print(f"written {path}")


if __name__ == "__main__":
    main()
