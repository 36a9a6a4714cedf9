"""Transcripts that are hard to read analyse to an honest result, or are refused with a clear
code: never a crash, never findings padded beyond what was said."""

from __future__ import annotations

import time

import pytest

from persona_insight.analysis.engine import AnalysisContext, EngineError
from persona_insight.analysis.offline.engine import analyse_sync
from persona_insight.analysis.transcript import parse

pytestmark = pytest.mark.slow


def _findings(text: str) -> tuple[int, int]:
    t = parse(text)
    t.require_speech()
    analysis = t.annotate(analyse_sync(t, AnalysisContext()).analysis)
    ids = analysis.line_ids()
    for finding in analysis.primary_pain_points + analysis.primary_needs:
        assert set(finding.evidence) <= ids
    return len(analysis.primary_pain_points), len(analysis.primary_needs)


def test_one_speaker_analyses_with_roles_unknown() -> None:
    text = (
        "Jane: I moved to Busan last year. The buses there never come on time, which is "
        "really annoying.\nJane: I need a better app for the schedules."
    )
    t = parse(text)
    assert (dict(t.roles), t.role_confidence, t.role_source) == ({"Jane": "answer"}, 0.0, "unknown")
    pains, needs = _findings(text)
    assert pains + needs <= 2


def test_no_question_marks() -> None:
    text = (
        "Ana: tell me about your commute\n"
        "Bo: I take two buses and the app never shows the second one which is frustrating\n"
        "Ana: and then\nBo: I wait and hope"
    )
    t = parse(text)
    assert t.roles == {"Ana": "question", "Bo": "answer"}
    assert t.role_confidence < 0.8  # the page asks a researcher to check
    pains, needs = _findings(text)
    assert pains + needs <= 2


@pytest.mark.parametrize(
    "text",
    [
        "00:00:01\n00:00:05\n[00:00:09]\n00:01:02.500",
        "Oral History Project\nINTERVIEWER: Helen Brooks\nNARRATOR: Walter Ames\n"
        "DATE: March 3, 2004",
        "[laughter]\n(웃음)\n<crosstalk>",
    ],
    ids=["only-timestamps", "header-without-body", "only-stage-directions"],
)
def test_no_speech_is_refused_with_a_code(text: str) -> None:
    t = parse(text)
    assert not [turn.text for turn in t.turns if turn.text]
    with pytest.raises(EngineError) as caught:
        t.require_speech()
    assert (caught.value.code, caught.value.retryable) == ("empty_transcript", False)


def test_a_header_without_body_keeps_its_metadata() -> None:
    t = parse("INTERVIEWER: Helen Brooks\nNARRATOR: Walter Ames\nDATE: March 3, 2004")
    assert t.metadata == {
        "interviewer": "Helen Brooks",
        "narrator": "Walter Ames",
        "date": "March 3, 2004",
    }


def test_mixed_languages() -> None:
    text = (
        "면접관: 요즘 어떤 앱을 쓰세요?\n"
        "Participant: I use Slack mostly, 근데 알림이 너무 많아서 불편해요.\n"
        "면접관: 어떻게 하세요?\n"
        "Participant: I mute everything and miss important messages."
    )
    assert parse(text).roles == {"면접관": "question", "Participant": "answer"}
    pains, needs = _findings(text)
    assert pains + needs <= 2


FRENCH = [
    "Je travaille dans une banque depuis six ans, dans l'équipe des données.",
    "Le plus difficile, c'est que les fichiers arrivent toujours en retard le lundi.",
    "Nous devons tout vérifier à la main, ligne par ligne, avant chaque rapport.",
    "Mon responsable voudrait un tableau de bord, mais personne n'a le temps de le faire.",
    "Quand les chiffres ne correspondent pas, je passe la journée au téléphone avec eux.",
    "Franchement, je préférerais que le système nous prévienne dès qu'une erreur apparaît.",
]


def _interview(questions: list[str], answers: list[str], rounds: int) -> str:
    turns = []
    for n in range(rounds):
        turns.append(f"Interviewer: {questions[n % len(questions)]}")
        turns.append(f"Participant: {answers[n % len(answers)]} {answers[(n + 2) % len(answers)]}")
    return "\n".join(turns)


def test_a_language_the_offline_analyser_cannot_read_is_said_so() -> None:
    # French has no cue, example or stop word here: keywords like "les" and findings from
    # chance similarity would be invented. The script and its roles are kept.
    text = _interview(["Pouvez-vous me parler de votre travail ?", "Et ensuite ?"], FRENCH, 24)
    t = parse(text)
    analysis = t.annotate(analyse_sync(t, AnalysisContext()).analysis)
    assert analysis.language == "und"
    assert analysis.primary_pain_points == analysis.primary_needs == []
    assert analysis.keywords == analysis.hmw_questions == analysis.script_sections == []
    assert "not in Korean or English" in analysis.summary
    assert analysis.interview_quality_assessment.overall_quality.score == 1
    assert {line.speaker for line in analysis.cleaned_script} == {"question", "answer"}
    assert analysis.roles == {"Interviewer": "question", "Participant": "answer"}
    # The same interview in English is read.
    english = [
        "I have worked at a bank for six years, in the data team.",
        "The hardest part is that the files always arrive late on Monday.",
        "We have to check everything by hand, line by line, before each report.",
        "My manager would like a dashboard, but nobody has the time to build it.",
        "When the numbers do not match, I spend the day on the phone with them.",
        "Honestly, I wish the system told us as soon as an error shows up.",
    ]
    text = _interview(["Can you tell me about your work?", "And then?"], english, 24)
    t = parse(text)
    read = analyse_sync(t, AnalysisContext()).analysis
    assert read.language == "en"
    assert read.keywords


def test_a_hundred_thousand_lines() -> None:
    text = "\n".join(f"Q: question {i}?\nA: answer number {i} is fine." for i in range(50_000))
    started = time.perf_counter()
    t = parse(text)
    assert time.perf_counter() - started < 60
    assert len(t.turns) == 100_000
    assert t.roles == {"Q": "question", "A": "answer"}
    with pytest.raises(EngineError) as caught:
        analyse_sync(t, AnalysisContext())
    assert caught.value.code == "transcript_too_long"


@pytest.mark.parametrize("text", ["A: 한 줄짜리 답변", "Q: 어떠세요?\nA: 좋아요"])
def test_short_turns_are_not_a_header(text: str) -> None:
    t = parse(text)
    assert t.turns
    assert not t.metadata
