"""Cutting a document's text into chunks a search hit or a citation can point at: paragraphs
packed up to ~`TARGET` characters, a paragraph longer than `LIMIT` cut at sentence ends (or
hard, as a last resort). Chunks are numbered from 0 in reading order."""

from __future__ import annotations

import re

TARGET = 700
LIMIT = 1200
MAX_CHUNKS = 2000
_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCES = re.compile(r"(?<=[.!?。？！])\s+|(?<=다\.)\s*")


def _pieces(paragraph: str) -> list[str]:
    if len(paragraph) <= LIMIT:
        return [paragraph]
    out: list[str] = []
    current = ""
    for sentence in _SENTENCES.split(paragraph):
        while len(sentence) > LIMIT:
            out.append(sentence[:LIMIT])
            sentence = sentence[LIMIT:]
        if current and len(current) + len(sentence) + 1 > TARGET:
            out.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        out.append(current)
    return out


def chunk(text: str) -> list[str]:
    chunks: list[str] = []
    current = ""
    for paragraph in _PARAGRAPHS.split(text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        for piece in _pieces(paragraph):
            if current and len(current) + len(piece) + 1 > TARGET:
                chunks.append(current)
                current = ""
            current = f"{current}\n{piece}".strip()
    if current:
        chunks.append(current)
    return chunks[:MAX_CHUNKS]
