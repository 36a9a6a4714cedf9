"""XML files (.xml): the text of every element, one line each, behind the XML guards.

Decoded like any text file (its declared encoding first, so an EUC-KR export reads), then
parsed by defusedxml with DTDs refused: entity expansion ("billion laughs") and external
entities never run. An element whose attributes name a speaker (speaker, who, name, role…)
becomes a `speaker: text` turn.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from persona_insight.errors import PayloadTooLarge
from persona_insight.ingest import speakers, text
from persona_insight.ingest.base import Raw, TextBuffer, malformed

MAX_TAGS = 1_000_000
_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,200}?\?>")
_DECLARED_ENCODING = re.compile(
    rb"^\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._-]{1,40})"
)
_SPEAKER_ATTRIBUTES = ("speaker", "who", "name", "role", "화자", "발화자")
_WHAT = "XML file"


def read(data: bytes, max_chars: int) -> Raw:
    decoded = _decode(data)
    source = _DECLARATION.sub("", decoded.text, count=1)
    if source.count("<") > MAX_TAGS:
        raise PayloadTooLarge(f"The XML has more than {MAX_TAGS:,} tags.", code="text_too_long")
    try:
        root = fromstring(source, forbid_dtd=True)
    except DefusedXmlException:
        raise malformed(
            f"The {_WHAT} contains a document type declaration; it is refused because entity "
            "expansion can exhaust memory."
        ) from None
    except ParseError as exc:
        raise malformed(f"The {_WHAT} is not well-formed: {exc}") from None
    buf = TextBuffer(max_chars)
    for line in _lines(root):
        buf.add(line)
    return Raw(buf.text(), encoding=decoded.encoding)


def _decode(data: bytes) -> text.Decoded:
    declared = _DECLARED_ENCODING.match(data[:256])
    if declared is not None:
        decoded = text.decode_as(data, declared.group(1).decode("ascii"))
        if decoded is not None:
            return decoded
    return text.decode(data)


def _lines(root: Element) -> Iterator[str]:
    """Each element's own text (and the text after each child) in document order, iteratively
    so deep nesting cannot exhaust Python's stack."""
    stack: list[tuple[Element, bool]] = [(root, False)]
    while stack:
        element, closing = stack.pop()
        if closing:
            tail = speakers.squash(element.tail or "")
            if tail:
                yield tail
            continue
        own = speakers.squash(element.text or "")
        if own:
            yield speakers.turn_line(_speaker(element), own)
        for child in reversed(list(element)):
            stack.append((child, True))
            stack.append((child, False))


def _speaker(element: Element) -> str | None:
    lowered = {key.rsplit("}", 1)[-1].lower(): value for key, value in element.attrib.items()}
    for attribute in _SPEAKER_ATTRIBUTES:
        value = lowered.get(attribute, "").strip()
        if value:
            return speakers.label(value)
    return None
