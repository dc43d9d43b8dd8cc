"""Build test documents on the fly (text in several encodings, web pages, PDFs).

Every maker writes into the directory it is given and returns the new path.
PDF makers need fpdf2; Chinese PDFs also need a CJK font: `cjk_font()` finds
one (Debian package fonts-noto-cjk, or fonts-droid-fallback) or returns None,
and `needs_cjk_font` is a pytest skip marker for tests that need it.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

ARTICLE_TITLE = "网贷逾期后收到律师函，是真的吗？"
ARTICLE_BODY = (
    "最近不少朋友咨询：网贷逾期后收到所谓律师函，说要起诉并申请诉前财产保全，这是真的吗？",
    "律师函本身不是法律文书，没有强制效力。真正的起诉会由法院通过12368短信或者邮寄传票送达，"
    "可以登录中国裁判文书网或者拨打12368核实案号。",
    "如果对方用爆通讯录、恐吓等方式催收，可以保留证据并向监管部门投诉，情节严重的可以报警。",
)
ARTICLE_URL = "https://www.example-law.cn/hf/123456.html"
# Phrases of page furniture that must not survive extraction.
HTML_FURNITURE = (
    "当前位置", "首页", "相关文章", "网贷逾期收到开庭短信是真的吗", "精彩评论", "这篇文章写得真好",
    "扫描二维码推送至手机访问", "版权声明", "Copyright", "ICP备", "上一篇", "下一篇", "返回列表",
    "trackVisit", "广告位招租",
)
CJK_FONTS = (
    # fonts-noto-cjk: a .ttc collection; fpdf2 reads its first face.
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    # fonts-droid-fallback: a plain TTF (no Latin letters, no curly quotes).
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


def write_text(dir: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """`encoding` is a Python codec name; "utf-8-sig" writes a BOM."""
    path = Path(dir) / name
    path.write_bytes(text.encode(encoding))
    return path


def write_bytes(dir: Path, name: str, data: bytes) -> Path:
    path = Path(dir) / name
    path.write_bytes(data)
    return path


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    """A valid grey PNG, made without Pillow."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def article_html(charset: str = "utf-8") -> str:
    """A page shaped like the seeds' sources: breadcrumbs, body, related list, comments."""
    body = "\n".join(f"<p>{p}</p>" for p in ARTICLE_BODY)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta charset="{charset}">
<title>{ARTICLE_TITLE}_合飞律师</title>
<link rel="canonical" href="{ARTICLE_URL}">
<meta property="og:url" content="{ARTICLE_URL}">
<script>function trackVisit(){{ var x = "广告位招租"; }}</script>
</head><body>
<header><div class="logo">合飞律师</div></header>
<nav class="breadcrumb">当前位置:<a href="/">首页</a> &gt; <a href="/jr/">金融债务</a> &gt; 正文内容</nav>
<div class="ad">广告位招租 电话 400-000-0000</div>
<main><article>
<h1>{ARTICLE_TITLE}</h1>
<div class="meta">2025-04-24 13:01 作者：合飞律师</div>
{body}
<p>扫描二维码推送至手机访问。</p>
<p>版权声明：本文由某某律师事务所原创发布，如需转载请附上来源链接。</p>
</article></main>
<div class="pager"><a href="/1">上一篇：离婚单身妈妈怎么办</a> <a href="/3">下一篇：信用卡逾期</a> <a href="/">返回列表</a></div>
<aside class="related"><h3>{ARTICLE_TITLE}的相关文章</h3><ul>
<li><a href="/a">网贷逾期收到开庭短信是真的吗</a></li>
<li><a href="/b">逾期后收到立案短信怎么办</a></li></ul></aside>
<div id="comments"><h3>精彩评论</h3>
<div class="comment">张三 2025-04-24 这篇文章写得真好，我也收到过。</div>
<div class="comment">李四 2025-04-24 这篇文章写得真好，法院根本不会发短信。</div></div>
<footer>Copyright © 2025 All Rights Reserved. 浙ICP备12345678号-1</footer>
<script>trackVisit();</script>
</body></html>"""


def write_article_html(dir: Path, name: str = "page.html", charset: str = "utf-8") -> Path:
    codec = "gb18030" if charset.lower() in ("gbk", "gb2312", "gb18030") else charset
    return write_text(dir, name, article_html(charset), codec)


def cjk_font() -> Path | None:
    return next((Path(p) for p in CJK_FONTS if Path(p).is_file()), None)


needs_cjk_font = pytest.mark.skipif(
    cjk_font() is None, reason="no CJK font: apt-get install fonts-noto-cjk (or fonts-droid-fallback)"
)


def _new_pdf():
    from fpdf import FPDF

    return FPDF(format="A4")


def write_text_pdf(dir: Path, pages: list[list[str]], name: str = "doc.pdf", title: str = "") -> Path:
    """A PDF with real text: one list of paragraphs per page, each wrapped by fpdf2."""
    pdf = _new_pdf()
    font = cjk_font()
    if font is None:
        raise RuntimeError("no CJK font installed (apt-get install fonts-noto-cjk)")
    pdf.add_font("cjk", fname=str(font))
    pdf.set_font("cjk", size=12)
    if title:
        pdf.set_title(title)
    for paragraphs in pages:
        pdf.add_page()
        for par in paragraphs:
            pdf.multi_cell(0, 8, par)
            pdf.ln(6)  # a paragraph gap, as real documents have
    return write_bytes(dir, name, bytes(pdf.output()))


def write_image_pdf(dir: Path, name: str = "scan.pdf") -> Path:
    """A 'scanned' PDF: one page holding only an image, no text layer."""
    pdf = _new_pdf()
    pdf.add_page()
    png = write_bytes(dir, "_scan.png", png_bytes(32, 32))
    pdf.image(str(png), x=10, y=10, w=150)
    return write_bytes(dir, name, bytes(pdf.output()))


def write_blank_pdf(dir: Path, name: str = "blank.pdf") -> Path:
    pdf = _new_pdf()
    pdf.add_page()
    return write_bytes(dir, name, bytes(pdf.output()))


def write_encrypted_pdf(dir: Path, source: Path, name: str = "locked.pdf", password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    path = Path(dir) / name
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def write_corrupt_pdf(dir: Path, source: Path, name: str = "broken.pdf", keep: float = 0.4) -> Path:
    """The first `keep` share of a real PDF's bytes: header intact, body cut off."""
    data = Path(source).read_bytes()
    return write_bytes(dir, name, data[: int(len(data) * keep)])
