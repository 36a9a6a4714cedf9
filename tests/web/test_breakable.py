"""`breakable`: long URLs and snake_case names get break opportunities after their separators
(so a phone does not cut a word in two), and everything stays escaped."""

from __future__ import annotations

from persona_insight.web.rendering import breakable


def test_long_tokens_break_after_separators_and_stay_escaped() -> None:
    out = str(breakable("출처: https://example.org/reports/electric?x=<b>&y=1 short_name"))
    assert "reports/<wbr>electric?<wbr>x=<wbr>&lt;b&gt;&amp;<wbr>y=<wbr>1" in out
    assert "<b>" not in out
    assert out.endswith(" short_name")  # a short token is left alone
    assert str(breakable("<i>x</i> y")) == "&lt;i&gt;x&lt;/i&gt; y"
