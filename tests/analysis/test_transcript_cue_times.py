"""Caption cue times become each script line's `start_ms`/`end_ms` (issue 11): kept through
ingestion, cleaning and the merging of cues and lines — a merged line spans its first cue's
start to its last cue's end."""

from __future__ import annotations

from persona_insight import ingest
from persona_insight.analysis.contract import (
    InterviewAnalysis,
    OverallQuality,
    QualityAssessment,
    ScriptLine,
)
from persona_insight.analysis.transcript import Transcript, parse

LIMITS = {"max_bytes": 1_000_000, "max_chars": 1_000_000}

VTT = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:03.500\n<v Jordan Lee>How do you track orders today?\n\n"
    "00:00:04.000 --> 00:00:06.000\n<v Minji Kim>With a spreadsheet, mostly.\n\n"
    "00:00:06.000 --> 00:00:09.250\n<v Minji Kim>It takes hours <laughs> every week.\n\n"
    "01:02:03.000 --> 01:02:05.000\n<v Jordan Lee>What would you change first?\n\n"
    "01:02:05.500 --> 01:02:08.000\n<v Minji Kim>The month-end reconciliation.\n"
)
SRT = (
    "1\n00:00:01,000 --> 00:00:03,000\n면접관: 주문은 어떻게 관리하세요?\n\n"
    "2\n00:00:03,500 --> 00:00:05,000\n김민지: 엑셀로 관리해요.\n\n"
    "3\n00:00:05,000 --> 00:00:07,400\n그런데 실수가 많아요.\n\n"
    "4\n00:00:08,000 --> 00:00:09,000\n면접관: 어떤 실수요?\n"
)


def _parsed(name: str, source: str) -> Transcript:
    return parse(ingest.extract(name, source.encode(), **LIMITS).text)


def _times(t: Transcript) -> list[tuple[str, int | None, int | None]]:
    return [(turn.text, turn.start_ms, turn.end_ms) for turn in t.turns]


def test_vtt_cues_keep_their_times_and_merged_cues_span_both() -> None:
    t = _parsed("call.vtt", VTT)
    assert _times(t) == [
        ("How do you track orders today?", 1_000, 3_500),
        ("With a spreadsheet, mostly. It takes hours every week.", 4_000, 9_250),
        ("What would you change first?", 3_723_000, 3_725_000),
        ("The month-end reconciliation.", 3_725_500, 3_728_000),
    ]
    assert [turn.role for turn in t.turns] == ["question", "answer"] * 2


def test_srt_cue_without_a_speaker_extends_the_turn_it_continues() -> None:
    t = _parsed("call.srt", SRT)
    assert _times(t) == [
        ("주문은 어떻게 관리하세요?", 1_000, 3_000),
        ("엑셀로 관리해요. 그런데 실수가 많아요.", 3_500, 7_400),
        ("어떤 실수요?", 8_000, 9_000),
    ]


def test_a_script_line_merged_from_several_turns_spans_first_start_to_last_end() -> None:
    t = _parsed("call.vtt", VTT)
    analysis = InterviewAnalysis(
        cleaned_script=[
            ScriptLine(id=[1], speaker="question", cleaned_sentence="q"),
            ScriptLine(id=[2, 3], speaker="answer", cleaned_sentence="a"),
        ],
        interview_quality_assessment=QualityAssessment(
            overall_quality=OverallQuality(score=3, assessment="")
        ),
    )
    lines = t.annotate(analysis).cleaned_script
    assert [(line.start_ms, line.end_ms) for line in lines] == [(1_000, 3_500), (4_000, 3_725_000)]


def test_bracketed_and_dotted_labels_after_a_cue_time_are_speakers() -> None:
    t = parse(
        "[00:00:01.000 --> 00:00:02.000] -(사회자) : 질문 있으신가요?\n"
        "[00:00:02.500 --> 00:00:04.000] (발표자) : 배포가 제일 힘들었어요.\n"
        "[00:00:05.000 --> 00:00:06.000] Q. Why was it hard?\n"
        "[00:00:06.000 --> 00:00:09.000] A. The servers kept running out of memory.\n"
    )
    assert [(turn.speaker, turn.role, turn.start_ms) for turn in t.turns] == [
        ("사회자", "question", 1_000),
        ("발표자", "answer", 2_500),
        ("Q", "question", 5_000),
        ("A", "answer", 6_000),
    ]
