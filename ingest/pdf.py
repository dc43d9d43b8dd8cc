"""PDF → text, within bounds checked before extraction grows (ingest/convert.py wraps it).

A 59 KB PDF can hold 60 MB of compressed text and a 4.5 KB one can lay a line out 4,000,000
characters wide: page count, every decompressed stream, each page's and the whole document's text
are bounded, and layout-mode padding may not outgrow the plain text. `reflow` undoes hard wraps.
"""

from __future__ import annotations

import io
import re

from yuqi.errors import UnreadableDocument
from yuqi.textnorm import CJK, NUMERAL

PDF_MODE = "layout"

# Bounds checked before extraction grows: a 59 KB PDF can hold 60 MB of compressed text, and
# a 4.5 KB one can lay a line out 4,000,000 characters wide.
MAX_PDF_PAGES = 2000
MAX_PDF_STREAM_BYTES = 8_000_000  # one decompressed stream (a page's content, a font)
MAX_PAGE_CHARS = 100_000
MAX_PDF_CHARS = 3_000_000


def pdf_text(data: bytes, name: str) -> tuple[str, str | None, tuple[str, ...]]:
    """(text, title, warnings) of a PDF: pages joined by a blank line, hard line breaks removed,
    within the bounds above."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    try:
        with _pdf_limits():
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not _unlock(reader):
                raise UnreadableDocument(f"PDF 已加密：{name} 需要密码才能打开，请提供未加密的版本")
            if len(reader.pages) > MAX_PDF_PAGES:
                raise UnreadableDocument(f"PDF 页数超过 {MAX_PDF_PAGES} 页上限：{name}")
            pages, total = [], 0
            for page in reader.pages:
                pages.append(_page_text(page, name))
                total += len(pages[-1])
                if total > MAX_PDF_CHARS:
                    raise UnreadableDocument(f"PDF 文字超过 {MAX_PDF_CHARS:,} 字上限：{name}")
            title = (reader.metadata or {}).get("/Title")
    except UnreadableDocument:
        raise
    except LimitReachedError:
        raise UnreadableDocument(f"PDF 内容解压后过大（单个数据流超过 {MAX_PDF_STREAM_BYTES // 1_000_000} MB）：{name}") from None
    except Exception:  # pypdf raises many exception types on damaged files
        raise UnreadableDocument(f"PDF 文件 {name} 已损坏，无法读取") from None
    if not any(p.strip() for p in pages):
        raise UnreadableDocument(f"PDF 中没有可提取的文字（可能是扫描件）：{name}")
    empty = [str(i + 1) for i, p in enumerate(pages) if not p.strip()]
    warnings = (f"第 {'、'.join(empty)} 页没有可提取的文字（可能是图片）",) if empty else ()
    text = "\n\n".join(reflow(p) for p in pages if p.strip())
    return text, (str(title).strip() or None if title else None), warnings


def _unlock(reader) -> bool:
    # Owner-password-only PDFs (printing/copying restricted) open with "".
    try:
        return bool(reader.decrypt(""))
    except Exception:  # missing crypto backend or a broken encryption dict
        return False


def _pdf_limits():
    """pypdf's decompression limits lowered to MAX_PDF_STREAM_BYTES for this read only."""
    try:
        from pypdf._configuration import apply_configuration
    except ImportError:  # pragma: no cover - older pypdf: its module-level limits apply
        from contextlib import nullcontext

        return nullcontext()
    return apply_configuration(**{k: MAX_PDF_STREAM_BYTES for k in (
        "maximum_declared_stream_length", "array_based_stream_maximum_output_length", "lzw_maximum_output_length",
        "run_length_maximum_output_length", "zlib_maximum_output_length", "jbig2_maximum_output_length")})


def _page_text(page, name: str = "") -> str:
    # Layout mode keeps vertical gaps as blank lines, so paragraph ends survive
    # even where a line has no closing punctuation (headings, list items). Its padding grows
    # with coordinates, so plain mode is read first and bounds what layout mode may return.
    plain = (page.extract_text() or "").replace("\x00", "")
    if len(plain) > MAX_PAGE_CHARS:
        raise UnreadableDocument(f"PDF 单页文字超过 {MAX_PAGE_CHARS:,} 字上限：{name}")
    try:
        text = page.extract_text(extraction_mode=PDF_MODE)
    except Exception:  # layout mode is newer and fails on some odd fonts
        text = plain
    text = (text or "").replace("\x00", "")  # padded ToUnicode maps leave NULs
    # Layout padding beyond a few spaces per character is coordinates, not text.
    return text if len(text) <= 4 * len(plain) + 2000 else plain


_END = tuple("。！？；：…”’」』）)!?;:")
_BLOCK_START = re.compile(
    rf"^(第{NUMERAL}+[编章节条款]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]"
    r"|\d+[.、．]|[•·●■◆▪\-*#]|【)"
)
_CJK = f"[{CJK}]"


def reflow(page: str) -> str:
    """Undo the PDF's hard line wraps; blank lines stay paragraph breaks."""
    paragraphs = re.split(r"\n\s*\n", page)
    return "\n\n".join(p for p in (_reflow_paragraph(par) for par in paragraphs) if p)


def _reflow_paragraph(par: str) -> str:
    lines = [_unspace(line.strip()) for line in par.split("\n") if line.strip()]
    full = max((_width(line) for line in lines), default=0) * 0.8
    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else ""
        # A wrapped line fills the width and stops mid-sentence; a short line
        # or one ending in closing punctuation ends its paragraph.
        if prev and _width(prev) >= full and not prev.endswith(_END) and not _BLOCK_START.match(line):
            sep = " " if _is_latin(prev[-1]) and _is_latin(line[0]) else ""
            out[-1] = prev + sep + line
        else:
            out.append(line)
    return "\n".join(out)


def _width(line: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in line)


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _unspace(line: str) -> str:
    """'网 贷 逾 期' → '网贷逾期': some PDFs place every glyph apart."""
    cjk = len(re.findall(_CJK, line))
    spaced = len(re.findall(f"{_CJK} (?={_CJK})", line))
    if cjk >= 4 and spaced * 2 >= cjk - 1:
        return re.sub(f"(?<={_CJK}) (?={_CJK})", "", line)
    return line
