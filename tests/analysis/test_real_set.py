"""The real evaluation set's labels are well-formed, licensed, split by the rule and quote the
transcripts verbatim; the scoring functions of bench/real_eval.py measure what they claim."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from bench import real_eval

from persona_insight.ingest import extract

LABELS = real_eval.load_labels()
IDS = [label["id"] for label in LABELS]
README = (real_eval.REAL / "README.md").read_text(encoding="utf-8")
_ID = re.compile(r"^(en|ko)-[a-z0-9]+(?:-[a-z0-9]+)*$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


@cache
def _text(path: Path) -> str:
    return extract(path.name, path.read_bytes(), max_bytes=50_000_000, max_chars=2_000_000).text


def _file_text(label: dict[str, Any]) -> str:
    path = real_eval.find_file(label["id"])
    if path is None:
        pytest.skip(
            f"{label['id']}: transcript file not present (see README, 'Where the files live')"
        )
    return _text(path)


def test_there_are_labels() -> None:
    assert LABELS, "tests/analysis/real/labels/ holds no label file"
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_label_schema(label: dict[str, Any]) -> None:
    path = real_eval.LABELS_DIR / f"{label['id']}.json"
    assert path.is_file(), "the file name must be the id"
    assert _ID.match(label["id"]), label["id"]
    assert label["language"] in ("en", "ko")
    assert label["id"].startswith(label["language"] + "-")
    assert isinstance(label["format"], str)
    assert label["format"]
    assert label["split"] == real_eval.expected_split(label["id"]), "split must follow the rule"

    source = label["source"]
    for key in ("url", "repository", "path", "licence", "licence_url", "citation"):
        assert isinstance(source.get(key), str), f"source.{key} missing"
        assert source[key].strip(), f"source.{key} empty"
    assert _COMMIT.match(source["commit"]), "source.commit must be a full commit id"
    assert source["url"].startswith("https://")
    assert source["licence_url"].startswith("http")

    roles, role_quotes = label["roles"], label.get("role_quotes") or []
    assert roles or role_quotes, "speaker roles are labelled one way or the other"
    assert all(role in real_eval.ROLES for role in roles.values())
    assert label.get("default_role") in (None, *real_eval.ROLES)
    assert all(q["role"] in real_eval.ROLES and q["quote"].strip() for q in role_quotes)

    assert label["items"], "a transcript in the set has at least one pain or need"
    for item in label["items"]:
        assert item["kind"] in real_eval.KINDS
        assert item["quotes"]
        assert all(isinstance(q, str) and q.strip() for q in item["quotes"])
        assert item["label"].strip()
        assert len(item["label"].split()) <= 15, item["label"]
    assert label["id"] in README, "every transcript is listed with its source in the README"


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_quotes_are_verbatim(label: dict[str, Any]) -> None:
    text = _file_text(label)
    quotes = [q for item in label["items"] for q in item["quotes"]]
    quotes += [q["quote"] for q in label.get("role_quotes") or []]
    missing = [q for q in quotes if not real_eval.quote_found(q, text)]
    assert not missing, f"not in the extracted text: {missing}"


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_speaker_labels_appear(label: dict[str, Any]) -> None:
    text = _file_text(label)
    seen = {seg.label for seg in real_eval.gold_segments(text, label["roles"])}
    assert set(label["roles"]) <= seen, f"labels never found: {set(label['roles']) - seen}"


# --- the scoring functions ---------------------------------------------------------------------

_TRANSCRIPT = """Interview notes, page 1
Mel: Thanks for joining. Is it okay to start recording now?
Ana: Sure.
Mel: What gets in your way when you publish a package?
Ana: Honestly the upload keeps failing on large wheels and I have to retry it by hand.
I really want a progress bar that tells me what is going on.
Mel: Anything else?
Ana: No, I never had a problem with the search.
"""
_LABEL: dict[str, Any] = {
    "id": "en-test-x",
    "language": "en",
    "format": "txt",
    "split": "tune",
    "roles": {"Mel": "interviewer", "Ana": "interviewee"},
    "items": [
        {"kind": "pain", "quotes": ["the upload keeps failing on large wheels"], "label": "x"},
        {"kind": "need", "quotes": ["I really want a progress bar"], "label": "y"},
    ],
}


def _line(i: int, speaker: str, text: str) -> dict[str, Any]:
    return {"id": [i], "speaker": speaker, "cleaned_sentence": text}


def _analysis(pains: list[list[int]], needs: list[list[int]], swap: bool = False) -> dict[str, Any]:
    q, a = ("answer", "question") if swap else ("question", "answer")
    script = [
        _line(1, q, "Thanks for joining. Is it okay to start recording now?"),
        _line(2, a, "Sure."),
        _line(3, q, "What gets in your way when you publish a package?"),
        _line(
            4,
            a,
            "Honestly the upload keeps failing on large wheels and I have to retry it by hand. "
            "I really want a progress bar that tells me what is going on.",
        ),
        _line(5, q, "Anything else?"),
        _line(6, a, "No, I never had a problem with the search."),
    ]
    return {
        "cleaned_script": script,
        "primary_pain_points": [{"description": "p", "evidence": e} for e in pains],
        "primary_needs": [{"description": "n", "evidence": e} for e in needs],
    }


def test_bracketed_labels_need_no_colon() -> None:
    text = (
        "[발표자: 송석리]\n-(사회자) 발표해주시겠습니다.\n-(송석리) 방금 소개 받은 송석리입니다.\n"
    )
    roles = {"-(사회자)": "interviewer", "-(송석리)": "interviewee"}
    segments = real_eval.gold_segments(text, roles)
    assert [(s.label, s.role) for s in segments] == [
        (None, None),
        ("-(사회자)", "interviewer"),
        ("-(송석리)", "interviewee"),
    ]


def test_gold_roles_follow_the_labels() -> None:
    segments = real_eval.gold_segments(_TRANSCRIPT, _LABEL["roles"])
    assert [s.role for s in segments] == [None, *["interviewer", "interviewee"] * 3]
    # The unlabelled continuation line belongs to the speaker before it.
    assert "progress" in segments[4].tokens


def test_scores_a_right_and_a_wrong_finding() -> None:
    score = real_eval.score_file(_LABEL, _TRANSCRIPT, _analysis(pains=[[4], [3]], needs=[[6]]))
    assert score.role_scored == 6
    assert score.role_correct == 6
    assert score.correct == {"pain": 1, "need": 0}
    assert score.correct_any_kind == 1
    # Line 4 states both labelled items, but only a pain finding cites it: the need is missed.
    assert score.items_found == {"pain": 1, "need": 0}
    assert score.cited_lines == 3
    assert score.cited_interviewer == 1
    figures = real_eval.aggregate([score])
    assert figures["precision"] == round(1 / 3, 3)
    assert figures["recall"] == 0.5
    assert figures["interviewer_cited_share"] == round(1 / 3, 3)


def test_swapped_roles_score_zero() -> None:
    score = real_eval.score_file(_LABEL, _TRANSCRIPT, _analysis(pains=[], needs=[], swap=True))
    assert score.role_scored == 6
    assert score.role_correct == 0
    assert real_eval.aggregate([score])["recall"] == 0.0


def test_role_quotes_override_the_labels() -> None:
    quote = "I really want a progress bar that tells me what is going on."
    label = {**_LABEL, "role_quotes": [{"quote": quote, "role": "other"}]}
    gold = real_eval.GoldSpeakers.build(_TRANSCRIPT, label)
    assert gold.role_of(quote) == "other"
    assert gold.role_of("What gets in your way when you publish a package?") == "interviewer"


def test_default_role_covers_unlabelled_text() -> None:
    text = "So today I want to tell you how our deploys kept failing every week.\n"
    label = {"roles": {}, "role_quotes": [], "default_role": "interviewee"}
    gold = real_eval.GoldSpeakers.build(text, label)
    assert gold.role_of("how our deploys kept failing every week") == "interviewee"
    assert real_eval.GoldSpeakers.build(text, {"roles": {}}).role_of("our deploys kept") is None


@pytest.mark.parametrize(
    ("text", "residue"),
    [
        ("00:04 It's nice to meet you", True),
        ("[01:02:03] Yeah", True),
        ("00:00:01,000 --> 00:00:04,000", True),
        ("It's just 1 2 3 4 5 6 scatter plots", True),
        ("37 Yeah, it is difficult", True),
        ("24", True),
        ("3/5", True),
        ("- 3 -", True),
        ("We have 30 or 40 features and 3 clusters", False),
        ("It costs 2.50 and the ratio is 3:2 or so", False),
        ("I published version 1.2.3 in 2014", False),
    ],
)
def test_residue(text: str, residue: bool) -> None:
    assert real_eval.has_residue(text) is residue


def test_overlap_both_ways_and_whitespace() -> None:
    quote = "the upload keeps failing on large wheels"
    assert real_eval.overlaps("Honestly the upload keeps failing on large wheels, sadly.", quote)
    assert real_eval.overlaps("keeps failing on large", "so the upload keeps failing on large")
    assert not real_eval.overlaps("I never had a problem with the search.", quote)
    assert real_eval.quote_found(
        "keeps  failing\non\tlarge", "upload keeps failing on large wheels"
    )
