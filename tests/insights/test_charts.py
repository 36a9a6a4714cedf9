"""Chart SVGs: every bar drawn, labels escaped, widths proportional to values."""

from __future__ import annotations

import unicodedata

from defusedxml import ElementTree

from persona_insight.insights.charts import bars, for_display
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


KO = {"Negative": "부정", "Neutral": "중립", "Positive": "긍정", "No persona": "페르소나 없음"}


def test_what_the_reader_sees_is_named_in_their_language() -> None:
    """Sentiment bars showed `negative`/`neutral`/`positive` and the interviews without a
    persona a bar with no label, on the Korean page and in the reports alike."""
    sentiment = [
        Bar(key=k, label=k, value=v) for k, v in (("negative", 3), ("neutral", 1), ("positive", 0))
    ]
    shown = for_display("sentiment", sentiment, lambda s: KO.get(s, s))
    assert [b.label for b in shown] == ["부정", "중립", "긍정"]
    personas = [Bar(key="P1", label="P1", value=2), Bar(key="", label="", value=1)]
    assert [b.label for b in for_display("personas", personas, lambda s: KO.get(s, s))] == [
        "P1",
        "페르소나 없음",
    ]
    # A filter that matches nothing: no row of zero bars, a chart that says so.
    zeros = [Bar(key=k, label=k, value=0) for k in ("negative", "neutral", "positive")]
    assert for_display("sentiment", zeros, lambda s: s) == []
    assert "비어 있음" in bars("감정", [], empty="비어 있음")


def test_long_labels_are_cut_to_the_label_column_in_either_script() -> None:
    """Hangul is about twice as wide as Latin letters: cut at 32 characters, a Korean label ran
    under its bar."""
    korean = "충전기 앞에서 한 시간 넘게 기다려야 해서 너무 불편했다는 이야기"
    svg = bars("t", [Bar(key="a", label=korean, value=1), Bar(key="b", label="x" * 40, value=1)])
    texts = [e.text or "" for e in ElementTree.fromstring(svg).iter() if e.tag.endswith("text")]
    cut_ko = next(t for t in texts if t.startswith("충전기"))
    cut_en = next(t for t in texts if t.startswith("xxx"))

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)

    assert cut_ko.endswith("…")
    assert 28 <= width(cut_ko) <= 32
    assert cut_ko.count(" ") == 5  # 13 syllables: about half what fits of Latin letters
    assert cut_en.endswith("…")
    assert len(cut_en) == 32
