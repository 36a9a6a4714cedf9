"""A readable report of one analysis for the terminal (rich renderables)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from persona_insight.analysis.contract import Finding, InterviewAnalysis
from persona_insight.analysis.engine import EngineResult


def _findings(title: str, findings: list[Finding], analysis: InterviewAnalysis) -> Table:
    lines = {i: line.cleaned_sentence for line in analysis.cleaned_script for i in line.id}
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("#", width=3)
    table.add_column("finding")
    table.add_column("evidence")
    for n, finding in enumerate(findings, 1):
        quotes = "\n".join(f"[{i}] {lines.get(i, '')[:160]}" for i in finding.evidence[:3])
        table.add_row(str(n), finding.description, quotes)
    return table


def render(result: EngineResult) -> RenderableType:
    a = result.analysis
    quality = a.interview_quality_assessment.overall_quality
    head = Text.assemble(
        (f"{a.session_info.interview_topic or 'Interview'}\n", "bold"),
        f"engine {result.engine}"
        + (f" ({result.model})" if result.model else "")
        + f" · language {a.language} · {len(a.cleaned_script)} lines · quality {quality.score}/5",
    )
    parts: list[RenderableType] = [Panel(head)]
    if a.summary:
        parts.append(Panel(a.summary, title="Summary"))
    parts.append(_findings("Pain points", a.primary_pain_points, a))
    parts.append(_findings("Needs", a.primary_needs, a))
    if a.key_takeaways:
        parts.append(Panel("\n".join(f"• {t}" for t in a.key_takeaways), title="Key takeaways"))
    if a.hmw_questions:
        parts.append(Panel("\n".join(f"• {q}" for q in a.hmw_questions), title="How might we"))
    if a.keywords:
        parts.append(Text("Keywords: " + ", ".join(k.term for k in a.keywords[:15])))
    if a.persona_match and a.persona_match.code:
        parts.append(Text(f"Persona: {a.persona_match.code} — {a.persona_match.explanation}"))
    return Group(*parts)
