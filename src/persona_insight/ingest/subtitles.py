"""WebVTT and SubRip captions as speaker turns: `[start --> end] Speaker: text`, one line per turn.

Speakers come from WebVTT voice spans (`<v Name>`) or from a `Name:`, `[Name]` or `- Name:`
prefix in the cue text. Consecutive cues of one speaker merge into one turn, timed from the first
cue's start to the last one's end; cues with no speaker stay lines of their own. The transcript
parser reads the times back as each line's `start_ms`/`end_ms` (the form audio transcripts are
stored in, too). Styling is dropped.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

import srt
import webvtt

from persona_insight.ingest import speakers, text
from persona_insight.ingest.base import Raw, TextBuffer, malformed

# Each pattern below is linear: the bracket classes exclude their own delimiters, so a scan
# from one '<' or '{' can never run past the next one.
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?(?:\s+([^<>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^{}]*\}")  # SubRip files often carry {\an8}-style overrides
_BRACKETED = re.compile(r"\[([^\[\]\n]{1,40})\]\s*[:：]?\s*(.*)")
_NAMED = re.compile(r"([^\W\d_][^:：?!.。,\[\]\n]{0,29}?)\s*[:：]\s*(.+)")
_DASH = re.compile(r"[-‐–—]\s*")
_URL_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "www"})
# Bracketed sound descriptions, not speakers.
_SOUND_WORDS = """
    music laughter laughs laughing applause silence noise inaudible crosstalk pause
    음악 웃음 박수 침묵 소음 웃음소리
"""
_SOUNDS = frozenset(_SOUND_WORDS.split())
_SPACES = re.compile(r"[ \t\f\v]+")
_BLANK_RUN = re.compile(r"\n{3,}")

Piece = tuple[str | None, str]


@dataclass(frozen=True, slots=True)
class Cue:
    text: str
    start_ms: int
    end_ms: int


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def read_vtt(data: bytes, max_chars: int) -> Raw:
    decoded = text.decode(data)
    try:
        captions = webvtt.from_buffer(io.StringIO(_tidy(decoded.text)))
    except (webvtt.errors.MalformedFileError, webvtt.errors.MalformedCaptionError) as exc:
        raise malformed(f"The file is not valid WebVTT: {exc}") from None
    cues = (
        # start_in_seconds is rounded down to whole seconds; the timestamp keeps milliseconds.
        Cue(
            caption.raw_text,
            caption.start_time.in_milliseconds(),
            caption.end_time.in_milliseconds(),
        )
        for caption in captions.captions
    )
    return Raw(_render(cues, max_chars), encoding=decoded.encoding)


def read_srt(data: bytes, max_chars: int) -> Raw:
    decoded = text.decode(data)
    try:
        cues = [
            Cue(s.content, _ms(s.start.total_seconds()), _ms(s.end.total_seconds()))
            for s in srt.parse(_tidy(decoded.text))
        ]
    except (srt.SRTParseError, srt.TimestampParseError) as exc:
        raise malformed(f"The file is not valid SubRip: {exc}") from None
    return Raw(_render(cues, max_chars), encoding=decoded.encoding)


def _tidy(source: str) -> str:
    """Collapse whitespace runs before parsing: srt's pattern opens with `\\s*` and backtracks
    quadratically over long whitespace runs (16k spaces take seconds). Whitespace inside cue
    text carries no meaning, and blank lines stay single blank lines, which both formats need
    as cue separators."""
    lines = (_SPACES.sub(" ", line).strip() for line in source.splitlines())
    return _BLANK_RUN.sub("\n\n", "\n".join(lines))


def _render(cues: Iterable[Cue], max_chars: int) -> str:
    buf = TextBuffer(max_chars)
    current: str | None = None
    parts: list[str] = []
    span = [0, 0]

    def flush() -> None:
        if parts:
            buf.add(speakers.timed_line(span[0], span[1], current, " ".join(parts)))
            parts.clear()

    for cue in cues:
        for speaker, said in _cue_pieces(cue.text):
            if speaker is None or speaker != current:
                flush()
                current = speaker
            if not parts:
                span[0] = cue.start_ms
            span[1] = max(span[0], cue.end_ms)
            parts.append(said)
            if speaker is None:
                flush()
    flush()
    return buf.text()


def _cue_pieces(cue: str) -> list[Piece]:
    """(speaker or None, text) runs of one cue. A line without a speaker of its own continues
    the voice or name before it in the same cue."""
    pieces: list[Piece] = []
    speaker: str | None = None
    for line in cue.split("\n"):
        # re.split with one group alternates: text, voice name, text, voice name, …
        for index, chunk in enumerate(_VOICE.split(line)):
            if index % 2:
                speaker = speakers.label(chunk)  # None for a nameless <v>
                continue
            said = _plain(chunk or "")
            if not said:
                continue
            if index == 0:
                speaker, said = _prefixed_speaker(said, speaker)
            _append(pieces, speaker, said)
    return pieces


def _append(pieces: list[Piece], speaker: str | None, said: str) -> None:
    if pieces and pieces[-1][0] == speaker:
        pieces[-1] = (speaker, f"{pieces[-1][1]} {said}")
    else:
        pieces.append((speaker, said))


def _prefixed_speaker(said: str, speaker: str | None) -> tuple[str | None, str]:
    """Split a `Name:`, `[Name]` or `- Name:` prefix off a line. A bare leading dash marks a
    change of speaker in SubRip dialogue, so it ends the current one."""
    dash = _DASH.match(said)
    if dash and dash.end() < len(said):
        said = said[dash.end() :]
        speaker = None
    bracketed = _BRACKETED.fullmatch(said)
    if bracketed and bracketed.group(2) and bracketed.group(1).strip().lower() not in _SOUNDS:
        return speakers.label(bracketed.group(1)), bracketed.group(2)
    named = _NAMED.fullmatch(said)
    if named:
        name = named.group(1).strip()
        if len(name.split()) <= 4 and name.lower() not in _URL_SCHEMES:
            return speakers.label(name), named.group(2)
    return speaker, said


def _plain(chunk: str) -> str:
    chunk = _ASS_OVERRIDE.sub("", _TAG.sub("", chunk))
    return speakers.squash(html.unescape(chunk))
