"""`Last-Event-ID` of an answer's re-attach: a value that is not an index replays from the start.
Unicode digits ("²", "¹²") passed `str.isdigit` and then failed `int` — a 500 on both re-attach
routes (API QA pass); so did 5,000 digits."""

from __future__ import annotations

import pytest

from persona_insight.search.answer_stream import last_event_id


@pytest.mark.parametrize(
    ("header", "index"),
    [
        (None, -1),
        ("", -1),
        ("abc", -1),
        ("²", -1),
        ("¹²", -1),
        ("١٢", -1),  # Arabic-Indic digits
        ("9" * 5000, -1),
        ("-2", -1),
        (" 7 ", 7),
        ("0", 0),
        ("123456789", 123456789),
    ],
)
def test_only_a_plain_index_counts(header: str | None, index: int) -> None:
    assert last_event_id(header) == index
