"""What a sentence does with a pain or need word: deny it, imagine it, ask it, or run the interview.

Cue words and even embeddings fire on "I never had a problem with…", "불편한 건 없었어요",
"if it crashed I'd be annoyed", "can you see my screen?" and "질문 주시면 좋겠습니다". These
rules say when a sentence states no pain (or no need) of the speaker's own, whatever its words;
the finding classifier then leaves it out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from persona_insight.analysis.offline.cues import EN_PAIN_NEGATED, KO_PAIN_NEGATED

_I = re.IGNORECASE | re.UNICODE


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), _I)


# Denied problems beyond the cue list's own: "never had a problem", "nothing I couldn't do".
_EN_NO_PAIN = _rx(
    r"\bnever (?:really )?(?:had|have|ran into|run into|experienced|found) (?:a|an|any) "
    r"(?:problem|issue|trouble|difficult\w*|complaint)",
    r"\b(?:nothing|never anything) (?:that )?i (?:couldn't|could not|can't|cannot)\b",
    r"\bno (?:real |big |major )?(?:problems?|issues?|trouble|difficult\w*|complaints?)\b",
    r"\b(?:wasn't|isn't|was not|is not|hasn't been|never was) (?:really |that |too |very |much )?"
    r"(?:of )?(?:a |an )?(?:problem|issue|hard|difficult|bad|confusing|annoying|frustrating)",
    r"\b(?:didn't|don't|did not|do not|never) (?:really )?(?:have|find|see) (?:any|a) "
    r"(?:problem|issue|trouble)",
    r"\bnot (?:really )?(?:a|an) (?:problem|issue|pain)\b",
    r"\b(?:pretty|really|quite|very|super) (?:easy|straightforward|intuitive|clear)\b",
    r"\bnone that i can think of\b|\b(?:can't|cannot|couldn't) think of any(?:thing)?\b",
)
_KO_NO_PAIN = _rx(
    r"(?:불편|어려운|어려움|힘든|문제|불만|아쉬운|걸리는|막히는)\S*\s?(?:건|게|점은|점이|거는|것은|거|것도|점도)?"
    r"\s?(?:전혀|딱히|별로|특별히|크게)?\s?없",
    r"(?:불편|어렵|힘들|복잡|귀찮|번거롭|헷갈리|비싸)(?:지|진)\s?(?:는\s?|도\s?)?(?:않|않았|안)",
    r"(?:전혀|별로|딱히)\s?(?:안\s)?(?:불편|어렵|힘들|문제)",
    r"문제(?:는|가)?\s?(?:전혀|딱히|별로)?\s?없",
    r"(?:문제|불편|불만)(?:이)?라고\s?(?:할|느낄)\s?(?:만한\s?)?(?:건|게|거|것)\s?(?:전혀|딱히|별로)?\s?없",
)
_EN_NO_NEED = _rx(
    r"\b(?:don't|do not|didn't|did not|never) (?:really )?(?:need|want|miss)\b",
    # "the things that I need to fix", "a feature that we want to look at": the need word
    # describes a task, it is not a wish ("what I need is…" stays one).
    r"\b(?:that|which) (?:i|we) (?:really )?(?:need|want|have) to\b",
    # Idioms of not knowing: "I wish I had the answer", "I wish I knew".
    r"\bi wish i (?:knew|had (?:the|an|a good) answer|could (?:remember|say|tell you))\b",
    r"\b(?:whether|if) (?:i|we|they|you) (?:really )?(?:need|want)\b",
    r"\bnothing (?:else )?(?:i|we) (?:need|want|would change)\b",
    r"\bno need (?:for|to)\b",
)
_KO_NO_NEED = _rx(
    r"필요(?:한|하다고\s?느낀)?\s?(?:건|게|거는|것은|기능은|기능이)?\s?(?:딱히|별로|전혀|특별히)?\s?없",
    r"(?:바라는|원하는|바랄)\s?(?:건|게|거|것은)?\s?(?:딱히|별로|전혀|특별히)?\s?없",
    r"필요\s?없",
    # An indirect question ("어떤 게 필요한지 논의하고") weighs a need, it does not state one.
    r"필요(?:한지|할지|한가|할까)",
)
# Imagined rather than lived: "if it ever crashed", "imagine", "만약 …라면 …것 같아요".
_EN_HYPOTHETICAL = _rx(
    r"^(?:and |but |so )?(?:if|imagine|suppose|supposing|say|let's say|in case)\b.*"
    r"\b(?:would|might|could|i'd|it'd|i'll)\b",
    r"\bif (?:it|that|this|they|something) (?:ever|were to)\b",
    r"\bhypothetical\w*\b",
)
# "If there was something else, it would…": a wish only when it says so ("if only", "I'd love").
_EN_IF = re.compile(r"^(?:and |but |so )?(?:if|imagine|suppose)\b(?! only)", _I)
_EN_OWN_WISH = _rx(
    r"\bi wish\b|\bi'd (?:love|like)\b|\bi would (?:love|like)\b",
    r"\bwould be (?:so |really )?(?:great|nice|helpful|amazing|useful|ideal)\b",
)
# Guessing about a difficulty rather than having it: "어렵겠죠", "힘들겠지만".
_KO_GUESS = _rx(
    r"(?:어렵|힘들|불편하|복잡하)겠",
    # "…문제가 있었지 않겠나", "…않을까": a guess at a cause, not a lived problem.
    r"(?:지|았|었)\s?않겠|겠나\b|지\s?않을까",
    # "오류가 날 수 있는 환경": what could go wrong, not what did.
    r"(?:날|생길|일어날|발생할|터질|걸릴)\s?수\s?(?:도\s?)?있",
)
_KO_HYPOTHETICAL = _rx(
    r"(?:만약|만일|혹시라도)\S*\s.*(?:면|경우에?는?)\s.*(?:같아요|같습니다|것\s?같|거\s?같|겠[죠지어네])",
)
# Running the interview or the session, not stating anything about one's own experience.
_LOGISTICS = _rx(
    r"\b(?:share|sharing|shared) (?:my|your|the) screen\b|\bscreen ?shar\w*",
    r"\bcan you (?:see|hear) (?:my|me|it|that|the)\b|\b(?:are you|you're) (?:on )?mute\w*",
    r"\b(?:record|recording|recorded) (?:this|the) (?:session|call|interview|meeting)\b",
    r"\b(?:consent|consent form|informed consent)\b",
    r"\b(?:audio|video|mic|microphone|camera|connection|zoom link) (?:is |was )?"
    r"(?:cut|cutting|dropped|frozen|off|on|lagging|breaking)\b",
    r"\b(?:siri|alexa|hey google)\b",
    r"\bthanks? (?:you )?(?:so much )?for (?:taking|your|having|joining|coming|participating)\b",
    r"\b(?:any|other) questions (?:for me|before we)\b|\bbefore we (?:start|begin|wrap)\b",
    r"녹음|녹화(?:해도|를\s?시작|\s?중)|화면\s?공유|화면\s?(?:보이|보여지|잘\s?보)|들리(?:세요|시나요|나요)",
    r"마이크|음소거|카메라\s?(?:켜|꺼)|동의(?:서|하시|해\s?주)",
    r"질의\s?응답|질문\s?(?:있으신|받겠|하실\s?분|주시면)|박수|발표를?\s?마치|경청|감사(?:합니다|드립니다)",
    r"시간\s?내\s?주셔서|참석해\s?주셔서|수령하",
    r"(?:말씀|답변을?)\s?드리(?:기(?:가|는)?|긴)\s?(?:좀\s?)?어렵",
    # The talk narrating itself ("오늘 발표가 기여가 됐으면"), not the speaker's experience.
    r"(?:오늘|이번|제|이)\s?(?:발표|강연|세션)(?:이|가|를|은|는|에서|에)",
    # Thinking aloud while answering: "I'm trying to think of…".
    r"\b(?:i'm|i am) (?:just )?trying to (?:think|remember)\b",
    r"\blet me (?:add|explain|tell|think|see|give|share|show|check|know|ask|pull|just)\b",
    # A word or a name that will not come while talking ("the name is escaping my mind", "I
    # don't know what they call the plots", "이름이 기억이 안 나요"), or one the speaker will not
    # say ("I'm hesitant in naming"): the search for a word, not a problem of theirs.
    r"\b(?:can't|cannot|couldn't|don't) (?:quite |really )?(?:remember|recall|think of) (?:the|its|"
    r"his|her|their|what) (?:\w+ )?(?:name|word|term|it'?s called|they call|it is called)",
    r"\b(?:name|word|term)s? (?:is |are )?escap\w* (?:me|my mind)\b|\bescap\w* my mind\b",
    r"\btip of my tongue\b",
    r"\bi don'?t know (?:exactly |quite )?(?:what|how) (?:they|you|people|we) call\b",
    r"\bhesitant (?:in|about|to) (?:nam|mention)\w*\b",
    r"(?:이름|단어|용어|명칭)(?:이|가|은|는)?\s?(?:잘\s?)?(?:기억|생각)(?:이|가)?\s?(?:잘\s?)?안\s?나",
    r"뭐(?:라고\s?하더라|였더라|더라)",
)
# A wish addressed to the listener ("봐 주시면 좋겠습니다", "쓰시면 좋을 것 같아요"): advice or a
# request to the audience, not a need of the speaker's own.
_KO_ADDRESSED = _rx(
    r"(?:시|셔|주시|주셨|해\s?주시|하시)(?:면|으면)\s?(?:정말\s?|제일\s?|더\s?)?(?:좋|되|감사|편하)",
    r"(?:세요|십시오|주시기\s?바랍니다)\s*[.!]?\s*$",
    r"(?:하시|시)(?:다면|면)\b|필요하시",
)
# Advice or a rule for anyone ("you need to be…", "you should be able to…"), not the speaker's
# own wish.
_EN_ADDRESSED = _rx(
    r"^(?:you (?:should|could|can|might want to)|feel free|make sure you)\b",
    # What others ought to do ("they should be able to step in"): a norm, not the speaker's need.
    r"^(?:and |but |so )?(?:they|one|people|he|she|somebody|someone) (?:should|ought to)\b",
    r"\byou (?:need|have|got) to\b|\byou should be able to\b",
)


@dataclass(frozen=True, slots=True)
class Stance:
    no_pain: bool
    no_need: bool
    hypothetical: bool
    imagined_wish: bool
    logistics: bool
    addressed: bool
    question: bool


# Typeset apostrophes, as many published transcripts print them ("I can’t think of anything"):
# read as straight ones, so a denial is one whichever the transcript used. Only here: made
# straight for the cue lists as well, more cues fired and the real set's tune half lost
# precision (docs/benchmarks.md).
_CURLY = str.maketrans({"’": "'", "‘": "'"})


def stance(text: str) -> Stance:
    """How a sentence stands to pain and need, whatever words it uses."""
    text = text.translate(_CURLY)
    stripped = text.strip()
    return Stance(
        no_pain=bool(
            _EN_NO_PAIN.search(text)
            or _KO_NO_PAIN.search(text)
            or EN_PAIN_NEGATED.search(text)
            or KO_PAIN_NEGATED.search(text)
        ),
        no_need=bool(_EN_NO_NEED.search(text) or _KO_NO_NEED.search(text)),
        hypothetical=bool(
            _EN_HYPOTHETICAL.search(text) or _KO_HYPOTHETICAL.search(text) or _KO_GUESS.search(text)
        ),
        imagined_wish=bool(_EN_IF.search(stripped) and not _EN_OWN_WISH.search(text)),
        logistics=bool(_LOGISTICS.search(text)),
        addressed=bool(_KO_ADDRESSED.search(text) or _EN_ADDRESSED.search(text)),
        question=stripped.endswith(("?", "？")),
    )


def pain_factor(s: Stance) -> float:
    """1 when a sentence can state a pain of the speaker's own, 0 when it cannot."""
    if s.logistics or s.no_pain or s.hypothetical:
        return 0.0
    return 0.5 if s.question else 1.0


def need_factor(s: Stance) -> float:
    if s.logistics or s.no_need or s.addressed or s.imagined_wish:
        return 0.0
    return 0.5 if s.question else 1.0
