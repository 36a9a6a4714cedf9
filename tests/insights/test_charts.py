"""Chart SVGs: every bar drawn, labels escaped, widths proportional to values."""

from __future__ import annotations

from defusedxml import ElementTree

from persona_insight.insights.charts import bars
from persona_insight.insights.schemas import Bar


def test_bars_are_proportional_and_escaped() -> None:
    svg = bars(
        "Top <pains>",
        [Bar(key="a", label="가격 <script>", value=0.5), Bar(key="b", label="b", value=0.25)],
        percent=True,
    )
    root = ElementTree.fromstring(svg)  # well-formed: nothing unescaped got through
    rects = [e for e in root.iter() if e.tag.endswith("rect")]
    assert len(rects) == 2
    assert float(rects[0].get("width", 0)) == 2 * float(rects[1].get("width", 0))
    assert "<script>" not in svg
    assert "50%" in svg
    assert "가격 &lt;script&gt;" in svg


def test_empty_chart_is_valid() -> None:
    ElementTree.fromstring(bars("Empty", []))
