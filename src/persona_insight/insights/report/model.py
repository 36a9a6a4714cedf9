"""What a report says, independent of the file format: renderers only lay it out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 1  # 1: a section, 2: a subsection


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    muted: bool = False  # an explanation (empty state, provenance), set quieter


@dataclass(frozen=True, slots=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    source: str  # "<interview title> #<line ids>"


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative column widths


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars; `percent` values are shares 0..1, else counts or weights."""

    title: str
    bars: list[tuple[str, float]]
    percent: bool = False
    # What a value is, for tables (Markdown): "#" counts; keywords are summed weights.
    unit: str = "#"

    def value_text(self, value: float) -> str:
        if self.percent:
            return f"{value * 100:.0f}%"
        return f"{value:g}" if value != int(value) else str(int(value))


Block = Heading | Paragraph | Bullets | Quote | Table | BarChart


@dataclass(slots=True)
class Document:
    title: str
    meta: list[str]  # lines under the title: what, when, for whom
    language: str  # the reader's locale, for the document's language tag
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def characters(self) -> set[str]:
        """Every character the document shows: what the PDF's font must cover."""
        seen = set(self.title)
        for line in self.meta:
            seen.update(line)
        for block in self.blocks:
            match block:
                case Heading(text) | Paragraph(text):
                    seen.update(text)
                case Bullets(items):
                    for item in items:
                        seen.update(item)
                case Quote(text, source):
                    seen.update(text)
                    seen.update(source)
                case Table(header, rows):
                    for row in [header, *rows]:
                        for cell in row:
                            seen.update(cell)
                case BarChart(title, bars):
                    seen.update(title)
                    for label, value in bars:
                        seen.update(label)
                        seen.update(block.value_text(value))
        # As renderers show them: without control characters, a broken surrogate as "?".
        return set(printable("".join(seen)))


_UNPRINTABLE = {c: None for c in range(0x20) if c not in (0x09, 0x0A)} | {
    0xFFFE: None,
    0xFFFF: None,
}


def printable(text: str) -> str:
    """Text without what XML (DOCX) and PDF text cannot carry: control characters and lone
    surrogates, which a transcript with broken encoding can hold."""
    text = text.translate(_UNPRINTABLE)
    return text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text
