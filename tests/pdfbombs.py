"""Hostile PDFs built byte by byte (no font or fpdf2 needed): pypdf rebuilds the missing xref."""

from __future__ import annotations

import zlib


def pdf_with_content(content: bytes, compress: bool = True) -> bytes:
    stream = zlib.compress(content, 9) if compress else content
    filt = b" /Filter /FlateDecode" if compress else b""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + filt + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def text_run(chars: int, line: int = 80) -> bytes:
    """A content stream showing `chars` letters in lines of `line`."""
    row = b"(" + b"A" * line + b") Tj T*\n"
    return b"BT /F1 10 Tf 12 TL 20 780 Td\n" + row * (chars // line) + b"ET"


def wide_line() -> bytes:
    """Two letters four million points apart: layout mode pads the gap with spaces."""
    return b"BT /F1 10 Tf 20 700 Td (A) Tj 4000000 0 Td (B) Tj ET"
