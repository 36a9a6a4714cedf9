"""The font every PDF is set in: Noto Sans KR, cut down to the document's characters.

The only Hangul-covering OFL font on PyPI that we found small enough (pylopdf-fonts-ko, 9.6 MB
wheel) ships CFF outlines, which reportlab cannot embed. So the glyphs a document uses are drawn
from it through fontTools' cubic-to-quadratic pen and assembled into a small TrueType font,
which reportlab embeds (subset again). That costs a few milliseconds per glyph, only for the
characters a document shows (a few thousand syllables at most), and each glyph is converted once
per process. Running fontTools' subsetter over the CFF first was slower than the conversion
itself (12 s for 1,400 syllables, in its CFF hint and subroutine passes). No system font is
needed, so a machine set up by the README alone renders Korean.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Iterator
from importlib import resources
from typing import Any

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as ReportlabFont

FAMILY = "Noto Sans KR"
_SOURCE = "NotoSansKR-Regular.otf"
# Always there, whatever the text: the digits and punctuation headings and tables use.
_BASE = {chr(c) for c in range(0x20, 0x7F)} | set("–—…·•“”‘’")
# A thousandth of the em: the quadratic outlines stay within it of the cubic originals.
_MAX_ERR = 1.0
_lock = threading.Lock()
_converted: dict[str, Any] = {}  # glyph name → TrueType glyph, shared by every document
_KEEP = 4  # idle registered fonts kept for the next documents with the same alphabet
_in_use: OrderedDict[str, int] = OrderedDict()  # registered font → renders using it now


@functools.cache
def source_bytes() -> bytes:
    """The whole OpenType font (CFF outlines), for renderers that read it directly (Pillow)."""
    return resources.files("pylopdf_fonts_ko").joinpath(_SOURCE).read_bytes()


@functools.cache
def _source() -> TTFont:
    return TTFont(io.BytesIO(source_bytes()), lazy=True)


def _glyph(name: str) -> Any:
    found = _converted.get(name)
    if found is None:
        pen = TTGlyphPen(None)  # CFF glyphs have no components to look up
        _source().getGlyphSet()[name].draw(Cu2QuPen(pen, _MAX_ERR, reverse_direction=True))
        found = _converted[name] = pen.glyph()
    return found


def truetype_subset(characters: set[str], ps_name: str = "NotoSansKR-Regular") -> bytes:
    """Noto Sans KR as a TrueType font holding `characters` (and printable ASCII); characters
    it has no glyph for are left out (they show as the missing-glyph box)."""
    source = _source()
    cmap = source.getBestCmap()
    mapping = {ord(c): cmap[ord(c)] for c in characters | _BASE if ord(c) in cmap}
    order = [".notdef", *sorted(set(mapping.values()) - {".notdef"})]
    glyphs = {name: _glyph(name) for name in order}
    hmtx, hhea, os2 = source["hmtx"], source["hhea"], source["OS/2"]
    builder = FontBuilder(source["head"].unitsPerEm, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap(mapping)
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics(
        {name: (hmtx[name][0], getattr(glyphs[name], "xMin", 0)) for name in order}
    )
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
    builder.setupNameTable({"familyName": FAMILY, "styleName": "Regular", "psName": ps_name})
    builder.setupOS2(
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        fsType=0,  # installable embedding, as the OFL allows
    )
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


def _forget(name: str) -> None:
    """Drop a registration reportlab would otherwise keep for the life of the process (it has no
    public way to; these are its two registries of dynamic fonts)."""
    registered: dict[str, Any] = getattr(pdfmetrics, "_fonts", {})
    faces: dict[str, Any] = getattr(pdfmetrics, "_dynFaceNames", {})
    registered.pop(name, None)
    faces.pop(name, None)


@contextlib.contextmanager
def leased(text: str) -> Iterator[str]:
    """A registered font covering `text`, by name, for as long as the block runs.

    Named after the characters it covers, so documents with the same alphabet share it. Each
    document's alphabet differs, so fonts no render uses are forgotten beyond the last
    `_KEEP`, which bounds what a long-running server holds however many reports it makes.
    """
    characters = set(text)
    key = hashlib.sha1("".join(sorted(characters)).encode(), usedforsecurity=False).hexdigest()
    name = f"NotoSansKR-{key[:16]}"
    with _lock:
        if name not in _in_use:
            # Its own PostScript name too: reportlab serves every font registered under an
            # existing face name from the first one, whose subset lacks the new characters.
            data = truetype_subset(characters, name)
            pdfmetrics.registerFont(ReportlabFont(name, io.BytesIO(data)))
            _in_use[name] = 0
        _in_use[name] += 1
        _in_use.move_to_end(name)
    try:
        yield name
    finally:
        with _lock:
            _in_use[name] -= 1
            idle = [n for n, users in _in_use.items() if users == 0]
            for old in idle[: max(0, len(idle) - _KEEP)]:
                del _in_use[old]
                _forget(old)
