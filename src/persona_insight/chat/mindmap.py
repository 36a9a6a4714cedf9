"""A conversation summarised as a mind map: the quotes its answers cited, placed under the
original product's topics (emotions, behaviours, interests, problems, relationships, goals) by
meaning, one branch per persona. Nothing in it is written: titles are fixed words, the summary a
fixed template with counts, and every content item is a cited line that still resolves."""

from __future__ import annotations

import asyncio
import io
from html import escape
from typing import Any
from uuid import UUID

import numpy as np
from fastapi import Response
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.chat import repository as repo
from persona_insight.chat import service
from persona_insight.chat.schemas import ContentItem, MindMap, Subtopic, Topic
from persona_insight.citations import Citation, resolve, validate_citation
from persona_insight.embeddings.vectors import embed_passages, embed_query
from persona_insight.errors import InvalidInput, NotFound
from persona_insight.insights.report import fonts, pdf
from persona_insight.insights.report import model as report
from persona_insight.search.ask import is_korean

# (id, English title, Korean title, what it is about — embedded as a query)
TOPICS = (
    (
        "emotions",
        "Emotions",
        "감정",
        "feelings, frustration, worry, joy, stress 감정 불안 짜증 기쁨",
    ),
    (
        "behaviours",
        "Behaviours",
        "행동",
        "what they do, habits, routines, steps 습관 행동 방법 순서",
    ),
    (
        "interests",
        "Interests",
        "관심사",
        "what they like, care about, prefer 좋아하는 것 관심 선호",
    ),
    (
        "problems",
        "Problems",
        "문제",
        "problems, difficulties, failures, pain 문제 불편 어려움 실패",
    ),
    (
        "relationships",
        "Relationships",
        "관계",
        "family, colleagues, friends, others 가족 동료 친구 관계",
    ),
    ("goals", "Goals", "목표", "goals, wishes, needs, what they want 목표 바람 원하는 것 필요"),
)
FORMATS = ("md", "svg", "pdf", "png")
MAX_ITEMS = 60


async def summarise(session: AsyncSession, user: Authenticated, conversation_id: UUID) -> MindMap:
    # Stored with the conversation: its author's to make (a reader of a shared one wrote it).
    conversation = await service.own(session, user, conversation_id)
    rows = await repo.messages(session, conversation_id)
    cited: list[tuple[str, Citation]] = []
    for row in rows:
        if row.role != "persona":
            continue
        for data in row.citations:
            citation = Citation(
                interview_id=UUID(data["interview_id"]), line_ids=tuple(data["line_ids"])
            )
            cited.append((str(row.persona_code), citation))
    check = await resolve(session, [c for _, c in cited])
    items: list[tuple[str, Citation, str]] = []
    seen: set[tuple[str, UUID, tuple[int, ...]]] = set()
    for code, citation in cited:
        valid = validate_citation(citation, check)
        if not isinstance(valid, Citation):
            continue
        key = (code, valid.interview_id, valid.line_ids)
        if key in seen:
            continue
        seen.add(key)
        text = " ".join(line.text for line in check.lines_of(valid))
        items.append((code, valid, text))
    items = items[:MAX_ITEMS]
    korean = is_korean(conversation.title) or any(is_korean(t) for *_, t in items[:5])
    placed = await asyncio.to_thread(_place, [t for *_, t in items])
    topics: list[Topic] = []
    for index, (topic_id, en, ko, _) in enumerate(TOPICS):
        by_persona: dict[str, list[ContentItem]] = {}
        for (code, citation, text), (best, score) in zip(items, placed, strict=True):
            if best != index:
                continue
            title = check.titles.get(citation.interview_id, "")
            by_persona.setdefault(code, []).append(
                ContentItem(
                    content=f"{code} · {title}" if title else code,
                    quote=text,
                    relevance=round(max(0.0, min(1.0, score)), 3),
                    interview_id=citation.interview_id,
                    line_ids=list(citation.line_ids),
                )
            )
        if by_persona:
            subtopics = [
                Subtopic(title=code, content_items=sorted(found, key=lambda i: -i.relevance))
                for code, found in by_persona.items()
            ]
            topics.append(Topic(id=topic_id, title=ko if korean else en, subtopics=subtopics))
    interviews = len({c.interview_id for _, c, _ in items})
    codes = ", ".join(conversation.persona_codes)
    if korean:
        summary = (
            f"대화에서 인용된 발언 {len(items)}개(인터뷰 {interviews}개)를 주제 {len(topics)}개로"
            " 묶었습니다."
        )
    else:
        summary = (
            f"{len(items)} quotes cited in this conversation, from {interviews} interview"
            f"{'s' if interviews != 1 else ''}, grouped into {len(topics)} topics."
        )
    result = MindMap(title=conversation.title, summary=summary, root_node=codes, main_topics=topics)
    await repo.save_summary(
        session,
        {
            "conversation_id": conversation_id,
            "company_id": conversation.company_id,
            "project_id": conversation.project_id,
            "result": result.model_dump(mode="json"),
            "message_count": len(rows),
        },
    )
    return result


def _place(texts: list[str]) -> list[tuple[int, float]]:
    """The nearest topic of each quote and how near (cosine, scaled from e5's narrow band)."""
    if not texts:
        return []
    topics = np.stack([embed_query(t[3]) for t in TOPICS])
    vectors = embed_passages(texts)
    scores = vectors @ topics.T
    best = scores.argmax(axis=1)
    return [(int(b), float((scores[i, b] - 0.7) / 0.2)) for i, b in enumerate(best)]


async def latest(session: AsyncSession, user: Authenticated, conversation_id: UUID) -> MindMap:
    await service.get_conversation(session, user, conversation_id)
    row = await repo.summary(session, conversation_id)
    if row is None:
        raise NotFound("this conversation has no summary yet", code="summary_not_found")
    return MindMap.model_validate(row.result)


def markdown(mind: MindMap) -> str:
    out = [f"# {mind.title}", "", mind.summary, "", f"**{mind.root_node}**", ""]
    for topic in mind.main_topics:
        out.append(f"## {topic.title}")
        for sub in topic.subtopics:
            out.append(f"### {sub.title}")
            for item in sub.content_items:
                lines = ",".join(str(i) for i in item.line_ids)
                out.append(f"- “{item.quote}” — {item.content} (lines {lines})")
        out.append("")
    return "\n".join(out)


def document(mind: MindMap, language: str) -> report.Document:
    """The mind map as a report document, for the PDF renderer the reports use."""
    doc = report.Document(title=mind.title, meta=[mind.summary, mind.root_node], language=language)
    for topic in mind.main_topics:
        doc.add(report.Heading(topic.title, 1))
        for sub in topic.subtopics:
            doc.add(report.Heading(sub.title, 2))
            for item in sub.content_items:
                lines = ",".join(str(i) for i in item.line_ids)
                doc.add(report.Quote(item.quote, f"{item.content} #{lines}"))
    return doc


def _tree_rows(mind: MindMap) -> list[tuple[int, str, str]]:
    """(level, text, css class) of every node below the root, in drawing order."""
    rows: list[tuple[int, str, str]] = []
    for topic in mind.main_topics:
        rows.append((1, topic.title, "topic"))
        for sub in topic.subtopics:
            rows.append((2, sub.title, "persona"))
            for item in sub.content_items:
                rows.append((3, _clip(item.quote, 60), "quote"))
    return rows


_X = (10, 170, 300, 400)
_ROW_H = 22


def png(mind: MindMap) -> bytes:
    """The same tree as `svg`, drawn with Pillow in the reports' Hangul font."""
    rows = _tree_rows(mind)
    height = max(_ROW_H * (len(rows) + 2), 80)
    image = Image.new("RGB", (900, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(io.BytesIO(fonts.source_bytes()), 13)
    bold = ImageFont.truetype(io.BytesIO(fonts.source_bytes()), 14)
    root_y = height // 2
    draw.text((_X[0], root_y - 14), _clip(mind.root_node, 20), fill="black", font=bold)
    parents: dict[int, int] = {0: root_y}
    for n, (level, label, _) in enumerate(rows, start=1):
        y = n * _ROW_H + 8
        py = parents.get(level - 1, root_y)
        draw.line([(_X[level - 1] + 120, py - 6), (_X[level] - 6, y - 6)], fill="#bbbbbb")
        draw.text((_X[level], y - 14), label, fill="black" if level < 3 else "#333333", font=font)
        parents[level] = y
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def svg(mind: MindMap) -> str:
    """A left-to-right tree: root, topics, personas, quotes. Text is escaped; quotes are
    clipped on the picture (the page's list beside it has them whole)."""
    row_h, x = _ROW_H, _X
    rows = _tree_rows(mind)
    height = max(row_h * (len(rows) + 2), 80)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 900 {height}" role="img"'
        f' aria-labelledby="mm-title" class="mindmap" font-size="13">',
        f'<title id="mm-title">{escape(mind.title)}</title>',
        f'<text x="{x[0]}" y="{height // 2}" class="root" font-weight="bold">'
        f"{escape(_clip(mind.root_node, 20))}</text>",
    ]
    parents: dict[int, int] = {0: height // 2}
    for n, (level, label, css) in enumerate(rows, start=1):
        y = n * row_h + 8
        py = parents.get(level - 1, height // 2)
        parts.append(
            f'<path d="M{x[level - 1] + 120} {py - 4} C{x[level] - 30} {py - 4},'
            f' {x[level] - 30} {y - 4}, {x[level] - 6} {y - 4}" fill="none"'
            ' stroke="currentColor" stroke-opacity="0.35"/>'
        )
        parts.append(f'<text x="{x[level]}" y="{y}" class="{css}">{escape(label)}</text>')
        parents[level] = y
    parts.append("</svg>")
    return "".join(parts)


async def download(
    session: AsyncSession, user: Authenticated, conversation_id: UUID, fmt: str
) -> Response:
    if fmt not in FORMATS:
        raise InvalidInput(
            f"unknown format {fmt!r}", code="unknown_format", details={"formats": list(FORMATS)}
        )
    mind = await latest(session, user, conversation_id)
    name = f"mindmap-{conversation_id}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "md":
        return Response(markdown(mind), media_type="text/markdown; charset=utf-8", headers=headers)
    if fmt == "pdf":
        body = await asyncio.to_thread(pdf.render, document(mind, user.locale or "en"))
        return Response(body, media_type="application/pdf", headers=headers)
    if fmt == "png":
        return Response(await asyncio.to_thread(png, mind), media_type="image/png", headers=headers)
    return Response(svg(mind), media_type="image/svg+xml", headers=headers)


def as_json(mind: MindMap) -> dict[str, Any]:
    return mind.model_dump(mode="json")
