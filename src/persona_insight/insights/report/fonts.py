"""The font every PDF is set in: Noto Sans KR, subset to the document's characters.

The only Hangul-covering OFL font on PyPI that we found small enough (pylopdf-fonts-ko, 9.6 MB
wheel) ships CFF outlines, which reportlab cannot embed; fontTools subsets it to the characters a
document uses and converts those outlines to TrueType quadratics. The subset is what a PDF would
embed anyway, so converting only it keeps a report's cost proportional to its alphabet (a few
thousand syllables at most), not to the font's 17,000 glyphs. No system font is needed, so a
machine set up by the README alone renders Korean.
"""

from __future__ import annotations

import functools
import hashlib
import io
import threading
from importlib import resources

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as ReportlabFont

FAMILY = "Noto Sans KR"
_SOURCE = "NotoSansKR-Regular.otf"
# Always there, whatever the text: the digits and punctuation headings and tables use.
_BASE = {chr(c) for c in range(0x20, 0x7F)} | set("–—…·•“”‘’")
_lock = threading.Lock()


@functools.cache
def _source_bytes() -> bytes:
    return resources.files("pylopdf_fonts_ko").joinpath(_SOURCE).read_bytes()


def _to_truetype(font: TTFont) -> None:
    """CFF outlines → `glyf` (fontTools' otf2ttf recipe: cubic curves approximated by
    quadratics within a thousandth of the em)."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    quadratic = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        quadratic[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = quadratic
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in quadratic.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0  # no glyph names: reportlab does not need them
    font.sfntVersion = "\000\001\000\000"


def truetype_subset(characters: set[str]) -> bytes:
    """Noto Sans KR as a TrueType font holding `characters` (and printable ASCII)."""
    font = TTFont(io.BytesIO(_source_bytes()))
    options = subset.Options()
    options.layout_features = []  # no shaping in reportlab; Hangul syllables are precomposed
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in characters | _BASE})
    subsetter.subset(font)
    _to_truetype(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def register(text: str) -> str:
    """Register a subset covering `text` with reportlab; the font name to set text in.

    Named after the characters it covers, so documents with the same alphabet share one
    registration instead of growing reportlab's process-wide registry with each report.
    """
    characters = set(text)
    key = hashlib.sha1("".join(sorted(characters)).encode(), usedforsecurity=False).hexdigest()
    name = f"NotoSansKR-{key[:16]}"
    with _lock:
        if name not in pdfmetrics.getRegisteredFontNames():
            data = truetype_subset(characters)
            pdfmetrics.registerFont(ReportlabFont(name, io.BytesIO(data)))
    return name
