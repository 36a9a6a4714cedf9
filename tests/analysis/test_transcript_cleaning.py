"""What is not speech leaves the script lines and is counted: timestamps (kept as start/end),
line numbers, page furniture, stage directions, redactions, headings, overlapping PDF pages."""

from __future__ import annotations

import re

import pytest

from persona_insight.analysis import cleaning
from persona_insight.analysis.transcript import parse

RESIDUE = re.compile(r"\b\d{1,2}:\d{2}\b|^\d{1,4}\s")


@pytest.mark.parametrize(
    ("said", "clean", "kind"),
    [
        ("At home <laughs> mostly.", "At home mostly.", "stage_directions"),
        ("Well [crosstalk] I think so.", "Well I think so.", "stage_directions"),
        ("It was [inaudible 00:12:03] bad.", "It was bad.", "stage_directions"),
        ("솔직히 (웃음) 좀 불편해요.", "솔직히 좀 불편해요.", "stage_directions"),
        ("I sighed *sighs* and left.", "I sighed and left.", "stage_directions"),
        ("I work at XXXX in sales.", "I work at in sales.", "redactions"),
        ("I told [REDACTED] about it.", "I told about it.", "redactions"),
        ("My manager [name] agreed.", "My manager agreed.", "redactions"),
        ("It costs ████ a month.", "It costs a month.", "redactions"),
    ],
)
def test_directions_and_redactions_leave_the_words(said: str, clean: str, kind: str) -> None:
    t = parse(f"Interviewer: And then?\nParticipant: {said}")
    assert t.turns[1].text == clean
    assert t.cleaning[kind] == 1


def test_words_in_brackets_that_are_speech_stay() -> None:
    t = parse("Interviewer: And?\nParticipant: I (honestly) laughed at it [the app].")
    assert t.turns[1].text == "I (honestly) laughed at it [the app]."


@pytest.mark.parametrize(
    ("stamp", "start", "end"),
    [
        ("[00:01:02]", 62_000, None),
        ("(1:02)", 62_000, None),
        ("00:01:02.500", 62_500, None),
        ("[00:00:05,250 --> 00:00:09,000]", 5_250, 9_000),
        ("#00:01:02-5#", 62_000, None),
        ("1:02:03", 3_723_000, None),
    ],
)
def test_timestamps_become_start_and_end(stamp: str, start: int, end: int | None) -> None:
    t = parse(f"{stamp} Interviewer: Why?\n{stamp} Participant: Because it is slow.")
    assert [(x.text, x.start_ms, x.end_ms) for x in t.turns] == [
        ("Why?", start, end),
        ("Because it is slow.", start, end),
    ]


def test_trailing_and_inner_stamps_are_removed() -> None:
    t = parse(
        "Interviewer: What happened? [00:00:04]\nParticipant: It froze (00:00:09) and I lost it."
    )
    assert [x.text for x in t.turns] == ["What happened?", "It froze and I lost it."]
    assert t.turns[0].start_ms == 4_000


def test_a_stamp_on_its_own_line_belongs_to_the_next_turn() -> None:
    t = parse("00:00:03\nInterviewer: Why?\n00:00:07\nParticipant: It is slow.")
    assert [(x.text, x.start_ms) for x in t.turns] == [("Why?", 3_000), ("It is slow.", 7_000)]


def test_times_inside_speech_stay() -> None:
    t = parse("Interviewer: When?\nParticipant: The shop opens at 9:30 and I arrive at 10:15.")
    assert t.turns[1].text == "The shop opens at 9:30 and I arrive at 10:15."


def test_a_line_number_column_is_removed() -> None:
    lines = [
        "Interviewer: How long have you been driving?",
        "Participant: 20 years now, mostly long haul.",
        "Interviewer: What is the worst part?",
        "Participant: The paperwork at the border,",
        "it takes hours.",
    ]
    t = parse("\n".join(f"{n} {line}" for n, line in enumerate(lines, 1)))
    assert [x.text for x in t.turns] == [
        "How long have you been driving?",
        "20 years now, mostly long haul.",
        "What is the worst part?",
        "The paperwork at the border, it takes hours.",
    ]
    assert t.cleaning["line_numbers"] == 5


def test_numbers_that_start_answers_are_not_a_column() -> None:
    t = parse(
        "Interviewer: How long?\nParticipant: 20 years.\nInterviewer: How many trucks?\n"
        "Participant: 3 trucks, all old.\nInterviewer: And staff?\nParticipant: Five."
    )
    assert t.turns[1].text == "20 years."
    assert t.turns[3].text == "3 trucks, all old."
    assert "line_numbers" not in t.cleaning


def test_lines_repeated_where_pdf_pages_overlap() -> None:
    t = parse(
        "Interviewer: Tell me about the warehouse.\n"
        "Participant: We moved the stock system last year,\n"
        "and the scanners never synced with the new database.\n"
        "and the scanners never synced with the new database.\n"
        "We lost a week of orders.\n"
        "Interviewer: What did you do?\n"
    )
    assert t.turns[1].text == (
        "We moved the stock system last year, and the scanners never synced with the new "
        "database. We lost a week of orders."
    )
    assert t.cleaning["repeated_lines"] == 1


def test_a_block_repeated_at_a_page_top_is_dropped_once() -> None:
    block = ["the second screen asks for the same code again,", "so I gave up at that point."]
    t = parse(
        "\n".join(
            [
                "Interviewer: What happened at login?",
                "Participant: I typed my code and",
                *block,
                *block,
                "Then I called support.",
            ]
        )
    )
    assert t.turns[1].text.count("gave up") == 1
    assert t.cleaning["repeated_lines"] == 2


def test_short_replies_said_twice_stay() -> None:
    t = parse(
        "Interviewer: Is it slow?\nParticipant: Yes.\nInterviewer: Always?\nParticipant: Yes."
    )
    assert [x.text for x in t.turns] == ["Is it slow?", "Yes.", "Always?", "Yes."]


def test_page_numbers_and_running_headers() -> None:
    lines = cleaning.page_furniture(
        [
            "Acme Research — Interview 7",
            "Interviewer: Where do you live?",
            "- 1 -",
            "Acme Research — Interview 7",
            "Participant: In Busan.",
            "Page 2",
            "Acme Research — Interview 7",
            "Participant: Yeah.",
            "3 / 9",
        ],
        cleaning.Tally(),
    )
    assert lines == [
        "Interviewer: Where do you live?",
        "Participant: In Busan.",
        "Participant: Yeah.",
    ]


def test_no_residue_in_a_timestamped_transcript() -> None:
    text = "\n".join(
        f"[00:{m:02d}:{s:02d}] {'Ana' if k % 2 == 0 else 'Bo'}: "
        f"{'Why is that?' if k % 2 == 0 else 'Because the app forgets my settings.'}"
        for k, (m, s) in enumerate((m, s) for m in range(3) for s in range(0, 60, 15))
    )
    t = parse(text)
    assert not [x.text for x in t.turns if RESIDUE.search(x.text)]
    assert all(x.start_ms is not None for x in t.turns)


def test_bare_stamps_with_seconds_inside_a_turn_are_removed() -> None:
    t = parse(
        "Interviewer: And after that? 00:12:34\n"
        "Participant: We switched tools 00:12:40.50 and it got better. "
        "00:13:02 --> 00:13:05 Then we hired."
    )
    assert [x.text for x in t.turns] == [
        "And after that?",
        "We switched tools and it got better. Then we hired.",
    ]
    assert not [x.text for x in t.turns if RESIDUE.search(x.text)]


def test_markdown_escapes_do_not_hide_stamps_or_marks() -> None:
    # Markdown exports escape brackets and stars (`\[17:49\]`, `\*laughs\*`): read as written
    # they left a stamp alone on its line as a line of speech.
    text = (
        "**Jerod Santo:** How did the project start?\n\n"
        "**\\[17:49\\]**\n\n"
        "**Maya Chen:** Out of frustration, honestly \\*laughs\\*. The build took an hour.\n\n"
        "\\[18:02\\] **Jerod Santo:** And the team\\_size then?\n\n"
        "**Maya Chen:** Three of us, paid with a \\#hashtag and a \\$5 sponsorship.\n"
    )
    t = parse(text)
    assert [x.text for x in t.turns] == [
        "How did the project start?",
        "Out of frustration, honestly. The build took an hour.",
        "And the team_size then?",
        "Three of us, paid with a #hashtag and a $5 sponsorship.",
    ]
    assert not [x.text for x in t.turns if RESIDUE.search(x.text) or "\\" in x.text]
    assert t.turns[1].start_ms == (17 * 60 + 49) * 1000
    assert t.turns[2].start_ms == (18 * 60 + 2) * 1000
