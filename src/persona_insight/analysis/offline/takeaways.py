"""Key takeaways: what the findings mean together, never the findings again.

A takeaway says something no single finding says: which subject the problems gather around, a
problem that keeps coming back across answers, a need that answers a pain, the balance of
complaints and wishes, a workaround the interviewee already uses, what they are happy with
despite the problems. Each is a template over the interviewee's own topics (the nouns they keep
using), in the language of the interview; an existing company takeaway that says the same thing
is used in its wording.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from persona_insight.analysis.offline import cues, models
from persona_insight.analysis.offline.document import Document
from persona_insight.analysis.offline.findings import Draft, noun_idf
from persona_insight.analysis.offline.hmw import has_batchim, topic

MAX_COUNT = 6
MAX_CHARS = 110
# A problem stated in this many separate answers is a pattern, not a one-off remark.
RECURRING_TURNS = 3
# A praise sentence needs a cue this strong, and no pain cue, to count as a contrast.
PRAISE_CUE = 0.8
# Near-identical: this similar, or somewhat less with most words shared.
SAME_SIMILARITY = 0.95
SAME_WITH_WORDS = 0.92
SAME_WORDS = 0.5

_KO_FILLER = re.compile(r"(?<!\S)(?:진짜|정말|솔직히|그냥|완전|되게|막|좀|약간)\s+")
_EN_FILLER = re.compile(
    r"\b(?:really|honestly|just|actually|basically|kind of|sort of|literally|pretty much)\s+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w가-힣]{2,}", re.UNICODE)
_DIGIT = re.compile(r"\d")
_WORKAROUND = re.compile(
    r"\b(?:work(?:ed|ing)? around|workaround|i ended up|we ended up|by hand|manually|"
    r"(?:my|our) own (?:script|tool|spreadsheet|version)|instead,? (?:i|we)|i just (?:copy|write|"
    r"wrote|use|used|do it)|had to (?:write|build|copy))\b"
    r"|대신(?:에)?\s|직접\s?(?:만들|짜|작성|구현|개발|손)|수동으로|손으로|우회|꼼수|편법|임시방편",
    re.IGNORECASE,
)


def shorten(text: str, lang: str) -> str:
    text = (_KO_FILLER if lang == "ko" else _EN_FILLER).sub("", text).strip()
    text = re.sub(r"\s+", " ", text)
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    if len(text) <= MAX_CHARS:
        return text
    cut = text[:MAX_CHARS]
    boundary = max(cut.rfind(", "), cut.rfind("; "), cut.rfind(" — "))
    cut = cut[:boundary] if boundary > MAX_CHARS // 2 else cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;") + "…"


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _reuse(statements: list[str], known: tuple[str, ...], said: set[str]) -> list[str]:
    """A known company takeaway in place of one that says the same thing — only when every word
    it has that the new one lacks was said in this interview, and no number differs. Sentences
    of one template that differ in their topic noun are 0.95 similar in e5, so "4 of 11
    findings are about 충전" from an EV interview replaced the takeaway of a food-delivery
    interview that never says 충전 (browser QA)."""
    known_list = [k.strip() for k in known if k.strip()]
    if not statements or not known_list:
        return statements
    sims = models.context_cache.embed(statements) @ models.context_cache.embed(known_list).T
    out: list[str] = []
    for k, statement in enumerate(statements):
        best = int(np.argmax(sims[k]))
        mine, theirs = _words(statement), _words(known_list[best])
        shared = len(mine & theirs) / max(min(len(mine), len(theirs)), 1)
        same = sims[k, best] >= SAME_SIMILARITY or (
            sims[k, best] >= SAME_WITH_WORDS and shared >= SAME_WORDS
        )
        extra = theirs - mine
        grounded = not any(_DIGIT.search(w) for w in extra) and extra <= said
        out.append(known_list[best][:2000] if same and grounded else statement)
    return out


def _josa(word: str, with_batchim: str, without: str) -> str:
    return f"{word}{with_batchim if has_batchim(word) else without}"


def _shared_topic(drafts: list[Draft], idf: dict[str, float]) -> tuple[str, int] | None:
    """The noun most findings have in common (weighted by how particular it is to a part of the
    interview), and in how many findings it occurs; None when no noun is in two."""
    counts: Counter[str] = Counter()
    for d in drafts:
        counts.update(set(d.nouns))
    shared = [(n, c) for n, c in counts.items() if c >= 2 and len(n) >= 2]
    if not shared:
        return None
    noun, count = max(shared, key=lambda nc: (nc[1] * idf.get(nc[0], 1.0), nc[0]))
    return noun, count


def _theme(doc: Document, drafts: list[Draft], idf: dict[str, float]) -> str | None:
    found = _shared_topic(drafts, idf)
    if found is None or len(drafts) < 3:
        return None
    noun, count = found
    # Two findings of ten sharing a word is chance, not a theme.
    if count < 3 and count / len(drafts) < 0.4:
        return None
    if doc.out_lang == "ko":
        return (
            f"발견 {len(drafts)}개 중 {count}개가 {_josa(noun, '과', '와')} 관련되어 있어, "
            f"{_josa(noun, '이', '가')} 이 인터뷰의 중심 주제입니다."
        )
    return (
        f'{count} of the {len(drafts)} findings involve "{noun}": it is the thread that runs '
        "through this interview."
    )


def _recurring(doc: Document, pains: list[Draft], tf: Counter[str]) -> str | None:
    for draft in pains:
        if len(draft.turns) < RECURRING_TURNS:
            continue
        subject = topic(doc, draft, tf)
        if not subject:
            continue
        if doc.out_lang == "ko":
            return (
                f"{subject} 문제는 {len(draft.turns)}번의 답변에서 되풀이되어, "
                "한 번 지나가는 불만이 아니라 반복되는 문제입니다."
            )
        return (
            f"The problem with {subject} comes back in {len(draft.turns)} separate answers: "
            "a recurring problem, not a one-off remark."
        )
    return None


def _link(
    doc: Document,
    pains: list[Draft],
    needs: list[Draft],
    tf: Counter[str],
    idf: dict[str, float],
) -> str | None:
    """A need that answers one of the pains: the two share a particular noun."""
    best: tuple[float, str] | None = None
    for need in needs:
        for pain in pains:
            common = (set(need.nouns) & set(pain.nouns)) - {""}
            if not common:
                continue
            noun = max(common, key=lambda n: (idf.get(n, 1.0), n))
            weight = idf.get(noun, 1.0)
            if best is None or weight > best[0]:
                best = (weight, noun)
    if best is None:
        return None
    noun = best[1]
    # Quoted, as the word they used: the shared word is found without knowing its part of
    # speech, and "Their wish about match answers…" read as broken English when it was a verb.
    if doc.out_lang == "ko":
        return f"'{noun}' 관련 불편이 그대로 바라는 점으로 이어집니다: 해결책의 방향이 분명합니다."
    return (
        f'A wish and a problem they describe both turn on "{noun}", so the direction of a fix '
        "is clear."
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _balance(doc: Document, pains: list[Draft], needs: list[Draft]) -> str:
    ko = doc.out_lang == "ko"
    p, n = len(pains), len(needs)
    problems, wishes = _count(p, "problem", "problems"), _count(n, "wish", "wishes")
    if not p and not n:
        if ko:
            return "뚜렷한 불편이나 니즈 없이 주로 상황과 경험을 설명하는 인터뷰입니다."
        return "No clear pain point or need: the interview mostly describes how things are done."
    if not n:
        if ko:
            return f"불편은 {p}가지 나왔지만 스스로 바라는 점은 말하지 않았습니다."
        return f"{problems.capitalize()} but no wish of their own: what would help is still to ask."
    if not p:
        if ko:
            return f"불편은 말하지 않고 바라는 점 {n}가지를 말했습니다."
        return (
            f"{wishes.capitalize()} and no stated problem: they want more rather than suffer now."
        )
    if ko:
        return f"불편 {p}가지와 바라는 점 {n}가지가 나왔습니다."
    return f"{problems.capitalize()} and {wishes} stated in their own words."


def _sentence_topic(doc: Document, index: int, tf: Counter[str]) -> str | None:
    # Praise and feeling words ("helpful", "만족") are how it is said, not what it is about.
    nouns = [
        n
        for n in doc.sentences[index].nouns
        if len(n) >= 2 and not cues.EN_POSITIVE.search(n) and not cues.KO_POSITIVE.search(n)
    ]
    if not nouns:
        return None
    return max(nouns, key=lambda n: (tf[n], n))


def _workaround(doc: Document, pains: list[Draft], tf: Counter[str]) -> str | None:
    """A workaround said in the same answer as a pain: the pain's subject is what they work
    around (a workaround elsewhere may be about anything)."""
    for pain in pains:
        turns = set(pain.turns)
        said = any(
            s.turn_id in turns and s.index not in pain.sentences and _WORKAROUND.search(s.text)
            for s in doc.answers
        )
        subject = topic(doc, pain, tf) if said else ""
        if not subject:
            continue
        if doc.out_lang == "ko":
            return (
                f"{subject} 문제를 이미 스스로 우회해서 해결하고 있어, "
                "그만큼 실제로 겪는 문제입니다."
            )
        return (
            f"They already work around problems with {subject} themselves, a sign the need is "
            "real enough to act on."
        )
    return None


def _praise(doc: Document, tf: Counter[str], cited: set[int], has_pains: bool) -> str | None:
    if not has_pains:
        return None
    for s in doc.answers:
        if s.index in cited:
            continue
        cue = cues.sentence_cues(s.text)
        if cue.positive < PRAISE_CUE or cue.pain > 0 or cue.negative > 0:
            continue
        subject = _sentence_topic(doc, s.index, tf)
        if not subject:
            continue
        if doc.out_lang == "ko":
            return (
                f"불편이 있어도 {_josa(subject, '은', '는')} 긍정적으로 평가합니다: "
                "지켜야 할 부분입니다."
            )
        return f'Not everything is a problem: they speak well of "{subject}", worth keeping.'
    return None


def takeaways(
    doc: Document,
    pains: list[Draft],
    needs: list[Draft],
    summary_sentences: list[int],
    known: tuple[str, ...],
) -> list[str]:
    """Statements across the findings (see the module docstring); `summary_sentences` are left
    out of the workaround and praise search, the summary already quotes them."""
    tf: Counter[str] = Counter()
    for s in doc.answers:
        tf.update(s.nouns)
    idf = noun_idf(doc)
    cited = {i for d in (*pains, *needs) for i in d.sentences} | set(summary_sentences)
    candidates = [
        _theme(doc, [*pains, *needs], idf),
        _recurring(doc, pains, tf),
        _link(doc, pains, needs, tf, idf),
        _workaround(doc, pains, tf),
        _praise(doc, tf, cited, bool(pains)),
        _balance(doc, pains, needs),
    ]
    descriptions = {d.description.strip() for d in (*pains, *needs)}
    out: list[str] = []
    for statement in candidates:
        if statement and statement not in out and statement not in descriptions:
            out.append(
                shorten(statement, doc.out_lang) if len(statement) > 2 * MAX_CHARS else statement
            )
    said = {w for sentence in doc.sentences for w in _words(sentence.text)}
    return _reuse(out[:MAX_COUNT], known, said)
