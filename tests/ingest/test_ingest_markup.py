"""Subtitles, HTML, CSV, JSON and RTF: speakers, visible text, encodings."""

from __future__ import annotations

import contextlib
import json
import time

import pytest

from persona_insight import ingest
from persona_insight.analysis.transcript import parse
from persona_insight.errors import AppError

LIMITS = {"max_bytes": 5_000_000, "max_chars": 1_000_000}


def extract(name: str, data: bytes) -> ingest.Extracted:
    return ingest.extract(name, data, **LIMITS)


def error_of(name: str, data: bytes) -> AppError:
    with pytest.raises(AppError) as caught:
        extract(name, data)
    return caught.value


# --- WebVTT -------------------------------------------------------------------------------

VTT_TWO_VOICES = """WEBVTT
Kind: captions

NOTE recorded on Zoom

1
00:00:01.000 --> 00:00:04.000 align:start
<v Minji Kim>Thanks for having me.

2
00:00:04.000 --> 00:00:07.000
<v.loud Jordan Lee>How do you keep track of <b>orders</b> today?

3
00:00:07.000 --> 00:00:09.500
<v Minji Kim><i>Mostly</i> with a spreadsheet,
and it takes hours &amp; hours.

4
00:00:09.500 --> 00:00:12.000
<v Minji Kim>Every single week.

5
00:00:12.000 --> 00:00:14.000
<v Jordan Lee>What would you change first?

6
00:00:14.000 --> 00:00:16.000
<v Minji Kim><c.yellow>The month-end reconciliation.</c>
"""


def test_vtt_voices_become_alternating_turns() -> None:
    result = extract("call.vtt", VTT_TWO_VOICES.encode())
    assert result.text == (
        "[00:00:01.000 --> 00:00:04.000] Minji Kim: Thanks for having me.\n"
        "[00:00:04.000 --> 00:00:07.000] Jordan Lee: How do you keep track of orders today?\n"
        "[00:00:07.000 --> 00:00:12.000] Minji Kim: Mostly with a spreadsheet, and it takes hours"
        " & hours. Every single week.\n"
        "[00:00:12.000 --> 00:00:14.000] Jordan Lee: What would you change first?\n"
        "[00:00:14.000 --> 00:00:16.000] Minji Kim: The month-end reconciliation."
    )
    assert (result.kind, result.media_type, result.encoding) == (
        "vtt",
        "text/vtt; charset=utf-8",
        "utf-8",
    )
    transcript = parse(result.text)
    assert transcript.labelled
    assert [(t.speaker, t.role) for t in transcript.turns] == [
        ("Minji Kim", "answer"),
        ("Jordan Lee", "question"),
        ("Minji Kim", "answer"),
        ("Jordan Lee", "question"),
        ("Minji Kim", "answer"),
    ]


def test_vtt_prefix_speakers_in_korean() -> None:
    vtt = (
        "\ufeffWEBVTT\n\n"
        "00:01.000 --> 00:03.000\n면접관: 주문은 어떻게 관리하세요?\n\n"
        "00:03.000 --> 00:05.000\n[김민지] 엑셀로 관리해요.\n\n"
        "00:05.000 --> 00:06.000\n그런데 실수가 많아요.\n\n"
        "00:06.000 --> 00:08.000\n- 면접관: 어떤 실수요?\n- 김민지: 숫자가 안 맞아요.\n"
    )
    text = extract("a.vtt", vtt.encode()).text
    assert text == (
        "[00:00:01.000 --> 00:00:03.000] 면접관: 주문은 어떻게 관리하세요?\n"
        "[00:00:03.000 --> 00:00:05.000] 김민지: 엑셀로 관리해요.\n"
        "[00:00:05.000 --> 00:00:06.000] 그런데 실수가 많아요.\n"
        "[00:00:06.000 --> 00:00:08.000] 면접관: 어떤 실수요?\n"
        "[00:00:06.000 --> 00:00:08.000] 김민지: 숫자가 안 맞아요."
    )
    roles = [t.role for t in parse(text).turns]
    assert roles == ["question", "answer", "question", "answer"]


def test_vtt_without_speakers_is_plain_lines() -> None:
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\nhello there\n\n00:02.000 --> 00:03.000\n[Music]\n"
    assert extract("a.vtt", vtt.encode()).text == (
        "[00:00:01.000 --> 00:00:02.000] hello there\n[00:00:02.000 --> 00:00:03.000] [Music]"
    )


@pytest.mark.parametrize("data", [b"not a caption file", b"", b"WEBVTT\n\n00:00.000 --> x\n"])
def test_vtt_malformed_or_empty(data: bytes) -> None:
    assert error_of("a.vtt", data).code in {"malformed_file", "empty_content"}


def test_vtt_missing_header_is_malformed() -> None:
    assert error_of("a.vtt", b"00:01.000 --> 00:02.000\nhello\n").code == "malformed_file"


# --- SubRip -------------------------------------------------------------------------------

SRT_KOREAN = """1
00:00:01,000 --> 00:00:03,000
면접관: 주문 관리는 주로 어떻게 하세요?

2
00:00:03,500 --> 00:00:06,000
김민지: 아직도 <i>종이 장부</i>랑 엑셀을
같이 쓰고 있어요.

3
00:00:06,000 --> 00:00:08,000
{\\an8}김민지: 솔직히 너무 번거로워요.

4
00:00:08,000 --> 00:00:10,000
면접관: 가장 불편한 점이 무엇인가요?
"""


@pytest.mark.parametrize("codec", ["utf-8", "cp949"])
def test_srt_korean_speakers_merge(codec: str) -> None:
    result = extract("a.srt", SRT_KOREAN.replace("\n", "\r\n").encode(codec))
    assert result.text == (
        "[00:00:01.000 --> 00:00:03.000] 면접관: 주문 관리는 주로 어떻게 하세요?\n"
        "[00:00:03.500 --> 00:00:08.000] 김민지: 아직도 종이 장부랑 엑셀을 같이 쓰고 있어요."
        " 솔직히 너무 번거로워요.\n"
        "[00:00:08.000 --> 00:00:10.000] 면접관: 가장 불편한 점이 무엇인가요?"
    )
    assert result.kind == "srt"
    assert result.encoding == ("utf-8" if codec == "utf-8" else "cp949")
    assert [t.role for t in parse(result.text).turns] == ["question", "answer", "question"]


def test_srt_english_without_speakers() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nSo how did it go?\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nPretty well.\n"
    )
    assert extract("a.srt", srt.encode()).text == (
        "[00:00:01.000 --> 00:00:02.000] So how did it go?\n"
        "[00:00:02.000 --> 00:00:03.000] Pretty well."
    )


def test_srt_malformed() -> None:
    assert error_of("a.srt", b"1\nnot a timestamp\nhello\n").code == "malformed_file"


def test_srt_long_whitespace_runs_are_fast() -> None:
    # srt's own pattern is quadratic on whitespace runs; ingestion collapses them first.
    data = b"1\n00:00:01,000 --> 00:00:02,000\nhi" + b" " * 300_000 + b"there\n" + b"\n" * 300_000
    assert extract("a.srt", data).text == "[00:00:01.000 --> 00:00:02.000] hi there"


def test_vtt_hours_beyond_any_interview_leave_the_line_untimed() -> None:
    # WebVTT allows ten-digit hours; the transcript parser reads two, so no time is written.
    vtt = "WEBVTT\n\n123456:00:01.000 --> 123456:00:02.000\nAna: hello\n"
    assert extract("a.vtt", vtt.encode()).text == "Ana: hello"


# --- HTML ---------------------------------------------------------------------------------


def test_html_visible_text_only() -> None:
    page = """<!doctype html><html><head><title>Interview</title>
    <style>p { color: red }</style><script>alert("x")</script></head>
    <body><h1>Interview   notes</h1>
    <p><b>Interviewer:</b> How do you track
       orders?</p><p><b>Participant:</b> In a <i>spreadsheet</i>.<br>Every week.</p>
    <!-- a comment -->
    <table><tr><th>When</th><th>Where</th></tr><tr><td>Monday</td><td>Seoul</td></tr></table>
    <ul><li>one</li><li>two</li></ul><noscript>enable js</noscript>
    <pre>  kept
    lines</pre></body></html>"""
    result = extract("a.html", page.encode())
    assert result.text == (
        "Interview notes\n"
        "Interviewer: How do you track orders?\n"
        "Participant: In a spreadsheet.\n"
        "Every week.\n"
        "When | Where\n"
        "Monday | Seoul\n"
        "one\n"
        "two\n"
        "kept\n"
        "lines"
    )
    assert (result.kind, result.media_type) == ("html", "text/html; charset=utf-8")


def test_html_meta_charset_korean() -> None:
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr">'
    page += "</head><body><p>면접관: 안녕하세요?</p><p>참여자: 네, 반갑습니다.</p></body></html>"
    result = extract("a.htm", page.encode("cp949"))
    assert result.text == "면접관: 안녕하세요?\n참여자: 네, 반갑습니다."
    assert result.encoding == "cp949"


def test_html_wrong_meta_charset_falls_back_to_detection() -> None:
    page = '<meta charset="utf-8"><p>면접관: 주문은 어떻게 관리하세요? 참여자: 엑셀로 관리해요.</p>'
    result = extract("a.html", page.encode("cp949"))
    assert result.text == "면접관: 주문은 어떻게 관리하세요? 참여자: 엑셀로 관리해요."


def test_html_moderate_nesting_is_read() -> None:
    page = "<div>" * 2_000 + "deep" + "</div>" * 2_000
    assert extract("a.html", page.encode()).text == "deep"


@pytest.mark.parametrize(
    "page",
    [
        "<div>" * 100_000 + "deep" + "</div>" * 100_000,
        "<i></b>" * 100_000 + "stray end tags",
    ],
)
def test_html_pathological_nesting_is_refused_fast(page: str) -> None:
    # Lexbor needs minutes for these; they are refused before parsing.
    started = time.perf_counter()
    assert error_of("a.html", page.encode()).code == "malformed_file"
    assert time.perf_counter() - started < 1


def test_html_tag_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    from persona_insight.ingest import html

    monkeypatch.setattr(html, "MAX_TAGS", 100)
    error = error_of("a.html", ("<p>x</p>" * 60).encode())
    assert (error.code, error.status) == ("text_too_long", 413)


def test_html_without_text_is_empty() -> None:
    assert error_of("a.html", b"<html><script>x</script></html>").code == "empty_content"


# --- CSV ----------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-8-sig", "cp949"])
def test_csv_speaker_columns(codec: str) -> None:
    csv = (
        "시간,화자,내용\r\n"
        "00:01,면접관,주문은 어떻게 관리하세요?\r\n"
        '00:05,김민지,"엑셀로, 그리고\n종이로요."\r\n'
    )
    result = extract("a.csv", csv.encode(codec))
    assert result.text == (
        "[00:01] 면접관: 주문은 어떻게 관리하세요?\n[00:05] 김민지: 엑셀로, 그리고 종이로요."
    )
    assert result.kind == "csv"
    assert result.media_type.startswith("text/csv; charset=")
    # The time column times each turn.
    turns = parse(result.text).turns
    assert [(t.role, t.speaker, t.start_ms) for t in turns] == [
        ("question", "면접관", 1000),
        ("answer", "김민지", 5000),
    ]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_plain_rows_any_delimiter(delimiter: str) -> None:
    rows = [["Participant", "Pain point", "Score"], ["P1", "Slow, manual exports", "4"]]
    quoted = [[f'"{cell}"' if "," in cell else cell for cell in row] for row in rows]
    data = "\n".join(delimiter.join(row) for row in quoted).encode()
    assert extract("a.csv", data).text == (
        "Participant | Pain point | Score\nP1 | Slow, manual exports | 4"
    )


def test_csv_english_speaker_text() -> None:
    data = b"Speaker,Utterance\nInterviewer,How do you track orders?\nParticipant,In Excel.\n"
    assert extract("a.csv", data).text == (
        "Interviewer: How do you track orders?\nParticipant: In Excel."
    )


# --- JSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        [
            {"speaker": "Interviewer", "text": "How do you track orders?"},
            {"speaker": "Participant", "text": "In Excel."},
        ],
        {
            "title": "Café interview",
            "utterances": [
                {"speaker": "Interviewer", "start": 0.5, "text": "How do you track orders?"},
                {"speaker": "Participant", "start": 3.0, "text": "In Excel."},
            ],
        },
        {
            "transcript": {
                "segments": [
                    {"Speaker_Name": "Interviewer", "Content": "How do you track orders?"},
                    {"Speaker_Name": "Participant", "Content": "In Excel."},
                ]
            }
        },
    ],
)
def test_json_turns(document: object) -> None:
    result = extract("a.json", json.dumps(document).encode())
    assert result.text == "Interviewer: How do you track orders?\nParticipant: In Excel."
    assert [t.role for t in parse(result.text).turns] == ["question", "answer"]
    assert (result.kind, result.media_type, result.encoding) == (
        "json",
        "application/json",
        "utf-8",
    )


def test_json_korean_messages_and_numbered_speakers() -> None:
    document = {
        "messages": [
            {"화자": "면접관", "내용": "주문은 어떻게 관리하세요?"},
            {"화자": 0, "내용": "엑셀로요."},
            {"화자": None, "내용": "(웃음)"},
            {"내용": ""},
        ]
    }
    text = extract("a.json", json.dumps(document, ensure_ascii=False).encode()).text
    assert text == "면접관: 주문은 어떻게 관리하세요?\nSpeaker 0: 엑셀로요.\n(웃음)"


@pytest.mark.parametrize(
    "words",
    [
        # Trailing spaces kept with each word, as some services write them...
        [{"word": "Orders ", "start": 0.0}, {"word": "come ", "start": 0.4}, {"word": "late."}],
        # ...or bare words, with punctuation as items of their own.
        [{"content": "Orders"}, {"content": "come"}, {"content": "late"}, {"content": "."}],
    ],
)
def test_json_turns_of_timed_words(words: list[dict[str, object]]) -> None:
    document = {
        "segments": [
            {"speaker_name": "Interviewer", "start": 0.0, "wdlist": [{"word": "Why?"}]},
            {"speaker_name": "Participant", "start": 1.5, "words": words},
        ]
    }
    text = extract("a.json", json.dumps(document).encode()).text
    assert text == "Interviewer: Why?\nParticipant: Orders come late."
    assert [t.role for t in parse(text).turns] == ["question", "answer"]


def test_json_string_and_fallback() -> None:
    assert extract("a.json", b'"Interviewer: hi?"').text == "Interviewer: hi?"
    document = {"meta": {"id": 7, "tags": ["orders", "excel"]}, "notes": "kept", "ok": True}
    assert extract("a.json", json.dumps(document).encode()).text == "orders\nexcel\nkept"


@pytest.mark.parametrize("data", [b"{", b"[1, 2", b"{'single': 'quotes'}", b"[" * 5000])
def test_json_malformed(data: bytes) -> None:
    assert error_of("a.json", data).code == "malformed_file"


def test_json_without_strings_is_empty() -> None:
    assert error_of("a.json", b'{"a": [1, 2, null]}').code == "empty_content"


# --- RTF ----------------------------------------------------------------------------------


def _rtf_hex(text: str) -> str:
    return "".join(f"\\'{byte:02x}" if byte > 127 else chr(byte) for byte in text.encode("cp949"))


@pytest.mark.parametrize("charset", ["129", "0", None])
def test_rtf_cp949_escapes(charset: str | None) -> None:
    fonts = f"{{\\fonttbl{{\\f0\\fnil\\fcharset{charset} Gulim;}}}}" if charset else ""
    body = "\\par\n".join(
        _rtf_hex(line) for line in ["면접관: 안녕하세요?", "참여자: 네, 반갑습니다."]
    )
    rtf = f"{{\\rtf1\\ansi\\ansicpg949\\deff0{fonts}\n\\f0\\fs20 {body}\\par\n}}"
    result = extract("a.rtf", rtf.encode("ascii"))
    assert result.text == "면접관: 안녕하세요?\n참여자: 네, 반갑습니다."
    assert (result.kind, result.media_type, result.encoding) == ("rtf", "application/rtf", "cp949")


def test_rtf_unicode_escapes_and_english() -> None:
    rtf = (
        r"{\rtf1\ansi\deff0{\fonttbl{\f0 Calibri;}}\uc1 Interviewer: caf\u233?\par "
        r"Participant: \u44256?\u44061? {\field{\*\fldinst{HYPERLINK "
        "https://x.example"
        "}}"
        r"{\fldrslt link}}\par}"
    )
    assert extract("a.rtf", rtf.encode()).text == "Interviewer: café\nParticipant: 고객 link"


@pytest.mark.parametrize("data", [b"plain text", b"", b"<html>{\\rtf1}</html>", b"{\\rtf1 \\uc x}"])
def test_rtf_malformed(data: bytes) -> None:
    assert error_of("a.rtf", data).code == "malformed_file"


@pytest.mark.parametrize(
    "rtf",
    [
        # striprtf's font-table regex is cubic on these
        "{\\rtf1{\\fonttbl" + "\\f1" * 60_000 + "}}hello}",
        "{\\rtf1{\\fonttbl{\\f1\\fcharset0 " + "a" * 60_000 + "}}hello}",
        # and its hyperlink regex backtracks on this
        "{\\rtf1 " + '{\\field{\\*\\fldinst{HYPERLINK "a' * 20_000 + " hello}",
    ],
)
def test_rtf_pathological_input_is_fast(rtf: str) -> None:
    started = time.perf_counter()
    with contextlib.suppress(AppError):
        extract("a.rtf", rtf.encode())
    assert time.perf_counter() - started < 2
