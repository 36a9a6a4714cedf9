"""Answer engines. `offline` is extractive: the quotes retrieval ranked highest, grouped by
interview, introduced by one templated sentence — it never writes a claim of its own, so every
sentence it streams is a participant's line with its citation."""

from __future__ import annotations

from collections.abc import AsyncIterator

from persona_insight.citations import Citation
from persona_insight.search.ask import Evidence, Piece

NOTHING_ANALYSED = {
    True: "이 범위에는 아직 분석이 끝난 인터뷰가 없어, 답의 근거로 쓸 발언이 없습니다.",
    False: "There is no analysed interview here yet, so there is nothing to answer from.",
}
NOTHING_FOUND = {
    True: "분석된 인터뷰에서 이 질문과 관련된 발언을 찾지 못했습니다.",
    False: "No line of the analysed interviews relates to this question.",
}


def _intro(quotes: int, interviews: int, korean: bool) -> str:
    if korean:
        return f"질문과 가장 가까운 참여자 발언 {quotes}개를 인터뷰 {interviews}개에서 찾았습니다."
    return (
        f"The {quotes} participant quotes closest to the question,"
        f" from {interviews} interview{'s' if interviews != 1 else ''}."
    )


PASSAGE_AROUND = {
    True: "인터뷰의 다른 부분에서 질문과 가까운 발언:",
    False: "Elsewhere in the interview, closest to the question:",
}
PASSAGE_ALONE = {
    True: "인터뷰의 다른 부분에는 이 질문과 관련된 참여자 발언이 없습니다.",
    False: "Nothing else the participant said in this interview relates to the question.",
}
INTERVIEWER = {True: "(질문) ", False: "(Interviewer) "}


def _passage_intro(lines: int, title: str, korean: bool) -> str:
    if korean:
        return f"「{title}」에서 선택한 발언 {lines}개입니다."
    return f"The {lines} selected line{'s' if lines != 1 else ''} of “{title}”."


async def _passage(evidence: Evidence, korean: bool) -> AsyncIterator[Piece]:
    """The selected lines, quoted whole (the interviewer's marked as such), then the lines of
    the rest of the interview that retrieval found nearest the question."""
    selected, around = evidence.keys[: evidence.passage], evidence.keys[evidence.passage :]
    title = evidence.check.titles.get(selected[0][0], "")
    yield Piece(_passage_intro(len(selected), title, korean) + "\n")
    for part, keys in enumerate((selected, around)):
        if part == 1:
            yield Piece("\n" + (PASSAGE_AROUND if keys else PASSAGE_ALONE)[korean] + "\n")
        for interview_id, line_id in keys:
            citation = Citation(interview_id=interview_id, line_ids=(line_id,))
            lines = evidence.check.lines_of(citation)
            if not lines:
                continue
            who = INTERVIEWER[korean] if lines[0].speaker == "question" else ""
            yield Piece(f"{who}“{lines[0].text}”\n", citations=[citation], ends_sentence=True)


class OfflineAnswer:
    name = "offline"

    async def answer(self, question: str, evidence: Evidence, korean: bool) -> AsyncIterator[Piece]:
        if evidence.passage:
            async for piece in _passage(evidence, korean):
                yield piece
            return
        groups: dict[object, list[Citation]] = {}
        for interview_id, line_id in evidence.keys:
            citation = Citation(interview_id=interview_id, line_ids=(line_id,))
            if evidence.check.lines_of(citation):
                groups.setdefault(interview_id, []).append(citation)
        if not groups:
            text = NOTHING_ANALYSED if evidence.interviews == 0 else NOTHING_FOUND
            yield Piece(text[korean])
            return
        quotes = sum(len(c) for c in groups.values())
        yield Piece(_intro(quotes, len(groups), korean) + "\n")
        for citations in groups.values():
            title = evidence.check.titles.get(citations[0].interview_id, "")
            yield Piece(f"\n{title}\n")
            for citation in citations:
                line = evidence.check.lines_of(citation)[0]
                yield Piece(f"“{line.text}”\n", citations=[citation], ends_sentence=True)
