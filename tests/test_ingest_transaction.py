"""Ingest as a transaction (issue 12, findings 9, 10, 13): staged files stand or fall with their
build, a broken build is named and repaired by `ingest build`, read-only and full disks end in
one message with nothing left behind.

Real files; the fake embedder stands in for the model. The ingest that gets killed is a real
subprocess; the commands around it run the CLI's `main` in this process (`fake_embed.run_ingest`).
Disk-full and read-only use real tmpfs mounts (root only; skipped elsewhere).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fake_embed import NamedFakeEmbedder as FakeEmbedder, cli_env, run_ingest
from filemakers import write_text
from yuqi import index as ix
from yuqi.errors import IndexCorrupt, YuqiError

LAW = "中华人民共和国个人信息保护法"
KILLER = Path(__file__).parent / "ingest_killer.py"


def corpus_with_law(base: Path) -> Path:
    corpus = base / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "statutes.txt").write_text(LAW + "\n", encoding="utf-8")
    return corpus


def built(base: Path) -> Path:
    corpus = corpus_with_law(base)
    res = run_ingest(base, "build")
    assert res.returncode == 0, res.stderr
    return corpus


def docs(base: Path) -> dict:
    return json.loads((base / "index" / "current" / "docs.json").read_text(encoding="utf-8"))


def one_line_error(res, *words: str) -> None:
    assert res.returncode != 0
    assert "Traceback" not in res.stderr + res.stdout, res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("错误")]
    assert len(errors) == 1, res.stderr
    for w in words:
        assert w in errors[0], errors[0]


def kill_at(base: Path, stage: str, *args: str) -> None:
    out_path = base / f"killer-{stage}.txt"
    with open(out_path, "w") as out:
        proc = subprocess.Popen([sys.executable, str(KILLER), stage, *args], cwd=KILLER.parent.parent,
                                env=cli_env(base), stdout=out, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while "KILL-ME" not in out_path.read_text(errors="replace"):
            assert proc.poll() is None and time.time() < deadline, out_path.read_text(errors="replace")
            time.sleep(0.05)
        proc.kill()
        proc.wait()


# -- finding 9: a killed add is never finished by an unrelated one ---------------------------------

@pytest.mark.parametrize("stage", ["tmp", "renamed"])
def test_killed_add_is_rolled_back_not_finished_by_the_next_add(tmp_path, stage):
    corpus = built(tmp_path)
    (tmp_path / "k").mkdir()
    killed = write_text(tmp_path / "k", "killed.txt", "被杀的导入\n这篇文章不应被索引：催收说明天上门。")
    kill_at(tmp_path, stage, "add", str(killed))
    assert (corpus / "user" / "killed.txt").exists()  # staged when it died
    (tmp_path / "o").mkdir()
    other = write_text(tmp_path / "o", "other.txt", "无关的文章\n法院短信可以拨打12368核实。")
    res = run_ingest(tmp_path, "add", str(other))
    assert res.returncode == 0, res.stderr
    assert "上次导入被中断" in res.stdout
    ids = set(docs(tmp_path))
    assert "other" in ids and "killed" not in ids
    assert not (corpus / "user" / "killed.txt").exists()
    assert not (corpus / ".ingest-pending").exists()
    chunks = (tmp_path / "index" / "current" / "chunks.jsonl").read_text(encoding="utf-8")
    assert "不应被索引" not in chunks


def test_killed_remove_puts_the_file_back(tmp_path):
    corpus = built(tmp_path)
    (tmp_path / "a").mkdir()
    f = write_text(tmp_path / "a", "keep.txt", "保留的文章\n律师函不是法律文书。")
    assert run_ingest(tmp_path, "add", str(f)).returncode == 0
    kill_at(tmp_path, "tmp", "remove", "keep")
    assert not (corpus / "user" / "keep.txt").exists()  # deleted when it died
    res = run_ingest(tmp_path, "build")
    assert res.returncode == 0, res.stderr
    assert (corpus / "user" / "keep.txt").exists() and "keep" in docs(tmp_path)


def test_add_killed_after_its_build_went_live_is_kept(tmp_path):
    corpus = built(tmp_path)
    (tmp_path / "k").mkdir()
    f = write_text(tmp_path / "k", "live.txt", "已生效的导入\n构建已经切换。")
    kill_at(tmp_path, "live", "add", str(f))
    assert "live" in docs(tmp_path)
    res = run_ingest(tmp_path, "build")
    assert res.returncode == 0, res.stderr
    assert "上次导入被中断" not in res.stdout
    assert (corpus / "user" / "live.txt").exists() and "live" in docs(tmp_path)


# -- finding 10: a corrupt build is named, and `ingest build` repairs it ---------------------------

def _truncate(name: str):
    def damage(build: Path) -> None:
        data = (build / name).read_bytes()
        (build / name).write_bytes(data[: len(data) // 2])
    return damage


def _unknown_key(build: Path) -> None:
    m = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    m["shiny_new_field"] = 1
    (build / "manifest.json").write_text(json.dumps(m), encoding="utf-8")


DAMAGE = {
    "manifest": _truncate("manifest.json"), "chunks": _truncate("chunks.jsonl"), "docs": _truncate("docs.json"),
    "dense": _truncate("dense.faiss"), "unknown-key": _unknown_key,
}


@pytest.mark.parametrize("what", list(DAMAGE))
def test_corrupt_build_is_named_and_repaired_by_build(tmp_path, what):
    built(tmp_path)
    DAMAGE[what](tmp_path / "index" / "current")
    with pytest.raises(IndexCorrupt, match="python -m ingest build"):
        ix.load_build(tmp_path / "index")
    one_line_error(run_ingest(tmp_path, "list"), "索引已损坏", "python -m ingest build")
    one_line_error(run_ingest(tmp_path, "remove", LAW), "索引已损坏")
    res = run_ingest(tmp_path, "build")
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    listed = run_ingest(tmp_path, "list")
    assert listed.returncode == 0 and LAW in listed.stdout
    assert ix.load_build(tmp_path / "index").chunks


def test_the_page_gets_a_typed_error_for_a_corrupt_build(tmp_path):
    """The app loads through Service.retriever(); the page shows YuqiError messages."""
    from conftest import make_settings
    from yuqi.service import Service

    built(tmp_path)
    _truncate("chunks.jsonl")(tmp_path / "index" / "current")
    settings = make_settings(tmp_path, tmp_path / "corpus")
    with pytest.raises(YuqiError, match="索引已损坏"):
        Service(settings, FakeEmbedder(settings.embed_model)).retriever()


# -- finding 13: read-only index and a full disk ----------------------------------------------------

def _mount(where: Path, size: str, *opts: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join((f"size={size}", *opts)), "tmpfs", str(where)],
                         capture_output=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode(errors='replace').strip()}")


@pytest.fixture
def mounts():
    made: list[Path] = []

    def mount(where: Path, size: str, *opts: str) -> Path:
        _mount(where, size, *opts)
        made.append(where)
        return where

    yield mount
    for m in reversed(made):
        subprocess.run(["umount", str(m)], capture_output=True)


def test_read_only_index_dir_is_one_clear_message(tmp_path, mounts):
    corpus_with_law(tmp_path)
    mounts(tmp_path / "index", "4m", "ro")
    res = run_ingest(tmp_path, "build")
    one_line_error(res, "文件系统只读")


def test_read_only_after_a_build_keeps_it_loadable(tmp_path, mounts):
    index = mounts(tmp_path / "index", "8m")
    built(tmp_path)
    live = ix.current_build_id(index)
    subprocess.run(["mount", "-o", "remount,ro", str(index)], check=True)
    (tmp_path / "a").mkdir()
    f = write_text(tmp_path / "a", "x.txt", "新文章\n内容。")
    one_line_error(run_ingest(tmp_path, "add", str(f)), "只读")
    assert ix.current_build_id(index) == live and ix.load_build(index).chunks
    assert not (tmp_path / "corpus" / "user" / "x.txt").exists()


def test_disk_full_is_one_message_and_leaves_no_temp_dir(tmp_path, mounts):
    index = mounts(tmp_path / "index", "8m")
    corpus = built(tmp_path)
    live = ix.current_build_id(index)
    # Fill the disk to within a few KB, then add: the new build cannot be written.
    subprocess.run(["dd", "if=/dev/zero", f"of={index}/filler", "bs=64k"], capture_output=True)
    (tmp_path / "a").mkdir()
    f = write_text(tmp_path / "a", "big.txt", "新文章\n" + "逾期催收短信的内容。" * 2000)
    res = run_ingest(tmp_path, "add", str(f))
    one_line_error(res, "磁盘空间不足")
    assert not list((index / "builds").glob(".*.tmp"))
    assert ix.current_build_id(index) == live and ix.load_build(index).chunks
    assert not (corpus / "user" / "big.txt").exists()  # the corpus went back with the failed build
    (index / "filler").unlink()
    res = run_ingest(tmp_path, "add", str(f))
    assert res.returncode == 0, res.stderr


def test_disk_full_on_a_first_build(tmp_path, mounts):
    corpus_with_law(tmp_path)
    index = mounts(tmp_path / "index", "64k")
    one_line_error(run_ingest(tmp_path, "build"), "磁盘空间不足")
    assert not list((index / "builds").glob(".*")) if (index / "builds").exists() else True
    assert ix.current_build(index) is None
