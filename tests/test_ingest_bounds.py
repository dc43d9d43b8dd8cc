"""Bounded work on hostile files: PDF limits before extraction grows, passage size, symlinks, long names (issue 25)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fake_embed import run_ingest
from filemakers import write_text
from ingest.chunk import MAX_UNIT_CHARS, chunk_source
from ingest.convert import read_pdf
from ingest.pdf import MAX_PDF_STREAM_BYTES
from ingest.staging import MAX_NAME_BYTES, safe_name, write_uploads
from pdfbombs import pdf_with_content, text_run, wide_line
from yuqi.documents import Source
from yuqi.errors import UnreadableDocument

LAW = "中华人民共和国个人信息保护法"


def test_a_compressed_text_bomb_is_refused_before_it_is_extracted():
    data = pdf_with_content(text_run(4 * MAX_PDF_STREAM_BYTES))  # ~32 MB of text in a few hundred KB
    assert len(data) < 2_000_000
    with pytest.raises(UnreadableDocument, match="过大"):
        read_pdf(data, "bomb.pdf")


def test_a_page_with_too_much_text_is_refused():
    with pytest.raises(UnreadableDocument, match="单页文字"):
        read_pdf(pdf_with_content(text_run(150_000)), "page.pdf")


def test_a_wide_layout_stays_small():
    assert len(read_pdf(pdf_with_content(wide_line()), "wide.pdf").text) < 20_000


def test_no_passage_grows_past_its_window():
    text = "网" * 50_000 + "。后面还有一句话。"
    src = Source(doc_id="d", title="d", kind="article", text=text, path="d.txt")
    chunks = chunk_source(src, 500, 80)
    assert max(len(c.text) for c in chunks) <= 500 + MAX_UNIT_CHARS
    assert "".join(c.text for c in chunks).count("网") >= 50_000


def docs(base: Path) -> dict:
    return json.loads((base / "index" / "current" / "docs.json").read_text(encoding="utf-8"))


def test_add_folder_refuses_symlinks_leading_out_of_it(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "statutes.txt").write_text(LAW + "\n", encoding="utf-8")
    assert run_ingest(tmp_path, "build").returncode == 0
    (tmp_path / "private").mkdir()
    (tmp_path / "docs").mkdir()
    secret = write_text(tmp_path / "private", "secret.txt", "私人日记\n我的银行卡密码写在这里，催收说要上门。")
    inside = write_text(tmp_path / "docs", "ok.txt", "正常文章\n催收短信说已立案，要先核实。")
    os.symlink(secret, tmp_path / "docs" / "link.txt")
    os.symlink(secret.parent, tmp_path / "docs" / "linkdir")
    res = run_ingest(tmp_path, "add", str(inside.parent))
    assert res.returncode == 0 and "Traceback" not in res.stderr + res.stdout
    chunks = (tmp_path / "index" / "current" / "chunks.jsonl").read_text(encoding="utf-8")
    assert "正常文章" in chunks or "核实" in chunks
    assert "私人日记" not in chunks and "银行卡密码" not in chunks
    assert "文件夹之外" in res.stdout + res.stderr
    assert not [p for p in (corpus / "user").iterdir() if "secret" in p.name or "link" in p.name]


def test_a_97_character_chinese_upload_name_is_shortened_not_a_traceback(tmp_path):
    name = "关于网络借贷催收" * 12 + "一.txt"  # 97 characters, 291 bytes
    assert len(name) == 101 and len(name.encode()) > 255
    safe = safe_name(name)
    assert safe.endswith(".txt") and len(safe.encode()) <= MAX_NAME_BYTES
    paths = write_uploads([(name, "标题\n催收说要起诉。".encode())], tmp_path)
    assert paths[0].is_file() and paths[0].name == safe
