"""Words that carry no topic: excluded from nouns, keywords and section names."""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`: long word lists read better as prose blocks."""
    return frozenset(text.split())


# Korean general nouns that Kiwi tags NNG but that name no topic of an interview.
KO_STOP_NOUNS = words(
    """
    것 수 때 거 등 데 번 분 게 건 점 중 쪽 편 제 저 말 일 안 네 예 뭐 좀 나 너 걸 곳 개
    명 원 달 년 시 날 주 씩 쯤 채 줄 적 뿐 이 그 저 전 후 앞 뒤 위 아래 속 밖 간 식 생각
    정도 경우 부분 사람 얘기 이야기 느낌 사실 자체 요즘 처음 하나 가지 마지막 오늘 지금 이번 다음
    나중 매번 진짜 정말 감사 말씀 질문 인터뷰 답변 소개 자기소개 안녕 때문 방법 이유 상황 상태 마음
    이상 이하 이후 이전 동안 대부분 전체 모든 무엇 어디 누구 언제 뭔가 그거 이거 저거 거기 여기
    우리 저희 제일 가장 하루 한번 그냥 일단 혹시 보통 주로 항상 계속 중반 초반 후반 다들 그때 이때
    요새 솔직 최근 진행 녹음 참여 수고 시작 정답 편 대신 자리 하하 웃음 문제 부탁 기분 필요 짜증
    스트레스 불만 걱정 불편 만족 고민 난감 허탈 실망 만큼 덕분 직접 중간 가끔 자주 서로 혼자 같이
    먼저 바로 다시 이제 아직
    """
)

# English words that are not topic nouns: function words, common verbs, adjectives, adverbs,
# numbers and discourse markers. English is not POS-tagged here, so this list stands in for it.
EN_STOP = words(
    """
    a about above actually after again against ago all almost already also although always am
    an and another any anybody anyone anything anyway anywhere are aren't around as ask asked
    asking at away back bad be became because become been before being below best better between
    big bit both but by can can't cannot could couldn't did didn't do does doesn't doing don't
    done down during each either else enough especially even ever every everybody everyone
    everything exactly few first for from full further get gets getting give given gives go goes
    going gone good got gotten great had hadn't has hasn't have haven't having he he's her here
    hers herself him himself his honestly how however i i'd i'll i'm i've if in instead into is
    isn't it it's its itself just keep kind know known last later least less let let's like
    likely little lot lots made main make makes making many may maybe me mean means might mine
    more most mostly much must my myself need needed needs never new next nice no nobody none nor
    not nothing now of off oh ok okay old on once one ones only or other others otherwise our ours
    ourselves out over own pretty probably put quite rather really right said same say saying
    says see seem seems seen several shall she she's should shouldn't since so some somebody
    someone something sometimes somewhere soon sort still such sure take takes taking tell than
    thank thanks that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've thing things think this those though through thus to together
    too took toward try trying twice um uh under until up upon us use used uses using usually
    very want wanted wants was wasn't way ways we we'd we'll we're we've well went were weren't
    what what's whatever when where whether which while who whole whom whose why will with within
    without won't would wouldn't yeah yes yet you you'd you'll you're you've your yours yourself
    able across ahead along am basically certainly clearly definitely especially fairly finally
    generally hardly hopefully literally mainly nearly normally obviously often particularly
    perhaps possibly quickly rarely recently seriously simply slightly somewhat suddenly totally
    truly typically ultimately hi hello bye sure alright anyway guess hmm wow huh mm er erm
    love loved hate hated feel feels felt find finds found look looks looked looking seem come
    comes came coming call called calls show shows showed shown start started starts end ended
    tried tries work works worked working pay paid pays paying help helps helped helping open
    opened happen happens happened happening change changed changes turn turned leave left
    remember forgot forget mentioned talk talked talking said tells told give gave wait waited
    waiting spend spent spending stay stayed lose lost buy bought ordered check checked
    run ran move moved bring brought sit sitting sat stand saw watched read write wrote
    send sent share shared set sets setting drove
    get got easy easier hard harder high higher low lower long longer short shorter real small
    large huge tiny whole different similar same fine happy sad fun funny amazing annoying
    frustrating confusing terrible awful horrible nice cool great perfect important possible
    impossible available free cheap expensive busy tired glad sorry worth true false fast slow
    slower faster late early simple complicated clunky weird strange crazy silly
    zero one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty
    forty fifty hundred thousand million half quarter percent second third minute minutes hour
    hours day days week weeks month months year years time times today yesterday tomorrow
    morning evening night tonight weekend monday tuesday wednesday thursday friday saturday
    sunday people person guy guys stuff part place point case fact example lot everybody's
    everyone's kinda gonna wanna gotta yep nope thing's dream sense question questions
    http https www com org net html interview answers problem problems issue issues super
    kept felt made began became chose ate
    fell held knew led meant met slept spoke taught won hung thought understood nervous
    """
)

# Common verbs that are never the topic of an interview, in every inflection: English is not
# POS-tagged here, so "creating", "suggested" or "hoping" would otherwise pass for nouns.
_VERBS = """
    accept add agree allow answer appear apply arrive ask avoid believe belong borrow break
    build care carry catch cause choose click close compare complain connect consider contact
    continue copy cost create cut deal decide describe deserve die dig download enjoy enter
    expect explain fail fall figure fill finish fit fix follow force forward give grab guess
    handle hang happen hear hit hold hope imagine improve include invite join keep kill know
    land last learn let lie listen live load love manage mark matter meet mention mind miss
    need note notice offer own pass pick plan play prefer press pretend prove provide pull push
    reach realize receive recommend reduce refuse relax rely remove repeat reply mean require rest
    return save scroll search seem sell sign skip sleep solve sort speak spend squeeze stick
    stop struggle suggest suppose switch tap tend thank touch travel treat trust type understand
    update wake walk warn wash waste wear win wish wonder worry
"""


def _inflections(verb: str) -> set[str]:
    forms = {verb, verb + "s", verb + "ed", verb + "ing"}
    if verb.endswith("e"):
        forms |= {verb + "d", verb[:-1] + "ing"}
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        forms |= {verb[:-1] + "ies", verb[:-1] + "ied"}
    if verb.endswith(("ch", "sh", "ss", "x")):
        forms.add(verb + "es")
    if len(verb) <= 4 and verb[-1] in "bdgmnpt" and verb[-2] in "aeiou" and verb[-3] not in "aeiou":
        forms |= {verb + verb[-1] + "ed", verb + verb[-1] + "ing"}
    return forms


EN_VERB_FORMS = frozenset(form for verb in _VERBS.split() for form in _inflections(verb))

# One-syllable Korean nouns that do name a topic; every other one-syllable noun is dropped.
KO_SHORT_NOUNS = words("앱 차 돈 집 밥 약 책 옷 폰 팁 빵 표 길 역 줄 짐 방 물 술 빚 땅 몸 병")
