"""Personal data is replaced by typed placeholders before a transcript leaves the process.

Placeholders are English, upper-case and bracketed (`[EMAIL]`, `[PHONE]`, `[RRN]`, `[CARD]`,
`[BRN]`, `[ACCOUNT]`, `[NAME]`, `[ADDRESS]`) so a model reads them as redactions in any interview
language, and so they never look like digits or names to the patterns applied after them.

The patterns lean on shape plus checks (Luhn for cards, a plausible birth date for resident
numbers, a bank word nearby for account numbers, a title next to a name) because the transcripts
are full of numbers that are not personal: dates, prices, versions, product codes, durations.
Masking runs per turn, so turn ids never change, and no pattern spans a line break, so the
line count of any text never changes either.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from persona_insight.analysis.transcript import (
    ANSWER_LABELS,
    QUESTION_LABELS,
    Transcript,
    Turn,
)

PLACEHOLDERS: dict[str, str] = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "rrn": "[RRN]",
    "card": "[CARD]",
    "brn": "[BRN]",
    "account": "[ACCOUNT]",
    "name": "[NAME]",
    "address": "[ADDRESS]",
}


@dataclass(frozen=True, slots=True)
class Masked:
    text: str
    counts: dict[str, int] = field(default_factory=dict)


# A digit run must not continue a longer number, a word or a code such as `SKU-2024-0315`.
_NUM_START = r"(?<![A-Za-z0-9_.])(?<![A-Za-z]-)(?<!\d-)"
_NUM_END = r"(?![\d])(?!-\d)(?!\.\d)"

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)

# YYMMDD-GNNNNNN; the second part may be partly starred out already.
_RRN = re.compile(_NUM_START + r"(?P<birth>\d{6}) ?- ?(?P<rest>[1-8][\d*]{6})" + _NUM_END)

_CARD = re.compile(_NUM_START + r"(?:\d[ -]?){12,18}\d" + _NUM_END)
_CARD_GROUPS = re.compile(r"\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -])\d{6}\2\d{4,5}")

_BRN = re.compile(_NUM_START + r"\d{3}-\d{2}-\d{5}" + _NUM_END)

# Bank names that are also ordinary words (우리, 하나, 국민…) count only with 은행/뱅크 after them,
# which `은행|뱅크` already covers.
_BANK_WORDS = (
    r"계좌(?:번호)?|통장|입금|송금|이체|예금주|은행|뱅크|농협|신한|새마을금고|우체국|수협|신협|"
    r"씨티|SC제일|KB|IBK|NH|(?i:account|acct|bank|iban|routing)"
)
_NOT_AMOUNT = r"(?! ?(?:원|달러|%|개|명|건|회|번째|시간|분))"
_ACCOUNT_NUMBER = r"\d{2,6}(?:-\d{2,7}){1,4}|\d{10,14}"
_ACCOUNT_AFTER_WORD = re.compile(
    rf"(?:{_BANK_WORDS})(?:[^\d\n]{{0,12}}?)"
    rf"(?P<num>{_NUM_START}(?:{_ACCOUNT_NUMBER}){_NUM_END}){_NOT_AMOUNT}"
)
_ACCOUNT_BEFORE_WORD = re.compile(
    rf"(?P<num>{_NUM_START}(?:{_ACCOUNT_NUMBER}){_NUM_END}) ?(?:번 ?)?(?:계좌|통장|(?i:account))"
)
_MOBILE_SHAPE = re.compile(r"01[016789]-?\d{3,4}-?\d{4}")

_KR_PHONE = re.compile(
    _NUM_START + r"(?:"
    r"01[016789](?:[-. ]\d{3,4}[-. ]|\d{3,4})\d{4}"  # mobile, with or without separators
    r"|0(?:2|[3-6][1-5]|70|50[2-8])[-. )] ?\d{3,4}[-. ]\d{4}"  # landline / internet phone
    r"|\(0(?:2|[3-6][1-5]|70)\) ?\d{3,4}[-. ]\d{4}"
    r")" + _NUM_END
)
_INTL_PHONE = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}" + _NUM_END)
_NANP_PHONE = re.compile(r"(?<![\w(])(?:\(\d{3}\) ?|(?<![\d.-])\d{3}[-.])\d{3}[-.]\d{4}" + _NUM_END)

_PROVINCE = (
    r"(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충청북|충청남|충북|충남|"
    r"전라북|전라남|전북|전남|경상북|경상남|경북|경남|제주)"
    r"(?:특별시|광역시|특별자치시|특별자치도|도|시)?"
)
_DISTRICT = r"[가-힣]{1,6}(?:시|군|구)"
# A road name never ends in the particle 으로 (`쪽으로 10분`); a building number is never a unit.
_ROAD = (
    r"[가-힣0-9]{1,12}(?<!으)(?:대로|로|길)(?: ?\d{1,4}(?:번길|가길|길))?"
    r" ?\d{1,5}(?:-\d{1,5})?"
)
_LOT = r"[가-힣0-9]{1,10}(?:동|읍|면|리|가)(?: ?\d{1,2}가)? (?:산 ?)?\d{1,5}(?:-\d{1,5})?(?:번지)?"
_NOT_UNIT = (
    r"(?! ?(?:분|시간|초|km|킬로|미터|m\b|번|개|명|원|%|살|세|년|월|일|회|배|키로|층 ?에서))"
)
_DETAIL = (
    r"(?:,? ?(?:[가-힣A-Za-z]{1,20}(?:아파트|빌라|오피스텔|타워|빌딩|맨션)? ?)?"
    r"(?:\d{1,4}동 ?)?\d{1,5}호)?"
    r"(?:,? ?\d{1,3}층)?"
    r"(?: ?\([가-힣A-Za-z0-9 ,.-]{1,30}\))?"
)
_KR_ADDRESS = re.compile(
    rf"(?<![가-힣])(?:{_PROVINCE} ?(?:{_DISTRICT} ?){{0,2}}|(?:{_DISTRICT} ?){{1,2}})"
    rf"(?:{_ROAD}|{_LOT}){_NOT_UNIT}{_DETAIL}"
)
_STREET_TYPES = (
    r"Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|"
    r"Court|Ct\.?|Way|Place|Pl\.?|Terrace|Parkway|Pkwy\.?|Highway|Hwy\.?|Square|Sq\.?"
)
_EN_ADDRESS = re.compile(
    r"(?<![\w.,-])\d{1,6} (?:[NSEW]\.? )?(?:[A-Z][A-Za-z'-]+\.? ){1,3}"
    rf"(?:{_STREET_TYPES})(?![A-Za-z])"
    r"(?:,? (?:Apt|Apartment|Suite|Ste|Unit|#)\.? ?#?[A-Za-z0-9-]{1,6})?"
    r"(?:, [A-Z][a-z]+(?: [A-Z][a-z]+){0,2})?"
    r"(?:, [A-Z]{2}(?: \d{5}(?:-\d{4})?)?)?"
)

_SURNAMES = (
    "독고|남궁|황보|제갈|선우|서문|사공|"
    "김|이|박|최|정|강|조|윤|장|임|한|오|서|신|권|황|안|송|류|유|전|홍|고|문|양|손|배|백|허|남|"
    "심|노|하|곽|성|차|주|우|구|민|진|나|지|엄|채|원|천|방|공|현|함|변|염|여|추|도|소|석|선|설|"
    "마|길|연|위|표|명|기|반|왕|금|옥|육|인|맹|제|모|탁|국|어|은|편|용|예|경|봉|사|부|가|복|태|"
    "목|형|피|두|감|음|빈|동|온|호|범|좌|팽|승|간|상|시|갈|단|견|당|화|창|옹|순|빙|종"
)
_JOB_TITLE_WORDS = (
    "고객|회원|대표|이사|상무|전무|부사장|사장|회장|부장|차장|과장|대리|주임|사원|팀장|실장|"
    "본부장|센터장|원장|교수|선생|박사|매니저|기사|간호사|의사|약사|변호사|작가|디자이너|"
    "연구원|책임|선임|수석|프로"
)
_JOB_TITLES = tuple(sorted(_JOB_TITLE_WORDS.split("|"), key=len, reverse=True))
# Titles a lone surname can stand before (`이 대리님`); `한 고객님` is "one customer", not a name.
_LONE_SURNAME_TITLES = (
    "대표|이사|상무|전무|부사장|사장|회장|부장|차장|과장|대리|주임|팀장|실장|본부장|센터장|원장|"
    "교수|선생|박사|매니저|기사|간호사|의사|약사|변호사|작가|디자이너|연구원"
)
_PARTICLE_OR_END = r"(?=[\s,.!?·)\]]|$|[은는이가을를의와과께에도만])"
_TITLE_SUFFIX = rf"(?:(?:{_JOB_TITLE_WORDS})님|님|씨|(?:{_JOB_TITLE_WORDS}){_PARTICLE_OR_END})"
# Words that look like a surname plus a syllable or two but are ordinary speech.
_COMMON_WORDS = (
    "우리 저희 여러 이번 지난 다음 담당 전임 후임 신임 고객 회원 사용 부모 어머 아버 동료 친구 "
    "선배 후배 이분 그분 저분 직원 상담 모든 주변 전체 기존 신규 해당 각각 여기 거기 저기 "
    "이쪽 그쪽 저쪽 이제 정말 진짜 사실 일반 한번 방금 이전 다른 원래 보통 대부분 제가 여러분 "
    "어떻게 어떤 어디 아드님 따님 사모님 하느님 하나님 손님 형님 누님 부처님 주인님 어르신 "
    "고객센터 상담원 담당자 관리자 사용자 운영자"
)
_NOT_NAMES = frozenset(_COMMON_WORDS.split()).union(_JOB_TITLES)
# Places and teams end in these syllables (`편의점 사장님`, `배송팀 기사님`); names rarely do.
_PLACE_ENDINGS = ("점", "집", "실", "팀", "청", "국", "소", "관", "센터", "처", "과", "사무소")
_KR_NAME_TITLED = re.compile(
    rf"(?<![가-힣])(?P<name>(?:{_SURNAMES})[가-힣]{{1,3}}?)(?P<space> ?)(?P<title>{_TITLE_SUFFIX})"
)
# `제 선생님` is "my teacher": 제 before a title is the pronoun far more often than the surname.
_KR_SURNAME_TITLED = re.compile(
    rf"(?<![가-힣])(?!제 )(?P<name>{_SURNAMES}) (?P<title>(?:{_LONE_SURNAME_TITLES})님)"
)
_KR_NAME_LABELLED = re.compile(
    r"(?P<label>(?:이름|성명|성함|예금주|고객명|담당자|수령인|받는 ?분) ?(?:은|는|이|:|：)? ?)"
    rf"(?P<name>(?:{_SURNAMES})[가-힣]{{1,2}})"
    r"(?=입니다|이에요|예요|이고|이며|이라고|라고|[\s,.)\]]|$)"
)
_KR_SELF_INTRO = re.compile(
    rf"(?P<label>저는 |제 ?이름은 )(?P<name>(?:{_SURNAMES})[가-힣]{{1,2}})(?=이라고|라고)"
)
_EN_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam)"
_EN_NAME_WORD = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
_EN_NAME_TITLED = re.compile(
    rf"\b(?P<title>{_EN_TITLES}\.? )(?P<name>{_EN_NAME_WORD}(?: {_EN_NAME_WORD}){{0,2}})"
)
_EN_NAME_LABELLED = re.compile(
    rf"\b(?P<label>(?:[Mm]y name is|[Nn]ame:) )(?P<name>{_EN_NAME_WORD}(?: {_EN_NAME_WORD})?)"
)
_UNIT_ONLY = re.compile(r"(?<![\d])\d{1,4}동 ?\d{1,5}호(?![\d])")


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _plausible_birth(yymmdd: str) -> bool:
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    return 1 <= month <= 12 and 1 <= day <= 31


class _Masker:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def put(self, kind: str) -> str:
        self.counts[kind] += 1
        return PLACEHOLDERS[kind]

    def whole(
        self, kind: str, check: Callable[[re.Match[str]], bool] | None = None
    ) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            if check is not None and not check(match):
                return match.group(0)
            return self.put(kind)

        return replace

    def group(
        self, kind: str, name: str, check: Callable[[re.Match[str]], bool] | None = None
    ) -> Callable[[re.Match[str]], str]:
        """Replace only the named group, keeping the words around it (`Dr. [NAME]`)."""

        def replace(match: re.Match[str]) -> str:
            if check is not None and not check(match):
                return match.group(0)
            start, end = match.span(name)
            offset = match.start()
            whole = match.group(0)
            return whole[: start - offset] + self.put(kind) + whole[end - offset :]

        return replace


def _card_ok(match: re.Match[str]) -> bool:
    raw = match.group(0)
    if not _CARD_GROUPS.fullmatch(raw):
        return False
    digits = re.sub(r"\D", "", raw)
    return 13 <= len(digits) <= 19 and _luhn(digits)


def _account_ok(match: re.Match[str]) -> bool:
    number = match.group("num")
    digits = re.sub(r"\D", "", number)
    return 10 <= len(digits) <= 16 and not _MOBILE_SHAPE.fullmatch(number)


def _plain_name_ok(name: str) -> bool:
    return name not in _NOT_NAMES and not name.endswith(_PLACE_ENDINGS)


def _labelled_name_ok(match: re.Match[str]) -> bool:
    return _plain_name_ok(match.group("name"))


def _titled_name(masker: _Masker) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        whole, name, title = match.group(0), match.group("name"), match.group("title")
        # `김대리님` reads as name `김대리` + `님`: the person is 김, the rest is the title.
        if title == "님":
            for stem in _JOB_TITLES:
                if name.endswith(stem) and len(name) > len(stem):
                    surname = name[: -len(stem)]
                    if re.fullmatch(_SURNAMES, surname):
                        return masker.put("name") + whole[len(surname) :]
                    return whole
        if not _plain_name_ok(name):
            return whole
        # Two-syllable candidates are mostly nouns (`배송 기사님`); only `씨`/`님` marks a name.
        if len(name) < 3 and title not in ("씨", "님"):
            return whole
        return masker.put("name") + whole[len(name) :]

    return replace


def mask(text: str) -> Masked:
    """Replace personal data in `text` with typed placeholders; `counts` says how many of each."""
    if not text:
        return Masked(text, {})
    m = _Masker()
    out = _EMAIL.sub(m.whole("email"), text)
    out = _RRN.sub(m.whole("rrn", lambda x: _plausible_birth(x.group("birth"))), out)
    out = _CARD.sub(m.whole("card", _card_ok), out)
    out = _BRN.sub(m.whole("brn"), out)
    out = _ACCOUNT_AFTER_WORD.sub(m.group("account", "num", _account_ok), out)
    out = _ACCOUNT_BEFORE_WORD.sub(m.group("account", "num", _account_ok), out)
    out = _INTL_PHONE.sub(
        m.whole("phone", lambda x: 8 <= len(re.sub(r"\D", "", x.group(0))) <= 15), out
    )
    out = _KR_PHONE.sub(m.whole("phone"), out)
    out = _NANP_PHONE.sub(m.whole("phone"), out)
    out = _KR_ADDRESS.sub(m.whole("address"), out)
    out = _UNIT_ONLY.sub(m.whole("address"), out)
    out = _EN_ADDRESS.sub(m.whole("address"), out)
    out = _KR_NAME_LABELLED.sub(m.group("name", "name", _labelled_name_ok), out)
    out = _KR_SELF_INTRO.sub(m.group("name", "name", _labelled_name_ok), out)
    out = _KR_SURNAME_TITLED.sub(m.group("name", "name"), out)
    out = _KR_NAME_TITLED.sub(_titled_name(m), out)
    out = _EN_NAME_TITLED.sub(m.group("name", "name"), out)
    out = _EN_NAME_LABELLED.sub(m.group("name", "name"), out)
    return Masked(out, dict(m.counts))


_GENERIC_SPEAKER = re.compile(
    r"(?:[pqrima]|speaker\s?[a-z0-9]{1,2}|참여자\s?[a-z0-9]?|화자\s?\d{0,2}|[pqr]\d{1,3})",
    re.IGNORECASE,
)


def _generic_speaker(label: str) -> bool:
    base = re.sub(r"\s*\d+$", "", label.strip().lower())
    return (
        not label.strip()
        or base in QUESTION_LABELS
        or base in ANSWER_LABELS
        or bool(_GENERIC_SPEAKER.fullmatch(label.strip()))
    )


@dataclass(frozen=True, slots=True)
class MaskedTranscript:
    transcript: Transcript
    counts: dict[str, int]


def mask_transcript(transcript: Transcript) -> MaskedTranscript:
    """Mask every turn's text and replace personal speaker labels (`김민지`) by `Speaker N`.

    Turn ids, roles and order are kept, so evidence ids stay valid against the original.
    """
    total: Counter[str] = Counter()
    aliases: dict[str, str] = {}
    turns: list[Turn] = []
    for turn in transcript.turns:
        masked = mask(turn.text)
        total.update(masked.counts)
        speaker = turn.speaker
        if not _generic_speaker(speaker):
            if speaker not in aliases:
                aliases[speaker] = f"Speaker {len(aliases) + 1}"
                total["name"] += 1
            speaker = aliases[speaker]
        turns.append(Turn(id=turn.id, role=turn.role, speaker=speaker, text=masked.text))
    return MaskedTranscript(
        Transcript(turns=tuple(turns), labelled=transcript.labelled), dict(total)
    )
