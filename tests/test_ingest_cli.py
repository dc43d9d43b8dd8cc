"""`python -m ingest ...` as a user runs it: clear messages and exit codes, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, make_settings, small_index
from filemakers import write_text
from yuqi import index as ix
from yuqi.errors import IndexMismatch

SMALL_LAWS = ("中华人民共和国个人信息保护法", "中华人民共和国反电信网络诈骗法")


def run(base: Path, *args: str, timeout: float = 180, **extra_env) -> subprocess.CompletedProcess:
    env = dict(os.environ, YUQI_INDEX_DIR=str(base / "index"), YUQI_CORPUS_DIR=str(base / "corpus"),
               YUQI_DATA_DIR=str(base / "data"), HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8")
    for var in ("YUQI_CHUNK_SIZE", "YUQI_CHUNK_OVERLAP", "YUQI_EMBED_MODEL"):
        env.pop(var, None)
    env.update(extra_env)
    return subprocess.run([sys.executable, "-m", "ingest", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def no_traceback(res: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout, res.stderr




@pytest.fixture(scope="module")
def small(tmp_path_factory, embedder):
    return _small(tmp_path_factory.mktemp("cli"), embedder)


def test_list_on_an_empty_index_dir(tmp_path):
    (tmp_path / "index").mkdir()
    res = run(tmp_path, "list")
    assert res.returncode == 1
    assert "索引为空" in res.stdout and "python -m ingest build" in res.stdout
    no_traceback(res)


def test_add_a_missing_file(tmp_path):
    there = write_text(tmp_path, "there.txt", "网贷逾期说明。")
    res = run(tmp_path, "add", "/no/such/file", str(there))
    assert res.returncode == 2
    assert "找不到文件" in res.stderr and "/no/such/file" in res.stderr and str(there) not in res.stderr
    no_traceback(res)
    assert not (tmp_path / "corpus").exists() and not (tmp_path / "index").exists()  # nothing was started


@pytest.mark.parametrize("indexed", [False, True], ids=["empty", "built"])
def test_remove_an_unknown_document(tmp_path, small, indexed):
    base = small.index_dir.parent if indexed else tmp_path
    res = run(base, "remove", "no-such-doc", timeout=60)
    assert res.returncode == 1
    assert "no-such-doc" in res.stderr and "python -m ingest list" in res.stderr
    no_traceback(res)


def test_bad_arguments_and_settings(tmp_path):
    res = run(tmp_path, timeout=60)
    assert res.returncode == 2 and "usage" in res.stderr
    res = run(tmp_path, "list", YUQI_CHUNK_SIZE="abc", timeout=60)
    assert res.returncode != 0 and "YUQI_CHUNK_SIZE must be a whole number" in res.stderr
    no_traceback(res)


def test_list_shows_the_documents(small):
    res = run(small.index_dir.parent, "list", timeout=60)
    assert res.returncode == 0, res.stderr
    lines = [ln for ln in res.stdout.splitlines() if not ln.startswith(" ")]
    assert [ln.split("\t")[:2] for ln in lines] == [[law, "法规"] for law in sorted(SMALL_LAWS)]


@pytest.mark.slow
def test_index_built_with_another_chunk_size_still_loads(tmp_path, embedder):
    """Chunking is a build setting (issue 13 item 5): it is recorded, it never blocks loading."""
    from yuqi.service import Service

    settings = _small(tmp_path, embedder, chunk_size=200)
    default = make_settings(tmp_path, settings.corpus_dir)
    assert default.chunk_size != 200
    built = ix.load_build(default.index_dir, default.embed_model, default.chunk_size, default.chunk_overlap)
    assert built.chunks and built.manifest.chunk_size == 200
    assert Service(default, embedder).retriever().chunks
    with pytest.raises(IndexMismatch, match=r"python -m ingest build"):
        ix.load_build(default.index_dir, "some/other-model")


@pytest.mark.slow
def test_cli_add_then_list(tmp_path, embedder):
    settings = _small(tmp_path / "ix", embedder)
    f = write_text(tmp_path, "cli_note.txt", "关于冒充法院短信的说明\n收到自称法院的催收短信，可以拨打12368核实，不要点击链接。\n")
    res = run(settings.index_dir.parent, "add", str(f))
    assert res.returncode == 0, res.stderr
    assert "新增 1 个文档: 关于冒充法院短信的说明（cli_note）" in res.stdout
    assert "新计算向量 1 段" in res.stdout or "全部向量已缓存" in res.stdout  # the shared cache may know it
    no_traceback(res)
    listed = run(settings.index_dir.parent, "list", timeout=60)
    assert any(ln.startswith("cli_note\t文章\t") for ln in listed.stdout.splitlines())
    assert (settings.corpus_dir / "user" / "cli_note.txt").is_file()


def _small(base: Path, embedder, **changes):
    return small_index(base, embedder, SMALL_LAWS, **changes)
