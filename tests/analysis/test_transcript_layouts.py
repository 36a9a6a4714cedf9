"""Speaker turns and roles for each transcript layout people upload (small behaviour fixtures,
one per layout, through the real format parsers where the layout is a file format)."""

from __future__ import annotations

import pytest
from tests.ingest.conftest import build_docx, build_pdf

from persona_insight import ingest
from persona_insight.analysis.transcript import Transcript, parse

LIMITS = {"max_bytes": 10_000_000, "max_chars": 1_000_000}


def extracted(name: str, data: bytes) -> Transcript:
    return parse(ingest.extract(name, data, **LIMITS).text)


def turns(t: Transcript) -> list[tuple[str, str, str]]:
    return [(turn.role, turn.speaker, turn.text) for turn in t.turns]


def roles(t: Transcript) -> list[str]:
    return [turn.role for turn in t.turns]


QA = ["question", "answer"] * 2


def test_otter_zoom_header_lines_with_the_text_below() -> None:
    t = parse(
        "Jane Smith  00:04\n"
        "Thanks for joining. Is it okay if I record this call?\n\n"
        "Bob Lee  00:09\n"
        "Sure, no problem.\nI run a bakery with two staff.\n\n"
        "Jane Smith  01:15\n"
        "What takes most of your week?\n\n"
        "Bob Lee  01:20\n"
        "Ordering flour. The supplier portal logs me out every time.\n"
    )
    assert turns(t) == [
        ("question", "Jane Smith", "Thanks for joining. Is it okay if I record this call?"),
        ("answer", "Bob Lee", "Sure, no problem. I run a bakery with two staff."),
        ("question", "Jane Smith", "What takes most of your week?"),
        ("answer", "Bob Lee", "Ordering flour. The supplier portal logs me out every time."),
    ]
    assert [turn.start_ms for turn in t.turns] == [4_000, 9_000, 75_000, 80_000]
    assert t.roles == {"Jane Smith": "question", "Bob Lee": "answer"}
    assert t.role_source == "evidence"
    assert t.role_confidence >= 0.9


def test_otter_speaker_numbers_with_hour_stamps() -> None:
    t = parse(
        "Speaker 1  0:00:03\nCan you walk me through your last order?\n"
        "Speaker 2  0:00:09\nI opened the app, searched, and gave up after ten minutes.\n"
        "Speaker 1  0:00:30\nWhy did you give up?\n"
        "Speaker 2  0:00:34\nThe filters reset every time I went back.\n"
    )
    assert roles(t) == QA
    assert t.turns[2].start_ms == 30_000
    assert all(":" not in turn.text for turn in t.turns)


def test_teams_docx_header_paragraphs() -> None:
    data = build_docx(
        [
            "Weekly research call",
            "Kim, Minsoo   0:03",
            "How do you share files with your team today?",
            "Lee, Jieun   0:08",
            "Over e-mail, and the attachments are always too big.",
            "Kim, Minsoo   0:15",
            "What happens then?",
            "Lee, Jieun   0:19",
            "I upload them to a drive and paste the link, which takes ages.",
        ]
    )
    t = extracted("call.docx", data)
    assert roles(t) == QA
    assert t.turns[1].speaker == "Lee, Jieun"
    assert t.turns[1].text == "Over e-mail, and the attachments are always too big."


def test_zoom_vtt_name_prefixed_cues() -> None:
    vtt = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nJane Smith: How do you plan your trips?\n\n"
        "2\n00:00:04.500 --> 00:00:09.000\nBob Lee: On my phone, but the booking site crashes.\n\n"
        "3\n00:00:09.500 --> 00:00:11.000\nJane Smith: When does it crash?\n\n"
        "4\n00:00:11.500 --> 00:00:15.000\nBob Lee: At the payment step, every time.\n"
    )
    t = extracted("zoom.vtt", vtt.encode())
    assert roles(t) == QA
    assert t.roles == {"Jane Smith": "question", "Bob Lee": "answer"}


def test_teams_vtt_voice_spans() -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v 박지훈>요즘 장보기는 어떻게 하세요?</v>\n\n"
        "00:00:04.500 --> 00:00:09.000\n"
        "<v 최유나>주로 앱으로 하는데 배송 시간이 너무 늦어요.</v>\n\n"
        "00:00:09.500 --> 00:00:11.000\n<v 박지훈>왜 그 앱을 쓰세요?</v>\n\n"
        "00:00:11.500 --> 00:00:15.000\n<v 최유나>다른 앱은 최소 주문 금액이 높아서요.</v>\n"
    )
    t = extracted("teams.vtt", vtt.encode())
    assert roles(t) == QA
    assert t.turns[0].speaker == "박지훈"


def test_rev_speaker_with_stamp_before_the_colon() -> None:
    t = parse(
        "Speaker 1 (00:02):\nHow are you finding the new scheduling tool?\n\n"
        "Speaker 2 (00:05):\nHonestly it is slower than the spreadsheet we had.\n\n"
        "Speaker 1 (00:11):\nSlower in what way?\n\n"
        "Speaker 2 (00:14):\nEvery shift change needs three screens.\n"
    )
    assert roles(t) == QA
    assert [turn.start_ms for turn in t.turns] == [2_000, 5_000, 11_000, 14_000]
    assert t.turns[1].text == "Honestly it is slower than the spreadsheet we had."


def test_rev_stamp_after_the_colon() -> None:
    t = parse(
        "Jane: (00:02) Tell me about your commute?\n"
        "Omar: (00:06) Two buses, and the app never shows the second one.\n"
        "Jane: (00:12) What do you do then?\n"
        "Omar: (00:15) I just wait and hope.\n"
    )
    assert roles(t) == QA
    assert t.turns[1].text == "Two buses, and the app never shows the second one."
    assert t.turns[1].start_ms == 6_000


def test_podcast_export_with_the_time_in_brackets_and_a_dash() -> None:
    # `Name (hh:mm:ss) - text`, wrapped at a fixed width: no colon after the name, so every
    # line used to be one unnamed answer with its stamp left in the text.
    t = parse(
        "Dana Reyes (00:00:00) - Thanks for joining. How do you plan a trip\n"
        "with the kids these days?\n\n"
        "Sam Ortiz (00:00:07) - Mostly on my phone, but the booking app logs\n"
        "me out every time I switch to the map.\n\n"
        "Dana Reyes (00:01:02) - What do you do then?\n\n"
        "Sam Ortiz (00:01:05) - I write it all on paper. Plan B - the cheap one -\n"
        "is always a spreadsheet.\n"
    )
    assert turns(t) == [
        (
            "question",
            "Dana Reyes",
            "Thanks for joining. How do you plan a trip with the kids these days?",
        ),
        (
            "answer",
            "Sam Ortiz",
            "Mostly on my phone, but the booking app logs me out every time I switch to the map.",
        ),
        ("question", "Dana Reyes", "What do you do then?"),
        (
            "answer",
            "Sam Ortiz",
            "I write it all on paper. Plan B - the cheap one - is always a spreadsheet.",
        ),
    ]
    assert [turn.start_ms for turn in t.turns] == [0, 7_000, 62_000, 65_000]
    # Without the time, a name and a dash are speech.
    plain = parse("Plan B - the cheap one is what we chose.\nInterviewer: Why?\nJane: Money.\n")
    assert plain.turns[0].speaker != "Plan B"


def test_descript_and_every_turn_timestamped_with_names() -> None:
    t = parse(
        "[00:00:00] Maria: Thanks for making time. Could you introduce yourself?\n"
        "[00:00:05] Tom: I'm Tom, I manage a warehouse.\n"
        "[00:00:09] Maria: What is the hardest part of the job?\n"
        "[00:00:14] Tom: Counting stock by hand at night.\n"
    )
    assert roles(t) == QA
    assert t.roles == {"Maria": "question", "Tom": "answer"}
    assert [turn.start_ms for turn in t.turns] == [0, 5_000, 9_000, 14_000]
    assert t.turns[3].text == "Counting stock by hand at night."


def test_every_turn_timestamped_without_names() -> None:
    t = parse(
        "00:00:01 So tell me about your work?\n"
        "00:00:05 I manage a small shop downtown.\n"
        "00:00:10 What is the hardest part?\n"
        "00:00:14 Keeping the inventory right.\n"
    )
    assert turns(t) == [
        ("question", "Q", "So tell me about your work?"),
        ("answer", "A", "I manage a small shop downtown."),
        ("question", "Q", "What is the hardest part?"),
        ("answer", "A", "Keeping the inventory right."),
    ]
    assert t.roles == {}
    assert t.role_source == "lines"


def test_dovetail_and_condens_headers() -> None:
    dovetail = parse(
        "00:00:03 Alex Kim\nWhat brought you to the product?\n\n"
        "00:00:07 Sam Park\nMy old tool lost my notes twice.\n\n"
        "00:00:12 Alex Kim\nHow did that feel?\n\n"
        "00:00:15 Sam Park\nAwful, I had to redo a week of work.\n"
    )
    condens = parse(
        "Alex Kim [00:00:03]\nWhat brought you to the product?\n\n"
        "Sam Park [00:00:07]\nMy old tool lost my notes twice.\n\n"
        "Alex Kim [00:00:12]\nHow did that feel?\n\n"
        "Sam Park [00:00:15]\nAwful, I had to redo a week of work.\n"
    )
    for t in (dovetail, condens):
        assert roles(t) == QA
        assert t.turns[3].text == "Awful, I had to redo a week of work."
        assert t.turns[2].start_ms == 12_000


def test_pdf_with_line_numbers_headers_footers_and_labels_on_their_own_line() -> None:
    header = "Community Archive Interview Transcript 2019"
    page1 = [
        header,
        "1 INTERVIEWER:",
        "2 Where did you work before the move?",
        "3 NARRATOR:",
        "4 At the textile mill. The shifts were",
        "5 long and the pay was late every month.",
        "Page 1 of 3",
    ]
    page2 = [
        header,
        "6 INTERVIEWER:",
        "7 What changed after that?",
        "8 NARRATOR:",
        "9 We never had enough money for the rent.",
        "Page 2 of 3",
    ]
    page3 = [
        header,
        "10 INTERVIEWER:",
        "11 And today?",
        "12 NARRATOR:",
        "13 Today it is fine.",
        "Page 3 of 3",
    ]
    t = extracted("oral.pdf", build_pdf([page1, page2, page3]))
    assert turns(t) == [
        ("question", "INTERVIEWER", "Where did you work before the move?"),
        (
            "answer",
            "NARRATOR",
            "At the textile mill. The shifts were long and the pay was late every month.",
        ),
        ("question", "INTERVIEWER", "What changed after that?"),
        ("answer", "NARRATOR", "We never had enough money for the rent."),
        ("question", "INTERVIEWER", "And today?"),
        ("answer", "NARRATOR", "Today it is fine."),
    ]
    assert t.cleaning["line_numbers"] == 13
    assert t.cleaning["page_furniture"] == 6


def test_oral_history_header_names_the_interviewer_once() -> None:
    t = parse(
        "Oral History Project\n"
        "INTERVIEWER: Helen Brooks\n"
        "NARRATOR: Walter Ames\n"
        "DATE: March 3, 2004\n"
        "LOCATION: Dayton, Ohio\n\n"
        "BROOKS: Tell me where you grew up.\n"
        "AMES: On a farm outside Dayton. It was hard work and we had no money for school.\n"
        "BROOKS: And after the farm.\n"
        "AMES: I joined the plant in 1961.\n"
    )
    assert turns(t)[0] == ("question", "BROOKS", "Tell me where you grew up.")
    assert roles(t) == QA
    assert t.metadata["interviewer"] == "Helen Brooks"
    assert t.metadata["date"] == "March 3, 2004"
    assert t.role_source == "labels"
    assert all("Helen" not in turn.text for turn in t.turns)


def test_oral_history_initials() -> None:
    t = parse(
        "Interviewer: Helen Brooks\nInterviewee: Walter Ames\n\n"
        "HB: Tell me where you grew up.\n"
        "WA: On a farm outside Dayton, with six brothers and sisters.\n"
        "HB: And after the farm.\n"
        "WA: I joined the plant in 1961.\n"
    )
    assert roles(t) == QA
    assert t.roles == {"HB": "question", "WA": "answer"}


@pytest.mark.parametrize(
    "text",
    [
        "Q: How do you pay?\nA: By card.\nQ: Why?\nA: It is faster.",
        "Q. How do you pay?\nA. By card.\nQ. Why?\nA. It is faster.",
        "**Q:** How do you pay?\n**A:** By card.\n**Q:** Why?\n**A:** It is faster.",
        "Interviewer: How do you pay?\nParticipant: By card.\nInterviewer: Why?\n"
        "Participant: It is faster.",
    ],
)
def test_plain_q_and_a(text: str) -> None:
    t = parse(text)
    assert [(turn.role, turn.text) for turn in t.turns] == [
        ("question", "How do you pay?"),
        ("answer", "By card."),
        ("question", "Why?"),
        ("answer", "It is faster."),
    ]
    assert t.role_confidence >= 0.95


@pytest.mark.parametrize(
    ("interviewer", "interviewee"),
    [("질문", "답변"), ("면접관", "참여자"), ("진행자", "응답자"), ("인터뷰어", "인터뷰이")],
)
def test_korean_role_labels(interviewer: str, interviewee: str) -> None:
    t = parse(
        f"{interviewer}: 요즘 어떤 점이 가장 불편하세요?\n"
        f"{interviewee}: 결제할 때 앱이 자주 멈춰요.\n"
        f"{interviewer}: 그럴 때는 어떻게 하세요\n"
        f"{interviewee}: 그냥 현금으로 내요."
    )
    assert roles(t) == QA
    assert t.role_source == "labels"


def test_clova_note_speakers_all_named_attendees() -> None:
    # Clova Note names every voice "참석자 N" (attendee N) above its text: the word is the same
    # for everyone, so who interviews comes from what they say.
    t = parse(
        "사용자 인터뷰 3차\n2024.05.01 수 오후 2:00 ・ 32분 15초\n참석자 1 참석자 2\n\n"
        "참석자 1 00:00\n안녕하세요. 참여해 주셔서 감사합니다. 녹음해도 괜찮으실까요?\n\n"
        "참석자 2 00:07\n네, 괜찮습니다.\n\n"
        "참석자 1 00:10\n평소에 전기차 충전은 어떻게 하세요?\n\n"
        "참석자 2 00:14\n회사 주차장에서 하는데 자리가 항상 부족해서 불편해요.\n"
    )
    assert [(turn.speaker, turn.role, turn.start_ms) for turn in t.turns] == [
        ("참석자 1", "question", 0),
        ("참석자 2", "answer", 7000),
        ("참석자 1", "question", 10000),
        ("참석자 2", "answer", 14000),
    ]
    assert t.role_source == "evidence"
    # Beside an interviewer's label, a participant's number still says "interviewee".
    labelled = parse("면접관: 어떠세요?\n참여자 1: 좋아요.\n면접관: 왜요?\n참여자 2: 빨라서요.")
    assert labelled.roles == {"면접관": "question", "참여자 1": "answer", "참여자 2": "answer"}


@pytest.mark.parametrize("bracket", ["[{}]", "({})"])
def test_korean_role_words_in_brackets_without_a_colon(bracket: str) -> None:
    q, a = bracket.format("인터뷰어"), bracket.format("응답자")
    t = parse(
        f"{q} 평소에 가계부는 어떻게 쓰세요?\n{a} 은행 앱 세 개를 번갈아 봐서 답답해요.\n"
        f"{q} 그래서 어떻게 하세요?\n{a} 엑셀에 옮겨 적는데 두 시간은 걸려요.\n"
    )
    assert turns(t)[:2] == [
        ("question", "인터뷰어", "평소에 가계부는 어떻게 쓰세요?"),
        ("answer", "응답자", "은행 앱 세 개를 번갈아 봐서 답답해요."),
    ]
    # A stage direction in brackets at the start of a line stays out of the speakers.
    aside = parse("Q: 어떠셨어요?\nA: (웃음) 솔직히 좀 불편했어요.")
    assert [turn.speaker for turn in aside.turns] == ["Q", "A"]


def test_numbered_q_and_a_and_bulleted_speakers() -> None:
    numbered = parse(
        "Q1. 평소에 어떤 앱으로 장을 보세요?\nA1. 쿠팡을 주로 써요.\n"
        "Q2. 불편한 점은 없으세요?\nA2. 교환 절차가 너무 번거로워요.\n"
    )
    assert turns(numbered)[2:] == [
        ("question", "Q", "불편한 점은 없으세요?"),
        ("answer", "A", "교환 절차가 너무 번거로워요."),
    ]
    # Minutes-style bullets are not part of the speaker's name.
    bulleted = parse(
        "○ 진행자: 요즘 어떤 점이 불편하세요?\n○ 김지은: 결제할 때 앱이 자주 멈춰요.\n"
        "• 진행자: 그럴 때는 어떻게 하세요?\n• 김지은: 그냥 현금으로 내요.\n"
    )
    assert [(turn.speaker, turn.role) for turn in bulleted.turns] == [
        ("진행자", "question"),
        ("김지은", "answer"),
    ] * 2


def test_korean_names_with_honorifics() -> None:
    t = parse(
        "김민수 님: 오늘 시간 내주셔서 감사합니다. 어떤 일을 하세요?\n"
        "이지은 님: 저는 디자이너예요. 매일 야근해서 힘들어요.\n"
        "김민수님: 가장 불편한 점은 뭔가요?\n"
        "이지은 님: 파일 공유가 너무 느려요. 큰 파일은 메일로 못 보내요.\n"
    )
    assert roles(t) == QA
    # "김민수님" and "김민수 님" are one speaker
    assert t.roles == {"김민수 님": "question", "이지은 님": "answer"}
    assert {turn.speaker for turn in t.turns} == {"김민수 님", "이지은 님"}


def test_markdown_headings_and_bold_names() -> None:
    t = parse(
        "# Interview 4: field technician\n\n## Background\n\n"
        "**Ana:** What does a normal day look like?\n\n"
        "**Luis:** I drive to four or five sites.\n\n"
        "## Tools\n\n"
        "**Ana:** Which tools do you use there?\n\n"
        "**Luis:** A tablet, but it has no signal in basements.\n"
    )
    assert turns(t) == [
        ("question", "Ana", "What does a normal day look like?"),
        ("answer", "Luis", "I drive to four or five sites."),
        ("question", "Ana", "Which tools do you use there?"),
        ("answer", "Luis", "A tablet, but it has no signal in basements."),
    ]
    assert t.cleaning["headings"] == 3


def test_speaker_names_as_markdown_headings() -> None:
    # A Word or Teams transcript converted to Markdown: each turn under a heading that names
    # its speaker. A heading that names no one ("# Transcript") is still a heading.
    t = parse(
        "# Transcript\n\n### Interviewer\nHow do you plan a release today?\n\n"
        "### Release Manager\n\nIn a spreadsheet. It is out of date by Friday.\n\n"
        "### Interviewer \nWhat happens then?\n\n"
        "### Release Manager\nWe ask every team again, by mail.\n"
    )
    assert turns(t) == [
        ("question", "Interviewer", "How do you plan a release today?"),
        ("answer", "Release Manager", "In a spreadsheet. It is out of date by Friday."),
        ("question", "Interviewer", "What happens then?"),
        ("answer", "Release Manager", "We ask every team again, by mail."),
    ]
    assert t.cleaning["headings"] == 1
    # Section headings that each come once are sections, not speakers.
    sections = parse(
        "## Background\n\nAna: What do you do?\n\nLuis: I fix lifts.\n\n"
        "## Tools\n\nAna: Which tools?\n\nLuis: A tablet with no signal.\n"
    )
    assert [turn.speaker for turn in sections.turns] == ["Ana", "Luis", "Ana", "Luis"]


def test_quoted_voices_in_blockquotes_are_not_the_interviewee() -> None:
    # A second-round interview shows the participant what others said in the first round, as
    # Markdown blockquotes with an editor's note on their source. The quoted people are not in
    # the conversation: the marks and the note are no text, and they are on the interviewer's
    # side, so no finding can cite them as the interviewee's.
    t = parse(
        "MEL: Here is what others told us. What do you make of it?\n\n"
        "> _Source(s): Jackie-1, Naomi-1_\n>\n"
        "> JACKIE: The project feels well maintained to me.\n>\n"
        "> NAOMI: I really don't care about the details of my plumbing.\n>\n"
        "> ...It just has to work.\n\n"
        "ERNEST: That is a consistent issue for every maintainer I know.\n\n"
        "MEL: And funding?\n\n"
        "ERNEST: Funding from companies is rare, which is painful.\n"
    )
    assert turns(t) == [
        ("question", "MEL", "Here is what others told us. What do you make of it?"),
        ("question", "JACKIE", "The project feels well maintained to me."),
        (
            "question",
            "NAOMI",
            "I really don't care about the details of my plumbing....It just has to work.",
        ),
        ("answer", "ERNEST", "That is a consistent issue for every maintainer I know."),
        ("question", "MEL", "And funding?"),
        ("answer", "ERNEST", "Funding from companies is rare, which is painful."),
    ]
    assert t.roles == {
        "MEL": "question",
        "JACKIE": "question",
        "NAOMI": "question",
        "ERNEST": "answer",
    }
    assert t.cleaning["notes"] == 1
    # A researcher's fix still wins over the quoting.
    fixed = parse(
        "MEL: What do you make of it?\n\n> JACKIE: It feels well maintained.\n\n"
        "ERNEST: It is not.\n\nMEL: Why?\n\nERNEST: Nobody is paid for it.\n",
        fixed_roles={"JACKIE": "answer"},
    )
    assert fixed.roles["JACKIE"] == "answer"


def test_a_phrase_ending_on_a_copula_is_no_speaker() -> None:
    # "Option number two is: …" introduces what follows; taken for a name it became a third
    # "interviewee" whose words could be cited as findings.
    t = parse(
        "MEL: Here are the options we wrote up.\n\n"
        "Option number two is: a release every month.\n\n"
        "TERRI: I prefer the second one.\n\n"
        "MEL: Why?\n\n"
        "TERRI: It ships sooner.\n"
    )
    assert [turn.speaker for turn in t.turns] == ["MEL", "TERRI", "MEL", "TERRI"]
    assert t.turns[0].text.endswith("Option number two is: a release every month.")


def test_answers_set_off_as_quotes_keep_their_role() -> None:
    # Only the interviewee's turns are blockquoted (a blog's Q&A): one voice outside the
    # quotes is not a conversation the quotes interrupt, so the roles come from the evidence.
    t = parse(
        "**Interviewer:** How do you plan trips?\n\n"
        "> **Jane:** I use three apps and none of them talk to each other.\n\n"
        "**Interviewer:** Which one hurts most?\n\n"
        "> **Jane:** The booking one. It logs me out.\n"
    )
    assert roles(t) == QA
    assert all(">" not in turn.text for turn in t.turns)


def test_front_matter_is_no_speaker() -> None:
    t = parse(
        "---\nnumber: 33\ntitle: Cities\nlayout: default\n---\n\n"
        "Adam: What do you admire about Tokyo?\n\nDevon: Housing is cheap for a city so wanted.\n"
    )
    assert [(turn.speaker, turn.role) for turn in t.turns] == [
        ("Adam", "question"),
        ("Devon", "answer"),
    ]
    assert t.cleaning["metadata"] == 3
    # A rule above ordinary speech is no front matter: nothing is taken out.
    kept = parse("---\nAdam: Why do you think so?\n---\nDevon: Because it is cheap.\n")
    assert [turn.speaker for turn in kept.turns] == ["Adam", "Devon"]
    page = (
        b"---\nnumber: 33\ntitle: Cities\nlayout: default\n---\n<h1>{{ page.title }}</h1>\n"
        b"<div>Devon Zuegel (00:00:00):</div><p>Something I admire about Tokyo is the housing.</p>"
        b"<div>Adam Wiggins (00:00:40):</div><p>Why do you think that is?</p>"
        b"<div>Devon Zuegel (00:00:45):</div><p>People like to rebuild.</p>"
        b"<div>Adam Wiggins (00:01:10):</div><p>And do you miss it?</p>"
    )
    html = extracted("cities.html", page)
    assert {turn.speaker for turn in html.turns} == {"Devon Zuegel", "Adam Wiggins"}
    assert html.roles == {"Devon Zuegel": "answer", "Adam Wiggins": "question"}


def test_role_word_with_a_stray_number() -> None:
    # "Interviewer2 2:" (a second interviewer, a slip of the keyboard) is still an interviewer.
    t = parse(
        "Interviewer1: What is your job?\n\nInterviewee1: I train models on weather data.\n\n"
        "Interviewer2: How do you check the data?\n\nInterviewee1: By hand, mostly.\n\n"
        "Interviewer2 2: Okay, thanks.\n"
    )
    assert t.roles["Interviewer2 2"] == "question"
    assert [turn.role for turn in t.turns] == ["question", "answer"] * 2 + ["question"]


def test_bold_names_with_initials_and_credentials() -> None:
    t = parse(
        "**Tom Hale:** What brings people to your practice?\n\n"
        "**Jane Q. Doe, PhD:** Mostly stress at work. They feel they cannot switch off.\n\n"
        "**Tom Hale:** And what do they try first?\n\n"
        "**Jane Q. Doe, PhD:** An app, usually. Most stop using it after a week.\n"
    )
    assert [(turn.speaker, turn.text[:12]) for turn in t.turns] == [
        ("Tom Hale", "What brings "),
        ("Jane Q. Doe, PhD", "Mostly stres"),
        ("Tom Hale", "And what do "),
        ("Jane Q. Doe, PhD", "An app, usua"),
    ]
    assert roles(t) == QA
    # Bold speech ending in a colon is still speech, not a speaker.
    said = parse(
        "**Ana:** What happened then?\n\n**Luis:** **Well, here is the thing:** it broke.\n"
    )
    assert [turn.speaker for turn in said.turns] == ["Ana", "Luis"]


def test_a_break_marked_by_a_time_range_is_no_turn() -> None:
    t = parse(
        "**Adam:** What do you do?\n\n**Sam:** I build apps. Shipping is slow.\n\n"
        "**Break:** \\[01:33\\] to \\[03:00\\]\n\n"
        "**Adam:** Why is it slow?\n\n**Sam:** Reviews take weeks.\n\n"
        "[41:02] to [41:30]\n"
    )
    assert [(turn.speaker, turn.text) for turn in t.turns] == [
        ("Adam", "What do you do?"),
        ("Sam", "I build apps. Shipping is slow."),
        ("Adam", "Why is it slow?"),
        ("Sam", "Reviews take weeks."),
    ]
    # A range after a label still times the text below it.
    headed = parse("Jane: [00:00:05] to [00:00:09]\nI sell bread.\n\nTom: [00:00:10]\nWhy?\n")
    assert [(turn.speaker, turn.text, turn.start_ms) for turn in headed.turns] == [
        ("Jane", "I sell bread.", 5000),
        ("Tom", "Why?", 10000),
    ]


def test_three_speakers_one_moderator() -> None:
    t = parse(
        "Mia: Welcome both. Before we start, is it okay if we record?\n"
        "Ken: Yes.\nRaj: Sure.\n"
        "Mia: What do you use to plan shifts?\n"
        "Ken: A whiteboard in the break room, which nobody updates.\n"
        "Raj: We use a shared spreadsheet but it breaks on phones.\n"
        "Mia: What happens when someone calls in sick?\n"
        "Ken: I phone people one by one until someone says yes.\n"
        "Raj: Same, it can take an hour.\n"
    )
    assert t.roles == {"Mia": "question", "Ken": "answer", "Raj": "answer"}


def test_bracketed_labels_of_live_captioning() -> None:
    t = parse(
        "-(사회자) : 이번 발표는 배포 자동화입니다. 큰 박수 부탁드립니다.\n"
        "-(박수)\n"
        "-(김지훈) : 안녕하세요. 저는 배포를 맡고 있는데요.\n"
        "매번 서버에 직접 들어가서 배포하는 게 너무 번거로웠습니다.\n"
        "-(질문) : 롤백은 어떻게 하세요?\n"
        "-(김지훈) : 아직은 손으로 합니다.\n"
    )
    assert turns(t) == [
        ("question", "사회자", "이번 발표는 배포 자동화입니다. 큰 박수 부탁드립니다."),
        (
            "answer",
            "김지훈",
            "안녕하세요. 저는 배포를 맡고 있는데요. 매번 서버에 직접 들어가서 배포하는 게 너무 "
            "번거로웠습니다.",
        ),
        ("question", "질문", "롤백은 어떻게 하세요?"),
        ("answer", "김지훈", "아직은 손으로 합니다."),
    ]


def test_sentence_ends_wrapped_onto_their_own_line_are_not_speakers() -> None:
    t = parse(
        "Interviewer: How do you deploy?\n"
        "Participant: 저는 5년째 백엔드를 하고 있습니\n다.\n회사에서 배포를 맡고 있습니\n다.\n"
        "Interviewer: Why?\nParticipant: 편해서요."
    )
    assert t.roles == {"Interviewer": "question", "Participant": "answer"}
