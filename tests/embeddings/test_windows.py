"""Long texts become overlapping sentence windows; short ones stay whole."""

from __future__ import annotations

from itertools import pairwise

from persona_insight.embeddings.windows import LONG, WINDOW, line_ref, window_ref, windows


def test_a_short_text_has_no_windows() -> None:
    assert windows("배터리가 금방 닳아요. 충전소가 부족해요.") == []
    assert windows("x" * LONG) == []


def test_windows_cover_every_sentence_in_order_and_overlap_by_one() -> None:
    sentences = [f"Sentence number {n} says one thing about charging." for n in range(30)]
    found = windows(" ".join(sentences))
    assert len(found) > 1
    assert all(len(w) <= WINDOW for w in found)
    joined = " ".join(found)
    for sentence in sentences:
        assert sentence in joined
    for before, after in pairwise(found):
        last = before.rsplit(". ", 1)[-1]
        assert after.startswith(last.rstrip(".")), (before, after)


def test_unpunctuated_speech_is_cut_at_spaces() -> None:
    text = " ".join(["그래서 저희가 그 앱을 쓰는데"] * 60)  # no sentence end at all
    found = windows(text)
    assert len(found) > 3
    assert all(0 < len(w) <= WINDOW for w in found)
    assert all(not w.startswith(" ") and not w.endswith(" ") for w in found)


def test_a_single_overlong_word_is_still_cut() -> None:
    found = windows("a" * (WINDOW * 3))
    assert [len(w) for w in found] == [WINDOW, WINDOW, WINDOW]


def test_window_refs_name_their_line() -> None:
    assert window_ref("12", 3) == "12.3"
    assert line_ref("12.3") == "12"
    assert line_ref("12") == "12"
