"""An analysed interview as Markdown or plain text.

The script keeps the original product's export format — `Q:` / `A:` lines, with `[Pain Point]` and
`[Need]` after the lines that show one — so files made by either product read alike. Headings are
in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from persona_insight.web.script import Line, Script

Gettext = Callable[..., str]

MARKERS = {"painpoint": "[Pain Point]", "needs": "[Need]"}


def _markers(line: Line) -> str:
    found = []
    if line.category == "painpoint" or line.pain_points:
        found.append(MARKERS["painpoint"])
    if line.category == "needs" or line.needs:
        found.append(MARKERS["needs"])
    return (" " + " ".join(found)) if found else ""


def script_lines(script: Script, *, markdown: bool) -> list[str]:
    out: list[str] = []
    for section in script.sections:
        if section.name:
            out += ["", f"### {section.name}" if markdown else f"[{section.name}]", ""]
        for line in section.lines:
            label = "Q:" if line.speaker == "question" else "A:"
            if markdown:
                label = f"**{label}**"
            out.append(f"{label} {line.text}{_markers(line)}")
            if markdown:
                out.append("")
    return out


def as_text(title: str, date: dt.date | None, summary: str, script: Script, _: Gettext) -> str:
    head = [title]
    if date:
        head.append(date.isoformat())
    if summary:
        head += ["", summary]
    return "\n".join([*head, "", *script_lines(script, markdown=False)]).strip() + "\n"


def _bullets(items: list[str]) -> list[str]:
    return [f"- {item}" for item in items] + [""]


def as_markdown(
    title: str,
    date: dt.date | None,
    summary: str,
    takeaways: list[str],
    hmw: list[str],
    script: Script,
    _: Gettext,
) -> str:
    out = [f"# {title}", ""]
    if date:
        out += [f"{_('Interview date')}: {date.isoformat()}", ""]
    if summary:
        out += [f"## {_('Summary')}", "", summary, ""]
    if takeaways:
        out += [f"## {_('Key takeaways')}", "", *_bullets(takeaways)]
    for heading, findings in ((_("Pain points"), script.pain_points), (_("Needs"), script.needs)):
        if findings:
            out += [f"## {heading}", ""]
            for finding in findings:
                where = ", ".join(f"#{k}" for k in finding.evidence)
                out.append(f"- {finding.description}" + (f" ({where})" if where else ""))
            out.append("")
    if hmw:
        out += [f"## {_('How might we…')}", "", *_bullets(hmw)]
    out += [f"## {_('Script')}", *script_lines(script, markdown=True)]
    return "\n".join(out).strip() + "\n"
