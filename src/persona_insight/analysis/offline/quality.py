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


def assess(doc: Document) -> QualityAssessment:
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
            f"참여자 발화 비중 {share:.0%}로 {level} 인터뷰입니다."
        )
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
        text = (
            f"{level} interview: {substantive} substantive {answers_word} averaging about "
            f"{average:.0f} words, with the participant speaking {share:.0%} of the time."
        )
    return QualityAssessment(overall_quality=OverallQuality(score=score, assessment=text))
