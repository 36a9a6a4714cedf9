"""Who interviews: evidence, confidence, a researcher's fix, and the same answer every time."""

from __future__ import annotations

import os
import subprocess
import sys

from persona_insight.analysis.transcript import parse

INTERVIEW = (
    "Ana: Thanks for joining. Is it okay if I record?\n"
    "Bo: Sure.\n"
    "Ana: How do you book a table today?\n"
    "Bo: I call, because the website never shows free tables on weekends.\n"
    "Ana: What happens when you call?\n"
    "Bo: Nobody answers before five, so I end up going somewhere else.\n"
)


def test_the_one_who_asks_and_opens_interviews_whoever_speaks_first() -> None:
    first = parse(INTERVIEW)
    swapped = parse(INTERVIEW.replace("Ana:", "X:").replace("Bo:", "Ana:").replace("X:", "Bo:"))
    assert first.roles == {"Ana": "question", "Bo": "answer"}
    assert swapped.roles == {"Bo": "question", "Ana": "answer"}
    assert first.role_confidence >= 0.9


def test_no_questions_means_low_confidence() -> None:
    t = parse(
        "Ana: I moved here in 2010.\nBo: I moved here in 2012.\n"
        "Ana: The buses were bad.\nBo: The trains were worse.\n"
    )
    assert t.role_confidence < 0.6
    assert t.role_source == "evidence"


def test_a_tie_is_broken_by_who_spoke_first() -> None:
    text = "Ana: Why?\nBo: Why not?\nAna: Really?\nBo: Really?\n"
    assert parse(text).roles == {"Ana": "question", "Bo": "answer"}


def test_a_researchers_fix_wins_over_the_evidence() -> None:
    t = parse(INTERVIEW, {"Bo": "question", "Ana": "answer"})
    assert t.roles == {"Ana": "answer", "Bo": "question"}
    assert [turn.role for turn in t.turns][:2] == ["answer", "question"]
    assert (t.role_source, t.role_confidence) == ("fixed", 1.0)


def test_a_fix_matches_speakers_loosely() -> None:
    t = parse(
        "김민수 님: 어떠세요?\n이지은 님: 좋아요.", {"김민수": "answer", "이지은 님": "question"}
    )
    assert t.roles == {"김민수 님": "answer", "이지은 님": "question"}


def test_known_labels_decide_with_high_confidence() -> None:
    t = parse("Interviewer: Why?\nParticipant: It is slow.")
    assert (t.role_source, t.role_confidence) == ("labels", 0.97)


def test_a_named_speaker_beside_a_labelled_interviewer_is_interviewed() -> None:
    t = parse("Moderator: How do you run?\nDana: Every morning, but my watch loses GPS.")
    assert t.roles == {"Moderator": "question", "Dana": "answer"}


def test_roles_are_the_same_under_any_hash_seed() -> None:
    code = (
        "import json, sys\n"
        "from persona_insight.analysis.transcript import parse\n"
        "t = parse(sys.stdin.read())\n"
        "print(json.dumps([dict(t.roles), t.role_confidence, [x.role for x in t.turns]]))\n"
    )
    text = (
        "Ana: Hi?\nBo: Hi?\nCy: Hello.\nDee: Hello.\nAna: How?\nBo: How?\nCy: So so.\nDee: So so.\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            input=text,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=60,
        ).stdout
        for seed in ("0", "1", "2", "3")
    }
    assert len(outputs) == 1


def test_rare_questions_in_an_unlabelled_talk_are_the_speakers_own() -> None:
    lines = [
        "오늘은 배포 자동화 이야기를 하겠습니다.",
        "저희 팀은 서버가 스무 대 정도 있습니다.",
        "매번 손으로 배포하다 보니 실수가 많았습니다.",
        "그럼 어떻게 했을까요?",
        "스크립트를 만들어서 한 번에 배포하게 했습니다.",
        "그래도 롤백이 어려웠습니다.",
        "그래서 버전마다 이미지를 남겼습니다.",
    ]
    t = parse("\n".join(lines))
    assert {turn.role for turn in t.turns} == {"answer"}


# A usability debrief: the researcher sets tasks and explains at length, with few question
# marks; the participant thinks aloud and asks back about the screen.
DEBRIEF = (
    "Dan:\nOkay. Now I'll share my screen again. The next step is the sorting view, and I'd "
    "like you to tell me what you notice as you go through it.\n"
    "Alex:\nSure. Should I click on the first plot? Is this the sorted one?\n"
    "Dan:\nYes, that's the one. Take your time with it and talk me through what you see.\n"
    "Alex:\nOkay. Hmm, wait, why does it jump back to the top? I keep losing my place when I "
    "scroll, which is annoying. Can I filter by cluster somewhere?\n"
    "Dan:\nNot in this version. Go ahead and describe how you would use it in your work.\n"
    "Alex:\nIn my work we check the strongest features first. Is that what the ranking shows? "
    "I would want the ranking exported to our report.\n"
    "Dan:\nRight, that makes sense. So you mentioned the scrolling, tell me more about that.\n"
    "Alex:\nI lose my place every time, so I end up taking screenshots and comparing them.\n"
)


def test_a_participant_who_asks_back_is_not_the_interviewer() -> None:
    t = parse(DEBRIEF)
    assert t.roles == {"Dan": "question", "Alex": "answer"}


def test_a_misspelt_role_label_is_still_a_role() -> None:
    t = parse(DEBRIEF.replace("Alex:", "Particpant:").replace("Dan:", "Intervewer:"))
    assert t.roles == {"Intervewer": "question", "Particpant": "answer"}
    assert t.role_source == "labels"


def test_a_named_interviewer_beside_a_labelled_participant_who_rarely_asks() -> None:
    t = parse(DEBRIEF.replace("Alex:", "Participant:"))
    assert t.roles == {"Dan": "question", "Participant": "answer"}
    assert t.turns[0].role == "question"


PODCAST = (
    "Adam: Welcome to the show. Today we have Maya with us. Maya, what got you into maps?\n"
    "Maya: I grew up hiking, and I was always lost because my paper maps were out of date.\n"
    "Lin: You built your own tool for that, right after your trip to Norway, I think.\n"
    "Maya: I did. My first version crashed every time I lost the signal, which was most days.\n"
    "Adam: How do you handle offline areas now?\n"
    "Maya: I cache the tiles myself, but it eats my storage and I still have to plan ahead.\n"
    "Lin: That matches what you said on your blog: you trade space for certainty.\n"
    "Maya: Exactly. I wish my phone warned me before I walk out of coverage.\n"
    "Adam: What would you change first?\n"
    "Maya: I would make syncing automatic. I forget to do it, and then I am stuck again.\n"
)


def test_a_co_host_who_comments_more_than_asks_is_not_the_guest() -> None:
    """Two hosts and a guest: the second host asks nothing but talks to the guest as much as
    about themself, and says far less than the guest — nearer the host than the guest."""
    t = parse(PODCAST)
    assert t.roles == {"Adam": "question", "Maya": "answer", "Lin": "question"}


FOCUS_GROUP = (
    "Moderator: Thanks for coming. How do you plan a trip today?\n"
    "Ana: I use three apps and a notebook, and I lose track of which one has my tickets.\n"
    "Bo: I mostly ask my sister. I do not trust the reviews in the apps any more.\n"
    "Cy: For me it is price first. I wait for a sale, and I often miss it by a day.\n"
    "Moderator: What happens when something goes wrong on the trip?\n"
    "Ana: I panic, honestly. My bookings are in my email and I cannot search it offline.\n"
    "Bo: I call the hotel. I once waited an hour on hold and my battery died.\n"
    "Cy: I just rebook and pay twice. It is expensive but I hate my evening being wasted.\n"
)


def test_every_participant_of_a_focus_group_is_interviewed() -> None:
    t = parse(FOCUS_GROUP)
    assert t.roles == {"Moderator": "question", "Ana": "answer", "Bo": "answer", "Cy": "answer"}
