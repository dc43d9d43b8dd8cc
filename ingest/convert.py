"""Files → text: .txt, .md, .html/.htm, .pdf.

`read_document` returns the document's text with newlines normalised to "\n"
and any BOM removed; every later offset (clean spans, chunk offsets) refers to
`Converted.text`. A file that cannot become text raises `UnreadableDocument`
whose message says why, in Chinese, for the person who added it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html import unescape
from pathlib import Path

from charset_normalizer import from_bytes

from ingest.clean import clean_article
from ingest.pdf import pdf_text, reflow  # noqa: F401 - reflow: re-exported for callers that read it here
from yuqi.errors import UnreadableDocument

FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}
# Magic numbers of files people rename by mistake (a screenshot saved as .txt).
_MAGIC = (
    (b"\x89PNG", "PNG 图片"), (b"\xff\xd8\xff", "JPEG 图片"), (b"GIF8", "GIF 图片"),
    (b"PK\x03\x04", "压缩包或 Office 文档（如 .docx）"), (b"\xd0\xcf\x11\xe0", "旧版 Office 文档（如 .doc）"),
    (b"Rar!", "RAR 压缩包"), (b"\x1f\x8b", "gzip 压缩包"), (b"RIFF", "音视频文件"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "hz", "euc_cn", "x-gbk"}
# charset-normalizer reads a few dozen bytes of Chinese as Big5/CP949 as often
# as GBK; below this many non-ASCII bytes a GB18030 decode that works wins,
# because our users write Simplified Chinese.
_SHORT_NON_ASCII = 100


@dataclass(frozen=True)
class Converted:
    text: str
    title: str | None
    url: str | None
    fmt: str  # "txt" | "md" | "html" | "pdf"
    encoding: str | None  # None for PDFs
    warnings: tuple[str, ...] = ()


def read_document(path: Path) -> Converted:
    """Read one file into text; raise UnreadableDocument with the reason."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableDocument(
            f"不支持的文件类型 {path.suffix or '（无扩展名）'}：支持 .txt .md .html .htm .pdf"
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UnreadableDocument(f"无法读取文件 {path.name}：{err.strerror or err}") from None
    if not data.strip():
        raise UnreadableDocument(f"文件 {path.name} 是空的")
    if data.startswith(b"%PDF-"):
        conv = read_pdf(data, path.name)
        if fmt != "pdf":
            return replace(conv, warnings=conv.warnings + (f"{path.name} 的内容其实是 PDF，已按 PDF 读取",))
        return conv
    if fmt == "pdf":
        raise UnreadableDocument(f"{path.name} 不是有效的 PDF 文件（文件已损坏或格式不对）")
    decode = decode_html if fmt == "html" else decode_text
    text, encoding = decode(data, path.name)
    if not text.strip():
        raise UnreadableDocument(f"文件 {path.name} 是空的")
    if fmt == "html":
        return read_html(text, encoding, path.name)
    title = markdown_title(text) if fmt == "md" else None
    return Converted(text=text, title=title, url=None, fmt=fmt, encoding=encoding)


def markdown_title(text: str) -> str | None:
    m = re.search(r"^#\s+(.+?)\s*#*\s*$", text, flags=re.M)
    return m.group(1) if m else None


def decode_text(data: bytes, name: str = "文件") -> tuple[str, str]:
    """Bytes → (text with "\n" newlines, encoding used). Raises on binary/undecodable."""
    text, encoding = _decode(data, name)
    return normalize_newlines(text.lstrip("\ufeff")), encoding


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", name), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode"
        return _strict(data, "utf-16", name), "utf-16"
    _reject_binary(data, name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = detect_encoding(data)
    if encoding is None:
        raise UnreadableDocument(f"无法识别 {name} 的文字编码（不是 UTF-8 或 GBK 等常见编码）")
    return _strict(data, encoding, name), encoding


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise UnreadableDocument(f"无法按 {encoding} 编码读取 {name}，文件可能已损坏") from None


def _reject_binary(data: bytes, name: str) -> None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise UnreadableDocument(f"{name} 其实是{kind}，不是文本文件")
    head = data[:8192]
    controls = sum(b < 32 and b not in b"\t\n\r\f\x1b" for b in head)
    if b"\x00" in head or controls > len(head) // 100 + 2:
        raise UnreadableDocument(f"{name} 是二进制文件，不是文本文件")


def detect_encoding(data: bytes) -> str | None:
    """Encoding of non-UTF-8 bytes via charset-normalizer; GBK/GB2312 → GB18030."""
    results = from_bytes(data)
    best = results.best()
    names = [m.encoding.lower() for m in results]
    if best is not None and best.encoding.lower() in _GB_FAMILY:
        return "gb18030"  # the superset: GBK-detected files may use GB18030-only characters
    if _decodes(data, "gb18030") and (
        best is None or sum(b > 127 for b in data) < _SHORT_NON_ASCII and "gb18030" in names
    ):
        return "gb18030"
    return best.encoding if best is not None else None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KB, if any."""
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w]+)""", data[:4096], flags=re.I)
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    return "gb18030" if name in _GB_FAMILY else name


def decode_html(data: bytes, name: str) -> tuple[str, str]:
    """HTML bytes → text: BOM, then the declared charset, then detection."""
    declared = declared_charset(data)
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return normalize_newlines(data.decode(declared)), declared
        except (UnicodeDecodeError, LookupError):
            pass  # pages lie about their charset; detect instead
    return decode_text(data, name)


# ---------------------------------------------------------------- HTML


def read_html(html: str, encoding: str | None, name: str) -> Converted:
    """Keep the article body of a web page; drop navigation, ads, comments."""
    # Imported here: trafilatura (and lxml) take ~0.5 s to load.
    # trafilatura needs lxml_html_clean (lxml 5.2+ split it out).
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=True, favor_precision=True, with_metadata=True
    )
    text = (doc.text or "").strip() if doc is not None else ""
    warnings: tuple[str, ...] = ()
    if not text:
        text = trafilatura.baseline(html)[1].strip()
        warnings = ("未能识别网页正文，已保留整页文字（可能含导航、评论等）",)
    # Boilerplate inside the <article> element (copyright, QR, 本文链接) is
    # beyond trafilatura; the plain-text cleaner catches those lines.
    title = (doc.title if doc is not None else None) or _html_title(html)
    text = normalize_newlines(text)
    cleaned = clean_article(text, title_hint=title)
    title = title or cleaned.title or None
    url = (doc.url if doc is not None else None) or _html_url(html) or cleaned.url
    if not text.strip():
        raise UnreadableDocument(f"网页 {name} 中没有可提取的文字")
    return Converted(cleaned.text or text, title, url, "html", encoding, warnings)


def _html_title(html: str) -> str | None:
    m = re.search(r"<title[^>]*>(.*?)</title>", html, flags=re.I | re.S)
    return unescape(re.sub(r"\s+", " ", m.group(1))).strip() or None if m else None


def _html_url(html: str) -> str | None:
    for pattern in (
        r"""<link[^>]+rel=["']canonical["'][^>]+href=["']([^"']+)""",
        r"""<meta[^>]+property=["']og:url["'][^>]+content=["']([^"']+)""",
    ):
        if m := re.search(pattern, html, flags=re.I):
            return unescape(m.group(1)).strip()
    return None


# ---------------------------------------------------------------- PDF (ingest/pdf.py)


def read_pdf(data: bytes, name: str) -> Converted:
    text, title, warnings = pdf_text(data, name)
    return Converted(text, title, None, "pdf", None, warnings)
