"""A PDF transcript's line-number column, wherever the text layer puts it (issue 11).

Qualitative-analysis tools (MAXQDA and the like) print a paragraph-number column beside the text;
pypdf emits a page's column after the page's text, as a block of numbers that continues from the
previous page, and at page breaks sometimes as a run glued to a line of speech. None of it may
reach a script line, however small the column's share of the document.
"""

from __future__ import annotations

import io

from bench.real_eval import has_residue

from persona_insight import ingest
from persona_insight.analysis.transcript import Transcript, parse

LIMITS = {"max_bytes": 10_000_000, "max_chars": 1_000_000}

QUESTIONS = (
    "Okay, so how do you decide which plot to look at first?",
    "What do you do when the model disagrees with you?",
    "How do you share what you find with your team?",
    "What did you think of the sorting options?",
    "Which view did you use the most?",
)
ANSWERS = (
    ("The plots take forever to load when the dataset is large,", "and I lose my place."),
    ("I usually open a notebook and check the raw rows,", "which is slow and tedious."),
    ("Mostly screenshots pasted into slides, honestly,", "and they go stale within a week."),
    ("Sorting by importance helped a lot,", "but I wanted to filter by cluster too."),
)


def _pages() -> list[tuple[list[tuple[float, str]], list[int]]]:
    """Pages of (indent, text) lines, and the paragraph numbers of each page's column (the
    numbering continues across pages, one number per turn)."""
    questions = iter(QUESTIONS)
    answers = iter(ANSWERS)
    pages = []
    number = 1
    for page in range(3):
        lines: list[tuple[float, str]] = []
        column: list[int] = []
        for turn in range(3):
            asks = (page + turn) % 2 == 0
            lines.append((72, "Dan:" if asks else "Participant:"))
            if asks:
                lines.append((90, next(questions)))
            else:
                lines.extend((90, text) for text in next(answers))
            column.append(number)
            number += 1
        pages.append((lines, column))
    return pages


def _maxqda_pdf(*, glued: bool = False) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=1)
    pages = _pages()
    for index, (lines, column) in enumerate(pages, start=1):
        pdf.setFont("Helvetica", 10)
        pdf.drawString(500, 800, f"{index}/{len(pages)}")
        y = 760.0
        for x, text in lines:
            pdf.drawString(x, y, text)
            y -= 14
        if glued:
            # The column as one run beside the page's last line (pypdf emits it as a line).
            pdf.drawString(x + 400, y + 14, " ".join(str(n) for n in column))
        else:
            # The column drawn last, one number a line: pypdf emits it after the text.
            for k, n in enumerate(column):
                pdf.drawString(40, 760 - 14 * k, str(n))
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _transcript(data: bytes) -> Transcript:
    return parse(ingest.extract("interview.pdf", data, **LIMITS).text)


def _residue(t: Transcript) -> list[str]:
    return [turn.text for turn in t.turns if has_residue(turn.text)]


def test_a_sparse_paragraph_number_column_leaves_no_residue() -> None:
    t = _transcript(_maxqda_pdf())
    assert _residue(t) == []
    assert t.cleaning["line_numbers"] == 9
    assert [turn.speaker for turn in t.turns][:3] == ["Dan", "Participant", "Dan"]
    assert {turn.role for turn in t.turns if turn.speaker == "Dan"} == {"question"}


def test_a_column_emitted_as_one_run_leaves_no_residue() -> None:
    t = _transcript(_maxqda_pdf(glued=True))
    assert _residue(t) == []
    assert t.cleaning["line_numbers"] == 9
    assert (
        t.turns[1].text
        == "The plots take forever to load when the dataset is large, and I lose my place."
    )


def test_column_runs_in_text_are_removed_and_counted() -> None:
    t = parse(
        "Dan:\nWhat slows you down?\n24 25 26\nParticipant:\n"
        "27 28 29 The export breaks on big files.\nIt takes me an hour to redo 30 31 32\n"
    )
    assert [turn.text for turn in t.turns] == [
        "What slows you down?",
        "The export breaks on big files. It takes me an hour to redo",
    ]
    assert t.cleaning["line_numbers"] == 9


def test_numbers_that_are_speech_stay() -> None:
    t = parse(
        "Dan:\nHow many people use it?\nParticipant:\nAbout 20, maybe 25 on a busy day.\n"
        "Dan:\nAnd the versions?\nParticipant:\nWe run 3 4 and 5 side by side.\n"
    )
    assert t.turns[1].text == "About 20, maybe 25 on a busy day."
    assert t.turns[3].text == "We run 3 4 and 5 side by side."
    assert "line_numbers" not in t.cleaning
