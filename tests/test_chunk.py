"""Statute and article chunking: one 条 per chunk, Chinese-aware windows, exact offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DOCS_EXTRA, ROOT, needs_docs_extra
from ingest.chunk import MAX_ARTICLE_CHARS, chunk_source
from ingest.load import load_file
from ingest.statutes import load_law, parse_statute

ARTICLES = sorted((ROOT / "corpus" / "articles").glob("*.txt"))


def test_laws_db_statute_is_one_chunk_per_article():
    law = load_law("中华人民共和国治安管理处罚法")
    chunks = chunk_source(law, 360, 80)
    refs = [c.ref for c in chunks]
    assert len(set(refs)) == len(law.articles) == 144
    c50 = next(c for c in chunks if c.ref == "中华人民共和国治安管理处罚法#第五十条")
    assert c50.text.startswith("第五十条") and "多次发送" in c50.text
    assert "第五十一条" not in c50.text  # never two articles in one chunk
    assert c50.kind == "statute" and c50.article_no == "第五十条" and c50.title == law.title
    assert law.text[c50.start:c50.end] == c50.text


def test_article_numbers_with_zhi_keep_their_form():
    law = load_law("中华人民共和国刑法")
    refs = {c.ref for c in chunk_source(law, 360, 80)}
    assert "中华人民共和国刑法#第二百九十三条之一" in refs
    assert "中华人民共和国刑法#第二百九十三条" in refs


def test_long_article_is_split_by_kuan_with_header_on_every_piece():
    body = "\n".join(f"（{i}）" + "当事人应当按照约定全面履行自己的义务。" * 12 for i in range(1, 9))
    src = parse_statute(f"# 测试法\n\n第三条 {body}\n\n第四条 短条文。\n", "x.md")
    pieces = [c for c in chunk_source(src, 360, 80) if c.ref == "测试法#第三条"]
    assert len(pieces) >= 2
    assert all(p.text.startswith("第三条") for p in pieces)
    assert all(len(p.text) <= MAX_ARTICLE_CHARS + 20 for p in pieces)
    assert len({p.chunk_id for p in pieces}) == len(pieces)


@needs_docs_extra
def test_statute_markdown_from_anywhere_is_chunked_by_article():
    src = load_file(DOCS_EXTRA / "spc_minjian_jiedai_guiding_2020.md")
    assert src.kind == "statute" and src.doc_id == "最高人民法院关于审理民间借贷案件适用法律若干问题的规定"
    chunks = chunk_source(src, 360, 80)
    c25 = [c for c in chunks if c.ref.endswith("#第二十五条")]
    assert len(c25) == 1 and "四倍" in c25[0].text
    raw = (DOCS_EXTRA / "spc_minjian_jiedai_guiding_2020.md").read_text(encoding="utf-8")
    assert raw[c25[0].start:c25[0].end] == c25[0].text
    assert not any("来源:" in c.text for c in chunks)  # provenance header is not article text


@needs_docs_extra
def test_statute_without_article_lines_is_one_titled_document():
    src = load_file(DOCS_EXTRA / "npcsc_xingfa_313_jieshi_2002.md")
    assert src.doc_id.startswith("全国人民代表大会常务委员会关于") and src.kind == "article"
    chunks = chunk_source(src, 360, 80)
    assert chunks and all(c.ref == src.doc_id for c in chunks)


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_article_chunks_are_sized_overlapping_and_map_to_the_source(path: Path):
    src = load_file(path)
    chunks = chunk_source(src, 360, 80)
    raw = path.read_text(encoding="utf-8")
    assert src.doc_id == path.stem and chunks
    assert all(c.ref == path.stem and c.kind == "article" for c in chunks)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for c in chunks:
        assert len(c.text) <= 360 * 2  # a single overlong sentence may exceed the target, not double it
        first_line = c.text.split("\n", 1)[0]
        assert raw[c.start:c.start + len(first_line)] == first_line  # offsets point into the file
        last_line = c.text.rsplit("\n", 1)[-1]
        assert raw[c.end - len(last_line):c.end] == last_line
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)


def test_article_windows_overlap_and_break_at_sentence_ends():
    src = load_file(ROOT / "corpus" / "articles" / "002_7c0d7e5c59150788.txt")
    chunks = chunk_source(src, 200, 60)
    overlapping = [b for a, b in zip(chunks, chunks[1:]) if b.start < a.end]
    assert overlapping, "consecutive windows should share a sentence"
    assert all(c.text.rstrip()[-1] in "。！？；!?;:：”」）)" or "\n" not in c.text[-2:] for c in chunks)


def test_seed_furniture_is_not_indexed():
    for path in ARTICLES:
        text = "\n".join(c.text for c in chunk_source(load_file(path), 360, 80))
        for junk in ("扫描二维码", "版权声明", "相关文章", "精彩评论", "当前位置", "ICP备"):
            assert junk not in text, (path.name, junk)


def test_seed_url_is_kept():
    src = load_file(ROOT / "corpus" / "articles" / "000_0d65643ee619bfa2.txt")
    assert src.url == "https://www.hefeilaws.com/hf/1257972.html"
    assert all(c.url == src.url for c in chunk_source(src, 360, 80))
