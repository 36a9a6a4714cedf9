"""Building blocks of the offline engine that need no embedding model: cleaning, language,
cues, nouns, keywords, topic cuts, centrality, profile cues, and the embedding budget."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from persona_insight.analysis.offline import cues, embedding, hmw, keywords, sections, summary
from persona_insight.analysis.offline.document import Document
from persona_insight.analysis.offline.findings import clean_description
from persona_insight.analysis.offline.language import (
    interview_language,
    output_language,
    sentence_language,
)
from persona_insight.analysis.offline.models import DIM
from persona_insight.analysis.offline.profile import profile, topic_from_title
from persona_insight.analysis.offline.sentences import build, clean_english, english_noun
from persona_insight.analysis.transcript import parse


def document(text: str) -> Document:
    """A document without embeddings (zero vectors), enough for cue- and text-based parts."""
    lines, sents = build(parse(text))
    spoken = [(s.lang, len(s.text)) for s in sents if s.role == "answer"]
    language = interview_language(spoken)
    return Document(
        lines=lines,
        sentences=sents,
        language=language,
        out_lang=output_language(language, spoken),
        vectors=np.zeros((len(sents), DIM), dtype=np.float32),
        embedded=np.zeros(len(sents), dtype=bool),
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Um, honestly it was, uh, rough.", "Honestly it was, rough."),
        (
            "We had, you know, about eight thousand records.",
            "We had, about eight thousand records.",
        ),
        ("I I think the the app is slow.", "I think the app is slow."),
        ("You know, it just works.", "It just works."),
        # Speech-to-text keeps every stutter and false start of real speech.
        ("Cause it's, it's, it's inactive.", "Cause it's inactive."),
        (
            "We are able to, con, continuously measure it.",
            "We are able to, continuously measure it.",
        ),
        ("Be, because the data was late.", "Because the data was late."),
        ("It was slow, I mean, every single time.", "It was slow, every single time."),
    ],
)
def test_english_fillers_and_repeats_are_removed(raw: str, clean: str) -> None:
    assert clean_english(raw) == clean


def test_korean_fillers_are_removed_but_determiners_kept() -> None:
    doc = document("Q: 어떠세요?\nA: 음... 그 그 앱이 자꾸 꺼져요. 어 그래서 그 앱은 지웠어요.")
    cleaned = doc.lines[1].cleaned
    assert not cleaned.startswith("음")
    assert " 어 " not in f" {cleaned} "
    assert "앱이 자꾸 꺼져요." in cleaned
    assert "그 앱은 지웠어요" in cleaned  # "그" as "that" is not a filler


def test_sentences_split_korean_without_punctuation() -> None:
    doc = document("Q: 어떠세요?\nA: 충전소 찾기가 너무 힘들어요 그리고 앱이 자꾸 꺼져서 짜증나요")
    answers = [s.text for s in doc.answers]
    assert len(answers) == 2
    assert "충전소" in doc.answers[0].nouns


def test_language_of_sentences_and_interviews() -> None:
    assert sentence_language("Tesla 슈퍼차저는 진짜 괜찮아요") == "ko"
    assert sentence_language("The app keeps crashing on my phone.") == "en"
    assert interview_language([("ko", 900), ("en", 50)]) == "ko"
    assert interview_language([("ko", 60), ("en", 940)]) == "en"
    assert interview_language([("ko", 500), ("en", 400)]) == "mixed"
    # Mixed interviews are reported in the interviewer's language.
    assert output_language("mixed", [("en", 900), ("ko", 500)], [("ko", 300)]) == "ko"


@pytest.mark.parametrize(
    ("text", "pain", "need"),
    [
        ("매번 다시 입력해야 해서 너무 번거로워요.", True, False),
        ("알림을 미리 받을 수 있으면 좋겠어요.", False, True),
        ("따로 불편한 건 없어요.", False, False),
        # Trouble told as a feeling.
        ("처음엔 정말 당황스러웠어요.", True, False),
        ("설정 파일 때문에 한참 애를 먹었죠.", True, False),
        ("쉬운 방법을 두고 돌아가니 속이 쓰렸어요.", True, False),
        ("오늘 인터뷰 고생 많으셨습니다.", False, False),
        ("끝까지 남아 주셔서 다들 고생들 많으신데요.", False, False),
        ("그 일로 정말 고생 많았어요.", True, False),
        ("아침마다 애 먹이고 나서 출근해요.", False, False),
        # A need said of oneself, past or present; not "a needed X" or "so that one can".
        ("그때는 항상 연결된 소켓 서버가 필요했습니다.", False, True),
        ("튜터가 잡아 주는 과정이 필요합니다.", False, True),
        ("입문자에게 필요한 개념은 다섯 개예요.", False, False),
        ("크롬에서 볼 수 있게 해서 디버깅을 해봤어요.", False, False),
        ("It's so frustrating when it crashes.", True, False),
        ("I wish I could pay in one tap.", False, True),
        ("No complaints there, it works fine.", False, False),
    ],
)
def test_cues(text: str, pain: bool, need: bool) -> None:
    found = cues.sentence_cues(text)
    assert (found.pain >= 0.8) is pain
    assert (found.need >= 0.8) is need


def test_weak_pain_cues_count_without_deciding() -> None:
    for text in ("일정이 좀 애매해졌어요.", "장비가 많이 낙후돼 있어요.", "문제가 더 심각했어요."):
        found = cues.sentence_cues(text)
        assert 0 < found.pain < 0.8, text


def test_questions_invite_pain_or_need() -> None:
    assert cues.question_invites("충전하시면서 어려운 점은 없으셨어요?")[0] == 1.0
    assert cues.question_invites("What would make that easier?")[1] == 1.0
    assert cues.question_invites("그 부분은 어떻게 바뀌면 좋을까요?") == (0.0, 1.0)
    assert cues.question_invites("불편한 점은 어떻게 개선되면 좋을까요?") == (0.3, 1.0)


@pytest.mark.parametrize(
    ("word", "noun"),
    [
        ("Chargers", "charger"),
        ("batteries", "battery"),
        ("fees", "fee"),
        ("status", "status"),
        ("really", None),
        ("suggested", None),
        ("CSV", "csv"),
        ("the", None),
    ],
)
def test_english_nouns(word: str, noun: str | None) -> None:
    assert english_noun(word) == noun


def test_keyword_weights_use_document_frequency() -> None:
    counts = Counter({"charger": 5, "idle": 2, "app": 4})
    plain = keywords.weights(counts, {}, 0)
    assert max(plain, key=plain.__getitem__) == "charger"
    corpus = keywords.weights(counts, {"charger": 50, "app": 48, "idle": 1}, 50)
    assert max(corpus, key=corpus.__getitem__) == "idle"


def test_topic_cuts_fall_where_the_subject_changes() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=DIM), rng.normal(size=DIM)
    vectors: list[np.ndarray | None] = []
    for k in range(8):
        v = (a if k < 5 else b) + 0.3 * rng.normal(size=DIM)
        vectors.append(v / np.linalg.norm(v))
    assert sections.cut_points(vectors, 2) == [5]
    vectors[6] = None  # an exchange without embedded answers does not break the windows
    assert sections.cut_points(vectors, 2) == [5]


def test_the_hub_sentence_is_most_central() -> None:
    rng = np.random.default_rng(1)
    hub = rng.normal(size=DIM)
    rows = [hub + rng.normal(size=DIM) for _ in range(6)] + [hub]
    vectors = np.array([r / np.linalg.norm(r) for r in rows], dtype=np.float32)
    assert int(np.argmax(summary.centrality(vectors))) == 6


def test_embedding_budget_prefers_cue_sentences_and_covers_the_rest() -> None:
    answer = "그 앱은 매번 로그인해야 해서 번거로워요. " + "주말에는 가족이랑 공원에 가요. " * 3
    doc = document("\n".join(f"Q: 질문 {k}?\nA: {answer}" for k in range(60)))
    priority = np.array([cues.sentence_cues(s.text).pain for s in doc.sentences])
    chosen = embedding.choose(doc.sentences, priority, budget=300)
    assert chosen
    cue_share = np.mean([priority[i] > 0 for i in chosen])
    assert cue_share > 0.5
    turns = {doc.sentences[i].turn_id for i in chosen}
    assert min(turns) < 20
    assert max(turns) > 100
    everything = embedding.choose(doc.sentences[:12], priority)
    assert everything == [s.index for s in doc.sentences[:12] if embedding.embeddable(s)]


def test_profile_cues_and_names() -> None:
    doc = document(
        "Interviewer: Tell me about yourself.\n"
        "Sam: Sure. I'm 34, and I work as a nurse at a children's hospital. My name is Sam.\n"
        "Interviewer: How is the app?\n"
        "Sam: As a mom of two I barely have time, and it keeps logging me out."
    )
    result = profile(doc)
    assert result.demographics.age_group == "30s"
    assert result.demographics.gender == "female"
    assert "nurse" in (result.demographics.occupation_context or "")
    assert "Sam" not in result.model_dump_json()


def test_titles_that_are_file_names_become_topics() -> None:
    assert topic_from_title("ev_charging-interview.txt") == "ev charging interview"
    assert topic_from_title("  EV 충전 인터뷰 ") == "EV 충전 인터뷰"


def test_descriptions_drop_discourse_markers_and_stay_short() -> None:
    assert (
        clean_description("근데 솔직히 급속 충전 요금이 너무 비싸요.", "ko")
        == "급속 충전 요금이 너무 비싸요."
    )
    assert clean_description("So honestly, the fees add up fast.", "en") == "The fees add up fast."
    # What is left after a filler is no label's start: "Yeah., if…", "Then, I mean, it's…".
    assert clean_description("Yeah., if the feed is late we retrain", "en") == (
        "If the feed is late we retrain"
    )
    assert clean_description("Then, I mean, it's never on time.", "en") == "It's never on time."
    # A label reads as written English: restarts and repeated phrases out ("a, an", "the, the
    # triggers", "I don't, I don't"); the script keeps them (the finding's quote is verbatim).
    assert clean_description("They couldn't give a, an answer of the, of the system", "en") == (
        "They couldn't give an answer of the system"
    )
    assert clean_description("I don't, I don't use the, the plots", "en") == (
        "I don't use the plots"
    )
    long = "The importer failed " + "again and again " * 20
    assert len(clean_description(long, "en")) <= 161


def test_korean_object_particle() -> None:
    assert hmw.has_batchim("충전기") is False
    assert hmw.has_batchim("결제") is False
    assert hmw.has_batchim("요금") is True


def test_an_occupation_does_not_start_on_a_cut_off_modifier() -> None:
    """The sentence "저는 서울에 있는 핀테크 스타트업에서 프로덕트 매니저로…" became the
    title "있는 핀테크 스타트업에서 프로덕트 매니저" (its last three words, the first of them
    a modifier whose subject was cut off)."""
    doc = document(
        "질문: 자기소개 부탁드려요.\n"
        "답변: 저는 서울에 있는 핀테크 스타트업에서 프로덕트 매니저로 일하고 있어요.\n"
        "질문: 요즘 어떠세요?\n"
        "답변: IT 회사 다니는 직장인 친구들도 비슷하게 바빠요."
    )
    occupation = profile(doc).demographics.occupation_context or ""
    assert occupation.startswith("핀테크 스타트업에서"), occupation
