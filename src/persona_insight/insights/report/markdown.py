"""A report as Markdown (CommonMark with GitHub tables)."""

from __future__ import annotations

from persona_insight.insights.report.model import (
    BarChart,
    Bullets,
    Document,
    Heading,
    Paragraph,
    Quote,
    Table,
)


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    out.append("|" + "|".join("---" for _ in header) + "|")
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def render(doc: Document) -> str:
    out = [f"# {doc.title}", ""]
    out += [f"{line}  " for line in doc.meta]
    out.append("")
    for block in doc.blocks:
        match block:
            case Heading(text, level):
                out += ["#" * (level + 1) + " " + text, ""]
            case Paragraph(text, muted):
                out += [f"_{text}_" if muted else text, ""]
            case Bullets(items):
                out += [f"- {item}" for item in items] + [""]
            case Quote(text, source):
                out += [f"> {text}", f"> — {source}", ""]
            case Table(header, rows):
                out += _table(header, rows)
            case BarChart(title, bars):
                unit = "%" if block.percent else block.unit
                out += _table([title, unit], [[label, block.value_text(v)] for label, v in bars])
    return "\n".join(out).strip() + "\n"
