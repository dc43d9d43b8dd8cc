"""An index that describes itself (issue 13 item 5) and an ingest CLI that reads cleanly (issue 14 item 7).

The `python -m ingest` command with the fake embedder (in this process, `fake_embed.run_ingest`;
a real subprocess where its output is under test); loading is checked in-process.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from fake_embed import NamedFakeEmbedder as FakeEmbedder, run_cli, run_ingest
from filemakers import write_text
from yuqi import index as ix
from yuqi.errors import IndexMismatch
from yuqi.textnorm import STOPWORDS, USERDICT

LAW = "中华人民共和国个人信息保护法"


@pytest.fixture
def base(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "statutes.txt").write_text(LAW + "\n", encoding="utf-8")
    res = run_ingest(tmp_path, "build")
    assert res.returncode == 0, res.stderr
    return tmp_path


def manifest(base: Path) -> dict:
    return json.loads((base / "index" / "current" / "manifest.json").read_text(encoding="utf-8"))


def test_manifest_records_tokenizer_assets_versions_and_files(base):
    import hashlib

    m = manifest(base)
    assert m["tokenizer"][USERDICT.name] == hashlib.sha256(USERDICT.read_bytes()).hexdigest()
    assert m["tokenizer"][STOPWORDS.name] == hashlib.sha256(STOPWORDS.read_bytes()).hexdigest()
    assert m["tokenizer"]["name"] == "jieba" and m["tokenizer"]["jieba"]
    for lib in ("yuqi", "faiss-cpu", "bm25s", "jieba", "numpy"):
        assert m["versions"][lib], lib
    assert m["model_fingerprint"] == FakeEmbedder(m["embed_model"]).fingerprint
    for name in ("chunks.jsonl", "docs.json", "dense.faiss"):
        assert m["files"][name]["bytes"] == (base / "index" / "current" / name).stat().st_size


def test_model_fingerprint_is_checked_on_load(base):
    m = manifest(base)
    assert ix.load_build(base / "index", fingerprint=m["model_fingerprint"]).chunks
    with pytest.raises(IndexMismatch, match="向量模型文件"):
        ix.load_build(base / "index", fingerprint=m["embed_model"] + "|another-snapshot")


def test_changed_tokenizer_asset_blocks_loading(base):
    build = base / "index" / "current"
    m = manifest(base)
    m["tokenizer"][USERDICT.name] = "0" * 64  # as if the user dictionary changed since the build
    (build / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    with pytest.raises(IndexMismatch, match="分词资源已变化.*userdict_zh.txt"):
        ix.load_build(base / "index")


def test_chunk_settings_do_not_block_loading(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "statutes.txt").write_text(LAW + "\n", encoding="utf-8")
    assert run_ingest(tmp_path, "build", YUQI_CHUNK_SIZE="120", YUQI_CHUNK_OVERLAP="20").returncode == 0
    # `list` and `add` run under the default chunk settings against it
    assert run_ingest(tmp_path, "list").returncode == 0
    loaded = ix.load_build(tmp_path / "index", chunk_size=360, chunk_overlap=80)
    assert loaded.manifest.chunk_size == 120


def test_add_uses_the_model_the_index_was_built_with(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "statutes.txt").write_text(LAW + "\n", encoding="utf-8")
    assert run_ingest(tmp_path, "build", YUQI_EMBED_MODEL="built-with-model").returncode == 0
    (tmp_path / "a").mkdir()
    f = write_text(tmp_path / "a", "n.txt", "新文章\n逾期后的催收短信。")
    res = run_ingest(tmp_path, "add", str(f), YUQI_EMBED_MODEL="configured-later")
    assert res.returncode == 0, res.stderr
    m = manifest(tmp_path)
    assert m["embed_model"] == "built-with-model"
    assert m["model_fingerprint"] == FakeEmbedder("built-with-model").fingerprint


def test_cli_output_reads_cleanly(base):
    (base / "a").mkdir()
    f = write_text(base / "a", "0d65643ee619bfa2.txt", "网贷逾期后多久会被起诉\n起诉前法院会通过12368送达。")
    res = run_cli(base, "add", str(f))  # a real process: its stdout and stderr as a user sees them
    assert res.returncode == 0, res.stderr
    # the summary names the document by its title
    assert "新增 1 个文档: 网贷逾期后多久会被起诉（0d65643ee619bfa2）" in res.stdout
    # units: documents are 文档, passages are 段; no rates at all (they were absurd: 17318416.52段/s)
    err = res.stderr.replace("\r", "\n")
    assert re.search(r"读取文档.*\d+/\d+ 文档", err) and re.search(r"计算向量.*\d+/\d+ 段", err)
    assert "/s" not in err
    assert not re.search(r"读取文档.*段", err)
    again = run_ingest(base, "build")
    assert "全部向量已缓存" in again.stdout and "新计算向量 0 段" not in again.stdout
    assert f"未变 2 个文档: {LAW}、网贷逾期后多久会被起诉" in again.stdout
