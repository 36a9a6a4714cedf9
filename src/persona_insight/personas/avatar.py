"""Deterministic SVG avatars from a persona's code and traits (no image model exists here):
the same persona always draws the same picture, and different traits draw different ones."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from xml.sax.saxutils import escape

# Background / figure pairs with enough contrast for the code drawn on them (WCAG AA on white
# text at this size).
_PALETTE = (
    ("#1f4e79", "#9cc3e6"),
    ("#6b2d5c", "#e5a4cf"),
    ("#2e6b30", "#a9dbab"),
    ("#7a3e00", "#f3c089"),
    ("#4b3b8f", "#c3b8f0"),
    ("#005f5f", "#8fd6d6"),
    ("#8a1c1c", "#f0a8a8"),
    ("#3d4a55", "#b9c6d1"),
)


def svg(code: str, traits: Sequence[str], size: int = 96) -> str:
    digest = hashlib.sha256("\x1f".join([code, *traits]).encode()).digest()
    background, figure = _PALETTE[digest[0] % len(_PALETTE)]
    head_r = 14 + digest[1] % 6
    shoulders = 26 + digest[2] % 10
    # One small mark per trait, placed and shaped by the hash, so each axis type shows.
    marks = []
    for i, _ in enumerate(traits[:6]):
        b = digest[3 + i * 3 : 6 + i * 3]
        x, y, r = 10 + b[0] % 76, 8 + b[1] % 20, 3 + b[2] % 4
        marks.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="{figure}" opacity="0.55"/>')
    label = escape(code)
    # The whole code, on a band of the dark colour (white on the light figure was unreadable),
    # across the chest, where a round crop of the picture (pages show it in a circle) still
    # leaves ~85 of the 96 units: a long one ("EV-DRIVER") is squeezed into that width rather
    # than cut to six letters.
    fit = ' textLength="78" lengthAdjust="spacingAndGlyphs"' if len(code) > 7 else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96" width="{size}" '
        f'height="{size}" role="img" aria-label="{label}">'
        f'<rect width="96" height="96" rx="16" fill="{background}"/>'
        + "".join(marks)
        + f'<circle cx="48" cy="40" r="{head_r}" fill="{figure}"/>'
        f'<path d="M{48 - shoulders} 96 Q48 {58 + digest[4] % 8} {48 + shoulders} 96Z" '
        f'fill="{figure}"/>'
        f'<rect x="0" y="53" width="96" height="20" fill="{background}" opacity="0.9"/>'
        f'<text x="48" y="68" font-family="sans-serif" font-size="14" font-weight="700" '
        f'text-anchor="middle" fill="#ffffff"{fit}>{label}</text></svg>'
    )
