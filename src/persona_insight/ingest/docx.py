"""Word documents: body paragraphs and tables in document order."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn

from persona_insight.ingest import archive, speakers, tables
from persona_insight.ingest.base import Raw, TextBuffer, malformed

_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_R, _T, _BR = qn("w:r"), qn("w:t"), qn("w:br")
_SDT, _SDT_CONTENT = qn("w:sdt"), qn("w:sdtContent")
_TC_PR, _V_MERGE, _VAL, _TYPE = qn("w:tcPr"), qn("w:vMerge"), qn("w:val"), qn("w:type")
# Run-level containers whose text Word shows: hyperlinks, tracked insertions, smart tags,
# simple fields and inline content controls (python-docx's Paragraph.text skips most of them).
_RUN_CONTAINERS = frozenset(
    qn(tag) for tag in ("w:hyperlink", "w:ins", "w:smartTag", "w:fldSimple", "w:customXml", "w:sdt")
) | {_SDT_CONTENT}
_RUN_CHARACTERS = {
    qn("w:tab"): "\t",
    qn("w:ptab"): "\t",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "-",
}
_WHAT = "Word document"
# python-docx holds the whole document as an lxml tree, about 400 bytes per element: a million
# tags (a thousand-odd pages of heavily formatted text) is some 400 MB and a few seconds.
MAX_XML_TAGS = 1_000_000


def read(data: bytes, max_chars: int) -> Raw:
    archive.check_zip(data, _WHAT, max_xml_tags=MAX_XML_TAGS)
    try:
        document = docx.Document(BytesIO(data))
    except (ValueError, KeyError, PackageNotFoundError) as exc:
        # python-docx: "file is not a Word file, content type is …", missing parts
        raise malformed(f"The file is not a valid {_WHAT}: {exc}") from None
    buf = TextBuffer(max_chars)
    for element in _blocks(document.element.body):
        if element.tag == _P:
            buf.add(_paragraph_text(element))
        else:
            _add_table(element, buf)
    return Raw(buf.text(), modified=archive.core_date(data))


def _blocks(body: Any) -> Iterator[Any]:
    """Paragraphs and tables in document order, looking inside block-level content controls.

    Iterative, so a document nesting content controls thousands deep cannot exhaust the stack.
    """
    stack = [iter(body.iterchildren())]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                stack.append(iter(content.iterchildren()))


# The walks below use plain lxml child iteration, not python-docx's xpath(): that compiles its
# expression on every call, which made a document of two million runs take over a minute.


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []
    stack = [iter(p)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == _R:
            _run_text(child, parts)
        elif child.tag in _RUN_CONTAINERS:
            stack.append(iter(child))
    return "".join(parts)


def _run_text(run: Any, parts: list[str]) -> None:
    for child in run:
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _BR:
            # python-docx's rule: only text-wrapping breaks are line breaks, page and column
            # breaks are not text
            if child.get(_TYPE, "textWrapping") == "textWrapping":
                parts.append("\n")
        elif tag in _RUN_CHARACTERS:
            parts.append(_RUN_CHARACTERS[tag])


def _cell_text(tc: Any) -> str:
    # Not row.cells: python-docx expands horizontal spans into repeated cells (a hostile
    # gridSpan of 10^8 is a 10^8-tuple) and resolves each vertical merge by walking up the
    # column, quadratic in the row count. The direct w:tc children are linear and enough here.
    # Tables nested inside a cell are not read: transcripts do not nest them.
    for props in _children(tc, _TC_PR):
        for merge in _children(props, _V_MERGE):
            if merge.get(_VAL, "continue") == "continue":
                return ""  # the text lives in the first cell of the vertical merge
    return speakers.squash(" ".join(_paragraph_text(p) for p in _children(tc, _P)))


def _children(element: Any, tag: str) -> Iterator[Any]:
    return (child for child in element if child.tag == tag)


def _add_table(tbl: Any, buf: TextBuffer) -> None:
    tables.render(
        ([_cell_text(tc) for tc in _children(tr, _TC)] for tr in _children(tbl, _TR)), buf
    )
