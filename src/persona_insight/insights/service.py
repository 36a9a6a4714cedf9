"""Insight rules: recompute a project's themes from its stored findings and vectors, show them
(filtered) and apply researcher edits. Nothing here commits: the job's or request's unit of work
does.

`project_insights` is the one read of a project's insights; the page, the API and the reports
(insights/report*.py) all call it after their own access check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import numpy as np
import procrastinate.exceptions
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.audit import service as audit
from persona_insight.citations import service as citations
from persona_insight.citations.schemas import Citation, CitationCheck
from persona_insight.db import raw_connection
from persona_insight.embeddings import repository as vectors_repo
from persona_insight.embeddings import service as embeddings
from persona_insight.embeddings.vectors import DIM
from persona_insight.errors import InvalidInput, NotFound
from persona_insight.ids import uuid7
from persona_insight.insights import cache, incremental, view
from persona_insight.insights import repository as repo
from persona_insight.insights import summary as summary_text
from persona_insight.insights import themes as theming
from persona_insight.insights.repository import InterviewInput
from persona_insight.insights.schemas import (
    MAX_LABEL,
    FindingMove,
    InsightFilters,
    ProjectInsights,
    ProjectSummary,
    ThemeEdit,
    ThemeOut,
)
from persona_insight.jobs.queue import queue
from persona_insight.models.insights import InsightState, InsightTheme
from persona_insight.projects.service import require_access
from persona_insight.realtime import events

log = logging.getLogger(__name__)

RECOMPUTE_TASK = "recompute_insights"
# The worker's queue (interviews.service.ANALYSE_QUEUE, not imported: interviews imports us).
INSIGHTS_QUEUE = "analysis"
# Changes that arrive within this window are folded into one recomputation (the job is queued
# once per project and runs this long after the first change).
DEBOUNCE_S = 2
MAX_KEYWORDS = 10
# After an incremental update, a full recomputation follows this much later (once for a burst:
# its queueing lock), so themes settle where a full clustering puts them.
FULL_TASK = "recompute_insights_full"
FULL_AFTER_S = 15 * 60


def fingerprint(marks: Sequence[tuple[UUID, str]], edit_version: int) -> str:
    h = hashlib.sha256(f"e{edit_version}".encode())
    for interview_id, mark in sorted(marks):
        h.update(f"|{interview_id}:{mark}".encode())
    return h.hexdigest()


async def defer_recompute(
    session: AsyncSession,
    project_id: UUID,
    company_id: UUID,
    *,
    delay_s: float = DEBOUNCE_S,
    full: bool = False,
) -> None:
    """Queue the project's recomputation in the caller's transaction, unless one is queued.
    `full`: the settling full recomputation that follows incremental updates."""
    raw = await raw_connection(session)
    lock = f"insights:{project_id}"
    try:
        # A savepoint: a job already waiting for the project will see this change too.
        async with raw.transaction():
            await queue.configure_task(
                FULL_TASK if full else RECOMPUTE_TASK,
                connection=raw,
                queueing_lock=f"insights-full:{project_id}" if full else lock,
                # The quick jobs run one at a time by the queue's lock. The full one, scheduled
                # 15 minutes ahead, must not take that lock: the queue starts no job while an
                # earlier one of its lock waits, even one scheduled for later. Recomputations
                # still run one after the other: each locks the project's state row.
                lock=None if full else lock,
                schedule_in={"seconds": int(delay_s)},
            ).defer_async(project_id=str(project_id), company_id=str(company_id))
    except procrastinate.exceptions.AlreadyEnqueued:
        pass


def _finding_inputs(inp: InterviewInput) -> list[tuple[theming.FindingIn, dict[str, Any]]]:
    out = []
    for kind, items in (("pain", inp.pains), ("need", inp.needs)):
        for index, item in enumerate(items):
            evidence = tuple(int(i) for i in item.get("evidence", []) if str(i) in inp.lines)
            sentiment = None
            if evidence:
                sentiment = inp.lines[str(evidence[0])][3]
            section = None
            if evidence:
                first = evidence[0]
                for s in inp.sections:
                    if int(s.get("start_line", 0)) <= first <= int(s.get("end_line", -1)):
                        section = str(s.get("sector_name") or "") or None
                        break
            finding = theming.FindingIn(
                interview_id=inp.id,
                ref=embeddings.finding_ref(kind, index),
                text=str(item.get("description", "")),
                evidence=evidence,
                sentiment=sentiment,
                section=section,
            )
            out.append((finding, item))
    return out


def _facts(inputs: Sequence[InterviewInput]) -> dict[str, dict[str, Any]]:
    return {
        str(i.id): {
            "title": i.title,
            "date": i.date.isoformat(),
            "persona": i.persona,
            "language": i.language,
            "keywords": [
                [str(k.get("term", "")), float(k.get("weight", 0.0))]
                for k in i.keywords[:MAX_KEYWORDS]
            ],
        }
        for i in inputs
    }


def _quote(f: theming.FindingIn, check: CitationCheck) -> dict[str, Any] | None:
    """The finding's evidence as a quote, through the shared citation validator: lines that do
    not resolve in the stored script (or an interview the reader cannot see) are dropped."""
    cited = citations.validate_citation(
        Citation(interview_id=f.interview_id, line_ids=tuple(f.evidence)), check
    )
    if not isinstance(cited, Citation):
        return None
    lines = check.lines[f.interview_id]
    first = lines[cited.line_ids[0]]
    said = list(dict.fromkeys(lines[i].text for i in cited.line_ids))
    return {
        "interview_id": str(f.interview_id),
        "interview_title": check.titles.get(f.interview_id, ""),
        "line_ids": list(cited.line_ids),
        "text": " ".join(said)[:1000],
        "speaker": first.speaker_name,
        "start_ms": first.start_ms,
    }


async def _vectors(
    session: AsyncSession, project_id: UUID, company_id: UUID, inputs: Sequence[InterviewInput]
) -> dict[tuple[UUID, str], np.ndarray[Any, Any]]:
    stored = await vectors_repo.load(
        session,
        kind="finding",
        project_ids=[project_id],
        interview_ids=[i.id for i in inputs]
        if len(inputs) <= incremental.MAX_NEW_INTERVIEWS
        else None,
    )
    found = {(s.owner_id, s.ref): s.vector for s in stored}
    have = Counter(interview_id for interview_id, _ in found)
    # Interviews analysed before vectors were stored get theirs now, once.
    for inp in inputs:
        wanted = len(inp.pains) + len(inp.needs)
        if wanted and have[inp.id] < wanted:
            result = await repo.analysis_result(session, inp.id)
            rows = embeddings.finding_rows(InterviewAnalysis.model_validate(result))
            await embeddings.store_findings(
                session,
                company_id=company_id,
                project_id=project_id,
                interview_id=inp.id,
                rows=rows,
            )
            for ref, _, vector in rows:
                found[(inp.id, ref)] = vector
    return found


def _theme_row(
    outcome: theming.ThemeOutcome,
    check: CitationCheck,
    company_id: UUID,
    project_id: UUID,
    now: dt.datetime,
) -> dict[str, Any]:
    return {
        "id": outcome.id,
        "company_id": company_id,
        "project_id": project_id,
        "kind": outcome.kind,
        "label": outcome.label,
        "data": {
            "computed_label": outcome.label,
            "members": [
                [str(f.interview_id), f.ref, f.sentiment, f.section] for f in outcome.members
            ],
            "quotes": [
                q for q in (_quote(f, check) for f in outcome.quote_candidates) if q is not None
            ],
        },
        "updated_at": now,
    }


async def recompute(
    session: AsyncSession, project_id: UUID, company_id: UUID, *, force: bool = False
) -> bool:
    """Recompute the project's themes when its inputs changed; True when something was stored
    (and `insights:updated` appended)."""
    st = await repo.ensure_state(session, project_id, company_id)
    marks = await repo.marks(session, project_id)
    print_ = fingerprint(marks, st.edit_version)
    if print_ == st.fingerprint and not force:
        return False
    if not force and await _update(session, st, marks, print_):
        await defer_recompute(session, project_id, company_id, delay_s=FULL_AFTER_S, full=True)
        return True
    await _full(session, st, marks, print_)
    return True


async def _full(
    session: AsyncSession, st: InsightState, marks: list[tuple[UUID, str]], print_: str
) -> None:
    """Cluster every finding again; theme ids carried over by membership."""
    project_id, company_id = st.project_id, st.company_id
    inputs = await repo.inputs(session, project_id)
    pairs = [p for inp in inputs for p in _finding_inputs(inp)]
    found = await _vectors(session, project_id, company_id, inputs)
    findings = [f for f, _ in pairs if f.key in found]
    matrix = (
        np.stack([found[f.key] for f in findings]).astype(np.float32)
        if findings
        else np.zeros((0, DIM), dtype=np.float32)
    )
    edits = await repo.edits(session, project_id)
    outcomes = theming.build(
        findings,
        matrix,
        previous=await repo.memberships(session, project_id),
        merged_into={k: e.merged_into for k, e in edits.items() if e.merged_into is not None},
        moves=await repo.moves(session, project_id),
        new_id=uuid7,
    )
    now = dt.datetime.now(dt.UTC)
    before = {t.id: t for t in await repo.themes(session, project_id)}
    check = await citations.resolve(
        session,
        [
            Citation(interview_id=f.interview_id, line_ids=tuple(f.evidence))
            for o in outcomes
            for f in o.quote_candidates
        ],
    )
    await repo.upsert_themes(
        session, [_theme_row(o, check, company_id, project_id, now) for o in outcomes]
    )
    kept = {o.id for o in outcomes}
    await repo.retire(session, [t for t in before if t not in kept], now)
    await repo.replace_memberships(
        session,
        project_id,
        company_id,
        [(o.id, f.interview_id, f.ref) for o in outcomes for f in o.members],
    )
    st.fingerprint = print_
    st.interview_ids = [i.id for i in inputs]
    st.facts = _facts(inputs)
    st.computed_at = now
    st.version += 1
    await session.flush()
    fitted = incremental.fit(
        findings, matrix, outcomes, edit_version=st.edit_version, marks=dict(marks)
    )
    await repo.save_model(session, project_id, incremental.dumps(fitted))
    removed = sorted(str(t) for t in before if t not in kept)
    await _announce(session, st, removed=removed)
    log.info(
        "insights of %s: %d interviews, %d findings, %d themes",
        project_id,
        len(inputs),
        len(findings),
        len(outcomes),
    )


async def _update(
    session: AsyncSession, st: InsightState, marks: list[tuple[UUID, str]], print_: str
) -> bool:
    """Place only the new interviews' findings into the standing themes; False (nothing
    written) when the change is not just a few new interviews or the themes have drifted."""
    stored = await repo.model(session, st.project_id)
    if stored is None:
        return False
    model = incremental.loads(stored)
    current = dict(marks)
    if model.edit_version != st.edit_version or any(
        current.get(i) != m for i, m in model.marks.items()
    ):
        return False  # an edit, a re-analysis or a removal: recompute in full
    added = [i for i in current if i not in model.marks]
    if not added or len(added) > incremental.MAX_NEW_INTERVIEWS:
        return False
    inputs = await repo.inputs(session, st.project_id, only=added)
    found = await _vectors(session, st.project_id, st.company_id, inputs)
    findings = [f for inp in inputs for f, _ in _finding_inputs(inp) if f.key in found]
    model.added_findings += len(findings)
    if model.drifted() or not all(model.covers(f) for f in findings):
        return False
    model.added_findings -= len(findings)
    matrix = np.stack([found[f.key] for f in findings]).astype(np.float32) if findings else None
    placed = incremental.place(model, findings, matrix, new_id=uuid7) if matrix is not None else []
    now = dt.datetime.now(dt.UTC)
    touched = {p.theme_id for p in placed if p.new_theme is None}
    existing = {t.id: t for t in await repo.themes_by_id(session, sorted(touched))}
    check = await citations.resolve(
        session,
        [
            Citation(interview_id=p.finding.interview_id, line_ids=p.finding.evidence)
            for p in placed
        ],
    )
    rows: dict[UUID, dict[str, Any]] = {}
    for p in placed:
        f = p.finding
        if p.new_theme is not None:
            p.new_theme.quote_candidates = [f] if f.evidence else []
            rows[p.theme_id] = _theme_row(p.new_theme, check, st.company_id, st.project_id, now)
            continue
        theme = existing.get(p.theme_id)
        if theme is None:
            continue
        row = rows.get(p.theme_id) or {
            "id": theme.id,
            "company_id": theme.company_id,
            "project_id": theme.project_id,
            "kind": theme.kind,
            "label": theme.label,
            "data": {**theme.data, "members": list(theme.data.get("members", []))},
            "updated_at": now,
        }
        row["data"]["members"].append([str(f.interview_id), f.ref, f.sentiment, f.section])
        _add_quote(row["data"], f, check)
        rows[p.theme_id] = row
    await repo.upsert_themes(session, list(rows.values()))
    await repo.add_memberships(
        session,
        st.project_id,
        st.company_id,
        [(p.theme_id, p.finding.interview_id, p.finding.ref) for p in placed if p.theme_id in rows],
    )
    model.marks = current
    st.fingerprint = print_
    st.interview_ids = sorted({*st.interview_ids, *added})
    st.facts = {**st.facts, **_facts(inputs)}
    st.computed_at = now
    st.version += 1
    await session.flush()
    await repo.save_model(session, st.project_id, incremental.dumps(model))
    await _announce(session, st, removed=[])
    log.info(
        "insights of %s: %d new interviews placed incrementally (%d findings, %d themes touched)",
        st.project_id,
        len(inputs),
        len(placed),
        len(rows),
    )
    return True


def _add_quote(data: dict[str, Any], f: theming.FindingIn, check: CitationCheck) -> None:
    """A new member's evidence joins the theme's quotes while there is room, first from an
    interview not quoted yet (the next full recomputation reorders them by centrality)."""
    quotes: list[dict[str, Any]] = list(data.get("quotes", []))
    if len(quotes) >= theming.QUOTE_CANDIDATES:
        return
    if any(q["interview_id"] == str(f.interview_id) for q in quotes):
        return
    quote = _quote(f, check) if f.evidence else None
    if quote is not None:
        data["quotes"] = [*quotes, quote]


async def _announce(session: AsyncSession, st: InsightState, *, removed: list[str]) -> None:
    """`insights:updated`: the unfiltered view's compact state, so a page applies it as is."""
    stored = await repo.themes_without_quotes(session, st.project_id)
    edits = await repo.edits(session, st.project_id)
    keep = set(st.facts)
    shown = view.themes(stored, edits, st.facts, keep)
    await events.append(
        session,
        project_id=st.project_id,
        company_id=st.company_id,
        type=events.INSIGHTS_UPDATED,
        data={
            "version": st.version,
            "computed_at": st.computed_at.isoformat() if st.computed_at else None,
            "interview_count": len(keep),
            "finding_count": sum(t.mentions for t in shown),
            "themes": [compact(t) for t in view.listed(shown)],
            "removed": removed,
        },
        actor_id=None,
    )


def compact(t: ThemeOut) -> dict[str, Any]:
    """A theme as `insights:updated` carries it (no quotes: those the page fetches on demand)."""
    return {
        "id": str(t.id),
        "kind": t.kind,
        "label": t.label,
        "interviews": t.interviews,
        "share": t.share,
        "mentions": t.mentions,
        "pinned": t.pinned,
        "hidden": t.hidden,
    }


async def project_insights(
    session: AsyncSession, project_id: UUID, *, filters: InsightFilters | None = None
) -> ProjectInsights:
    """The project's insights as stored, recounted for `filters`. The caller checks access.

    Served from this process's cache of built views while the state's version numbers stand
    (one small query); `pending` and the summary's `new_interviews` while the project's event
    seq stands (insights/cache.py says why that is enough)."""
    filters = filters or InsightFilters()
    last_seq = await events.last_seq(session, project_id)
    mark = await repo.state_mark(session, project_id)
    if mark is None:
        built = await _build_view(session, project_id, filters)
        return built.model_copy(update={"last_seq": last_seq, "pending": True})
    key = cache.Key(
        project_id=project_id,
        filters=filters.model_dump_json(),
        version=mark.version,
        edit_version=mark.edit_version,
        computed_at=mark.computed_at,
        summary_at=mark.summary_at,
    )
    built = await cache.get_or_build(key, lambda: _build_view(session, project_id, filters))
    now = await cache.inputs_or_read(
        cache.InputsKey(project_id, last_seq, mark.edit_version, mark.summary_at),
        lambda: repo.inputs_mark(session, project_id),
    )
    summary = built.summary
    if summary is not None and now is not None:
        summary = summary.model_copy(update={"new_interviews": now.new_since_summary})
    return built.model_copy(
        update={
            "last_seq": last_seq,
            "pending": now is None or now.fingerprint != mark.fingerprint,
            "summary": summary,
        }
    )


async def _build_view(
    session: AsyncSession, project_id: UUID, filters: InsightFilters
) -> ProjectInsights:
    """The view from the stored themes, facts and edits: every theme recounted for the filter.
    `last_seq`, `pending` and the summary's `new_interviews` are left for the caller."""
    st = await repo.state(session, project_id)
    facts: dict[str, Any] = st.facts if st else {}
    keep = view.selected(facts, filters)
    stored = await repo.themes(session, project_id) if st else []
    edits = await repo.edits(session, project_id) if st else {}
    shown = view.themes(stored, edits, facts, keep, filters)
    return ProjectInsights(
        project_id=project_id,
        version=st.version if st else 0,
        computed_at=st.computed_at if st else None,
        interview_count=len(keep),
        finding_count=sum(t.mentions for t in shown),
        pending=False,
        filters=filters,
        themes=view.listed(shown),
        charts=view.charts(shown, facts, keep),
        summary=_summary_of(st, set(st.summary_interview_ids or [])) if st else None,
        last_seq=0,
    )


async def _theme_in_reach(
    session: AsyncSession, user: Authenticated, theme_id: UUID
) -> InsightTheme:
    theme = await repo.theme(session, theme_id)
    if theme is not None and theme.retired_at is None:
        try:
            await require_access(session, user, theme.project_id)
        except NotFound:
            pass
        else:
            return theme
    raise NotFound("no such theme", code="theme_not_found")


async def edit_theme(
    session: AsyncSession, user: Authenticated, theme_id: UUID, body: ThemeEdit
) -> ThemeOut | None:
    """Store a researcher's edit apart from the computed theme and announce the new state.
    Renames, pins and hides show at once; a merge is applied by the recomputation it queues."""
    theme = await _theme_in_reach(session, user, theme_id)
    edit = await repo.edit_for(session, theme)
    changes: dict[str, Any] = {}
    if body.label is not None:
        label = " ".join(body.label.split())
        if not label or len(label) > MAX_LABEL:
            raise InvalidInput(
                f"a theme label has 1 to {MAX_LABEL} characters",
                code="invalid_label",
                details={"max": MAX_LABEL},
            )
        changes["label"] = label
    elif body.reset_label:
        changes["label"] = None
    for key in ("pinned", "hidden"):
        value = getattr(body, key)
        if value is not None:
            changes[key] = value
    if body.merge_into is not None:
        target = await _theme_in_reach(session, user, body.merge_into)
        if target.id == theme.id or target.project_id != theme.project_id:
            raise InvalidInput("merge into another theme of this project", code="invalid_merge")
        if target.kind != theme.kind:
            raise InvalidInput("pain points and needs do not merge", code="invalid_merge")
        changes["merged_into"] = target.id
    if not changes:
        raise InvalidInput("nothing to change", code="empty_edit")
    for key, value in changes.items():
        setattr(edit, key, value)
    edit.updated_by = user.user_id
    edit.updated_at = dt.datetime.now(dt.UTC)
    await audit.record(
        session,
        "insight_theme_edited",
        company_id=theme.company_id,
        actor_id=user.user_id,
        target_type="insight_theme",
        target_id=theme.id,
        **{k: str(v) if isinstance(v, UUID) else v for k, v in changes.items()},
    )
    st = await repo.ensure_state(session, theme.project_id, theme.company_id)
    await session.flush()
    if "merged_into" in changes:
        await _rerun(session, st)
    else:
        st.version += 1
        await session.flush()
        await _announce(session, st, removed=[])
    edits = await repo.edits(session, theme.project_id)
    shown = view.themes([theme], edits, st.facts, set(st.facts))
    return shown[0] if shown else None


async def _rerun(session: AsyncSession, st: InsightState) -> None:
    # Edits enter the fingerprint, so the queued recomputation runs even with no new interview.
    st.edit_version += 1
    await session.flush()
    await defer_recompute(session, st.project_id, st.company_id, delay_s=0)


async def move_finding(
    session: AsyncSession, user: Authenticated, project_id: UUID, body: FindingMove
) -> None:
    """Put one finding into another theme (a split), applied by the queued recomputation."""
    access = await require_access(session, user, project_id)
    theme = await _theme_in_reach(session, user, body.theme_id)
    members = await repo.memberships(session, project_id)
    current = members.get((body.interview_id, body.ref))
    if theme.project_id != project_id or current is None:
        raise NotFound("no such finding in this project's themes", code="finding_not_found")
    if theme.kind != body.ref.split(":", 1)[0]:
        raise InvalidInput("a finding moves to a theme of its kind", code="invalid_move")
    await repo.add_move(
        session,
        company_id=access.project.company_id,
        project_id=project_id,
        interview_id=body.interview_id,
        ref=body.ref,
        theme_id=theme.id,
        user_id=user.user_id,
    )
    await audit.record(
        session,
        "insight_finding_moved",
        company_id=access.project.company_id,
        actor_id=user.user_id,
        target_type="insight_theme",
        target_id=theme.id,
        interview_id=str(body.interview_id),
        ref=body.ref,
        previous=str(current),
    )
    st = await repo.ensure_state(session, project_id, access.project.company_id)
    await _rerun(session, st)


SUMMARY_TASK = "summarise_insights"


async def request_summary(
    session: AsyncSession, user: Authenticated, project_id: UUID, language: str | None = None
) -> None:
    """Queue the project's summary (once: a request while one is queued joins it) and say so.
    It is written in `language` — the asker's, else their profile's — when it is one the
    summary speaks, else in the language most of the interviews are in."""
    language = language or user.locale
    access = await require_access(session, user, project_id)
    company_id = access.project.company_id
    raw = await raw_connection(session)
    lock = f"insights-summary:{project_id}"
    try:
        async with raw.transaction():
            await queue.configure_task(
                SUMMARY_TASK, connection=raw, queueing_lock=lock, lock=lock
            ).defer_async(
                project_id=str(project_id),
                company_id=str(company_id),
                language=language if language in summary_text.LANGUAGES else None,
            )
    except procrastinate.exceptions.AlreadyEnqueued:
        return
    await events.append(
        session,
        project_id=project_id,
        company_id=company_id,
        type=events.INSIGHTS_SUMMARY,
        data={"state": "queued"},
        actor_id=user.user_id,
    )


async def summarise(
    session: AsyncSession, project_id: UUID, company_id: UUID, language: str | None = None
) -> None:
    """Write the project's summary from its current themes, with the interviews it covers."""
    st = await repo.ensure_state(session, project_id, company_id)
    keep = set(st.facts)
    shown = view.themes(
        await repo.themes(session, project_id),
        await repo.edits(session, project_id),
        st.facts,
        keep,
    )
    if language not in summary_text.LANGUAGES:
        language = summary_text.language_of(st.facts)
    made = summary_text.statements(shown, len(keep), language)
    now = dt.datetime.now(dt.UTC)
    st.summary = {
        "language": language,
        "statements": [s.model_dump(mode="json") for s in made],
        "generated_at": now.isoformat(),
    }
    st.summary_interview_ids = list(st.interview_ids)
    st.summary_at = now
    await session.flush()
    out = _summary_of(st, {i for i, _ in await repo.marks(session, project_id)})
    await events.append(
        session,
        project_id=project_id,
        company_id=company_id,
        type=events.INSIGHTS_SUMMARY,
        data={"state": "done", "summary": out.model_dump(mode="json") if out else None},
        actor_id=None,
    )


def _summary_of(st: InsightState, current: set[UUID]) -> ProjectSummary | None:
    if st.summary is None or st.summary_interview_ids is None:
        return None
    covered = set(st.summary_interview_ids)
    return ProjectSummary(
        language=st.summary["language"],
        statements=st.summary["statements"],
        interview_ids=sorted(covered),
        generated_at=st.summary_at or dt.datetime.fromisoformat(st.summary["generated_at"]),
        new_interviews=len(current - covered),
    )
