"""HTML: the visible text, with block elements as line breaks."""

from __future__ import annotations

import codecs
import re
from collections import Counter
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from persona_insight.errors import PayloadTooLarge
from persona_insight.ingest import text
from persona_insight.ingest.base import Raw, TextBuffer, malformed

# Elements whose content is never shown as text.
_HIDDEN_TAGS = """
    head script style noscript template svg math iframe object canvas button select datalist
    title meta link
"""
_INVISIBLE = frozenset(_HIDDEN_TAGS.split())
_BLOCK_TAGS = """
    address article aside blockquote body caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li
    main menu nav ol p pre section summary table tbody tfoot thead tr ul
"""
_BLOCKS = frozenset(_BLOCK_TAGS.split())
_CELLS = frozenset({"td", "th"})
# Void elements, and elements whose end tag is optional: neither stays open in a deep stack.
_FLAT_TAGS = """
    area base br col embed hr img input link meta param source track wbr
    p li dt dd tr td th option optgroup thead tbody tfoot colgroup caption rb rt rtc rp
    html head body
"""
_NEVER_NESTED = frozenset(_FLAT_TAGS.split())
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})[^<>]*?(/?)>")
MAX_NESTING_WORK = 200_000_000
MAX_TAGS = 1_000_000
# The HTML standard's prescan only looks at the first 1024 bytes for a meta charset.
_PRESCAN = 1024
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE
)
# A site generator's YAML block above the page (Jekyll's `---`, `title: …`, `---`): not shown.
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?:[^\n]*\n){0,40}?---[ \t]*(?:\r?\n|\Z)")
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def read(data: bytes, max_chars: int) -> Raw:
    decoded = _decode(data)
    _check_markup(decoded.text)
    parser = LexborHTMLParser(_FRONT_MATTER.sub("", decoded.text, count=1))
    return Raw(_visible_text(parser.root, max_chars), encoding=decoded.encoding)


def _check_markup(source: str) -> None:
    """Refuse markup that would make the HTML parser slow or huge, before parsing it.

    Every tag becomes a DOM node (and a step of the walk below), so their number is capped.
    Lexbor also scans its stack of open elements for every block start tag and every stray end
    tag: its work is the sum of the nesting depth at those tags, and 40,000 nested <div>s take
    seconds, 100,000 minutes. This linear estimate of that sum (ignoring void elements and those
    whose end tag is optional, which never pile up) stops such input too.
    """
    open_counts: Counter[str] = Counter()
    depth = work = 0
    for count, tag in enumerate(_TAG.finditer(source)):
        if count >= MAX_TAGS:
            raise PayloadTooLarge(
                f"The HTML has more than {MAX_TAGS:,} tags.", code="text_too_long"
            )
        name = tag.group(2).lower()
        if name in _NEVER_NESTED or tag.group(3):
            continue
        if not tag.group(1):
            open_counts[name] += 1
            depth += 1
        elif open_counts[name]:
            open_counts[name] -= 1
            depth -= 1
            continue
        work += depth
        if work > MAX_NESTING_WORK:
            raise malformed("The HTML is nested too deeply to be read safely.")


def _decode(data: bytes) -> text.Decoded:
    if not data.startswith(_BOMS):
        declared = _META_CHARSET.search(data[:_PRESCAN])
        if declared:
            decoded = text.decode_as(data, declared.group(1).decode("ascii"))
            if decoded is not None:
                return decoded
    # No usable declaration, or one the bytes contradict: sniff like a text file.
    return text.decode(data)


def _visible_text(root: Any, max_chars: int) -> str:
    """Walk the tree with an explicit stack (hostile nesting must not hit the recursion limit),
    emitting text nodes and a line break around every block element."""
    buf = TextBuffer(max_chars)
    line: list[str] = []

    def end_line() -> None:
        # Lines of nothing but whitespace are the source's indentation between blocks.
        joined = _WHITESPACE.sub(" ", "".join(line)).strip()
        line.clear()
        if joined:
            buf.add(joined)

    if root is None:
        return ""
    pre_depth = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag
        if closing:
            if tag == "pre":
                pre_depth -= 1
            end_line()
            continue
        if tag == "-text":
            content = node.text_content or ""
            if pre_depth:
                first, *rest = content.split("\n")
                line.append(first)
                for more in rest:
                    end_line()
                    line.append(more)
            else:
                line.append(_WHITESPACE.sub(" ", content))
            continue
        if tag in _INVISIBLE or not node.is_element_node:
            continue
        if tag == "br":
            end_line()
            continue
        if tag in _CELLS and _has_cell_before(node):
            line.append(" | ")
        if tag in _BLOCKS:
            end_line()
            if tag == "pre":
                pre_depth += 1
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.iter(include_text=True))))
    end_line()
    return buf.text()


def _has_cell_before(node: Any) -> bool:
    sibling = node.prev
    while sibling is not None:
        if sibling.tag in _CELLS:
            return True
        if sibling.is_element_node:
            return False
        sibling = sibling.prev
    return False
