"""Re-ingesting new documents safely: add / update / remove through the real pipeline.

Every test mutates its own index in a temp dir: either a copy of the session's
default index (`built`) or a small one over two short laws, built in seconds.
Texts that must be embedded carry a random nonce, so the shared embedding cache
never hides an embedding count.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import DOCS_EXTRA, ROOT, copy_corpus, make_settings, needs_docs_extra, small_index
from eval.metrics import unique_ranked
from filemakers import (
    article_html, cjk_font, png_bytes, write_blank_pdf, write_bytes, write_corrupt_pdf, write_encrypted_pdf,
    write_text, write_text_pdf,
)
from ingest import pipeline
from ingest.statutes import ARTICLE_RE
from yuqi import index as ix
from yuqi.analysis import analyze
from yuqi.errors import IngestBusy, YuqiError
from yuqi.retrieve import Retriever
from yuqi.textnorm import has_cjk

pytestmark = pytest.mark.slow

QUERY = "网贷利息超过多少法律不保护"
GUIDING = "最高人民法院关于审理民间借贷案件适用法律若干问题的规定"
GUIDING_REF = f"{GUIDING}#第二十五条"
OWNED_BY_LAWSDB = "用户上传：全国人民代表大会常务委员会关于《中华人民共和国刑法》第三百一十三条的解释"
SMALL_LAWS = ("中华人民共和国个人信息保护法", "中华人民共和国反电信网络诈骗法")


# ---------------------------------------------------------------- helpers




def copy_default(built, dest: Path):
    """Own copy of the session's default index (symlink kept) and a fresh corpus copy."""
    shared, _ = built
    shutil.copytree(shared.index_dir, dest / "index", symlinks=True)
    return make_settings(dest, copy_corpus(dest / "corpus"))


def load(settings):
    return ix.load_build(settings.index_dir, settings.embed_model, settings.chunk_size, settings.chunk_overlap)


def top_refs(settings, embedder, query: str = QUERY, k: int = 5) -> list[str]:
    a = analyze(query)
    hits = Retriever(load(settings), embedder).search(query, k=30, mode="hybrid+expansion",
                                                      expansion=a.expansion, boost=a.refs)
    return [ref for ref, _ in unique_ranked([(h.ref, h.chunk.doc_id) for h in hits], k)]


def bm25_docs(settings, embedder, phrase: str, k: int = 3) -> list[str]:
    return [h.chunk.doc_id for h in Retriever(load(settings), embedder).search(phrase, k=k, mode="bm25")]


def chunk_rows(settings) -> list[dict]:
    build = ix.current_build(settings.index_dir)
    return [json.loads(ln) for ln in (build / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]


def article(words: str, n: int = 3) -> str:
    """A short plain-text article whose distinctive words BM25 can find; a nonce in every
    paragraph makes each of its chunks new to the embedding cache."""
    uid = uuid.uuid4().hex[:12]
    return (
        f"关于{words}的说明\n"
        f"网贷逾期以后，{words}这件事经常被催收人员拿来吓唬借款人，其实并没有法律依据（{uid}）。\n"
        + "\n".join(f"第{i}段：遇到{words}的说法，先核实对方身份，保留聊天记录和通话录音，必要时向监管部门投诉（{uid}）。"
                    for i in range(n))
        + "\n"
    )


def statute_count(path: Path) -> int:
    return len(ARTICLE_RE.findall(path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- 1. documents-extra on the default index


@pytest.fixture(scope="module")
def with_extra(built, embedder, tmp_path_factory):
    settings = copy_default(built, tmp_path_factory.mktemp("extra"))
    # documents-extra are copies of shipped regulations (tests/test_regulations.py: "already present");
    # here they are added to a default index without corpus/regulations/, where they are new.
    shutil.rmtree(settings.corpus_dir / "regulations")
    pipeline.build(settings, embedder)
    before = load(settings)
    started = time.perf_counter()
    report = pipeline.add([DOCS_EXTRA], settings, embedder)
    seconds = time.perf_counter() - started
    print(f"\n[measure] ingest add documents-extra on the default index: {seconds:.1f}s "
          f"(embedded {report.embedded} of {report.chunks} chunks)")
    return settings, report, before


@needs_docs_extra
def test_extra_documents_are_added_and_retrieved(with_extra, embedder):
    settings, report, before = with_extra
    assert len(report.added) == 5 and not report.skipped and not report.duplicates
    assert not report.updated and not report.removed
    new_chunks = sum(d["chunks"] for d in pipeline.list_docs(settings) if d["doc_id"] in report.added)
    assert report.chunks == len(before.chunks) + new_chunks
    assert report.embedded <= new_chunks  # old vectors reused, never re-embedded
    assert ix.current_build_id(settings.index_dir) == report.build_id != before.build_id
    refs = top_refs(settings, embedder)
    assert GUIDING_REF in refs, refs


@needs_docs_extra
def test_list_docs_shows_the_new_documents(with_extra):
    settings, report, _ = with_extra
    docs = {d["doc_id"]: d for d in pipeline.list_docs(settings)}
    rows = chunk_rows(settings)
    expected_statutes = {
        "征信业管理条例": "zh_zhengxinye_guanli_tiaoli.md",
        GUIDING: "spc_minjian_jiedai_guiding_2020.md",
        "最高人民法院、最高人民检察院关于办理侵犯公民个人信息刑事案件适用法律若干问题的解释":
            "spc_spp_qinfan_gongmin_geren_xinxi_jieshi_2017.md",
    }
    for doc_id, name in expected_statutes.items():
        d = docs[doc_id]
        assert d["kind"] == "statute" and d["chunks"] == statute_count(DOCS_EXTRA / name)
        assert Path(d["path"]).parent == settings.corpus_dir / "user"
        mine = [r for r in rows if r["doc_id"] == doc_id]
        assert len(mine) == d["chunks"] and all(re.fullmatch(rf"{re.escape(doc_id)}#第.+条", r["ref"]) for r in mine)
    assert docs["征信业管理条例"]["chunks"] == 47
    # Titled legal documents without 第X条 lines: cited by their title, indexed as one document.
    # laws.db owns the NPCSC interpretation's title: the upload gets an id of its own (issue 12).
    for title in (OWNED_BY_LAWSDB, "最高人民法院关于新民间借贷司法解释适用范围问题的批复"):
        d = docs[title]
        assert d["kind"] == "article" and d["chunks"] >= 1
        assert {r["ref"] for r in rows if r["doc_id"] == title} == {title}
    assert set(report.added) == set(expected_statutes) | {
        OWNED_BY_LAWSDB, "最高人民法院关于新民间借贷司法解释适用范围问题的批复"}
    assert docs[OWNED_BY_LAWSDB]["origin"] == "upload"
    assert docs[GUIDING]["content_hash"]


@needs_docs_extra
def test_remove_takes_out_every_chunk(with_extra, embedder, tmp_path):
    # A copy of the corpus and index elsewhere: the registry's absolute paths are stale now,
    # as after moving the project; remove must still find and delete the document's file.
    src, _, _ = with_extra
    settings = make_settings(tmp_path, tmp_path / "corpus")
    shutil.copytree(src.index_dir, settings.index_dir, symlinks=True)
    shutil.copytree(src.corpus_dir, settings.corpus_dir)
    report = pipeline.remove(GUIDING, settings, embedder)
    assert report.removed == [GUIDING] and report.embedded == 0
    rows = chunk_rows(settings)
    assert not [r for r in rows if r["doc_id"] == GUIDING or r["ref"].startswith(GUIDING + "#")]
    assert GUIDING not in {d["doc_id"] for d in pipeline.list_docs(settings)}
    assert not (settings.corpus_dir / "user" / "spc_minjian_jiedai_guiding_2020.md").exists()
    assert (src.corpus_dir / "user" / "spc_minjian_jiedai_guiding_2020.md").exists()  # the original untouched
    assert not any(r.startswith(GUIDING) for r in top_refs(settings, embedder, k=10))
    with pytest.raises(YuqiError, match="ingest list"):
        pipeline.remove(GUIDING, settings, embedder)


def test_a_selected_law_is_shipped_and_never_removed(tmp_path, embedder):
    """Issue 25: `remove` deletes user uploads only; a law leaves through corpus/statutes.txt + build."""
    settings = _small(tmp_path, embedder)
    law = SMALL_LAWS[1]
    before = (settings.corpus_dir / "statutes.txt").read_text(encoding="utf-8")
    with pytest.raises(YuqiError, match="自带"):
        pipeline.remove(law, settings, embedder)
    assert (settings.corpus_dir / "statutes.txt").read_text(encoding="utf-8") == before
    assert {r["doc_id"] for r in chunk_rows(settings)} == set(SMALL_LAWS)


# ---------------------------------------------------------------- 2. incremental


def test_same_file_twice_is_unchanged(tmp_path, embedder):
    settings = _small(tmp_path / "ix", embedder)
    f = write_text(tmp_path, "yuqi_note.txt", article("上门催收"))
    first = pipeline.add([f], settings, embedder)
    n = pipeline.list_docs(settings)
    n_doc = next(d["chunks"] for d in n if d["doc_id"] == "yuqi_note")
    assert first.added == ["yuqi_note"] and first.embedded == n_doc > 0
    second = pipeline.add([f], settings, embedder)
    assert second.unchanged == ["yuqi_note"] and not second.added and not second.updated
    assert second.embedded == 0 and second.chunks == first.chunks
    assert [p.name for p in (settings.corpus_dir / "user").iterdir()] == ["yuqi_note.txt"]


@needs_docs_extra
def test_same_content_under_another_name_is_a_duplicate(tmp_path, embedder):
    settings = _small(tmp_path / "ix", embedder)
    txt = write_text(tmp_path, "a.txt", article("爆通讯录"))
    md = tmp_path / "jieshi.md"
    shutil.copyfile(DOCS_EXTRA / "npcsc_xingfa_313_jieshi_2002.md", md)
    first = pipeline.add([txt, md], settings, embedder)
    assert len(first.added) == 2
    other = tmp_path / "other"
    other.mkdir()
    shutil.copyfile(txt, other / "b.txt")
    shutil.copyfile(md, other / "jieshi_copy.md")  # a titled doc: same doc id (its title), new name
    again = pipeline.add([other], settings, embedder)
    assert sorted(again.duplicates) == sorted([(str(other / "b.txt"), "a"), (str(other / "jieshi_copy.md"), first.added[1])])
    assert not again.added and again.embedded == 0 and again.chunks == first.chunks
    assert sorted(p.name for p in (settings.corpus_dir / "user").iterdir()) == ["a.txt", "jieshi.md"]
    assert not again.skipped


def test_duplicates_within_one_batch(tmp_path, embedder):
    settings = _small(tmp_path / "ix", embedder)
    folder = tmp_path / "batch"
    folder.mkdir()
    text = article("冒充律师")
    write_text(folder, "one.txt", text)
    write_text(folder, "two.txt", text)
    report = pipeline.add([folder], settings, embedder)
    assert report.added == ["one"] and report.duplicates == [(str(folder / "two.txt"), "one")]
    assert sorted(p.name for p in (settings.corpus_dir / "user").iterdir()) == ["one.txt"]


def test_changed_file_replaces_its_chunks(tmp_path, embedder):
    settings = _small(tmp_path / "ix", embedder)
    base = len(chunk_rows(settings))
    f = write_text(tmp_path, "change.txt", article("鸵鸟养殖合作社", n=12))
    pipeline.add([f], settings, embedder)
    assert bm25_docs(settings, embedder, "鸵鸟养殖合作社")[0] == "change"
    write_text(tmp_path, "change.txt", article("企鹅保护协会", n=2))
    report = pipeline.add([f], settings, embedder)
    assert report.updated == ["change"] and not report.added
    rows = [r for r in chunk_rows(settings) if r["doc_id"] == "change"]
    assert rows and not [r for r in rows if "鸵鸟" in r["text"]]
    assert len(rows) == report.embedded == next(d["chunks"] for d in pipeline.list_docs(settings)
                                                if d["doc_id"] == "change")
    assert len(chunk_rows(settings)) == base + len(rows)
    assert "change" not in bm25_docs(settings, embedder, "鸵鸟养殖合作社")
    assert bm25_docs(settings, embedder, "企鹅保护协会")[0] == "change"


def test_adding_one_article_to_the_default_index_embeds_only_its_chunks(built, embedder, tmp_path):
    settings = copy_default(built, tmp_path / "d")
    before = len(load(settings).chunks)
    f = write_text(tmp_path, "new_article.txt", article("法院短信通知开庭", n=8))
    started = time.perf_counter()
    report = pipeline.add([f], settings, embedder)
    seconds = time.perf_counter() - started
    n = next(d["chunks"] for d in pipeline.list_docs(settings) if d["doc_id"] == "new_article")
    print(f"\n[measure] add one article ({n} chunks) to the default index ({before} chunks): {seconds:.2f}s")
    assert report.added == ["new_article"] and report.embedded == n > 1
    assert report.chunks == len(load(settings).chunks) == before + n
    assert seconds < 30


# ---------------------------------------------------------------- 3. bad files through the pipeline


def test_good_and_bad_files(tmp_path, embedder):
    settings = _small(tmp_path / "ix", embedder)
    base = len(chunk_rows(settings))
    d = tmp_path / "in"
    d.mkdir()
    good = {
        "gbk_note": ("鸵鸟", write_text(d, "gbk_note.txt", article("鸵鸟"), "gbk")),
        "bom_note": ("企鹅", write_text(d, "bom_note.txt", article("企鹅"), "utf-8-sig")),
        "page": ("长颈鹿", write_text(d, "page.html", article_html().replace(
            "</article>", "<p>长颈鹿公司冒充法院的短信不用理会，可拨打12368核实。</p></article>"))),
    }
    if cjk_font():
        pdf = write_text_pdf(d, [["袋鼠公司催收说要上门，这是假的。" * 4, "遇到袋鼠公司的威胁，可以保留证据报警。"]], "kangaroo.pdf")
        good["kangaroo"] = ("袋鼠", pdf)
    blank = write_blank_pdf(tmp_path, "src.pdf")
    bad = [
        write_encrypted_pdf(d, blank, "locked.pdf"),
        write_corrupt_pdf(d, blank, "broken.pdf", keep=0.3),
        write_bytes(d, "empty.txt", b""),
        write_bytes(d, "shot.txt", png_bytes()),
        write_bytes(d, "blob.txt", b"\x00\x01\x02\x03abc\x00" * 50),
        write_bytes(d, "letter.docx", b"PK\x03\x04" + b"\x00" * 40),
    ]
    report = pipeline.add([d], settings, embedder)
    assert sorted(report.added) == sorted(good)
    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(skipped) == {p.name for p in bad}, skipped
    assert all(has_cjk(r) for r in skipped.values()), skipped
    assert "加密" in skipped["locked.pdf"] and "不支持" in skipped["letter.docx"] and "空" in skipped["empty.txt"]
    for doc_id, (word, _) in good.items():
        assert bm25_docs(settings, embedder, word)[0] == doc_id, (doc_id, word)
    staged = {p.name for p in (settings.corpus_dir / "user").iterdir() if not p.name.startswith(".")}
    assert staged == {p.name for _, p in good.values()}  # bad files never enter the corpus
    page = next(r for r in chunk_rows(settings) if r["doc_id"] == "page")
    assert "精彩评论" not in page["text"] and "ICP" not in page["text"]
    assert len(load(settings).chunks) == base + sum(d["chunks"] for d in pipeline.list_docs(settings)
                                                    if d["doc_id"] in good)


def test_only_bad_files_leave_the_index_as_it_was(tmp_path, embedder):
    settings = _small(tmp_path / "ix", embedder)
    before = load(settings)
    bad = [write_bytes(tmp_path, "empty.md", b""), write_bytes(tmp_path, "x.txt", png_bytes()),
           write_bytes(tmp_path, "y.pdf", b"%PDF-1.4\n garbage")]
    report = pipeline.add(bad, settings, embedder)
    assert not report.added and report.embedded == 0 and len(report.skipped) == 3
    after = load(settings)
    assert [c.chunk_id for c in after.chunks] == [c.chunk_id for c in before.chunks]
    assert not (settings.corpus_dir / "user").exists() or not any((settings.corpus_dir / "user").iterdir())


# ---------------------------------------------------------------- 4. safety


@pytest.mark.parametrize("name", [
    "../../evil.md", "/etc/passwd.md", "..\\..\\evil.md", "C:\\Windows\\evil.md", "sub/../../../evil.md",
    ".hidden.md", "..", "../", "a<b>:c|d?.md", "\x00evil.md", "   ",
])
def test_safe_name_stays_inside_user_dir(tmp_path, name):
    user = tmp_path / "corpus" / "user"
    safe = pipeline.safe_name(name)
    assert safe and "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert (user / safe).resolve().parent == user.resolve()


def test_path_tricks_are_staged_inside_user_dir(tmp_path, embedder):
    settings = _small(tmp_path / "ix", embedder)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    write_text(tmp_path, "evil.md", article("路径穿越"))
    write_text(deep, "..dots.txt", article("隐藏文件"))
    tricky = [deep / ".." / ".." / "evil.md", deep / "..dots.txt"]
    before = set(tmp_path.rglob("*"))
    report = pipeline.add(tricky, settings, embedder)
    assert sorted(report.added) == ["dots", "evil"]  # the ids of the staged copies
    user = settings.corpus_dir / "user"
    assert sorted(p.name for p in user.iterdir()) == ["dots.txt", "evil.md"]
    created = {p for p in set(tmp_path.rglob("*")) - before if p.is_file()}
    ledger = settings.corpus_dir / ".user-origins.json"  # where each staged copy came from
    assert all(p.resolve().is_relative_to(settings.index_dir.resolve()) or p.parent == user or p == ledger
               for p in created), created


def test_second_ingest_is_told_busy(tmp_path, embedder):
    settings = _small(tmp_path / "ix", embedder)
    f = write_text(tmp_path, "busy.txt", article("并发导入"))
    live = ix.current_build_id(settings.index_dir)
    with pipeline.ingest_lock(settings):
        started = time.perf_counter()
        with pytest.raises(IngestBusy, match="另一个导入任务"):
            pipeline.add([f], settings, embedder)
        with pytest.raises(IngestBusy):
            pipeline.build(settings, embedder)
        assert time.perf_counter() - started < 5  # told at once, not after waiting
    assert ix.current_build_id(settings.index_dir) == live
    assert not (settings.corpus_dir / "user").exists()
    assert pipeline.add([f], settings, embedder).added == ["busy"]


def _boom(*args, **kwargs):
    raise RuntimeError("disk full")


@pytest.mark.parametrize("where", ["write_build", "embedder"])
def test_failure_inside_the_build_keeps_the_old_build(tmp_path, embedder, monkeypatch, where):
    settings = _small(tmp_path / "ix", embedder)
    live = ix.current_build_id(settings.index_dir)
    n = len(load(settings).chunks)
    if where == "write_build":
        monkeypatch.setattr(ix, "write_build", _boom)
    else:
        monkeypatch.setattr(embedder, "encode_passages", _boom)
    f = write_text(tmp_path, "fails.txt", article("构建失败"))
    with pytest.raises(RuntimeError, match="disk full"):
        pipeline.add([f], settings, embedder)
    assert ix.current_build_id(settings.index_dir) == live
    assert len(load(settings).chunks) == n
    assert not (settings.corpus_dir / "user" / "fails.txt").exists()
    assert not list((settings.index_dir / "builds").glob(".*.tmp"))
    monkeypatch.undo()
    assert pipeline.add([f], settings, embedder).added == ["fails"]  # and the lock was released


def test_failed_update_keeps_the_previous_version(tmp_path, embedder, monkeypatch):
    settings = _small(tmp_path / "ix", embedder)
    v1 = article("第一版内容")
    f = write_text(tmp_path, "doc.txt", v1)
    pipeline.add([f], settings, embedder)
    write_text(tmp_path, "doc.txt", article("第二版内容"))
    monkeypatch.setattr(ix, "write_build", _boom)
    with pytest.raises(RuntimeError):
        pipeline.add([f], settings, embedder)
    monkeypatch.undo()
    # The corpus still holds what the live index holds: a later rebuild keeps version 1.
    assert (settings.corpus_dir / "user" / "doc.txt").read_text(encoding="utf-8") == v1
    report = pipeline.build(settings, embedder)
    assert "doc" in report.unchanged and not report.removed


def test_failed_remove_keeps_the_document(tmp_path, embedder, monkeypatch):
    settings = _small(tmp_path / "ix", embedder)
    f = write_text(tmp_path, "keep.txt", article("删除失败"))
    pipeline.add([f], settings, embedder)
    selection = (settings.corpus_dir / "statutes.txt").read_text(encoding="utf-8")
    monkeypatch.setattr(ix, "write_build", _boom)
    with pytest.raises(RuntimeError):
        pipeline.remove("keep", settings, embedder)
    monkeypatch.undo()
    assert (settings.corpus_dir / "user" / "keep.txt").exists()
    assert (settings.corpus_dir / "statutes.txt").read_text(encoding="utf-8") == selection
    report = pipeline.build(settings, embedder)
    assert not report.removed and "keep" in report.unchanged


# ---------------------------------------------------------------- 4b. killed mid-ingest (real processes)


def _env(settings) -> dict:
    env = dict(os.environ, YUQI_INDEX_DIR=str(settings.index_dir), YUQI_CORPUS_DIR=str(settings.corpus_dir),
               YUQI_DATA_DIR=str(settings.data_dir), HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    for var in ("YUQI_CHUNK_SIZE", "YUQI_CHUNK_OVERLAP", "YUQI_EMBED_MODEL"):
        env.pop(var, None)
    return env


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"ingest finished (rc {proc.returncode}) before it could be killed midway")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("ingest never reached the point to kill it")
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL


def _after_kill(settings, embedder, live: str, answer: list[str], folder: Path) -> None:
    """The previous build is still current and complete; the lock is free; the next add works."""
    assert ix.current_build_id(settings.index_dir) == live
    assert top_refs(settings, embedder) == answer
    with pipeline.ingest_lock(settings):  # flock died with the process: no stale lock
        pass
    report = pipeline.add([folder], settings, embedder)
    assert report.added or report.unchanged
    assert not list((settings.index_dir / "builds").glob(".*.tmp"))
    assert ix.current_build_id(settings.index_dir) == report.build_id != live
    assert len(load(settings).chunks) == report.chunks


def _kill_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "to_add"
    folder.mkdir()
    for i in range(3):
        write_text(folder, f"kill_{i}.txt", article(f"进程被杀{i}", n=10))
    return folder


def test_cli_add_killed_midway_leaves_the_previous_index(built, embedder, tmp_path):
    settings = copy_default(built, tmp_path / "d")
    live = ix.current_build_id(settings.index_dir)
    answer = top_refs(settings, embedder)
    folder = _kill_folder(tmp_path)
    builds = settings.index_dir / "builds"
    out = open(tmp_path / "out.txt", "w")
    proc = subprocess.Popen([sys.executable, "-m", "ingest", "add", str(folder)], cwd=ROOT, env=_env(settings),
                            stdout=out, stderr=subprocess.STDOUT)
    _kill_when(proc, lambda: any(builds.glob(".*.tmp")))
    out.close()
    if list(builds.glob(".*.tmp")):  # killed while writing (not in the instant after the rename)
        _after_kill(settings, embedder, live, answer, folder)
    else:  # pragma: no cover - the build finished in the ms between seeing .tmp and the kill
        assert len(load(settings).chunks) > 0


@pytest.mark.parametrize("stage", ["tmp", "renamed"])
def test_killed_inside_write_build(built, embedder, tmp_path, stage):
    """Deterministic: the helper pauses `python -m ingest add` with a complete temp build
    (`tmp`) or a renamed build not yet pointed at (`renamed`), and is killed there."""
    settings = _small(tmp_path / "ix", embedder)
    live = ix.current_build_id(settings.index_dir)
    answer = top_refs(settings, embedder)
    folder = _kill_folder(tmp_path)
    out_path = tmp_path / "out.txt"
    with open(out_path, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).parent / "ingest_killer.py"), stage, "add", str(folder)],
            cwd=ROOT, env=_env(settings), stdout=out, stderr=subprocess.STDOUT)
        _kill_when(proc, lambda: "KILL-ME" in out_path.read_text(errors="replace"))
    builds = settings.index_dir / "builds"
    if stage == "tmp":
        assert len(list(builds.glob(".*.tmp"))) == 1
    else:
        assert len([p for p in builds.iterdir() if not p.name.startswith(".")]) == 2  # live + orphan
    _after_kill(settings, embedder, live, answer, folder)


def _small(base: Path, embedder, **changes):
    return small_index(base, embedder, SMALL_LAWS, **changes)
