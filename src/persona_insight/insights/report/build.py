"""The documents: a project report and one interview's analysis, in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from persona_insight.analysis.contract import Finding, InterviewAnalysis, ScriptLine
from persona_insight.insights import charts as chart_labels
from persona_insight.insights.report.model import (
    BarChart,
    Bullets,
    Document,
    Heading,
    Paragraph,
    Quote,
    Table,
)
from persona_insight.insights.report.sources import Analysed
from persona_insight.insights.schemas import Charts, ProjectInsights
from persona_insight.insights.schemas import Quote as ThemeQuote

Gettext = Callable[..., str]


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "—"


def _source(quote: ThemeQuote) -> str:
    return f"{quote.interview_title} #{', '.join(str(i) for i in quote.line_ids)}"


def _empty(doc: Document, _: Gettext) -> Document:
    doc.add(
        Heading(_("No completed interviews yet")),
        Paragraph(
            _(
                "This report fills in as the project's interviews are analysed: upload "
                "interviews on the project page, and each one is included once its analysis "
                "completes. Interviews in the trash are not included."
            ),
            muted=True,
        ),
    )
    return doc


def _summary(doc: Document, insights: ProjectInsights | None, _: Gettext) -> None:
    doc.add(Heading(_("Summary")))
    summary = insights.summary if insights else None
    if summary is None or not summary.statements:
        doc.add(Paragraph(_("The project summary has not been computed yet."), muted=True))
        return
    for statement in summary.statements:
        doc.add(Paragraph(statement.text))
        doc.add(*(Quote(q.text, _source(q)) for q in statement.quotes[:2]))
    if summary.new_interviews:
        note = _("%(count)s interviews were added after this summary was made.")
        doc.add(Paragraph(note % {"count": summary.new_interviews}, muted=True))


def _method(doc: Document, interviews: list[Analysed], _: Gettext) -> None:
    dates = sorted(iv.date for iv in interviews if iv.date)
    languages = Counter(iv.language or "und" for iv in interviews)
    findings = sum(
        len(iv.analysis.primary_pain_points) + len(iv.analysis.primary_needs) for iv in interviews
    )
    span = f"{_date(dates[0])} – {_date(dates[-1])}" if dates else _("no interview dates")
    doc.add(
        Heading(_("Method and sample")),
        Paragraph(
            _(
                "Each interview was transcribed or uploaded, cleaned and analysed for pain "
                "points and needs, each citing the script lines that show it. Themes group "
                "similar findings across interviews."
            )
        ),
        Bullets(
            [
                _("Interviews: %(count)s") % {"count": len(interviews)},
                _("Interview dates: %(span)s") % {"span": span},
                _("Languages: %(list)s")
                % {"list": ", ".join(f"{k} {v}" for k, v in languages.most_common())},
                _("Findings: %(count)s") % {"count": findings},
            ]
        ),
    )


def _charts(doc: Document, charts: Charts, _: Gettext) -> None:
    doc.add(Heading(_("Charts")))
    drawn = [
        (_("Top pain points (share of interviews)"), "top_pains", True),
        (_("Top needs (share of interviews)"), "top_needs", True),
        (_("Sentiment of findings"), "sentiment", False),
        (_("Interviews by persona"), "personas", False),
        (_("Keywords"), "keywords", False),
        (_("Interviews by month"), "trend", False),
        (_("Findings by script section"), "sections", False),
    ]
    for title, key, percent in drawn:
        bars = chart_labels.for_display(key, getattr(charts, key), _)
        if bars:
            unit = _("weight") if key == "keywords" else "#"
            doc.add(BarChart(title, [(b.label, b.value) for b in bars], percent=percent, unit=unit))


def _themes(doc: Document, insights: ProjectInsights, _: Gettext) -> None:
    kinds = {"pain": _("Pain point"), "need": _("Need")}
    doc.add(Heading(_("Themes")))
    shown = [t for t in insights.themes if not t.hidden]
    if not shown:
        doc.add(Paragraph(_("No themes were found in these interviews."), muted=True))
    for theme in shown:
        doc.add(
            Heading(f"{kinds[theme.kind]}: {theme.label}", level=2),
            Paragraph(
                # No plural to get wrong ("1 interviews"): a label and its number.
                _("Interviews: %(count)s (%(share)s%%) · mentions: %(mentions)s")
                % {
                    "count": theme.interviews,
                    "share": round(theme.share * 100),
                    "mentions": theme.mentions,
                }
            ),
            *(Quote(q.text, _source(q)) for q in theme.quotes),
        )


def _personas(doc: Document, interviews: list[Analysed], _: Gettext) -> None:
    counts = Counter(iv.persona or "" for iv in interviews)
    doc.add(
        Heading(_("Personas")),
        Table(
            [_("Persona"), _("Interviews")],
            [[code or _("No persona"), str(n)] for code, n in counts.most_common()],
            widths=[3, 1],
        ),
    )


def _interview_list(doc: Document, interviews: list[Analysed], _: Gettext) -> None:
    doc.add(
        Heading(_("Interview list")),
        Table(
            [_("Interview"), _("Date"), _("Persona"), _("Language"), _("Pain points"), _("Needs")],
            [
                [
                    iv.title,
                    _date(iv.date),
                    iv.persona or "—",
                    iv.language or "—",
                    str(len(iv.analysis.primary_pain_points)),
                    str(len(iv.analysis.primary_needs)),
                ]
                for iv in interviews
            ],
            widths=[5, 2, 2, 1.4, 1.4, 1.2],
        ),
    )


def project_report(
    project_name: str,
    interviews: list[Analysed],
    insights: ProjectInsights | None,
    *,
    locale: str,
    generated_at: dt.datetime,
    _: Gettext,
    filtered: str | None = None,
) -> Document:
    label = _("Report")
    doc = Document(
        title=f"{project_name} – {label}",
        meta=[
            _("Generated %(when)s") % {"when": generated_at.strftime("%Y-%m-%d %H:%M UTC")},
            _("Completed interviews: %(count)s") % {"count": len(interviews)},
            *([_("Filter: %(filter)s") % {"filter": filtered}] if filtered else []),
        ],
        language=locale,
    )
    if not interviews:
        return _empty(doc, _)
    _summary(doc, insights, _)
    _method(doc, interviews, _)
    if insights is None:
        doc.add(
            Heading(_("Themes")),
            Paragraph(
                _("Themes and charts have not been computed for this project yet."), muted=True
            ),
        )
    else:
        _charts(doc, insights.charts, _)
        _themes(doc, insights, _)
    _personas(doc, interviews, _)
    _interview_list(doc, interviews, _)
    return doc


def _findings(doc: Document, heading: str, found: list[Finding], script: list[ScriptLine]) -> None:
    """Each finding with the lines it cites, once each, in script order (a cleaned line merged
    from several source lines answers to each of their ids; it is cited by its first)."""
    if not found:
        return
    by_id = {i: line for line in script for i in line.id}
    doc.add(Heading(heading))
    for finding in found:
        doc.add(Paragraph(finding.description))
        cited = {by_id[i].id[0]: by_id[i] for i in finding.evidence if i in by_id}
        doc.add(*(Quote(cited[k].cleaned_sentence, f"#{k}") for k in sorted(cited)))


def interview_report(
    title: str,
    date: dt.date | None,
    analysis: InterviewAnalysis,
    *,
    locale: str,
    _: Gettext,
) -> Document:
    """The interview export's content (as the Markdown export has it), for DOCX and PDF."""
    doc = Document(
        title=title,
        meta=[_("Interview date") + f": {date.isoformat()}"] if date else [],
        language=locale,
    )
    if analysis.summary:
        doc.add(Heading(_("Summary")), Paragraph(analysis.summary))
    if analysis.key_takeaways:
        doc.add(Heading(_("Key takeaways")), Bullets(list(analysis.key_takeaways)))
    for heading, found in (
        (_("Pain points"), analysis.primary_pain_points),
        (_("Needs"), analysis.primary_needs),
    ):
        _findings(doc, heading, list(found), analysis.cleaned_script)
    if analysis.hmw_questions:
        doc.add(Heading(_("How might we…")), Bullets(list(analysis.hmw_questions)))
    doc.add(
        Heading(_("Script")),
        Table(
            ["#", "", ""],
            [
                [
                    str(line.id[0]),
                    "Q" if line.speaker == "question" else "A",
                    line.cleaned_sentence,
                ]
                for line in analysis.cleaned_script
            ],
            widths=[0.6, 0.4, 9],
        ),
    )
    return doc
