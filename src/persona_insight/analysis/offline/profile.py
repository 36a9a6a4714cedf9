"""Interviewee profile and session info from what the interviewee says about themselves.

Only explicit self-description counts: an age the speaker states, "엄마예요" or "as a woman",
"I work as a nurse". Nothing is inferred from a spouse or children, and sentences that could
carry a name ("my name is", "이름은", the speaker label) are never quoted.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from persona_insight.analysis.contract import Demographics, IntervieweeProfile, SessionInfo
from persona_insight.analysis.dates import HEADER_LINES, date_in_lines
from persona_insight.analysis.engine import AnalysisContext
from persona_insight.analysis.offline.document import Document
from persona_insight.analysis.offline.language import Lang
from persona_insight.analysis.offline.sentences import Sentence
from persona_insight.analysis.offline.stance import stance
from persona_insight.analysis.offline.stopwords import words
from persona_insight.analysis.transcript import ANSWER_LABELS, QUESTION_LABELS

_SELF_KO = re.compile(
    r"(?:^|\s)(?:저는|전|제가|나는|저희\s?집은)\s|살이고|대\s?(?:초반|중반|후반)|직장인|일하고|일해요|"
    r"다니(?:는|고)|운영하|키우(?:는|고)|자취|학년|살아요|살고|타요|탄\s?지|나이는|직업은|"
    r"일을\s?(?:하|해)|회사에서|근무|\d+\s?년(?:째|차)|경력|(?:회사|팀)\s?이름은|"
    r"(?:개발|운영|연구|강의|교육)(?:을|를)?\s?(?:하고|맡고)\s?있",
)
_SELF_EN = re.compile(
    r"^(?:so,?\s+|sure\.?\s+|yeah,?\s+|well,?\s+)*(?:i'm|i am|i work|i've been|i live|i drive|"
    r"i have|i've got|it's me|we're|we are|my (?:job|work|role))\b"
    # Role and experience said anywhere in the sentence: "most of my day job is as a security
    # researcher", "I've been using Python for ten years", "as a developer I…".
    r"|\bmy (?:day job|job|role|background|work) (?:is|was|involves)\b"
    r"|\bi (?:work|worked) (?:at|for|on|in|as)\b|\bas an? [a-z]+ (?:i|we)\b"
    r"|\bi(?:'ve| have) been (?:doing|working|using|maintaining|teaching|running) .* for\b",
    re.IGNORECASE,
)
# Says something about the speaker themself: a first-person word (the fallback profile sentence
# must be about the interviewee, not the tool they were looking at).
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|my|me)\b|(?:^|\s)(?:저는|전|제가|저희|제)\s", re.I)
_NAME_HINT = re.compile(r"name is|이름은|이름이|my name|제 이름|called me|부르", re.IGNORECASE)
# Release statements and copyright headers at the top of published transcripts ("I, Nick …,
# hereby release this work under…") are paperwork, not a self-description.
_PAPERWORK = re.compile(
    r"\b(?:hereby|licen[cs]e|copyright|creative ?commons|release this work|transfer)\b|https?://"
    r"|저작권|라이선스|라이센스",
    re.IGNORECASE,
)

_KO_NUMBER_DECADES = {"스물": 20, "서른": 30, "마흔": 40, "쉰": 50, "예순": 60, "일흔": 70}
_AGE_KO_DIGITS = re.compile(r"(\d{2})\s?(?:살|세)(?!\s?(?:아이|아들|딸|짜리))")
_AGE_KO_WORDS = re.compile(r"(스물|서른|마흔|쉰|예순|일흔)\S{0,3}\s?(?:살|이고|이에요|입니다|예요)")
_AGE_KO_DECADE = re.compile(r"(\d)0\s?대(?:\s?(초반|중반|후반))?")
_AGE_EN_DIGITS = re.compile(
    r"\b(?:i'm|i am)\s+(\d{2})\b(?!\s*(?:%|percent|minutes|hours|miles|km|dollars))"
    r"|\b(\d{2})\s+years?\s+old\b",
    re.IGNORECASE,
)
_EN_DECADES = {
    "twenties": 20,
    "thirties": 30,
    "forties": 40,
    "fifties": 50,
    "sixties": 60,
    "seventies": 70,
}
_AGE_EN_WORDS = re.compile(
    r"\bin my (early|mid|late)?\s*-?\s*(twenties|thirties|forties|fifties|sixties|seventies)\b",
    re.IGNORECASE,
)

_GENDER_KO = (
    (
        re.compile(
            r"엄마(?:예요|에요|입니다|로서|라서|이고)|워킹맘|여자(?:라서|예요|로서)|여성(?:이라|으로서)"
        ),
        "여성",
    ),
    (
        re.compile(
            r"아빠(?:예요|에요|입니다|로서|라서|이고)|워킹대디|남자(?:라서|예요|로서)|남성(?:이라|으로서)"
        ),
        "남성",
    ),
)
_GENDER_EN = (
    (
        re.compile(r"\b(?:as a|i'm a|i am a)\s+(?:woman|mom|mother|single mom|girl)\b", re.I),
        "female",
    ),
    (re.compile(r"\b(?:as a|i'm a|i am a)\s+(?:man|dad|father|single dad|guy)\b", re.I), "male"),
)

_OCCUPATIONS_KO = (
    "프로덕트 매니저",
    "직장인",
    "회사원",
    "대학생",
    "대학원생",
    "학생",
    "간호사",
    "교사",
    "선생님",
    "개발자",
    "디자이너",
    "마케터",
    "기획자",
    "자영업자",
    "자영업",
    "프리랜서",
    "주부",
    "공무원",
    "의사",
    "약사",
    "엔지니어",
    "연구원",
    "영업",
    "사업자",
    "육아휴직",
    "PM",
    "마케팅",
    "운영자",
    "사장",
    "대표",
)
_OCCUPATION_EN = re.compile(
    r"\b(?:i'm|i am|i work (?:part[- ]time |full[- ]time )?as|my (?:day )?job is(?: as)?)"
    r"\s+(?:an?\s+)?"
    r"(?P<job>[a-z][a-z' -]{2,60}?)(?=,|\.|;| and\b| so\b|$)",
    re.IGNORECASE,
)
_JOB_WORDS = words(
    """manager designer teacher nurse engineer developer consultant student hygienist doctor
    lawyer accountant analyst marketer researcher owner founder driver freelancer freelance pm
    scientist officer assistant clerk technician writer editor photographer chef cook pharmacist
    architect professor lecturer retiree retired specialist coordinator director executive
    administrator agent representative cashier mechanic electrician contractor entrepreneur
    programmer dentist therapist salesperson sales banker trader planner producer"""
)
_FILENAME = re.compile(r"\.(?:txt|md|markdown|vtt|srt|docx|pdf|hwp|rtf|json|csv|html?|log)$", re.I)


def _not_about_self(text: str) -> bool:
    """Paperwork, and a talk speaker addressing the audience ("질문 드리거나 할 때 반응해 주시기
    바랍니다"): neither says who the speaker is."""
    said = stance(text)
    return bool(_PAPERWORK.search(text) or said.logistics or said.addressed)


def _speaker_names(doc: Document) -> set[str]:
    known = QUESTION_LABELS | ANSWER_LABELS
    return {
        line.speaker.strip("*_ ").lower()
        for line in doc.lines
        if line.speaker.strip("*_ ").lower() not in known and len(line.speaker.strip()) > 1
    }


def self_descriptions(doc: Document) -> list[Sentence]:
    """Answer sentences in which the interviewee describes themselves, earliest first."""
    names = _speaker_names(doc)
    answers = doc.answers
    # Self-introductions come early; later "I'm…" sentences are usually feelings, not profile.
    horizon = max(6, len(answers) // 3)
    out: list[Sentence] = []
    for s in answers[:horizon]:
        lowered = s.text.lower()
        if _NAME_HINT.search(s.text) or any(name and name in lowered for name in names):
            continue
        if _not_about_self(s.text):
            continue
        pattern = _SELF_KO if s.lang == "ko" else _SELF_EN
        if pattern.search(s.text):
            out.append(s)
    return out


def _age(texts: list[str], lang: Lang) -> str | None:
    for text in texts:
        m = _AGE_KO_DECADE.search(text)
        if m:
            decade = int(m.group(1)) * 10
            return _age_label(decade, m.group(2), lang)
        m = _AGE_KO_DIGITS.search(text)
        if m and 15 <= int(m.group(1)) <= 99:
            return _age_label(int(m.group(1)) // 10 * 10, None, lang)
        m = _AGE_KO_WORDS.search(text)
        if m:
            return _age_label(_KO_NUMBER_DECADES[m.group(1)], None, lang)
        m = _AGE_EN_DIGITS.search(text)
        if m:
            age = int(m.group(1) or m.group(2))
            if 15 <= age <= 99:
                return _age_label(age // 10 * 10, None, lang)
        m = _AGE_EN_WORDS.search(text)
        if m:
            part = {"early": "초반", "mid": "중반", "late": "후반"}.get((m.group(1) or "").lower())
            return _age_label(_EN_DECADES[m.group(2).lower()], part, lang)
    return None


def _age_label(decade: int, part: str | None, lang: Lang) -> str:
    if lang == "ko":
        return f"{decade}대" + (f" {part}" if part else "")
    english = {"초반": "early ", "중반": "mid-", "후반": "late "}.get(part or "", "")
    return f"{english}{decade}s"


def _gender(texts: list[str], lang: Lang) -> str | None:
    for text in texts:
        for pattern, label in (*_GENDER_KO, *_GENDER_EN):
            if pattern.search(text):
                korean = label in ("여성", "남성")
                if lang == "ko":
                    return label if korean else {"female": "여성", "male": "남성"}[label]
                return label if not korean else {"여성": "female", "남성": "male"}[label]
    return None


# A verb or adjective ending that modifies the noun after it (있는, 다니는, 하던, 큰).
_ADNOMINAL = re.compile(r"(?:는|던|[인은]|[^\s]ㄴ)$")


def _occupation(sentences: list[Sentence]) -> str | None:
    for s in sentences:
        m = _OCCUPATION_EN.search(s.text)
        if m:
            job = m.group("job").strip()
            if set(job.lower().replace("-", " ").split()) & _JOB_WORDS:
                return job[:300]
        for term in _OCCUPATIONS_KO:
            at = s.text.find(term)
            if at >= 0:
                # Keep the modifiers that say where or what ("IT 회사 다니는 직장인").
                # The clause ends at punctuation or a connective ending ("…살이고 병원에서").
                clause = re.split(r"[,.]|(?<=고)\s|(?<=고요)\s|(?<=는데)\s", s.text[:at])[
                    -1
                ].split()
                kept = [w for w in clause[-3:] if w not in ("저는", "전", "제가")]
                # A window that starts on a modifier whose subject it cut off ("서울에 있는
                # 핀테크…" kept as "있는 핀테크…") starts after it.
                while len(kept) > 1 and len(clause) > 3 and _ADNOMINAL.search(kept[0]):
                    kept = kept[1:]
                context = " ".join(kept)
                return (f"{context} {term}".strip() if context else term)[:300]
    return None


def _third_person(text: str) -> str:
    """First-person English self-description in neutral third person ("I'm" → "They're")."""
    swaps = (
        (r"\bI'm\b", "they're"),
        (r"\bI am\b", "they are"),
        (r"\bI've\b", "they've"),
        (r"\bI'd\b", "they'd"),
        (r"\bI was\b", "they were"),
        (r"\bI\b", "they"),
        (r"\bmy\b", "their"),
        (r"\bMy\b", "Their"),
        (r"\bme\b", "them"),
        (r"\bmyself\b", "themselves"),
    )
    for pattern, replacement in swaps:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"^(?:(?:so|sure|yeah|well|um|okay)\b[,.]?\s+)+", "", text, flags=re.IGNORECASE)
    return text[0].upper() + text[1:] if text else text


def _korean_neutral(text: str) -> str:
    return re.sub(r"^(?:음\s+|네\s+)?(?:저는|전|제가)\s+", "", text).strip()


def _first_substantive(doc: Document) -> list[Sentence]:
    """Without a self-description, the first real answer usually says how the interviewee
    relates to the topic ("일 년에 해외 두 번 …"), which is still a neutral profile."""
    for s in doc.answers[: max(6, len(doc.answers) // 3)]:
        if (
            len(s.text) >= 20
            and not _NAME_HINT.search(s.text)
            and _FIRST_PERSON.search(s.text)
            and not _not_about_self(s.text)
        ):
            return [s]
    return []


def profile(doc: Document) -> IntervieweeProfile:
    selves = self_descriptions(doc) or _first_substantive(doc)
    texts = [s.text for s in selves]
    lang = doc.out_lang
    # Gender cues are explicit self-references ("as a woman", "엄마예요") wherever they occur;
    # age and occupation are taken from the self-introduction only.
    demographics = Demographics(
        age_group=_age(texts, lang),
        gender=_gender([s.text for s in doc.answers], lang),
        occupation_context=_occupation(selves),
    )
    quoted = [
        _korean_neutral(s.text) if s.lang == "ko" else _third_person(s.text) for s in selves[:2]
    ]
    body = " ".join(quoted)
    # Facts the quoted self-description already states are not repeated in front of it.
    facts = [
        v
        for v in (demographics.age_group, demographics.gender, demographics.occupation_context)
        if v and v.lower() not in body.lower()
    ]
    head = " · ".join(facts)
    summary = f"{head}. {body}".strip(" .") if head and body else (head or body)
    return IntervieweeProfile(profile_summary=summary[:2000], demographics=demographics)


def _date_in_text(doc: Document) -> str | None:
    found = date_in_lines(line.cleaned for line in doc.lines[:HEADER_LINES])
    return found.isoformat() if found else None


def topic_from_title(title: str) -> str:
    title = title.strip()
    if _FILENAME.search(title):
        title = PurePath(title).stem.replace("_", " ").replace("-", " ")
    return re.sub(r"\s+", " ", title).strip()


def session(doc: Document, context: AnalysisContext, keywords: list[str]) -> SessionInfo:
    date = context.interview_date.isoformat() if context.interview_date else _date_in_text(doc)
    topic = topic_from_title(context.title) or context.project_name.strip()
    if not topic and keywords:
        joined = ", ".join(keywords[:3])
        topic = f"{joined} 관련 인터뷰" if doc.out_lang == "ko" else f"Interview on {joined}"
    return SessionInfo(session_date=date, interview_topic=topic[:2000])
