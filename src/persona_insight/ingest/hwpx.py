"""Hancom HWPX documents (.hwpx, OWPML: zipped XML): paragraphs and tables in document order.

The package passes the same zip guard as Word documents first (bounded inflation, no DTDs).
Body text is in `Contents/sectionN.xml`: `p` paragraphs of `run`s whose `t` elements hold the
text; a `tbl` inside a run holds `tr` rows of `tc` cells whose `subList` holds more paragraphs.
Elements are matched by local name, so the 2011 and 2016 namespaces read alike. Controls
(`ctrl`: headers, footers, footnotes, field codes) are page furniture and skipped.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterator
from io import BytesIO
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from persona_insight.ingest import archive, speakers, tables
from persona_insight.ingest.base import Raw, TextBuffer, malformed

_WHAT = "HWPX document"
_MIMETYPE = b"application/hwp+zip"
_SECTION = re.compile(r"Contents/section(\d{1,4})\.xml")
# ElementTree, about 250 bytes per element: a million tags is some 250 MB at worst.
MAX_XML_TAGS = 1_000_000
_INLINE = {"tab": "\t", "lineBreak": "\n", "nbSpace": "\u00a0", "fwSpace": " ", "hyphen": "-"}
_SKIPPED = frozenset({"ctrl", "secPr", "linesegarray"})
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def read(data: bytes, max_chars: int) -> Raw:
    archive.check_zip(data, _WHAT, max_xml_tags=MAX_XML_TAGS)
    buf = TextBuffer(max_chars)
    with zipfile.ZipFile(BytesIO(data)) as package:
        names = package.namelist()
        if "mimetype" in names and package.read("mimetype").strip() != _MIMETYPE:
            raise malformed(f"The file is not an {_WHAT}: its package type is not Hangul's.")
        sections = sorted(
            (int(m.group(1)), name) for name in names if (m := _SECTION.fullmatch(name))
        )
        if not sections:
            raise malformed(f"The file is not an {_WHAT}: it has no body sections.")
        for _, name in sections:
            _emit(_parse(package.read(name)), buf)
        modified = _modified(package, names)
    return Raw(buf.text(), modified=modified)


def _parse(xml: bytes) -> Element:
    try:
        root: Element = fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        raise malformed(f"The {_WHAT} contains broken XML: {exc}") from None
    return root


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _emit(root: Element, buf: TextBuffer) -> None:
    """Paragraph lines and table rows, walking with an explicit stack so hostile nesting
    cannot exhaust Python's."""
    stack: list[Iterator[Element]] = [iter(root)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        name = _local(element)
        if name == "p":
            text, nested = _paragraph(element)
            if text or not nested:
                buf.add(text)
            stack.append(iter(nested))
        elif name == "tbl":
            _table(element, buf)
        elif name not in _SKIPPED:
            stack.append(iter(element))


def _paragraph(p: Element) -> tuple[str, list[Element]]:
    """A paragraph's own text, and the tables and text boxes (sub-lists) inside it."""
    parts: list[str] = []
    nested: list[Element] = []
    stack: list[Iterator[Element]] = [iter(p)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        name = _local(element)
        if name == "t":
            _t_text(element, parts)
        elif name in ("tbl", "subList"):
            nested.append(element)
        elif name not in _SKIPPED:
            stack.append(iter(element))
    return "".join(parts), nested


def _t_text(t: Element, parts: list[str]) -> None:
    parts.append(t.text or "")
    for child in t:
        parts.append(_INLINE.get(_local(child), ""))
        parts.append(child.tail or "")


def _table(tbl: Element, buf: TextBuffer) -> None:
    budget = tables.CellBudget()
    rows = (
        budget.take([_cell_text(tc) for tc in tr if _local(tc) == "tc"])
        for tr in tbl
        if _local(tr) == "tr"
    )
    tables.render(rows, buf)


def _cell_text(tc: Element) -> str:
    """All of a cell's text on one line; tables nested in a cell are flattened into it, as
    transcripts do not nest tables."""
    parts: list[str] = []
    stack: list[Iterator[Element]] = [iter(tc)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        name = _local(element)
        if name == "t":
            _t_text(element, parts)
        elif name == "p":
            parts.append(" ")
            stack.append(iter(element))
        elif name not in _SKIPPED:
            stack.append(iter(element))
    return speakers.squash("".join(parts))


def _modified(package: zipfile.ZipFile, names: list[str]) -> datetime.date | None:
    if "Contents/content.hpf" not in names:
        return None
    try:
        root = fromstring(package.read("Contents/content.hpf"), forbid_dtd=True)
    except (ParseError, DefusedXmlException):
        return None
    found: dict[str, datetime.date] = {}
    for meta in root.iter():
        if _local(meta) != "meta":
            continue
        match = _DATE.match((meta.text or meta.get("content") or "").strip())
        if match is None:
            continue
        try:
            found[str(meta.get("name"))] = datetime.date(*map(int, match.groups()))
        except ValueError:
            continue
    return found.get("ModifiedDate") or found.get("CreatedDate")
