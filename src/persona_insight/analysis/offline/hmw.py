""" "How might we …" questions from the top pain points, in the interviewee's own terms.

Each question restates the clause of the pain point that carries the problem: in Korean the
final predicate is turned into a modifier by Kiwi ("앱이 자꾸 꺼져요" → "어떻게 하면 앱이 자꾸
꺼지는 상황을 개선할 수 있을까?"); in English the clause is put in the third person ("I can never
remember which app…" → "How might we help customers when they can never remember which app…?").
When no clause can be restated, the question names what the pain is about (its most recurring
noun) and the kind of fix it calls for.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from typing import Any

from persona_insight.analysis.offline import cues, labels, models
from persona_insight.analysis.offline.document import Document
from persona_insight.analysis.offline.findings import Draft, clean_description
from persona_insight.analysis.offline.findings import informative as _informative
from persona_insight.analysis.offline.language import has_hangul

MAX_QUESTIONS = 4
MAX_CLAUSE = 90
MAX_KO_CLAUSE = 45
MIN_WORDS = 4

_KO_INTENSIFIERS = re.compile(r"(?<!\S)(?:너무|진짜|정말|좀|솔직히|완전|되게|막|그냥|엄청)\s+")
_EN_INTENSIFIERS = re.compile(
    r"\b(?:really|just|honestly|actually|basically|kind of|sort of|so|super|pretty)\s+", re.I
)
# "so" joins clauses only before a subject: in "the project is so niche" it is an intensifier.
_EN_CLAUSES = re.compile(
    r",\s*(?:and|but|so|because|which)?\s*|;\s*|\s+(?:but|because)\s+"
    r"|\s+so\s+(?=(?:i|we|they|it|you|he|she|there)\b)"
)
_EN_LEAD = re.compile(r"^(?:(?:when|if|and|but|so|because|then|also|that|just)\s+)+", re.I)
# A clause is a situation when it has a subject and a verb: a pronoun subject brings its verb;
# a noun phrase must show one ("the plots take forever", not "a single point of failure").
_EN_PRONOUN = re.compile(
    r"^(?:they|they're|they've|they'd|they'll|it|it's|there's|there|people|customers|users|"
    r"everyone|everything|nobody|nothing)\b",
    re.I,
)
_EN_NOUN_PHRASE = re.compile(r"^(?:the|this|that|these|those|their|most|some|every|a|an)\b", re.I)
_EN_FEELING_WHEN = re.compile(
    r"\b(?:frustrating|annoying|stressful|hard|painful|confusing|hate it|hate|awful)\s+when\s+",
    re.I,
)
_EN_SWAPS = (
    (r"\bI'm\b", "they're"),
    (r"\bI am\b", "they are"),
    (r"\bI've\b", "they've"),
    (r"\bI'd\b", "they'd"),
    (r"\bI'll\b", "they'll"),
    (r"\bI was\b", "they were"),
    (r"\bI\b", "they"),
    (r"\bmyself\b", "themselves"),
    (r"\bmy\b", "their"),
    (r"\bme\b", "them"),
    (r"\bwe're\b", "they're"),
    (r"\bwe\b", "they"),
    (r"\bour\b", "their"),
    (r"\bus\b", "them"),
    (r"\byou're\b", "they're"),
    (r"\byou've\b", "they've"),
    (r"(^|\b(?:when|if|and|but|so|because|that)\s+)you\b", r"\1they"),
    (r"\byou\b", "them"),
    (r"\byour\b", "their"),
)
_KO_FIX = (
    (re.compile(r"비싸|비싼|요금|비용|수수료|아깝|아까워|부담|돈|가격|구독료"), "부담 없게"),
    (re.compile(r"느리|느려|오래|기다|대기|한참|시간이|늦"), "더 빠르게"),
    (re.compile(r"헷갈|복잡|어렵|어려|모르|이해|찾기"), "더 이해하기 쉽게"),
    (re.compile(r"고장|오류|에러|끊|안\s?맞|믿|정확|실시간|달라"), "더 믿을 수 있게"),
    (re.compile(r"귀찮|번거|일일이|손으로|다시|매번|하나하나"), "더 간편하게"),
)
_EN_FIX = (
    (re.compile(r"expensive|price|fee|cost|pay|dollar|bill|seat", re.I), "more affordable"),
    (re.compile(r"slow|forever|wait|hour|days|long|late|time", re.I), "faster"),
    (re.compile(r"confus|complicat|hard to|can't tell|don't know|find|options", re.I), "clearer"),
    (
        re.compile(r"broken|fail|error|crash|trust|wrong|unreliable|misled|hidden", re.I),
        "more reliable",
    ),
    (
        re.compile(r"annoy|again|by hand|manual|every time|constantly|scroll|tedious", re.I),
        "effortless",
    ),
)


def has_batchim(word: str) -> bool:
    last = word[-1]
    if "가" <= last <= "힣":
        return (ord(last) - 0xAC00) % 28 != 0
    return last.lower() in "lmnr" or last.isdigit()


_KO_PRONOUN_SUBJECT = {"저는": "제가", "나는": "내가", "저희는": "저희가", "우리는": "우리가"}


def _subject_particles(clause: str, tokens: list[Any]) -> str:
    """Topic particles (은/는) after a noun become subject particles (이/가): a modifier clause
    takes no topic. Words are rewritten by their text, so offsets need not survive edits."""
    for token, following in itertools.pairwise(tokens):
        if following.tag != "JX" or following.form not in ("은", "는"):
            continue
        if not token.tag.startswith(("NN", "NP", "XSN")):
            continue
        word_end = following.start + following.len
        match = re.search(r"(\S+)$", clause[:word_end]) if word_end <= len(clause) else None
        if not match:
            continue
        word = match.group(1)
        if word in _KO_PRONOUN_SUBJECT:
            replacement = _KO_PRONOUN_SUBJECT[word]
        else:
            stem = word[: -len(following.form)]
            if not stem:
                continue
            replacement = stem + ("이" if has_batchim(stem) else "가")
        clause = clause[: match.start(1)] + replacement + clause[word_end:]
    return clause


def _korean_clause(text: str) -> str | None:
    """`text` with its final predicate as a modifier ("…헷갈려요" → "…헷갈리는"), else None."""
    text = _KO_INTENSIFIERS.sub("", text).strip().rstrip(".!?…~ ")
    if ", " in text and len(text) > MAX_CLAUSE:
        text = text.rsplit(", ", 1)[1]
    tokens = models.tokenize_korean(text)
    end = len(tokens)
    while end and tokens[end - 1].tag in ("EF", "SF", "JX", "SE", "SP"):
        end -= 1
    if not end or end == len(tokens):
        return None
    last = tokens[end - 1]
    stem = last.tag.split("-")[0]
    if stem not in ("VV", "VA", "VX", "XSV", "XSA", "VCP", "VCN"):
        return None
    # Adjectives take -(으)ㄴ, verbs and 있다/없다 take -는 ("있는", "없는", "꺼지는", "힘든").
    adjective = stem in ("VA", "XSA", "VCP", "VCN") and last.form not in ("있", "없")
    ending = "ᆫ" if adjective else "는"
    joined = models.join_korean([(last.form, last.tag), (ending, "ETM")])
    before = text[: last.start]
    # Suffixes written onto the word before them ("대부분이에요", "불안해요") stay attached.
    attached = before and not before.endswith(" ")
    clause = f"{before}{joined}" if attached else f"{before.rstrip()} {joined}"
    clause = _subject_particles(re.sub(r"\s+", " ", clause).strip(), tokens[: end - 1])
    if len(clause) > MAX_KO_CLAUSE or len(clause.split()) < 2:
        return None
    return clause


def _english_clause(text: str) -> str | None:
    """The clause that carries the problem, in the third person, else None."""
    text = text.rstrip(".!?…\"' ")
    feeling = _EN_FEELING_WHEN.search(text)
    if feeling:
        # "It's really frustrating when you're following steps…" → the situation itself.
        text = text[feeling.end() :]
    clauses = [c.strip() for c in _EN_CLAUSES.split(text) if c and c.strip()]
    if not clauses:
        return None
    ranked = sorted(
        clauses,
        key=lambda c: (-cues.sentence_cues(c).pain, -min(len(c.split()), 12)),
    )
    clause = _EN_LEAD.sub("", ranked[0]).strip()
    clause = _EN_INTENSIFIERS.sub("", clause)
    for pattern, replacement in _EN_SWAPS:
        clause = re.sub(pattern, replacement, clause)
    if len(clause.split()) < MIN_WORDS or len(clause) > MAX_CLAUSE:
        return None
    if not (
        _EN_PRONOUN.match(clause)
        or (_EN_NOUN_PHRASE.match(clause) and labels.EN_VERB.search(clause.split(" ", 1)[-1]))
    ):
        return None
    return clause[0].lower() + clause[1:] if not clause.startswith("I ") else clause


def _predicate_nouns(doc: Document, indices: list[int]) -> set[str]:
    """Korean nouns the speaker uses as a predicate (이해 in "이해가 안 돼요"/"이해하기", 단순 in
    "단순해요"): as the object of "…을 더 쉽게 만들다" they read as a verb, not a thing."""
    out: set[str] = set()
    for i in indices:
        morphs = doc.sentences[i].morphs
        for (form, tag), (_, after) in itertools.pairwise(morphs):
            if tag in ("NNG", "XR") and after.split("-")[0] in ("XSV", "XSA"):
                out.add(form)
            if tag == "XR":
                out.add(form)
    for i in indices:
        text = doc.sentences[i].text
        out.update(
            n
            for n in doc.sentences[i].nouns
            if re.search(f"{re.escape(n)}(?:가|이)\\s?안\\s?(?:돼|되)", text)
        )
    return out


def topic(doc: Document, draft: Draft, interview_tf: Counter[str]) -> str:
    """What the finding is about: a noun of its evidence that the interviewee keeps coming back
    to, preferring the description's own nouns, as a two-noun phrase when said together."""
    predicates = _predicate_nouns(doc, [*draft.sentences, draft.head])
    described = set(doc.sentences[draft.head].nouns) - predicates
    counts = Counter(n for n in draft.nouns if n not in predicates) + Counter(described)
    recurring = [n for n in counts if interview_tf[n] >= 2] or list(counts)
    if not recurring:
        return ""
    scored = {
        n: counts[n] * math.log(1 + interview_tf[n]) * (2.0 if n in described else 1.0)
        for n in recurring
    }
    ranked = sorted(scored, key=lambda n: -scored[n])
    top = ranked[0]
    text = " ".join(doc.sentences[i].text.lower() for i in [*draft.sentences, draft.head])
    everything = " ".join(s.text.lower() for s in doc.answers)
    for second in ranked[1:4]:
        for phrase in (f"{top} {second}", f"{second} {top}"):
            # A Korean noun pair said together is a compound ("라이더 위치"); an English pair
            # must recur to be a phrase rather than two words that happen to meet.
            if phrase in text and (has_hangul(phrase) or everything.count(phrase) >= 2):
                return phrase
    return top


def _as_said(doc: Document, draft: Draft, subject: str) -> str:
    """`subject` as the interviewee wrote it: nouns are kept in lower case, names are not."""
    text = " ".join(doc.sentences[i].text for i in [draft.head, *draft.sentences])
    found = re.search(rf"\b{re.escape(subject)}\b", text, re.IGNORECASE)
    said = found.group(0) if found else subject
    return (
        said if said.isupper() or (said[:1].isupper() and said[1:] != said[1:].lower()) else subject
    )


def _fix(description: str, evidence: str, lang: str) -> str:
    """The remedy for the kind of pain the evidence expresses most (the description counts
    double)."""
    options = _KO_FIX if lang == "ko" else _EN_FIX
    best: tuple[int, str] | None = None
    for pattern, fix in options:
        hits = 2 * len(pattern.findall(description)) + len(pattern.findall(evidence))
        if hits and (best is None or hits > best[0]):
            best = (hits, fix)
    if best:
        return best[1]
    return "더 편하게" if lang == "ko" else "easier"


def _from_topic(doc: Document, draft: Draft, interview_tf: Counter[str], lang: str) -> str | None:
    subject = topic(doc, draft, interview_tf)
    if not subject:
        return None
    evidence = " ".join(doc.sentences[i].text for i in draft.sentences)
    fix = _fix(draft.description, evidence, lang)
    if lang == "ko":
        particle = "을" if has_batchim(subject) else "를"
        return f"어떻게 하면 {subject}{particle} {fix} 만들 수 있을까?"
    return f"How might we make the {_as_said(doc, draft, subject)} experience {fix} for customers?"


def _for_need(doc: Document, draft: Draft, interview_tf: Counter[str], lang: str) -> str | None:
    subject = topic(doc, draft, interview_tf)
    if not subject:
        return None
    if lang == "ko":
        particle = "을" if has_batchim(subject) else "를"
        return f"어떻게 하면 {subject}{particle} 더 잘 제공할 수 있을까?"
    return f"How might we offer customers a better {_as_said(doc, draft, subject)} experience?"


def _from_clause(doc: Document, draft: Draft, lang: str) -> str | None:
    # Of the description's sentences, restate the one that names the problem and says most.
    options = [draft.head] if draft.context is None else [draft.head, draft.context]

    def says_the_problem(i: int) -> tuple[bool, float]:
        text = doc.sentences[i].text
        cue = cues.sentence_cues(text)
        return (cue.pain if draft.kind == "pain" else cue.need) > 0, _informative(doc, i)

    sentence = doc.sentences[max(options, key=says_the_problem)]
    text = clean_description(sentence.text, sentence.lang)
    if sentence.lang == lang == "ko":
        clause = _korean_clause(text)
        return f"어떻게 하면 {clause} 상황을 개선할 수 있을까?" if clause else None
    if sentence.lang == lang == "en":
        clause = _english_clause(text)
        return f"How might we help customers when {clause}?" if clause else None
    # A mixed interview: quote the speaker's own words inside the team's language.
    if len(text) > MAX_CLAUSE:
        return None
    if lang == "ko":
        return f"어떻게 하면 “{text.rstrip('.')}” 같은 상황을 개선할 수 있을까?"
    return f"How might we improve situations like “{text.rstrip('.')}”?"


def questions(doc: Document, pains: list[Draft], needs: list[Draft]) -> list[str]:
    interview_tf: Counter[str] = Counter()
    for s in doc.answers:
        interview_tf.update(s.nouns)
    lang = doc.out_lang
    out: list[str] = []
    for draft in (pains or needs)[:MAX_QUESTIONS]:
        question: str | None = None
        if not pains:
            question = _for_need(doc, draft, interview_tf, lang)
        else:
            question = _from_clause(doc, draft, lang)
        question = question or _from_topic(doc, draft, interview_tf, lang)
        if question and question not in out:
            out.append(question)
    return out
