"""Findings by meaning, on the offline engine end to end: denied, imagined and logistic lines are
not findings, the interviewer is never cited, a line is one kind unless it says both, an interview
with nothing to report reports nothing, and every finding carries a confidence and a short label."""

from __future__ import annotations

import pytest

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.analysis.engine import AnalysisContext
from persona_insight.analysis.offline import labels
from persona_insight.analysis.offline.engine import OfflineEngine, analyse_sync
from persona_insight.analysis.transcript import parse


@pytest.fixture(scope="module", autouse=True)
def _models() -> None:
    OfflineEngine.warm_up()


def analyse(text: str) -> InterviewAnalysis:
    return analyse_sync(parse(text), AnalysisContext()).analysis


def cited(analysis: InterviewAnalysis, kind: str | None = None) -> set[int]:
    groups = []
    if kind in (None, "pain"):
        groups += analysis.primary_pain_points
    if kind in (None, "need"):
        groups += analysis.primary_needs
    return {i for f in groups for i in f.evidence}


NEGATION_EN = """Interviewer: How was booking the appointment?
Participant: I never had a problem with the booking page, it was quick.
Interviewer: Anything you couldn't do?
Participant: There was nothing I couldn't do in the app, honestly.
Interviewer: And paying?
Participant: Paying is the worst part. The card form rejects my card every single time and I \
have to call the clinic, which is really frustrating.
Interviewer: Was the reminder confusing?
Participant: The reminder wasn't confusing at all, no complaints there."""

NEGATION_KO = """면접관: 예약하실 때 어떠셨어요?
참여자: 예약할 때 불편한 건 딱히 없었어요. 금방 됐어요.
면접관: 결제는 어떠셨어요?
참여자: 결제가 제일 짜증나요. 카드 등록이 매번 실패해서 결국 전화로 해야 돼요.
면접관: 알림은 헷갈리지 않으셨어요?
참여자: 알림은 헷갈리지 않았어요. 문제라고 할 건 전혀 없었어요."""


@pytest.mark.parametrize(("text", "pain_line"), [(NEGATION_EN, 6), (NEGATION_KO, 4)])
def test_denied_problems_are_not_pain_points(text: str, pain_line: int) -> None:
    analysis = analyse(text)
    pains = cited(analysis, "pain")
    assert pain_line in pains
    assert pains <= {pain_line}, analysis.primary_pain_points


HYPOTHETICAL = """Interviewer: Has the app ever lost a booking?
Participant: No. If it ever lost my booking I would be furious, but it never has.
Interviewer: What does go wrong?
Participant: The search filters reset every time I go back, so I keep re-entering my dates, \
which is so annoying."""


def test_hypothetical_problems_are_not_pain_points() -> None:
    analysis = analyse(HYPOTHETICAL)
    assert cited(analysis, "pain") == {4}


LOGISTICS = """Interviewer: Thanks for joining. Is it okay if we record this session?
Participant: Sure, go ahead and record it. Let me share my screen so you can see it. Sorry, I \
accidentally set off Siri.
Interviewer: Is it frustrating when the export crashes?
Participant: Yes. The export crashes whenever the file is big, and I lose an hour of work each time.
Interviewer: What would help?
Participant: I wish the export saved a draft automatically so I could pick up where I stopped."""


def test_logistics_and_the_interviewer_are_never_cited() -> None:
    analysis = analyse(LOGISTICS)
    lines = {line.id[0]: line for line in analysis.cleaned_script}
    everything = cited(analysis)
    assert everything, "the real pain and need are found"
    assert 2 not in everything  # recording consent, screen sharing, Siri
    assert all(lines[i].speaker == "answer" for i in everything)
    assert 4 in cited(analysis, "pain")
    assert 6 in cited(analysis, "need")


def test_a_line_is_one_kind_unless_it_says_both() -> None:
    text = """Interviewer: How is the dashboard?
Participant: The dashboard takes forever to load in the morning.
Interviewer: What would you change?
Participant: I'd like a weekly summary email instead of logging in.
Interviewer: Anything else?
Participant: The app crashes constantly and it's so frustrating, and I really wish it would \
just save my filters."""
    analysis = analyse(text)
    pains, needs = cited(analysis, "pain"), cited(analysis, "need")
    assert 2 in pains
    assert 4 in needs
    assert 2 not in needs
    assert 4 not in pains
    # Line 6 states a pain and a wish: it may be both.
    assert 6 in pains | needs


@pytest.mark.parametrize(
    "text",
    [
        """Interviewer: How do you find the app?
Participant: I really like it. It is quick and the design is clean.
Interviewer: Anything you would change?
Participant: Not really, no complaints. It does what I want.""",
        """면접관: 앱 써 보시니까 어떠세요?
참여자: 좋아요. 빠르고 화면도 깔끔해요.
면접관: 바꾸고 싶은 점은요?
참여자: 딱히 없어요. 불편한 건 없었어요.""",
    ],
)
def test_an_interview_with_nothing_to_report_reports_nothing(text: str) -> None:
    analysis = analyse(text)
    assert analysis.primary_pain_points == []
    assert analysis.primary_needs == []


def test_findings_carry_a_confidence_and_a_short_label() -> None:
    analysis = analyse(LOGISTICS)
    script = {line.id[0]: line.cleaned_sentence for line in analysis.cleaned_script}
    findings = analysis.primary_pain_points + analysis.primary_needs
    assert findings
    for finding in findings:
        assert finding.confidence is not None
        assert 0.5 <= finding.confidence <= 1.0
        words = finding.description.split()
        assert 0 < len(words) <= labels.MAX_WORDS
        evidence = " ".join(script[i] for i in finding.evidence).lower()
        assert all(w.strip(",.").lower() in evidence for w in words), finding.description


def test_the_quality_score_reflects_how_sure_the_speaker_split_is() -> None:
    answers = [
        "I run the night shift at a warehouse and I plan the routes for twelve drivers every "
        "evening, which takes me about two hours because the tools do not talk to each other.",
        "The route planner crashes when I load more than fifty stops, so I split the list by hand "
        "and lose half an hour every single night, which is really frustrating.",
        "I wish the planner could import the orders straight from our shop system so I would not "
        "copy them over one by one from the spreadsheet.",
        "The drivers call me when the map sends them the wrong way, and I have to fix the route "
        "on the phone while the other drivers wait for me.",
        "On Mondays the order volume doubles and I stay an extra hour just to get the routes "
        "out, and my manager keeps asking why the vans leave late.",
        "We tried a second planning tool last year but it could not read our depot codes, so "
        "we went back to the old one and the spreadsheet.",
    ]
    labelled = "\n".join(
        f"Interviewer: Tell me more about that?\nParticipant: {a}" for a in answers
    )
    sure = analyse(labelled).interview_quality_assessment.overall_quality
    unlabelled = analyse("\n\n".join(answers)).interview_quality_assessment.overall_quality
    assert sure.score >= 3, sure
    assert unlabelled.score <= 2, unlabelled
    assert "uncertain" in unlabelled.assessment


def test_the_summary_states_the_main_pains_and_needs_in_the_interview_s_language() -> None:
    english = analyse(LOGISTICS)
    assert english.primary_pain_points
    assert f"Main pain points: {english.primary_pain_points[0].description}" in english.summary
    assert f"Main needs: {english.primary_needs[0].description}" in english.summary
    korean = analyse(NEGATION_KO)
    assert f"주요 불편: {korean.primary_pain_points[0].description}" in korean.summary
    nothing = analyse(
        "Interviewer: How do you find the app?\nParticipant: I really like it, it is quick and "
        "clean.\nInterviewer: Anything to change?\nParticipant: Not really, no complaints."
    )
    assert nothing.summary.endswith("No clear pain point or need was stated.")
