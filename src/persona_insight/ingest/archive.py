"""Zip guard for the Office formats, run before python-docx or openpyxl sees the bytes.

Both libraries trust the archive: they inflate whatever a member holds and parse its XML. This
module checks the central directory (member count, declared sizes, compression ratio), then
inflates every member itself with a bounded reader, so a header that understates a member's size
is caught as well, and refuses any XML part carrying a DTD, the only way to declare the entities
a "billion laughs" expands.
"""

from __future__ import annotations

import datetime
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from persona_insight.ingest.base import bomb, malformed

MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
# XML becomes an lxml tree several times its size, so parts that get parsed have a lower cap.
MAX_XML_BYTES = 64 * 1024 * 1024
MAX_RATIO = 100
# Small parts (styles, settings) legitimately compress far beyond 100:1 and cannot hurt.
RATIO_EXEMPT_BYTES = 1024 * 1024
_CHUNK = 256 * 1024
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_LOCAL_SIGNATURE = b"PK\x03\x04"
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature … name length, extra length
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CORE_RELATIONSHIP = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
)
_DEFAULT_CORE_PART = "docProps/core.xml"
_DCTERMS = "http://purl.org/dc/terms/"


class _Verdict(Exception):
    """Raised from expat callbacks to stop parsing as soon as the prologue is decided."""


class _RootReached(_Verdict):
    pass


class _DtdFound(_Verdict):
    pass


def check_zip(
    data: bytes,
    what: str,
    *,
    max_xml_tags: int,
    part_tag_limit: Callable[[str], int] | None = None,
) -> None:
    """Raise `malformed_file` unless `data` is a sound zip, `decompression_bomb` if it is not safe
    to open. `what` names the format in messages ("Word document").

    Markup, counted as "<" bytes, is what sizes the trees and objects a library builds from XML:
    `max_xml_tags` bounds it across all XML parts, `part_tag_limit(name)` per part.
    """
    if not data.startswith(_LOCAL_SIGNATURE):
        raise malformed(f"The file is not a {what}: it is not a zip package.")
    # Every central-directory record starts with this signature and zipfile checks it, so the
    # count bounds how many entries zipfile will ever build, before it builds any.
    if data.count(_CENTRAL_SIGNATURE) > MAX_MEMBERS:
        raise bomb(f"The {what} has more than {MAX_MEMBERS:,} parts.")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise malformed(f"The {what} is damaged: {exc}") from None
    with archive:
        members = archive.infolist()
        _check_declared(members, what)
        xml_bytes = xml_tags = 0
        for info in members:
            # Declared sizes are within bounds and no part may exceed its declared size, so the
            # actual total is bounded too.
            part = _inflate_checked(data, info, what)
            xml_bytes += part.xml_size
            xml_tags += part.xml_tags
            if xml_bytes > MAX_XML_BYTES:
                raise bomb(f"The {what} holds more than {MAX_XML_BYTES >> 20} MB of XML.")
            if xml_tags > max_xml_tags:
                raise bomb(f"The {what} holds more than {max_xml_tags:,} XML tags.")
            if part_tag_limit is not None and part.xml_tags > part_tag_limit(info.filename):
                raise bomb(f"Part {info.filename!r} of the {what} holds too many XML tags.")


def _check_declared(members: list[zipfile.ZipInfo], what: str) -> None:
    if len(members) > MAX_MEMBERS:
        raise bomb(f"The {what} has more than {MAX_MEMBERS:,} parts.")
    declared = 0
    for info in members:
        declared += info.file_size
        if declared > MAX_TOTAL_BYTES:
            raise bomb(f"The {what} would expand to more than {MAX_TOTAL_BYTES >> 20} MB.")
        if info.file_size > RATIO_EXEMPT_BYTES and (
            info.file_size > MAX_RATIO * max(info.compress_size, 1)
        ):
            raise bomb(f"A part of the {what} is compressed more than {MAX_RATIO}:1.")
        if info.flag_bits & 0x1:
            raise malformed(f"The {what} is password-protected.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise malformed(f"The {what} uses a compression method Office does not write.")


@dataclass(frozen=True, slots=True)
class _Part:
    size: int
    xml_size: int
    xml_tags: int


def _inflate_checked(data: bytes, info: zipfile.ZipInfo, what: str) -> _Part:
    """Inflate one member, never past its declared size; check its CRC and, for XML, its
    prologue."""
    crc = 0
    size = 0
    tags = 0
    sniffer: _PrologueSniffer | None = None
    first = True
    for chunk in _member_chunks(data, info, what):
        size += len(chunk)
        if size > info.file_size:
            raise bomb(f"A part of the {what} is larger than its zip header says.")
        crc = zlib.crc32(chunk, crc)
        if first:
            first = False
            if _looks_like_xml(info.filename, chunk):
                sniffer = _PrologueSniffer(what)
        if sniffer is not None:
            tags += chunk.count(b"<")
            if not sniffer.done:
                sniffer.feed(chunk)
    if size != info.file_size or crc != info.CRC:
        raise malformed(f"The {what} is damaged: part {info.filename!r} does not match its header.")
    if sniffer is None:
        return _Part(size, 0, 0)
    sniffer.close()
    return _Part(size, size, tags)


def _member_chunks(data: bytes, info: zipfile.ZipInfo, what: str) -> Iterator[bytes]:
    start = info.header_offset
    try:
        header = _LOCAL_HEADER.unpack_from(data, start)
    except struct.error:
        raise malformed(f"The {what} is damaged: a part's header is cut off.") from None
    if header[0] != _LOCAL_SIGNATURE:
        raise malformed(f"The {what} is damaged: a part's header is missing.")
    name_length, extra_length = header[-2], header[-1]
    begin = start + _LOCAL_HEADER.size + name_length + extra_length
    end = begin + info.compress_size
    if end > len(data):
        raise malformed(f"The {what} is damaged: a part runs past the end of the file.")
    payload = memoryview(data)[begin:end]
    if info.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(payload), _CHUNK):
            yield bytes(payload[offset : offset + _CHUNK])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending: bytes = bytes(payload)
    try:
        while True:
            # max_length keeps each step's output bounded whatever the compression ratio.
            chunk = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            if chunk:
                yield chunk
            if inflater.eof or (not chunk and not pending):
                break
    except zlib.error:
        raise malformed(
            f"The {what} is damaged: part {info.filename!r} cannot be inflated."
        ) from None
    if not inflater.eof:
        raise malformed(f"The {what} is damaged: part {info.filename!r} is truncated.")


def core_date(data: bytes) -> datetime.date | None:
    """Last-modified (else created) date from an Office package's core properties.

    Read here rather than through python-docx or openpyxl: both stamp "now" on a package whose
    core properties are missing or incomplete, which would pass today off as the document's
    date. Call only after `check_zip` has accepted `data`.
    """
    try:
        with zipfile.ZipFile(BytesIO(data)) as package:
            root = defused_fromstring(package.read(_core_part_name(package)))
    except (KeyError, ValueError, zipfile.BadZipFile, ParseError, DefusedXmlException):
        return None
    for field in ("modified", "created"):
        element = root.find(f"{{{_DCTERMS}}}{field}")
        if element is not None and element.text:
            try:
                return datetime.date.fromisoformat(element.text.strip()[:10])
            except ValueError:
                continue
    return None


def _core_part_name(package: zipfile.ZipFile) -> str:
    try:
        rels = defused_fromstring(package.read("_rels/.rels"))
    except (KeyError, ParseError, DefusedXmlException):
        return _DEFAULT_CORE_PART
    for rel in rels.iter(f"{{{_RELS}}}Relationship"):
        if rel.get("Type") == _CORE_RELATIONSHIP and rel.get("Target"):
            return str(rel.get("Target")).lstrip("/")
    return _DEFAULT_CORE_PART


def _looks_like_xml(name: str, head: bytes) -> bool:
    # SVG images may legitimately carry a DOCTYPE and are never parsed by the Office readers.
    if name.lower().endswith(".svg"):
        return False
    return head.lstrip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff")[:1] == b"<"


class _PrologueSniffer:
    """Feeds an XML part to expat only until its root element: a DTD must come before it."""

    def __init__(self, what: str) -> None:
        self._what = what
        self.done = False
        self._parser = expat.ParserCreate()
        self._parser.StartDoctypeDeclHandler = self._on_doctype
        self._parser.EntityDeclHandler = self._on_doctype
        self._parser.StartElementHandler = self._on_root

    @staticmethod
    def _on_doctype(*_: object) -> None:
        raise _DtdFound

    @staticmethod
    def _on_root(*_: object) -> None:
        raise _RootReached

    def feed(self, chunk: bytes) -> None:
        self._run(chunk, final=False)

    def close(self) -> None:
        if not self.done:
            self._run(b"", final=True)

    def _run(self, chunk: bytes, *, final: bool) -> None:
        try:
            self._parser.Parse(chunk, final)
        except _RootReached:
            self.done = True
        except _DtdFound:
            raise malformed(
                f"The {self._what} contains an XML document type declaration, which Office "
                "files never need; it is refused because entity expansion can exhaust memory."
            ) from None
        except expat.ExpatError as exc:
            raise malformed(f"The {self._what} contains broken XML: {exc}") from None
