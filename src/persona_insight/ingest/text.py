"""Bytes to str for every text-based format, and the plain-text reader (.txt .md .log .text)."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer
from charset_normalizer.utils import is_multi_byte_encoding

from persona_insight.ingest.base import Raw, too_long, undecodable

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 LE first: its BOM starts with the UTF-16 LE one.
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)
# charset-normalizer's names for Korean code pages that cp949 (Windows' UHC) is a superset of.
_KOREAN = frozenset({"cp949", "euc_kr", "euc-kr", "ks_c_5601-1987", "uhc"})
_HANGUL = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
# What binary data decodes to: controls other than tab/LF/VT/FF/CR, replacement characters,
# private use and lone surrogates.
_GARBAGE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s+")
GARBAGE_RATIO = 0.1
LATIN_CHAOS_MARGIN = 0.1
_SAMPLE = 64 * 1024


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


def read(data: bytes, max_chars: int) -> Raw:
    # No encoding takes more than four bytes a character, so this many bytes cannot fit; and
    # decoding 50 MB ran the parser out of memory, reported as a malformed file.
    if len(data) > 4 * max_chars:
        raise too_long(max_chars)
    decoded = decode(data)
    return Raw(decoded.text, encoding=decoded.encoding)


def decode(data: bytes) -> Decoded:
    """Decode uploaded text: BOM, then strict UTF-8, then detection, preferring cp949 for Korean.

    Raises `undecodable_text` when nothing yields text, or the result is mostly binary noise.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(codec), name)
            except UnicodeDecodeError:
                raise undecodable(
                    f"The file starts with a {name} byte-order mark but is not valid {name}."
                ) from None
    bomless = _bomless_utf16(data)
    if bomless is not None:
        try:
            return _checked(data.decode(bomless), bomless)
        except UnicodeDecodeError:
            pass
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    return _detect(data)


def decode_as(data: bytes, label: str) -> Decoded | None:
    """Decode strictly with a declared charset (an HTML meta tag); None when it does not fit."""
    codec = _codec_for_label(label)
    if codec is None:
        return None
    if codec.startswith("utf-16") or codec.startswith("utf-32"):
        # A meta tag can only be read because the bytes are ASCII-compatible, so a UTF-16 label
        # on it is wrong by construction (the HTML standard says the same).
        codec = "utf-8"
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        # LookupError: a codec that is not a text encoding ("rot13", "base64")
        return None
    return _checked(text, _display_name(codec))


def _codec_for_label(label: str) -> str | None:
    label = label.strip().lower()
    # Browsers decode every Korean label as windows-949, so a page declaring euc-kr may well use
    # UHC-only syllables.
    if label in {"euc-kr", "euc_kr", "ks_c_5601-1987", "windows-949", "korean", "ksc5601", "cp949"}:
        return "cp949"
    if label in {"iso-8859-1", "latin1", "latin-1", "ascii", "us-ascii"}:
        return "cp1252"  # likewise: browsers read these as windows-1252
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 8 or len(data) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    half = len(sample) // 2
    nul_even, nul_odd = even.count(0), odd.count(0)
    if nul_odd > 0.4 * half and nul_even < 0.05 * half:
        return "utf-16-le"
    if nul_even > 0.4 * half and nul_odd < 0.05 * half:
        return "utf-16-be"
    return None


def _detect(data: bytes) -> Decoded:
    matches = charset_normalizer.from_bytes(data)
    best = _prefer_windows_latin(matches)
    if best is not None and best.encoding.lower() in _KOREAN:
        # cp949 decodes everything euc-kr does, identically, plus the syllables euc-kr lacks.
        try:
            return _checked(data.decode("cp949"), "cp949")
        except UnicodeDecodeError:
            pass
    if best is None:
        # Short Korean text can be too little evidence for the detector; cp949 is by far the
        # most common legacy encoding of what gets uploaded here.
        try:
            text = data.decode("cp949")
        except UnicodeDecodeError:
            raise undecodable() from None
        if _mostly_hangul(text):
            return _checked(text, "cp949")
        raise undecodable()
    return _checked(str(best), _display_name(best.encoding))


def _prefer_windows_latin(
    matches: charset_normalizer.CharsetMatches,
) -> charset_normalizer.CharsetMatch | None:
    """The detector's best guess, except that among near-equal single-byte guesses cp1252 wins:
    on short Western text it often ranks cp1257 or mac_latin2 first on noise alone, and
    non-Korean legacy uploads here come from Windows in Western Europe and the Americas."""
    best = matches.best()
    if best is None or best.encoding == "cp1252" or is_multi_byte_encoding(best.encoding):
        return best
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos + LATIN_CHAOS_MARGIN:
            return match
    return best


def _mostly_hangul(text: str) -> bool:
    sample = text[:_SAMPLE]
    non_ascii = len(_NON_ASCII.findall(sample))
    return non_ascii > 0 and len(_HANGUL.findall(sample)) >= 0.6 * non_ascii


def _checked(text: str, encoding: str) -> Decoded:
    visible = len(_WHITESPACE.sub("", text))
    if visible and len(text) - len(_GARBAGE.sub("", text)) > GARBAGE_RATIO * visible:
        raise undecodable("The file looks like binary data, not text.")
    return Decoded(text, encoding)


def _display_name(codec: str) -> str:
    name = codecs.lookup(codec).name
    return {"utf-8-sig": "utf-8", "euc_kr": "euc-kr"}.get(name, name.replace("_", "-"))
