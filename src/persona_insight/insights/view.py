"""Stored themes + interview facts + edits + filters → what the API, page and reports show.

Pure and cheap (no vectors, no SQL): counts are recounted for the filter from each theme's
stored members, so a filtered view costs what an unfiltered one does.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from persona_insight.insights.schemas import Bar, Charts, InsightFilters, Quote, ThemeOut
from persona_insight.models.insights import InsightTheme, InsightThemeEdit

MAX_QUOTES = 5
TOP_BARS = 10
# Themes an answer or event lists per kind (pinned ones always); the long tail of one-mention
# themes of a large project would otherwise make every answer megabytes.
MAX_THEMES_PER_KIND = 50
NO_PERSONA = ""


def selected(facts: Mapping[str, Mapping[str, Any]], filters: InsightFilters) -> set[str]:
    """Ids (as text) of the interviews inside the filter."""
    keep = set()
    for iid, f in facts.items():
        day = dt.date.fromisoformat(f["date"])
        if filters.date_from and day < filters.date_from:
            continue
        if filters.date_to and day > filters.date_to:
            continue
        if filters.persona is not None and (f.get("persona") or NO_PERSONA) != filters.persona:
            continue
        if filters.language and f.get("language") != filters.language:
            continue
        keep.add(iid)
    return keep


def _theme(
    t: InsightTheme,
    edit: InsightThemeEdit | None,
    facts: Mapping[str, Mapping[str, Any]],
    keep: set[str],
    total: int,
    section: str | None = None,
) -> ThemeOut | None:
    members = [
        m
        for m in t.data.get("members", [])
        if m[0] in keep and (section is None or m[3] == section)
    ]
    if not members:
        return None
    interviews = sorted({m[0] for m in members})
    days = [dt.date.fromisoformat(facts[i]["date"]) for i in interviews]
    # With a section filter: quotes of the interviews with a member in that section.
    cited = {m[0] for m in members}
    quotes = [q for q in t.data.get("quotes", []) if q["interview_id"] in cited][:MAX_QUOTES]
    computed = str(t.data.get("computed_label", t.label))
    return ThemeOut(
        id=t.id,
        kind="pain" if t.kind == "pain" else "need",
        label=(edit.label if edit and edit.label else computed),
        computed_label=computed,
        interviews=len(interviews),
        share=round(len(interviews) / total, 4) if total else 0.0,
        mentions=len(members),
        quotes=[Quote.model_validate(q) for q in quotes],
        sentiment=dict(Counter(m[2] or "neutral" for m in members)),
        personas=dict(Counter(facts[i].get("persona") or NO_PERSONA for i in interviews)),
        sections=dict(Counter(m[3] for m in members if m[3])),
        languages=dict(Counter(facts[i].get("language") or "und" for i in interviews)),
        first_seen=min(days),
        last_seen=max(days),
        pinned=bool(edit and edit.pinned),
        hidden=bool(edit and edit.hidden),
    )


def order_key(t: ThemeOut) -> tuple[int, int, int, int, str]:
    return (int(t.hidden), -int(t.pinned), -t.interviews, -t.mentions, str(t.id))


def themes(
    stored: Iterable[InsightTheme],
    edits: Mapping[UUID, InsightThemeEdit],
    facts: Mapping[str, Mapping[str, Any]],
    keep: set[str],
    filters: InsightFilters | None = None,
) -> list[ThemeOut]:
    """The themes with members in `keep` (and of the filter's kind and section), recounted."""
    kind = filters.kind if filters else None
    section = filters.section if filters else None
    out = []
    for t in stored:
        if kind is not None and t.kind != kind:
            continue
        edit = edits.get(t.id)
        if edit is not None and edit.merged_into is not None:
            continue  # shown inside the theme it was merged into, from the next recomputation
        view = _theme(t, edit, facts, keep, len(keep), section)
        if view is not None:
            out.append(view)
    return sorted(out, key=order_key)


def _bars(counter: Counter[str], labels: Mapping[str, str] | None = None) -> list[Bar]:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_BARS]
    return [Bar(key=k, label=(labels or {}).get(k, k), value=float(v)) for k, v in items]


def charts(shown: list[ThemeOut], facts: Mapping[str, Mapping[str, Any]], keep: set[str]) -> Charts:
    visible = [t for t in shown if not t.hidden]

    def top(kind: str) -> list[Bar]:
        ranked = sorted((t for t in visible if t.kind == kind), key=lambda t: (-t.share, str(t.id)))
        return [Bar(key=str(t.id), label=t.label, value=t.share) for t in ranked[:TOP_BARS]]

    sentiment: Counter[str] = Counter()
    sections: Counter[str] = Counter()
    for t in visible:
        sentiment.update(t.sentiment)
        sections.update(t.sections)
    personas: Counter[str] = Counter(facts[i].get("persona") or NO_PERSONA for i in keep)
    keywords: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for i in keep:
        months[facts[i]["date"][:7]] += 1
        for term, weight in facts[i].get("keywords", []):
            keywords[term] += weight
    trend = [Bar(key=m, label=m, value=float(n)) for m, n in sorted(months.items())]
    kw = sorted(keywords.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_BARS]
    return Charts(
        top_pains=top("pain"),
        top_needs=top("need"),
        sentiment=[
            Bar(key=k, label=k, value=float(sentiment.get(k, 0)))
            for k in ("negative", "neutral", "positive")
        ],
        personas=_bars(personas),
        keywords=[Bar(key=k, label=k, value=round(v, 4)) for k, v in kw],
        trend=trend,
        sections=_bars(sections),
    )


def listed(shown: list[ThemeOut]) -> list[ThemeOut]:
    """The themes an answer lists: pinned ones, then up to MAX_THEMES_PER_KIND of each kind,
    in display order."""
    taken: Counter[str] = Counter()
    out = []
    for t in shown:
        if t.pinned or taken[t.kind] < MAX_THEMES_PER_KIND:
            out.append(t)
            taken[t.kind] += 0 if t.pinned else 1
    return out
