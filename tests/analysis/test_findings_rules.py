"""What a sentence does with a pain or need word (stance.py) and how labels are cut (labels.py):
pure functions, no model."""

from __future__ import annotations

import re

import pytest

from persona_insight.analysis.offline import labels
from persona_insight.analysis.offline.stance import need_factor, pain_factor, stance


@pytest.mark.parametrize(
    "text",
    [
        "I never had a problem with the booking page.",
        "There was nothing I couldn't do in the app.",
        "Honestly it wasn't really an issue for me.",
        "No complaints about the checkout.",
        # Typeset apostrophes, as published transcripts print them.
        "There was nothing I couldn’t do in the app.",
        "Honestly it wasn’t really an issue for me.",
        "At this point, I can’t think of anything, particularly.",
        "불편한 건 없었어요.",
        "불편한 건 딱히 없었어요.",
        "어렵지는 않았어요.",
        "문제라고 할 건 전혀 없었고요.",
    ],
)
def test_denied_problems_are_no_pain(text: str) -> None:
    assert pain_factor(stance(text)) == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "It crashes every time I open the statement, which is really frustrating.",
        "The plots take forever to load.",
        "충전기가 자주 고장 나서 너무 불편해요.",
        "매번 서류를 다시 내야 해서 번거로워요.",
    ],
)
def test_lived_problems_stay(text: str) -> None:
    assert pain_factor(stance(text)) == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "If it ever crashed during payment I would be furious.",
        "Imagine the app lost my booking, that would be a nightmare.",
        "만약에 결제가 안 되면 정말 짜증날 것 같아요.",
    ],
)
def test_hypothetical_problems_are_no_pain(text: str) -> None:
    assert pain_factor(stance(text)) == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "Let me share my screen so you can see it.",
        "Can you see my screen now?",
        "Sorry, I accidentally set off Siri.",
        "Is it okay if we record this session?",
        "녹음해도 괜찮으실까요?",
        "화면 공유 한번 해 볼게요.",
        "질의응답 시간을 갖도록 하겠습니다.",
        # Searching for a word while talking, or declining to name one.
        "Sorry, the name of that tool is escaping my mind at the moment.",
        "I can't remember the name now, it was some dashboard.",
        "I don't know exactly what they call those charts.",
        "I'm hesitant in naming specific things.",
        "그 툴 이름이 기억이 잘 안 나요, 뭐였더라.",
    ],
)
def test_logistics_is_neither(text: str) -> None:
    s = stance(text)
    assert pain_factor(s) == 0.0
    assert need_factor(s) == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "I don't really need anything else from it.",
        "딱히 필요한 기능은 없어요.",
        "질문을 대기하는 동안 이 화면도 한번 봐 주시면 좋겠습니다.",
        "스크립트 녹화를 해서 쓰시면 제일 좋을 것 같아요.",
    ],
)
def test_denied_or_addressed_wishes_are_no_need(text: str) -> None:
    assert need_factor(stance(text)) == 0.0


@pytest.mark.parametrize(
    "text",
    [
        # A need word that names a task in a relative clause, and idioms of not knowing.
        "In the worst case I can fork it and fix the things that I need to fix.",
        "We already have a feature in mind that we want to investigate.",
        "I wish I had the answer, because I want to know whether it is sustainable.",
        # What others ought to do is a norm, not the speaker's own need.
        "They should be able to step in and make up the difference.",
        # The talk narrating itself and thinking aloud.
        "오늘 발표가 조금이라도 기여가 됐으면 저는 충분히 만족할 수 있을 것 같습니다.",
        "I'm trying to think of other ways that would be nice too.",
        # Indirect questions weigh a need, they do not state one.
        "어떤 것들이 크게 필요한지 어떤 화면을 그릴 때 어떤 게 필요한지를 논의를 하고요.",
        "We first discuss whether we need a new endpoint at all.",
    ],
)
def test_task_words_norms_and_narration_are_no_need(text: str) -> None:
    assert need_factor(stance(text)) == 0.0


@pytest.mark.parametrize(
    "text",
    [
        # Guessing at a cause, and what could go wrong rather than what did.
        "다른 데 잘되고 거기만 안 되는 건 환경에 문제가 있었지 않겠나",
        "타임아웃이 나든가 네트워크 오류가 명시적으로 드러날 수 있는 환경인데요.",
        "오류가 날 수도 있는 상황이죠.",
        # Declining to go into detail is talk logistics, whatever "어렵" says.
        "내부 구현은 일일이 말씀드리긴 어렵습니다만 다들 구상할 수 있을 거라고 생각합니다.",
    ],
)
def test_guesses_and_possibilities_are_no_pain(text: str) -> None:
    assert pain_factor(stance(text)) == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "What I need is a way to export the plots.",
        "한 장소에서만 오류가 나더라고요.",
        "연결은 유지가 되는데 메시지가 오가지 않아서 정말 힘들었습니다.",
    ],
)
def test_own_needs_and_lived_problems_survive_the_new_rules(text: str) -> None:
    s = stance(text)
    assert max(pain_factor(s), need_factor(s)) == 1.0


@pytest.mark.parametrize(
    "text",
    ["I wish I could sort the plots by importance.", "충전 예약 기능이 있으면 정말 좋겠어요."],
)
def test_own_wishes_stay(text: str) -> None:
    assert need_factor(stance(text)) == 1.0


LONG_EN = (
    "I think the main thing is that when they have needs to have a really specific kind of "
    "export they just cannot do it because the tool is built for something else entirely"
)
LONG_KO = (
    "저희가 API 문서를 매번 손으로 써야 했는데 코드가 바뀔 때마다 문서도 고쳐야 해서 너무 "
    "귀찮고 자꾸 잊어버리게 되더라고요 그래서 결국에는 자동화를 하고 싶었어요"
)


@pytest.mark.parametrize(("text", "lang"), [(LONG_EN, "en"), (LONG_KO, "ko")])
def test_labels_are_short_and_never_cut_mid_word(text: str, lang: str) -> None:
    label = labels.short_label(text, lang, re.compile(r"cannot|귀찮"))
    words = label.split()
    assert 3 <= len(words) <= labels.MAX_WORDS
    source = text.split()
    # Every word of the label is a whole word of the evidence, in order.
    assert all(w.rstrip(",") in source for w in words), label
    assert not label.endswith(("…", "...", ",")), label
    assert words[-1].lower() not in {"a", "the", "to", "of", "and", "because", "that"}


def test_a_label_keeps_the_clause_with_the_cue() -> None:
    text = (
        "We moved everything over last spring after the merger, and since then the export to "
        "the finance system takes forever, so people wait around a lot"
    )
    label = labels.short_label(text, "en", re.compile(r"takes forever"))
    assert "takes forever" in label
    assert len(label.split()) <= labels.MAX_WORDS


@pytest.mark.parametrize(
    ("cut", "label"),
    [
        # Sentences the source's layout cut before their end: the label stops at the last
        # word a phrase can end on, a contraction or a verb waiting for its object included.
        (
            "I knew there was an effort going on, I'm still disappointed it's",
            "I knew there was an effort going on, I'm still disappointed",
        ),
        ("I'm still disappointed it’s", "I'm still disappointed"),
        ("The export breaks every time and we're going", "The export breaks every time"),
        ("When I report a bug to them they don't", "When I report a bug to them"),
        ("That's exactly what I want", "That's exactly what I want"),
        ("The sync keeps failing and they're", "The sync keeps failing"),
        # Speech trailing off into a filler or a determiner.
        (
            "The alerts fail whenever the service is down, okay",
            "The alerts fail whenever the service is down",
        ),
        ("We have to check all of them by hand every", "We have to check all of them by hand"),
    ],
)
def test_a_label_never_ends_on_a_word_waiting_for_more(cut: str, label: str) -> None:
    assert labels.short_label(cut, "en") == label


def test_short_evidence_is_the_label_as_it_is() -> None:
    assert labels.short_label("the fees add up fast.", "en") == "The fees add up fast"


@pytest.mark.parametrize(
    ("label", "lang", "says"),
    [
        # A caption line that stops before its predicate, and a clause with no verb.
        ("웹디버그 할 때", "ko", False),
        ("In this instance, in this particular instance itself", "en", False),
        ("이런 문제가 있었어요", "ko", True),
        ("API 규모가 크고 업데이트도 잦고 쓸 사람도 많고", "ko", True),
        ("The plots take forever to load", "en", True),
        # Whether something is so, asked rather than said.
        ("콜리움의 오류인지", "ko", False),
        ("왜 자꾸 안 되는지", "ko", False),
        ("어떻게 해야 할지 막막했어요", "ko", True),
        ("Number of commits and bugs filed, doesn't show that picture", "en", True),
    ],
)
def test_a_label_must_state_something(label: str, lang: str, says: bool) -> None:
    assert labels.is_statement(label, lang) is says
