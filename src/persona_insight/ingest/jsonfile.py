"""JSON transcripts: speaker turns when the shape says so, otherwise every string in order.

Recognised shapes: a list of objects with a text-like key (and usually a speaker-like one); an
object holding such a list under `messages`, `utterances`, `transcript`, `segments`, … (one level
of nesting allowed, as in {"transcript": {"utterances": [...]}}); a bare string. A turn whose
words come as a list of timed word objects instead of a text (`{"speaker_name": …, "words":
[{"word": "You ", "start": 0.0}, …]}`, as speech-to-text services write them) reads as the
words joined.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson

from persona_insight.ingest import speakers, text
from persona_insight.ingest.base import Raw, TextBuffer, malformed

_CONTAINERS = (
    "messages",
    "utterances",
    "transcript",
    "segments",
    "turns",
    "dialogue",
    "conversation",
    "results",
    "transcripts",
    "대화",
    "발화",
)
_NESTING = 3
# Keys of a turn's list of timed words, and of a word's text in it.
_WORD_LISTS = frozenset({"words", "wdlist", "word list", "wordlist", "tokens", "items"})
_WORD_TEXT = ("punctuated word", "word", "text", "content", "token")
_SPACE_BEFORE_MARK = re.compile(r"\s+([,.!?;:…。？！])")


def read(data: bytes, max_chars: int) -> Raw:
    decoded = text.decode(data)
    try:
        # orjson refuses nesting deeper than 1024 levels, so the parse itself is bounded.
        document = orjson.loads(decoded.text)
    except orjson.JSONDecodeError as exc:
        raise malformed(f"The file is not valid JSON: {exc}") from None
    buf = TextBuffer(max_chars)
    turns = _find_turns(document)
    if turns is not None:
        for item in turns:
            _add_turn(item, buf)
    else:
        for string in _strings(document):
            buf.add(string)
    return Raw(buf.text(), encoding=decoded.encoding)


def _find_turns(document: Any, depth: int = 0) -> list[Any] | None:
    if _is_turn_list(document):
        return list(document)
    if not isinstance(document, dict) or depth >= _NESTING:
        return None
    keys = {speakers.field_key(key): value for key, value in document.items()}
    for name in _CONTAINERS:
        value = keys.get(name)
        if value is None:
            continue
        if isinstance(value, str):
            return [value]
        found = _find_turns(value, depth + 1)
        if found is not None:
            return found
    return None


def _is_turn_list(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    with_text = sum(1 for item in value if isinstance(item, dict) and _text_of(item) is not None)
    return with_text >= 0.5 * len(value)


def _text_of(item: dict[str, Any]) -> str | None:
    for key, value in item.items():
        if speakers.field_key(key) in speakers.TEXT_FIELDS:
            said = _as_text(value)
            if said is not None:
                return said
    for key, value in item.items():
        if speakers.field_key(key) in _WORD_LISTS:
            said = _joined_words(value)
            if said is not None:
                return said
    return None


def _joined_words(value: Any) -> str | None:
    """The words of a list of word objects, as one text; None when it is not such a list."""
    if not isinstance(value, list) or not value:
        return None
    words: list[str] = []
    for part in value:
        if not isinstance(part, dict):
            return None
        keys = {speakers.field_key(key): said for key, said in part.items()}
        word = next((keys[k] for k in _WORD_TEXT if isinstance(keys.get(k), str)), None)
        if word is not None:
            words.append(word)
    if not words:
        return None
    # Some services keep each word's trailing space ("You ", "can "), others none ("You").
    spaced = any(w[:1].isspace() or w[-1:].isspace() for w in words)
    joined = "".join(words) if spaced else " ".join(words)
    return _SPACE_BEFORE_MARK.sub(r"\1", " ".join(joined.split())) or None


def _as_text(value: Any) -> str | None:
    """A string, or a list of strings / {"text": …} parts (chat-style content)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [
            part if isinstance(part, str) else _text_of(part) if isinstance(part, dict) else None
            for part in value
        ]
        joined = " ".join(part for part in parts if part)
        return joined or None
    return None


def _speaker_of(item: dict[str, Any]) -> str | None:
    for key, value in item.items():
        if speakers.field_key(key) in speakers.SPEAKER_FIELDS:
            if isinstance(value, dict):
                # {"speaker": {"name": "…"}} or {"author": {"role": "…"}}
                value = value.get("name") or value.get("role") or value.get("id")
            if isinstance(value, str | int) and not isinstance(value, bool):
                return speakers.label(value)
    return None


def _add_turn(item: Any, buf: TextBuffer) -> None:
    if isinstance(item, str):
        buf.add(item)
    elif isinstance(item, dict):
        said = _text_of(item)
        if said and said.strip():
            buf.add(speakers.turn_line(_speaker_of(item), said))


def _strings(document: Any) -> Iterator[str]:
    """Every string value in document order (object keys are not content), iteratively."""
    stack: list[Any] = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))
