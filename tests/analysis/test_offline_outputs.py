"""What the offline engine writes around the findings: takeaways that say something the findings do
not, grammatical "How might we" questions, a profile from what the interviewee says about
themself, and a finding count that follows the evidence."""

from __future__ import annotations

import re

import pytest

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.analysis.engine import AnalysisContext
from persona_insight.analysis.offline import findings, hmw
from persona_insight.analysis.offline.engine import OfflineEngine, analyse_sync
from persona_insight.analysis.transcript import parse


@pytest.fixture(scope="module", autouse=True)
def _models() -> None:
    OfflineEngine.warm_up()


def analyse(text: str) -> InterviewAnalysis:
    return analyse_sync(parse(text), AnalysisContext()).analysis


INVOICES = """Interviewer: Tell me about your work.
Participant: My day job is as an accountant at a small logistics firm, and I have done it for years.
Interviewer: What is hard about it?
Participant: The invoices from the carriers arrive as scanned PDFs and I have to retype every \
invoice by hand, which is really frustrating.
Interviewer: Anything else?
Participant: Matching each invoice to a shipment takes hours every Friday, it is exhausting.
Interviewer: And the approvals?
Participant: The invoice approvals get stuck in my manager's inbox for weeks and suppliers call \
me angry about late payments.
Interviewer: What would help?
Participant: I wish the invoice data came straight into our accounting system without retyping.
Interviewer: Is there anything you like?
Participant: The new bank portal is great, I love how clear it is."""


def test_takeaways_are_never_the_findings_again() -> None:
    analysis = analyse(INVOICES)
    descriptions = {f.description for f in [*analysis.primary_pain_points, *analysis.primary_needs]}
    assert analysis.primary_pain_points, "the fixture states pains"
    assert analysis.key_takeaways
    for takeaway in analysis.key_takeaways:
        assert takeaway not in descriptions
        assert not any(d in takeaway for d in descriptions if len(d) > 20), takeaway
    # Across findings: the subject the findings share is named, quoted as the word they used
    # (found without its part of speech, a verb read as "Their wish about match answers…").
    assert any('"invoice"' in t for t in analysis.key_takeaways), analysis.key_takeaways
    assert not any("wish about" in t for t in analysis.key_takeaways), analysis.key_takeaways


def test_an_interview_with_nothing_gets_no_findings_and_says_so() -> None:
    text = """Interviewer: How do you plan your week?
Participant: I write the meetings into a paper diary on Sunday evening.
Interviewer: And then?
Participant: Then I copy the important ones into the shared calendar for the team.
Interviewer: How long have you done that?
Participant: For about three years, since I joined the team."""
    analysis = analyse(text)
    assert len(analysis.primary_pain_points) + len(analysis.primary_needs) <= 2
    if not analysis.primary_pain_points and not analysis.primary_needs:
        assert analysis.key_takeaways == [
            "No clear pain point or need: the interview mostly describes how things are done."
        ]


def test_weak_findings_below_the_confidence_floor_are_not_reported() -> None:
    analysis = analyse(INVOICES)
    for finding in [*analysis.primary_pain_points, *analysis.primary_needs]:
        assert finding.confidence is not None
        assert finding.confidence >= findings.MIN_CONFIDENCE


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        # A modifier clause takes a subject particle, not the topic particle of the sentence.
        ("학생들은 개념을 정확히 알기가 어렵습니다", "학생들이 개념을 정확히 알기가 어려운"),
        ("저는 매번 서류를 다시 내야 해서 번거로워요", "제가 매번 서류를 다시 내야 해서 번거로운"),
        ("결제는 항상 오래 걸려요", "결제가 항상 오래 걸리는"),
        ("앱이 자꾸 꺼져요", "앱이 자꾸 꺼지는"),
    ],
)
def test_korean_hmw_clauses_are_grammatical(text: str, clause: str) -> None:
    assert hmw._korean_clause(text) == clause


@pytest.mark.parametrize(
    "text",
    [
        # No subject of its own: "How might we help customers when number of commits…?"
        "Number of commits and bugs filed, doesn't show that picture",
        "Really frustrating to be honest with the whole thing overall",
    ],
)
def test_english_clauses_without_a_subject_are_not_restated(text: str) -> None:
    assert hmw._english_clause(text) is None


def test_english_hmw_drops_a_leading_if() -> None:
    clause = hmw._english_clause("If we find a security issue in a library we use, we report it")
    assert clause is not None
    assert not clause.lower().startswith(("if ", "when "))


def test_korean_hmw_never_makes_a_predicate_noun_its_object() -> None:
    # "이해" is said as a predicate (이해가 안 돼서, 이해하려다); as the object of "…을 더 이해하기
    # 쉽게 만들" it gave "어떻게 하면 이해를 더 이해하기 쉽게 만들 수 있을까?".
    text = """면접관: 수업에서 어떤 게 어려우셨어요?
참여자: 수강생들이 반복문 이해를 처음 할 때 이해가 안 돼서 수업 시간 내내 헤매고 다음 수업도 \
못 따라와서 정말 힘들어해요.
면접관: 또요?
참여자: 이해가 안 되는 부분을 물어볼 데가 없어서 혼자 이해하려다 포기하는 분들이 많아서 \
너무 답답해요.
면접관: 예제는 어떠세요?
참여자: 예제가 너무 단순해서 실제 업무랑 연결이 안 되니까 배워도 써먹을 데가 없어서 아쉬워요."""
    analysis = analyse(text)
    assert analysis.hmw_questions
    for question in analysis.hmw_questions:
        assert "이해를" not in question, question
        assert "단순을" not in question, question


def test_profile_takes_the_role_said_mid_sentence_and_not_the_tool() -> None:
    # The first answer is about the tool; the role comes later, in the middle of a sentence.
    text = """Interviewer: What did you think of the plots?
Participant: They're not doing a Monte Carlo simulation there, they just replace values.
Interviewer: Can you tell me about yourself?
Participant: Sure. So most of my day job is as a security researcher at a chip company."""
    profile = analyse(text).interviewee_profile
    assert "security researcher" in profile.profile_summary
    assert "Monte Carlo" not in profile.profile_summary


def test_a_known_takeaway_about_another_subject_is_not_taken() -> None:
    """The company's takeaways replace a new one that says the same thing in other words. One
    template with another topic noun is 0.95 similar in e5, so an EV interview's "the findings
    are about charging" replaced a food-delivery interview's own (browser QA)."""
    own = analyse(INVOICES).key_takeaways
    assert own
    # The same takeaways with the subject swapped for one this interview never mentions.
    elsewhere = tuple(t.replace("invoice", "charger") for t in own if "invoice" in t)
    assert elsewhere, own
    context = AnalysisContext(key_takeaways=elsewhere)
    again = analyse_sync(parse(INVOICES), context).analysis.key_takeaways
    assert not any("charger" in t for t in again), again
    # Numbers are the interview's own: a known takeaway counting other findings is not taken.
    counted = tuple(re.sub(r"\d+", "97", t) for t in own if re.search(r"\d", t))
    if counted:
        again = analyse_sync(parse(INVOICES), AnalysisContext(key_takeaways=counted))
        assert not any("97" in t for t in again.analysis.key_takeaways)


@pytest.mark.parametrize(
    ("occupation", "said"),
    [
        ("Dental hygienist", "a dental hygienist"),
        ("Operations manager at a logistics firm", "an operations manager at a logistics firm"),
        ("a freelance graphic designer", "a freelance graphic designer"),
        ("working as a nurse", "working as a nurse"),
        ("UX researcher", "a UX researcher"),
        ("in sales", "in sales"),
    ],
)
def test_the_summary_names_the_role_with_its_article(occupation: str, said: str) -> None:
    """ "The interviewee is dental hygienist" (browser QA)."""
    from persona_insight.analysis.offline.summary import _role

    assert _role(occupation) == said
