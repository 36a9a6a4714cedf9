"""Summary: who the interviewee is and their main pains and needs (a template over their own
words), with the most central answer sentences (PageRank over their similarity graph) standing in
when they never say who they are."""

from __future__ import annotations

import numpy as np

from persona_insight.analysis.contract import IntervieweeProfile
from persona_insight.analysis.offline.document import Document
from persona_insight.analysis.offline.findings import Draft, clean_description

MIN_CHARS = {"ko": 15, "en": 30}
DAMPING = 0.85
ITERATIONS = 30
# A sentence that states a finding is worth more to a reader than an equally central aside.
FINDING_BONUS = 0.3
MAX_CHARS = 4000


def centrality(vectors: np.ndarray) -> np.ndarray:
    """PageRank over similarities above the interview's mean similarity (LexRank-style): only
    pairs that are more alike than usual count as links, since all sentences are somewhat alike."""
    n = vectors.shape[0]
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, 0.0)
    mean = sims.sum() / max(n * (n - 1), 1)
    weights = np.maximum(sims - mean, 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    transition = np.where(totals > 0, weights / np.where(totals > 0, totals, 1.0), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(ITERATIONS):
        rank = (1 - DAMPING) / n + DAMPING * (transition.T @ rank)
    return np.asarray(rank / rank.max(), dtype=np.float64)


def summarise(doc: Document, finding_sentences: set[int]) -> tuple[str, list[int]]:
    """The summary text and the sentence indices it is made of (in interview order)."""
    pool = [
        i
        for i in doc.embedded_answers()
        if len(doc.sentences[i].text) >= MIN_CHARS[doc.sentences[i].lang]
    ]
    if not pool:
        pool = [s.index for s in doc.answers if len(s.text) >= 8][:3]
        return " ".join(doc.sentences[i].text for i in pool)[:MAX_CHARS], pool
    count = 2 if len(pool) <= 15 else (3 if len(pool) <= 60 else 4)
    vectors = doc.sentence_vectors(pool)
    score = centrality(vectors)
    score = score + np.array([FINDING_BONUS if i in finding_sentences else 0.0 for i in pool])
    sims = vectors @ vectors.T
    chosen: list[int] = []
    used_turns: set[int] = set()
    for k in np.argsort(-score):
        i = pool[int(k)]
        turn = doc.sentences[i].turn_id
        # One sentence per turn and no near-repeats, so the summary covers several answers.
        if turn in used_turns:
            continue
        if any(sims[int(k), pool.index(j)] > 0.97 for j in chosen):
            continue
        chosen.append(i)
        used_turns.add(turn)
        if len(chosen) == count:
            break
    chosen.sort()
    # Lifted out of their answers, sentences opening with "그래서" or "But" read as fragments.
    text = " ".join(clean_description(doc.sentences[i].text, doc.sentences[i].lang) for i in chosen)
    return text[:MAX_CHARS], chosen


MAX_LISTED = 3


def _who(doc: Document, profile: IntervieweeProfile) -> str:
    demo = profile.demographics
    facts = [f for f in (demo.age_group, demo.occupation_context) if f]
    if doc.out_lang == "ko":
        return f"인터뷰 대상자는 {' '.join(facts)}입니다." if facts else ""
    if demo.occupation_context:
        age = f" ({demo.age_group})" if demo.age_group else ""
        return f"The interviewee is {_role(demo.occupation_context)}{age}."
    return f"The interviewee is in the {demo.age_group} age group." if demo.age_group else ""


# A role said this way already reads after "is" ("working as…", "in sales", "my own boss").
_NO_ARTICLE = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "our",
        "their",
        "his",
        "her",
        "one",
        "self-employed",
        "retired",
        "unemployed",
        "in",
        "at",
        "on",
        "from",
        "with",
        "between",
        "currently",
        "still",
        "also",
        "now",
    ]
)


def _role(occupation: str) -> str:
    """The role as the end of "The interviewee is …": "Dental hygienist" read "is dental
    hygienist" (browser QA); with its article and in sentence case, unless it is an acronym."""
    words = occupation.split()
    if not words:
        return occupation
    first = words[0]
    if first.lower() in _NO_ARTICLE or first.lower().endswith("ing"):
        return occupation
    if not (len(first) > 1 and first.isupper()):
        words[0] = first[0].lower() + first[1:]
    article = "an" if words[0][0].lower() in "aeio" else "a"
    return f"{article} {' '.join(words)}"


def _listed(drafts: list[Draft]) -> str:
    return "; ".join(d.description for d in drafts[:MAX_LISTED] if d.description)


def template(
    doc: Document,
    profile: IntervieweeProfile,
    pains: list[Draft],
    needs: list[Draft],
    fallback: str,
) -> str:
    """Who the interviewee is (from what they say about themselves), then their main pains and
    needs in their own words; template text only, in the transcript's language. Without a
    self-description, the most central sentences say what the interview is about."""
    ko = doc.out_lang == "ko"
    parts = [_who(doc, profile) or fallback]
    if pains:
        parts.append(f"{'주요 불편' if ko else 'Main pain points'}: {_listed(pains)}.")
    if needs:
        parts.append(f"{'주요 니즈' if ko else 'Main needs'}: {_listed(needs)}.")
    if not pains and not needs:
        parts.append(
            "뚜렷한 불편이나 니즈는 언급되지 않았습니다."
            if ko
            else "No clear pain point or need was stated."
        )
    return " ".join(p for p in parts if p)[:MAX_CHARS]
