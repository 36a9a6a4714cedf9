"""RTF via striprtf, with the document's code page (`\\ansicpg949` → Korean) honoured."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

from striprtf.striprtf import rtf_to_text

from persona_insight.ingest.base import Raw, malformed

_CODEPAGE = re.compile(rb"\\ansicpg(\d{1,5})")
_FONTTABLE_START = re.compile(r"\{[^{}]*\\fonttbl")
_BRACE = re.compile(r"[{}]")
_FONT_WORDS = re.compile(r"\\(fcharset|f)(-?\d{1,10})")
# striprtf turns `{\field{\*\fldinst{HYPERLINK "…"}}{\fldrslt …}}` into "text(url)" with a
# regex that backtracks catastrophically on crafted input. A space after the control word means
# the same to RTF but does not match that regex: the link text is still printed, without the URL.
_FIELD = re.compile(r"\\field\{")
# Font charsets per Windows code page, for fonts that declare the Western charset 0 in a
# document whose code page is a double-byte one (see _canonical_font_table).
_DBCS_CHARSETS = {932: 128, 936: 134, 949: 129, 950: 136}
MAX_FONTS = 1000
_HEADER_SCAN = 64 * 1024
# striprtf has no annotations; this pins the one signature used.
_rtf_to_text: Callable[..., str] = rtf_to_text


def read(data: bytes, max_chars: int) -> Raw:
    if not data.lstrip()[:5] == b"{\\rtf":
        raise malformed("The file is not RTF: it does not start with {\\rtf.")
    codepage = _codepage(data[:_HEADER_SCAN])
    encoding = f"cp{codepage}"
    # RTF is 7-bit in principle; any 8-bit bytes are in the document code page.
    source = data.decode(encoding, errors="replace")
    source = _FIELD.sub(r"\\field {", source)
    source = _canonical_font_table(source, codepage)
    plain = _rtf_to_text(source, encoding=encoding, errors="replace")
    return Raw(plain, encoding=encoding)


def _codepage(head: bytes) -> int:
    match = _CODEPAGE.search(head)
    if match:
        number = int(match.group(1))
        try:
            codecs.lookup(f"cp{number}")
        except LookupError:
            return 1252
        return number
    return 1252  # the RTF default, ANSI


def _canonical_font_table(source: str, codepage: int) -> str:
    """Replace the font table with an equivalent one striprtf can read in linear time.

    striprtf reads font charsets with `\\f(\\d+).*?\\fcharset(\\d+).*?([^;]+);`, which is
    cubic on a crafted table. Only font numbers and charsets matter for decoding, so they are
    pulled out here with a linear scan and written back one short entry per line.

    Fonts declaring charset 0 (Western) in a document whose code page is double-byte are given
    that code page's charset: generators other than Word do this routinely and still write the
    text as `\\'xx` escapes in the document code page, which would otherwise decode as cp1252.
    """
    start = _FONTTABLE_START.search(source)
    if start is None:
        return source
    depth, end = 1, len(source)
    for brace in _BRACE.finditer(source, start.end()):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            end = brace.end()
            break
    fonts: dict[str, str] = {}
    current: str | None = None
    for word in _FONT_WORDS.finditer(source, start.start(), end):
        if word.group(1) == "f":
            current = word.group(2)
        elif current is not None and current not in fonts and len(fonts) < MAX_FONTS:
            fonts[current] = word.group(2)
    fallback = _DBCS_CHARSETS.get(codepage)
    entries = "".join(
        f"{{\\f{number}\\fcharset{fallback if fallback and charset == '0' else charset} F;}}\n"
        for number, charset in fonts.items()
    )
    return f"{source[: start.start()]}{{\\fonttbl\n{entries}}}{source[end:]}"
