import pytest

from filemakers import (
    ARTICLE_BODY, ARTICLE_TITLE, ARTICLE_URL, HTML_FURNITURE, needs_cjk_font, png_bytes, write_article_html,
    write_blank_pdf, write_bytes, write_corrupt_pdf, write_encrypted_pdf, write_image_pdf, write_text,
    write_text_pdf,
)
from ingest.convert import decode_text, read_document, reflow
from yuqi.errors import UnreadableDocument

SHORT = "网贷逾期"
LONG = "\n".join(ARTICLE_BODY) * 5
PDF_PARAS = [
    "问：网贷逾期后收到所谓律师函，说要起诉并申请诉前财产保全，律师函本身不是法律文书，没有强制效力，"
    "真正的起诉会由法院通过官方渠道送达传票，可以拨打电话核实案号，不要轻信短信里的链接和个人账户。",
    "第二条，如果对方用爆通讯录、恐吓等方式催收，可以保留证据并向监管部门投诉，情节严重的可以报警。",
]


@pytest.mark.parametrize("text", [SHORT, "逾期", LONG, "催收短信是真的吗？\n第二行"], ids=["short", "2chars", "long", "2lines"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_encodings_round_trip(tmp_path, text, encoding):
    conv = read_document(write_text(tmp_path, "a.txt", text, encoding))
    assert conv.text == text
    assert conv.fmt == "txt" and conv.title is None
    assert conv.encoding == {"gbk": "gb18030"}.get(encoding, encoding)


def test_gbk_and_bom_files_equal_the_original(tmp_path):
    gbk = read_document(write_text(tmp_path, "g.txt", LONG, "gbk")).text
    bom = read_document(write_text(tmp_path, "b.txt", LONG, "utf-8-sig")).text
    assert gbk == bom == LONG
    assert not bom.startswith("\ufeff")


def test_gb18030_only_character(tmp_path):
    text = "䶮是扩展字符，GBK 没有它，网贷逾期说明。" * 3  # 䶮 (U+4DAE) is outside GBK
    assert read_document(write_text(tmp_path, "x.txt", text, "gb18030")).text == text


def test_crlf_normalised(tmp_path):
    conv = read_document(write_text(tmp_path, "w.txt", "第一行\r\n第二行\r第三行", "gbk"))
    assert conv.text == "第一行\n第二行\n第三行"


def test_markdown_title_and_text_kept(tmp_path):
    md = "前言一句。\n\n# 网贷逾期常见问题\n\n## 一、短信\n\n**别慌**。"
    conv = read_document(write_text(tmp_path, "k.md", md))
    assert (conv.text, conv.title, conv.fmt) == (md, "网贷逾期常见问题", "md")


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("shot.txt", png_bytes(), "PNG"),
        ("blob.txt", b"\x00\x01\x02\x03abc\x00" * 50, "二进制"),
        ("empty.txt", b"", "空"),
        ("blank.md", b" \n\r\n\t", "空"),
        ("doc.docx", b"PK\x03\x04", "不支持的文件类型"),
        ("noext", "网贷".encode(), "不支持的文件类型"),
        ("fake.pdf", "不是 PDF".encode(), "不是有效的 PDF"),
        ("zip.html", b"PK\x03\x04" + b"\x00" * 20, "压缩包"),
    ],
)
def test_unreadable_files(tmp_path, name, data, reason):
    with pytest.raises(UnreadableDocument, match=reason):
        read_document(write_bytes(tmp_path, name, data))


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(UnreadableDocument, match="无法读取"):
        read_document(tmp_path / "gone.txt")


def test_undecodable_bytes():
    with pytest.raises(UnreadableDocument, match="编码"):
        decode_text(bytes(range(128, 256)) * 4, "x.txt")


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_html_keeps_body_drops_furniture(tmp_path, charset):
    conv = read_document(write_article_html(tmp_path, charset=charset))
    assert conv.fmt == "html" and conv.warnings == ()
    assert conv.encoding == ("gb18030" if charset == "gbk" else "utf-8")
    assert conv.title == ARTICLE_TITLE and conv.url == ARTICLE_URL
    for paragraph in ARTICLE_BODY:
        assert paragraph in conv.text
    assert [f for f in HTML_FURNITURE if f in conv.text] == []


def test_html_without_body_is_unreadable(tmp_path):
    page = "<html><head><title>空</title><script>var a='网贷';</script></head><body></body></html>"
    with pytest.raises(UnreadableDocument, match="没有可提取的文字"):
        read_document(write_text(tmp_path, "e.html", page))


def test_html_declared_charset_wins_over_guess(tmp_path):
    page = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><article><p>{ARTICLE_BODY[1]}</p></article></body></html>'
    conv = read_document(write_text(tmp_path, "d.htm", page, "gb18030"))
    assert ARTICLE_BODY[1] in conv.text and conv.encoding == "gb18030"


@needs_cjk_font
def test_pdf_text_in_order_without_hard_breaks(tmp_path):
    path = write_text_pdf(tmp_path, [PDF_PARAS, ["第二页只有一句话。"]], title="催收答疑")
    conv = read_document(path)
    assert conv.fmt == "pdf" and conv.encoding is None and conv.title == "催收答疑"
    # the long first paragraph wraps over several PDF lines: it comes back as one
    assert conv.text == f"{PDF_PARAS[0]}\n\n{PDF_PARAS[1]}\n\n第二页只有一句话。"


@needs_cjk_font
def test_pdf_page_without_text_warns(tmp_path):
    from pypdf import PdfReader, PdfWriter

    text_pdf, blank = write_text_pdf(tmp_path, [PDF_PARAS[:1]]), write_blank_pdf(tmp_path)
    writer = PdfWriter()
    for page in [*PdfReader(text_pdf).pages, *PdfReader(blank).pages]:
        writer.add_page(page)
    with (tmp_path / "mixed.pdf").open("wb") as fh:
        writer.write(fh)
    conv = read_document(tmp_path / "mixed.pdf")
    assert conv.warnings == ("第 2 页没有可提取的文字（可能是图片）",)
    assert "律师函" in conv.text


@needs_cjk_font
def test_pdf_encrypted_and_corrupt(tmp_path):
    source = write_text_pdf(tmp_path, [PDF_PARAS])
    with pytest.raises(UnreadableDocument, match="PDF 已加密"):
        read_document(write_encrypted_pdf(tmp_path, source))
    with pytest.raises(UnreadableDocument, match="已损坏"):
        read_document(write_corrupt_pdf(tmp_path, source))


@needs_cjk_font
def test_pdf_renamed_txt_is_read_as_pdf(tmp_path):
    data = write_text_pdf(tmp_path, [PDF_PARAS[1:]]).read_bytes()
    conv = read_document(write_bytes(tmp_path, "real.txt", data))
    assert conv.fmt == "pdf" and "通讯录" in conv.text and "PDF" in conv.warnings[0]


@pytest.mark.parametrize("maker", [write_image_pdf, write_blank_pdf])
def test_pdf_without_text_is_a_scan(tmp_path, maker):
    with pytest.raises(UnreadableDocument, match=r"PDF 中没有可提取的文字（可能是扫描件）"):
        read_document(maker(tmp_path))


def test_reflow_joins_wrapped_chinese_lines():
    page = "网贷逾期后收到短信说要起诉你这是真\n的吗先别慌。\n\n标题\n正文第一句话很长很长很长很长。"
    assert reflow(page) == "网贷逾期后收到短信说要起诉你这是真的吗先别慌。\n\n标题\n正文第一句话很长很长很长很长。"


def test_reflow_keeps_structure_lines_and_latin_spaces():
    page = "第一条　借款人应当按约定还款而不得\n第二条　出借人不得暴力催收他人\n（一）恐吓\n\nthe borrower shall repay the\nloan on time."
    assert reflow(page) == (
        "第一条　借款人应当按约定还款而不得\n第二条　出借人不得暴力催收他人\n（一）恐吓\n\nthe borrower shall repay the loan on time."
    )


def test_reflow_closes_glyph_spacing():
    assert reflow("网 贷 逾 期 后 收 到 律 师 函 。") == "网贷逾期后收到律师函 。"
    assert reflow("第六百八十条 禁止高利放贷。") == "第六百八十条 禁止高利放贷。"
