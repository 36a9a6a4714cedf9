"""Resolve citations once, then judge every citation and statement against what resolved."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.citations import repository
from persona_insight.citations.schemas import (
    AnyCitation,
    Citation,
    CitationCheck,
    DocumentCitation,
    ResolvedLine,
    Statement,
)


def keep_known(line_ids: Iterable[int], known: set[int] | dict[int, Any]) -> list[int]:
    """The ids that exist, deduplicated, in their given order. The rule every validator here
    applies, including the analysis' own evidence check (which runs before anything is stored,
    against the script in memory)."""
    return list(dict.fromkeys(i for i in line_ids if i in known))


def _script_lines(script: list[dict[str, Any]] | None) -> dict[int, ResolvedLine]:
    lines: dict[int, ResolvedLine] = {}
    for raw in script or []:
        ids = raw.get("id") or []
        if not ids:
            continue
        line = ResolvedLine(
            id=int(ids[0]),
            text=str(raw.get("cleaned_sentence", "")),
            speaker=str(raw.get("speaker", "")),
            speaker_name=raw.get("speaker_name"),
            start_ms=raw.get("start_ms"),
            end_ms=raw.get("end_ms"),
        )
        for source_id in ids:
            lines[int(source_id)] = line
    return lines


async def resolve(session: AsyncSession, citations: Iterable[AnyCitation]) -> CitationCheck:
    """Load what `citations` point at, as the session's reader may see it (trashed interviews
    and other tenants' rows resolve to nothing)."""
    wanted = list(citations)
    interview_ids = list(dict.fromkeys(c.interview_id for c in wanted if isinstance(c, Citation)))
    chunk_keys = list(
        dict.fromkeys((c.document_id, c.chunk) for c in wanted if isinstance(c, DocumentCitation))
    )
    check = CitationCheck()
    for row in await repository.scripts(session, interview_ids):
        check.lines[row.id] = _script_lines(row.script)
        check.titles[row.id] = row.title
    for row in await repository.chunks(session, chunk_keys):
        check.chunks[(row.owner_id, int(row.ref))] = row.text
        check.document_titles[row.owner_id] = row.title
    return check


def validate_citation(citation: AnyCitation, check: CitationCheck) -> AnyCitation | None:
    """The citation narrowed to what exists, or None when nothing of it does."""
    if isinstance(citation, DocumentCitation):
        return citation if (citation.document_id, citation.chunk) in check.chunks else None
    script = check.lines.get(citation.interview_id)
    if not script:
        return None
    ids = keep_known(citation.line_ids, script)
    return citation.model_copy(update={"line_ids": tuple(ids)}) if ids else None


def validate_statements(
    statements: Sequence[Statement], check: CitationCheck
) -> tuple[list[Statement], list[dict[str, Any]]]:
    """Statements with only resolvable citations, dropping those left with none; and the list
    of what was changed (for the record a generated artefact keeps, like analysis repairs)."""
    kept: list[Statement] = []
    repairs: list[dict[str, Any]] = []
    for index, statement in enumerate(statements):
        good: list[AnyCitation] = []
        for citation in statement.citations:
            valid = validate_citation(citation, check)
            if valid is None or valid != citation:
                repairs.append(
                    {
                        "index": index,
                        "action": "dropped_citation" if valid is None else "narrowed_citation",
                        "citation": citation.model_dump(mode="json"),
                    }
                )
            if valid is not None and valid not in good:
                good.append(valid)
        if not good:
            repairs.append(
                {"index": index, "action": "dropped_statement", "text": statement.text[:200]}
            )
            continue
        kept.append(statement.model_copy(update={"citations": good}))
    return kept, repairs
