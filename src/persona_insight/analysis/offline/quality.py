"""Interview quality: did the interviewee say enough, in enough answers, for insight?"""

from __future__ import annotations

from persona_insight.analysis.contract import OverallQuality, QualityAssessment
from persona_insight.analysis.offline.document import Document
from persona_insight.analysis.offline.language import has_hangul

SUBSTANTIVE_WORDS = 12
# A Korean word (eojeol) carries a stem and its particles, about one and a half English words.
KO_WORD_WEIGHT = 1.5


def _words(text: str) -> float:
    return sum(KO_WORD_WEIGHT if has_hangul(w) else 1.0 for w in text.split())


# Below these speaker-split confidences the score is capped: when the engine is unsure who the
# interviewee is, "participant speaking 80 % of the time" and the findings may be wrong.
ROLES_UNSURE = 0.5
ROLES_FAIR = 0.8


def assess(doc: Document, role_confidence: float = 1.0, findings: int = 0) -> QualityAssessment:
    """Substance (answers long and specific enough, findings to report) capped by how sure the
    speaker split is."""
    answers = [_words(line.cleaned) for line in doc.lines if line.role == "answer"]
    questions = [_words(line.cleaned) for line in doc.lines if line.role == "question"]
    answer_words = sum(answers)
    total = answer_words + sum(questions)
    substantive = sum(1 for w in answers if w >= SUBSTANTIVE_WORDS)
    average = answer_words / len(answers) if answers else 0.0
    share = answer_words / total if total else 0.0

    score = 1
    score += 2 if average >= 30 else (1 if average >= 15 else 0)
    score += 2 if substantive >= 10 else (1 if substantive >= 5 else 0)
    if share < 0.45:
        # The interviewer did most of the talking: answers were prompted, not told.
        score -= 1
    if findings == 0:
        # Long answers with no pain point or need in them give little to act on.
        score = min(score, 3)
    if role_confidence < ROLES_UNSURE:
        score = min(score, 2)
    elif role_confidence < ROLES_FAIR:
        score = min(score, 3)
    score = max(1, min(5, score))

    if doc.out_lang == "ko":
        level = {
            5: "매우 충실한",
            4: "충실한",
            3: "보통 수준의",
            2: "다소 얕은",
            1: "내용이 부족한",
        }[score]
        text = (
            f"구체적인 답변 {substantive}개, 평균 답변 길이 약 {average:.0f}단어, "
            f"참여자 발화 비중 {share:.0%}, 찾은 불편·니즈 {findings}개로 {level} 인터뷰입니다."
        )
        if role_confidence < ROLES_FAIR:
            text += f" 화자 구분이 불확실해(확신도 {role_confidence:.0%}) 점수를 낮췄습니다."
    else:
        # The article goes with the word it precedes ("an adequate", not "a adequate").
        level = {
            5: "A very rich",
            4: "A rich",
            3: "An adequate",
            2: "A rather thin",
            1: "A too thin",
        }[score]
        answers_word = "answer" if substantive == 1 else "answers"
        findings_word = "finding" if findings == 1 else "findings"
        text = (
            f"{level} interview: {substantive} substantive {answers_word} averaging about "
            f"{average:.0f} words, with the participant speaking {share:.0%} of the time "
            f"and {findings} {findings_word}."
        )
        if role_confidence < ROLES_FAIR:
            text += (
                f" Who is the interviewer is uncertain ({role_confidence:.0%} sure), so the "
                "score is capped."
            )
    return QualityAssessment(overall_quality=OverallQuality(score=score, assessment=text))
