"""Cue phrases for pain points, needs and sentiment, in Korean and English.

Cues are what a researcher skims for: "번거로워요", "it's so frustrating", "~했으면 좋겠어요",
"I wish". They are matched on the cleaned sentence. Korean cues are written as stems so every
conjugation matches ("힘들어요", "힘들었는데", "힘드네요"). Each cue set scores 0..1; the finding
classifier combines it with similarity to example sentences, so a cue alone never decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FLAGS = re.IGNORECASE | re.UNICODE


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), _FLAGS)


# --- pain ---------------------------------------------------------------------------------------
KO_PAIN_STRONG = _rx(
    r"불편",
    r"짜증",
    r"답답",
    r"번거",
    r"귀찮",
    r"헷갈|헛갈",
    r"불만",
    r"실망",
    r"낭비",
    r"최악",
    r"난감",
    r"황당",
    r"허탈",
    r"허무",
    r"속상",
    r"서러",
    r"스트레스",
    r"힘들|힘드",
    r"어렵|어려[워웠운우]",
    r"고장",
    r"오류|에러|버그",
    r"복잡",
    r"아깝|아까[워웠운]",
    r"부담",
    r"안\s?믿|믿음이\s?안|믿을\s?수\s?(?:가\s?)?없|못\s?믿",
    r"신뢰가?\s?(?:안|없)",
    r"속은\s?느낌|속았",
    # Trouble told as a feeling, as speakers tell it in talks and retrospectives.
    r"당황",
    r"곤란|곤혹",
    r"골치",
    r"막막",
    r"괴롭|괴로[워웠운]",
    # Not the honorific thank-you said to others: "고생하셨습니다", "고생들 많으신데".
    r"고생(?!(?:들|이)?\s?(?:하셨|하시|하십|하세요|많으))",
    r"애를\s?먹|애먹",  # not "애 먹이고", feeding a child
    r"속이?\s?쓰[리려렸]",
)
KO_PAIN_WEAK = _rx(
    r"비싸|비싼|비쌌",
    r"느려|느리|느린|느림",
    r"오래\s?걸|한참|시간이\s?(?:많이\s?)?걸",
    r"불안",
    r"걱정",
    r"안\s?(?:돼|되|맞|나와|열려|떠|넘어와)",
    r"못\s?(?:하|해|했|찾|쓰|써|열|믿|골라|고르)",
    r"실패",
    r"튕기|튕겨",
    r"꺼지|꺼져|꺼졌|꺼\s?버",
    r"끊기|끊겨|끊어",
    r"피곤",
    r"지치|지쳐",
    r"손해",
    r"아쉽|아쉬[워웠운]",
    r"별로",
    r"엉망",
    r"헤매|헤맸",
    r"모르겠|몰라서|알\s?수가\s?없",
    r"포기",
    r"기다려야|기다린\s?적|대기",
    r"눈치",
    r"위험",
    r"놓쳐|놓치|빼먹",
    r"숨겨|숨어\s?있",
    r"까다롭|까다로",
    r"막혀|막히",
    r"이해가\s?안",
    r"문제(?:예요|야|였|가\s?(?:있|많|생)|입니다|에요)",
    r"싫어|싫은",
    r"어이없",
    r"해야\s?(?:돼|되|해|하)",
    r"밖에\s?없",
    r"뒤져야|일일이|하나하나|손으로",
    r"달라서|다르[고면]|달라요",
    r"애매",
    r"낙후",
    r"심각",
)
# "불편한 건 없어요", "어렵지 않았어요": the cue is present but the speaker denies it.
KO_PAIN_NEGATED = _rx(
    r"(?:불편|어려운|힘든|문제|불만|아쉬운)\S*\s?(?:건|게|점은|점이|거는|것은|것도|건\s?딱히)?\s?(?:전혀\s?|딱히\s?|별로\s?)?없",
    r"(?:불편|어렵|힘들|복잡|귀찮|번거롭|비싸)지\s?(?:는\s?)?않",
    r"(?:불편|어렵|힘들|복잡|귀찮|번거롭|비싸)진\s?않",
    r"신경\s?안\s?써",
    r"(?:후회)\S*\s?(?:안|없)",
)

EN_PAIN_STRONG = _rx(
    r"\bfrustrat\w*",
    r"\bannoy\w*",
    r"\birritat\w*",
    r"\bhate\b|\bhated\b",
    r"\bconfus\w*",
    r"\binconvenien\w*",
    r"\bhassle\w*",
    r"\bheadache\w*",
    r"\bnightmare\w*",
    r"\bwast(?:e|ed|es|ing)\b",
    r"\bdisappoint\w*",
    r"\bridiculous\b",
    r"\bunfair\b",
    r"\bmislead\w*|\bmisled\b",
    r"\bsneaky\b",
    r"\bbait and switch\b",
    r"\b(?:don't|didn't|can't|cannot|couldn't|do not|did not|never) (?:really )?trust\b",
    r"\bnobody (?:really )?trusts?\b",
    r"\bstressful\b|\bstressed\b",
    r"\bclunky\b",
    r"\btedious\b",
    r"\bpainful\b|\bpain in\b",
    r"\bworst\b",
    r"\b(?:a|the|biggest|real|big) (?:problem|issue)\b",
    r"\bis a problem\b",
    r"\bbroken\b",
    r"\bcrash\w*",
    r"\bunreliable\b",
    r"\bembarrass\w*",
    r"\bgave up\b|\bgive up\b",
    r"\btakes? forever\b|\btook forever\b|\bis forever\b",
)
EN_PAIN_WEAK = _rx(
    r"\bdifficult\w*",
    r"\bhard (?:to|for)\b|\breally hard\b|\bso hard\b",
    r"\bstruggl\w*",
    r"\bexpensive\b|\boverpriced\b|\bpricey\b|\bcostly\b",
    r"\btoo (?:much|many|long|slow|expensive|complicated)\b",
    r"\badds? up\b",
    r"\bslow\b",
    r"\b(?:doesn't|don't|didn't|does not|do not|did not|never|won't) (?:really )?"
    r"(?:work|help|match|load|show|tell|explain)\w*",
    r"\bworr\w*",
    r"\banxious\b|\bnervous\b",
    r"\bstuck\b",
    r"\bfail\w*",
    r"\berrors?\b|\bbugs?\b|\bglitch\w*",
    r"\bcomplicated\b",
    r"\b(?:can't|couldn't|cannot|can never) (?:find|tell|see|remember|figure)\b",
    r"\bno way to\b|\bno place\b|\bnowhere\b|\bthere's no\b",
    r"\blost\b|\blose\b",
    r"\bhidden\b",
    r"\b(?:not|don't feel) safe\b|\bunsafe\b",
    r"\bmess\b|\bmessy\b",
    r"\bby hand\b|\bmanually\b",
    r"\bconstantly\b|\bevery (?:single )?time\b|\bagain and again\b",
    r"\bon hold\b|\bdisconnected\b|\bdeclined\b",
    r"\bguilty\b",
    r"\brough\b|\bterrible\b|\bawful\b",
    r"\bwithout asking\b",
    r"\bhit or miss\b|\bgambling\b",
    r"\bhave to\b|\bhad to\b",
    r"\bvague\b|\bcryptic\b|\boutdated\b|\bold version\b",
    r"\bnobody (?:refunded|explains|told)\b|\bno one (?:refunded|explains|told)\b",
    r"\bway longer\b|\blonger than\b",
    r"\bmakes? me\b|\ball over again\b|\bover and over\b",
)
EN_PAIN_NEGATED = _rx(
    r"\bno complaints?\b",
    r"\bnot (?:a|really a|that much of a) (?:problem|issue)\b",
    r"\bno (?:problem|issue)s?\b",
    r"\bnot (?:that |too |very |really )?(?:hard|bad|difficult|expensive|confusing)\b",
    r"\bwasn't (?:that |too |very |really )?(?:hard|bad|difficult|an issue|a problem)\b",
    r"\bnothing to complain\b",
    r"\b(?:it's|it was|that's) fine\b",
)

# --- needs --------------------------------------------------------------------------------------
KO_NEED_STRONG = _rx(
    r"(?:면|으면)\s?좋겠",
    r"(?:했|됐|되었|였|있었|줬|주었|주셨|해줬|해\s?줬)으면",
    r"(?:으면|면)\s?(?:해요|합니다|하는데|싶어요)",
    # Said of oneself ("필요했어요", "필요합니다"), not the attributive "필요한 X" (a needed X).
    r"필요(?:해|하(?!\s?(?:시|지\s?않))|합|할|했)",
    r"(?:면|으면)\s?(?:정말\s?|참\s?|훨씬\s?)?(?:좋을|편할|도움이\s?될)\s?(?:것|거)\s?같",
    r"있으면\s?(?:좋|편|도움)",
    r"원해|원합|바라(?:요|는|고)|바래요",
    r"(?:주|해\s?주|내려\s?주|알려\s?주|보여\s?주)세요",
    r"있어야\s?(?:해|한다|돼|된다|합니다)",
    r"(?:할|볼|쓸|알|고를|받을|올릴)\s?수\s?있(?:어야|으면|었으면)",
)
KO_NEED_WEAK = _rx(
    r"(?:하고|보고|알고|쓰고|받고)\s?싶",
    r"개선|추가(?:해|되|됐)",
    r"기능이\s?(?:있|필요)",
    r"(?:알려|보여|추천해|정리해|바꿔|짜)\s?주(?:면|는)",
    r"좋겠",
    r"(?:되|하)면\s?좋",
    r"필요한|(?:할|볼|쓸|알)\s?수\s?있게",
)
EN_NEED_STRONG = _rx(
    r"\bi wish\b|\bwish (?:there|they|it|i|we|you)\b",
    r"\b(?:it|that|this) would be (?:so |really |super )?"
    r"(?:great|nice|amazing|helpful|good|ideal|awesome|useful|perfect)\b",
    r"\b(?:it'd|that'd|would) be (?:so |really )?"
    r"(?:great|nice|amazing|helpful|ideal|awesome|useful)\b",
    r"\bwould (?:really )?(?:help|make|save)\b",
    r"\bwould have helped\b",
    r"\bi'd love\b|\bi would love\b|\bi'd like\b|\bi would like\b|\bi'd want\b",
    r"\bi (?:really |just )?want\b|\bwe want\b",
    r"\b(?:i|we) (?:really |just |definitely )?need\b",
    r"\bshould (?:be able|have|let|tell|show|just|offer)\b",
    r"\blet me\b",
    r"\bif only\b",
    r"\bideally\b",
    r"\bthe dream\b",
    r"\bshow me\b",
    r"\bwhat i (?:really )?(?:want|need)\b",
)
EN_NEED_WEAK = _rx(
    r"\bhope\b",
    r"\bable to\b",
    r"\bwant(?:s|ed)? to\b",
    r"\bneeds? (?:a|an|to|some|more)\b",
    r"\boption to\b|\bability to\b|\ba way to\b",
    r"\bautomatic\w*\b",
    r"\bin one place\b|\bone (?:app|dashboard|place|itinerary|screen)\b",
    r"\bmatters\b|\brespect\b",
)

# --- questions that invite a pain point or a need ---------------------------------------------
KO_Q_PAIN = _rx(r"어려운|어려움|불편|힘드|힘든|문제|단점|아쉬|불만|스트레스|곤란|불안|걱정")
# Open "how is it?" questions invite pain points about as often as praise.
KO_Q_OPEN = _rx(r"어떠세요|어떤가요|어땠|어떠셨|잘\s?맞|괜찮")
KO_Q_NEED = _rx(
    r"바라는|바라시|원하|있으면\s?좋|어떻게\s?(?:바뀌|되면|해결|개선)|도움이\s?될|필요하",
    r"어떤\s?(?:게|것|기능|방식|정보|알림).*(?:있으면|좋|도움|필요|유용)",
    r"개선|된다면|있다면",
)
EN_Q_PAIN = _rx(
    r"frustrat|difficult|\bhard\b|problem|challeng|pain|annoy|worst|issue|struggl|went wrong",
    r"what (?:took|do you do when)|\btrust\b|\bworr",
)
EN_Q_OPEN = _rx(
    r"how (?:did|does|has|is|was) (?:that|it|the|your)|how do you (?:feel|find)|how's|how are",
    r"what about|tell me about|walk me through",
)
EN_Q_NEED = _rx(
    r"\bwish\b|ideal|what would (?:help|make|you (?:like|want))|would have helped|want instead",
    r"if you could|change one thing|improve|help with|need from|would you want|what do you need",
    r"better for you|easier for you|how would you want|how could",
)

# --- sentiment ----------------------------------------------------------------------------------
KO_POSITIVE = _rx(
    r"좋아요|좋았|좋더|좋죠|좋네|좋은\s?(?:점|편)",
    r"편해요|편하|편리",
    r"만족",
    r"괜찮(?:아요|았|더)",
    r"최고|재밌|재미있|맛있|즐거",
    r"깔끔",
    r"빨라서|빠르고|빨라요",
    r"마음에\s?들",
    r"힘이\s?나",
    r"잘\s?(?:와요|돼요|되더)",
)
KO_NEGATIVE_EXTRA = _rx(r"우울|슬프|슬펐|아프|아팠|긴장|떨어지|떨어졌|가라앉|정신없|지쳐|피곤")
# "like" is a filler far more often than a verb in speech, so only "I (really) like" counts.
EN_POSITIVE = _rx(
    r"\b(?:love|loved|liked|enjoy\w*)\b|\bi (?:really )?like\b",
    r"\b(?:great|nice|good|fine|amazing|awesome|fun|happy|glad|clean|easy)\b",
    r"\bworth it\b|\blifesaver\b|\bworks (?:well|great|fine)\b|\bsaved me\b|\bmotivated\b",
    r"\bno complaints?\b|\bpretty good\b|\bhelpful\b|\baccurate\b|\bfriendly\b",
)
EN_NEGATIVE_EXTRA = _rx(
    r"\bsad\b|\bsick\b|\bgloomy\b|\bbummer\b|\bexhausted\b|\btired\b|\bterrible\b|\btough\b"
)


@dataclass(frozen=True, slots=True)
class Cues:
    pain: float
    need: float
    positive: float
    negative: float


def _score(strong: re.Pattern[str], weak: re.Pattern[str], text: str) -> float:
    strong_hits = len(strong.findall(text))
    weak_hits = len(weak.findall(text))
    return min(1.0, 0.8 * strong_hits + 0.4 * weak_hits)


def sentence_cues(text: str) -> Cues:
    """Cue strengths of one sentence. Both languages are tried: Korean speakers quote English
    product phrases and bilingual speakers switch mid-answer."""
    pain = max(
        _score(KO_PAIN_STRONG, KO_PAIN_WEAK, text), _score(EN_PAIN_STRONG, EN_PAIN_WEAK, text)
    )
    denied = bool(KO_PAIN_NEGATED.search(text) or EN_PAIN_NEGATED.search(text))
    if denied:
        pain = max(0.0, pain - 0.8)
    need = max(
        _score(KO_NEED_STRONG, KO_NEED_WEAK, text), _score(EN_NEED_STRONG, EN_NEED_WEAK, text)
    )
    positive_hits = len(KO_POSITIVE.findall(text)) + len(EN_POSITIVE.findall(text))
    negative_hits = len(KO_NEGATIVE_EXTRA.findall(text)) + len(EN_NEGATIVE_EXTRA.findall(text))
    positive = min(1.0, 0.5 * positive_hits + (0.5 if denied else 0.0))
    negative = min(1.0, pain + 0.5 * negative_hits)
    return Cues(pain=pain, need=need, positive=positive, negative=negative)


def question_invites(text: str) -> tuple[float, float]:
    """How strongly a question invites a pain point and a need (0..1 each)."""
    pain = 1.0 if (KO_Q_PAIN.search(text) or EN_Q_PAIN.search(text)) else 0.0
    if not pain and (KO_Q_OPEN.search(text) or EN_Q_OPEN.search(text)):
        pain = 0.5
    need = 1.0 if (KO_Q_NEED.search(text) or EN_Q_NEED.search(text)) else 0.0
    if need and pain:
        # "그 부분은 어떻게 바뀌면 좋을까요?" asks for a need even though it says "어떻게".
        pain = 0.3
    return pain, need
