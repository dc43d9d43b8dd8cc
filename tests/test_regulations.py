"""The shipped regulations: loaded by default as statutes with their version, chunked per 条,
and a re-added copy of one is reported as already present without changing the index."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import DOCS_EXTRA, ROOT, make_settings
from ingest.chunk import chunk_source
from ingest.load import load_corpus
from ingest.statutes import version_date, version_of

REGS = ROOT / "corpus" / "regulations"
JIEDAI = "最高人民法院关于审理民间借贷案件适用法律若干问题的规定"
PIFU = "最高人民法院关于新民间借贷司法解释适用范围问题的批复"
# Without a ../shared beside this checkout (a worktree), YUQI_SHARED_DIR names it.
EXTRA = DOCS_EXTRA if DOCS_EXTRA.is_dir() else Path(os.environ.get("YUQI_SHARED_DIR", "/nonexistent")) / "documents-extra"


@pytest.fixture(scope="module")
def corpus():
    sources, skipped = load_corpus(ROOT / "corpus")
    assert not skipped
    return {s.doc_id: s for s in sources}


def test_every_regulation_file_is_loaded_under_its_official_title(corpus):
    files = sorted(REGS.glob("*.md"))
    assert len(files) == 16
    regs = {d: s for d, s in corpus.items() if s.origin == "regulation"}
    assert len(regs) == 16
    for f in files:
        title = f.read_text(encoding="utf-8").split("\n", 1)[0][2:].strip()
        assert title in regs, title


def test_origin_says_who_vouches_for_the_text(corpus):
    assert corpus["中华人民共和国民法典"].origin == "lawsdb"
    assert corpus["中华人民共和国民法典"].version  # laws.db's version date
    assert corpus[JIEDAI].origin == "regulation"
    assert corpus["hecha_qudao"].origin == "knowledge"
    assert {s.origin for s in corpus.values()} <= {"lawsdb", "regulation", "knowledge", "article"}


def test_statute_format_regulation_is_chunked_per_article_with_contract_refs(corpus):
    src = corpus[JIEDAI]
    assert src.kind == "statute" and len(src.articles) == 31
    chunks = {c.ref: c for c in chunk_source(src, 360, 80)}
    cap = chunks[f"{JIEDAI}#第二十五条"]
    assert "一年期贷款市场报价利率四倍" in cap.text and cap.text.startswith("第二十五条")
    assert cap.meta["version"].startswith("2015年6月23日") and cap.meta["origin"] == "regulation"
    # The provenance header is metadata, never passage text.
    assert not any(c.text.lstrip().startswith(("来源", "提交", "发布/修订")) for c in chunks.values())


def test_chapter_headings_travel_with_the_articles_under_them(corpus):
    src = corpus["最高人民法院关于适用《中华人民共和国民事诉讼法》的解释"]
    first = src.articles[0]
    assert first.number == "第一条" and first.chapter == "一、管辖"
    assert all("## " not in a.text for a in src.articles)


def test_regulations_without_numbered_articles_are_articles_under_their_title(corpus):
    src = corpus[PIFU]
    assert src.kind == "article" and src.doc_id == PIFU == src.title
    chunks = chunk_source(src, 360, 80)
    assert chunks and all(c.ref == PIFU for c in chunks)
    assert any("小额贷款公司" in c.text for c in chunks)
    assert all("提交:" not in c.text for c in chunks)
    assert chunks[0].meta["version"] == "2020年11月9日 最高人民法院审判委员会"


@pytest.mark.parametrize(("meta", "date"), [
    # A joint interpretation names the SPC meeting after the earlier SPP one: the latest date wins.
    ({"发布/修订": "2013年5月27日 最高人民法院审判委员会第1579次会议、2013年4月28日最高人民检察院…；2013年7月22日 施行"}, "2013-07-22"),
    ({"发布/修订": "（源文件未载明）", "来源": "LawRefBook/Laws/司法解释/…解释(2017-05-08).md"}, "2017-05-08"),
    ({"发布/修订": "（源文件未载明）"}, ""),
])
def test_version_date_is_the_latest_date_the_header_states(meta, date):
    assert version_date(version_of(meta)) == date


def test_ingest_list_shows_titles_and_version_dates(tmp_path, monkeypatch, capsys):
    from ingest import pipeline
    from ingest.__main__ import _list

    doc = {"doc_id": JIEDAI, "title": JIEDAI, "kind": "statute", "chunks": 31, "added_at": "2026-01-01 00:00:00",
           "citations": {}, "origin": "regulation", "version": "2015年6月23日 通过；2020年12月23日 通过"}
    monkeypatch.setattr(pipeline, "list_docs", lambda settings: [doc])  # the registry is plumbing here
    assert _list(make_settings(tmp_path)) == 0
    row = capsys.readouterr().out
    assert JIEDAI in row and "版本 2020-12-23" in row and "2015-06-23" not in row


@pytest.mark.model
@pytest.mark.skipif(not EXTRA.is_dir(), reason=f"{EXTRA} not found: set YUQI_SHARED_DIR")
def test_adding_a_regulation_already_shipped_reports_it_and_changes_nothing(tmp_path, embedder):
    from ingest.pipeline import add, build, list_docs
    from yuqi import index as ix

    corpus = tmp_path / "corpus"
    (corpus / "regulations").mkdir(parents=True)
    (corpus / "statutes.txt").write_text("中华人民共和国反电信网络诈骗法\n", encoding="utf-8")
    for f in EXTRA.glob("*.md"):
        shutil.copy2(REGS / f.name, corpus / "regulations" / f.name)
    settings = make_settings(tmp_path, corpus)
    build(settings, embedder)
    before = ix.current_build_id(settings.index_dir)
    docs_before = list_docs(settings)
    report = add(sorted(EXTRA.glob("*.md")), settings, embedder)
    assert len(report.duplicates) == len(list(EXTRA.glob("*.md"))) == 5
    assert not report.added and not report.updated
    assert not (corpus / "user").exists() or not any((corpus / "user").iterdir())
    assert list_docs(settings) == docs_before  # same documents, hashes, chunk counts and dates
    live = ix.load_build(settings.index_dir, settings.embed_model, settings.chunk_size, settings.chunk_overlap)
    assert live.manifest.corpus_hash == ix.read_manifest(settings.index_dir / "builds" / before).corpus_hash
