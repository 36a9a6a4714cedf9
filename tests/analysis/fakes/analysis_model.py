"""A scripted model for the llm engine: it reads the line ids out of the prompt and cites them.

It answers both requests the engine makes: a chunk analysis (`record_interview_analysis`) and,
for chunked transcripts, the synthesis (`record_interview_synthesis`), in either output mode.
"""

from __future__ import annotations

import re
from typing import Any

_LINE = re.compile(r"^\[(\d+)\] ([QA]) \(([^)]*)\): (.*)$", re.MULTILINE)


def user_text(body: dict[str, Any]) -> str:
    """The first user message: the transcript (or the synthesis notes)."""
    for message in body.get("messages", []):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                return "".join(p.get("text", "") for p in content if isinstance(p, dict))
            return str(content)
    return ""


def all_text(body: dict[str, Any]) -> str:
    return "\n".join(
        m["content"] if isinstance(m.get("content"), str) else str(m.get("content"))
        for m in body.get("messages", [])
    )


def output_name(body: dict[str, Any]) -> str:
    tools = body.get("tools") or []
    if tools:
        return str(tools[0]["function"]["name"])
    fmt = body.get("response_format") or {}
    return str((fmt.get("json_schema") or {}).get("name", ""))


def is_synthesis(body: dict[str, Any]) -> bool:
    return "synthesis" in output_name(body)


def lines(body: dict[str, Any]) -> list[tuple[int, str, str]]:
    """(id, Q|A, text) of the transcript lines in the prompt."""
    return [(int(m[0]), m[1], m[3]) for m in _LINE.findall(user_text(body))]


def chunk_payload(body: dict[str, Any], *, bad_evidence: bool = False) -> dict[str, Any]:
    found = lines(body)
    answers = [i for i, role, _ in found if role == "A"] or [i for i, _, _ in found]
    first, last = found[0][0], found[-1][0]
    pain_id, need_id = answers[0], answers[-1]
    pain_text = dict((i, t) for i, _, t in found)[pain_id]
    return {
        "language": "ko",
        "topic": "전기차 충전 경험",
        "session_date": None,
        "summary": f"{first}-{last}번 줄의 요약입니다.",
        "lines": [
            {
                "id": pain_id,
                "category": "painpoint",
                "sentiment": "negative",
                "cleaned": pain_text.replace("음, ", ""),
            },
            {"id": need_id, "category": "needs", "sentiment": "positive"},
        ],
        "pain_points": [
            {
                "description": f"{pain_id}번 줄의 불편: {pain_text[:60]}",
                "evidence": [pain_id, 9999] if bad_evidence else [pain_id],
            },
            {"description": "충전기 자리가 부족하다", "evidence": [pain_id]},
        ],
        "needs": [{"description": "충전 예약 기능이 필요하다", "evidence": [need_id]}],
        "takeaways": ["충전 자리 부족이 가장 큰 불편이다"],
        "hmw_questions": ["어떻게 하면 충전 대기 시간을 줄일 수 있을까?"],
        "sections": [{"name": "충전 습관", "start_line": first, "end_line": last, "main": True}],
        "keywords": ["충전", "예약", "아파트"],
        "profile": {
            "summary": "아파트에 사는 전기차 운전자",
            "age_group": "30대",
            "gender": None,
            "occupation": "직장인",
        },
        "quality": {"score": 4, "assessment": "구체적인 사례가 많다"},
        "persona": {"code": "P1", "explanation": "집에서 완속 충전을 주로 한다", "confidence": 0.8},
    }


def synthesis_payload() -> dict[str, Any]:
    return {
        "language": "ko",
        "topic": "전기차 충전 경험 전체",
        "summary": "인터뷰 전체 요약입니다.",
        "takeaways": ["충전 자리 부족이 가장 큰 불편이다", "예약 기능에 대한 기대가 크다"],
        "hmw_questions": ["어떻게 하면 충전 자리를 미리 확보하게 할 수 있을까?"],
        "profile": {"summary": "퇴근 후 아파트에서 충전하는 직장인", "age_group": "30대"},
        "quality": {"score": 5, "assessment": "전체적으로 풍부하다"},
        "persona": {"code": "P1", "explanation": "완속 충전 위주", "confidence": 0.9},
    }


def payload_for(body: dict[str, Any]) -> dict[str, Any]:
    return synthesis_payload() if is_synthesis(body) else chunk_payload(body)
