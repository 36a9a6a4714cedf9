"""Small files that cost a lot to read, built on the fly."""

from __future__ import annotations


def form_bomb_pdf(draws: int = 2000, form_bytes: int = 380_000) -> bytes:
    """A PDF whose one form XObject (~`form_bytes` of drawing operations) its page draws
    `draws` times: small on disk, `draws` times the work for a reader."""
    op = b"BT /F1 12 Tf 1 0 0 1 72 700 Tm (x) Tj ET\n"
    form = op * (form_bytes // len(op))
    page = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET\n" + b"/Fm0 Do\n" * draws
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /XObject << /Fm0 5 0 R >> /Font << /F1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(page) + page + b"\nendstream",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792]"
        b" /Resources << /Font << /F1 6 0 R >> >> /Length %d >>\nstream\n"
        % len(form)
        + form
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def many_cues_vtt(cues: int = 1_000_000) -> bytes:
    """A WebVTT file of a million one-word cues (~37 MB)."""
    lines = [b"WEBVTT\n"]
    for i in range(cues):
        s, ms = divmod(i, 1000)
        stamp = b"%02d:%02d:%02d.%03d" % (s // 3600, s // 60 % 60, s % 60, ms)
        lines.append(b"\n%s --> %s\n<v A>hi\n" % (stamp, stamp))
    return b"".join(lines)
