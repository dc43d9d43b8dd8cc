"""Document identity does not depend on file names (issue 12, findings 3 and 8; statute identity).

Every test runs the `python -m ingest` command (its `main`, in this process: see
`fake_embed.run_ingest`) over real files, with the deterministic fake embedder standing in for
the model.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fake_embed import run_ingest
from filemakers import write_text

LAW = "中华人民共和国个人信息保护法"


def setup_corpus(base: Path) -> Path:
    corpus = base / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "statutes.txt").write_text(LAW + "\n", encoding="utf-8")
    res = run_ingest(base, "build")
    assert res.returncode == 0, res.stderr
    return corpus


def folder(base: Path, name: str) -> Path:
    (base / name).mkdir()
    return base / name


def docs(base: Path) -> dict[str, dict]:
    return json.loads((base / "index" / "current" / "docs.json").read_text(encoding="utf-8"))


def chunk_texts(base: Path) -> list[str]:
    lines = (base / "index" / "current" / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(x)["text"] for x in lines]


def ok(res) -> str:
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    return res.stdout


def test_same_name_in_two_folders_are_two_documents(tmp_path):
    setup_corpus(tmp_path)
    a = write_text(folder(tmp_path, "a"), "same.txt", "甲方的文章\n网贷逾期后催收人员说要上门外访。")
    b = write_text(folder(tmp_path, "b"), "same.txt", "乙方的文章\n收到12368短信要先核实案号。")
    ok(run_ingest(tmp_path, "add", str(a), str(b)))
    texts = "\n".join(chunk_texts(tmp_path))
    assert "上门外访" in texts and "核实案号" in texts  # neither overwrote the other
    ids = [d for d in docs(tmp_path) if d != LAW]
    assert len(ids) == 2 and len(set(ids)) == 2
    # and again in a later batch: a third same.txt from elsewhere is a third document
    c = write_text(folder(tmp_path, "c"), "same.txt", "丙方的文章\n律师函不是法律文书。")
    ok(run_ingest(tmp_path, "add", str(c)))
    assert len([d for d in docs(tmp_path) if d != LAW]) == 3


def test_re_adding_the_same_file_updates_it(tmp_path):
    setup_corpus(tmp_path)
    (tmp_path / "a").mkdir()
    f = write_text(tmp_path / "a", "note.txt", "第一版\n旧的内容说要起诉。")
    ok(run_ingest(tmp_path, "add", str(f)))
    write_text(tmp_path / "a", "note.txt", "第二版\n新的内容说先核实。")
    out = ok(run_ingest(tmp_path, "add", str(f)))
    assert "更新 1" in out
    texts = "\n".join(chunk_texts(tmp_path))
    assert "新的内容" in texts and "旧的内容" not in texts
    assert len(docs(tmp_path)) == 2


def test_txt_and_md_siblings_are_two_documents_and_remove_takes_one(tmp_path):
    corpus = setup_corpus(tmp_path)
    (tmp_path / "a").mkdir()
    txt = write_text(tmp_path / "a", "notice.txt", "文本通知\n催收短信说已立案。")
    md = write_text(tmp_path / "a", "notice.md", "Markdown 通知\n\n律师函本身没有强制效力。")
    out = ok(run_ingest(tmp_path, "add", str(txt), str(md)))
    assert "重复" not in out and "新增 2" in out
    ids = sorted(d for d in docs(tmp_path) if d != LAW)
    assert len(ids) == 2
    staged = sorted(p.name for p in (corpus / "user").iterdir() if not p.name.startswith("."))
    assert len(staged) == 2
    # Remove one by its id: exactly that file goes, the other document stays as it was.
    target = ids[0]
    kept = ids[1]
    kept_path = docs(tmp_path)[kept]["path"]
    ok(run_ingest(tmp_path, "remove", target))
    after = docs(tmp_path)
    assert target not in after and kept in after and after[kept]["path"] == kept_path
    assert Path(kept_path).is_file()
    assert len([p for p in (corpus / "user").iterdir() if not p.name.startswith(".")]) == 1


def test_siblings_placed_in_the_corpus_by_hand(tmp_path):
    """Files copied into corpus/user directly (not through add) still get one id each."""
    corpus = setup_corpus(tmp_path)
    (corpus / "user").mkdir()
    write_text(corpus / "user", "notice.txt", "文本通知\n催收短信说已立案。")
    write_text(corpus / "user", "notice.md", "Markdown 通知\n\n律师函本身没有强制效力。")
    out = ok(run_ingest(tmp_path, "build"))
    assert "跳过" not in out
    ids = sorted(d for d in docs(tmp_path) if d != LAW)
    assert ids == ["notice", "notice（user/notice.txt）"]
    # A file name that names one file is exact: that file goes, its sibling stays.
    res = run_ingest(tmp_path, "remove", "notice.md")
    assert res.returncode == 0, res.stderr
    assert sorted(d for d in docs(tmp_path) if d != LAW) == ["notice（user/notice.txt）"]


def test_two_md_sharing_a_legal_title(tmp_path):
    corpus = setup_corpus(tmp_path)
    (tmp_path / "a").mkdir()
    body = "# 关于网络借贷催收的若干规定\n\n一、催收不得骚扰无关第三人。\n"
    one = write_text(tmp_path / "a", "one.md", body)
    two = write_text(tmp_path / "a", "two.md", body.replace("无关第三人", "借款人的家人和同事"))
    ok(run_ingest(tmp_path, "add", str(one), str(two)))
    titled = {k: v for k, v in docs(tmp_path).items() if v["title"] == "关于网络借贷催收的若干规定"}
    assert len(titled) == 2
    texts = "\n".join(chunk_texts(tmp_path))
    assert "无关第三人" in texts and "家人和同事" in texts
    # Removing one (by its file name) leaves the other with its own text.
    before = sorted(p.name for p in (corpus / "user").iterdir())
    res = run_ingest(tmp_path, "remove", "one")
    assert res.returncode == 0, res.stderr
    for d in docs(tmp_path).values():
        assert d["path"].endswith("two.md") or d["path"].startswith("laws.db:")
    assert sorted(p.name for p in (corpus / "user").iterdir()) == [n for n in before if n != "one.md"]


def test_ambiguous_remove_deletes_nothing_and_lists_candidates(tmp_path):
    corpus = setup_corpus(tmp_path)
    for folder, text in (("a", "第一篇\n催收说上门。"), ("b", "第二篇\n法院短信核实。")):
        (tmp_path / folder).mkdir()
        write_text(tmp_path / folder, "x.md", f"# 同一个标题\n\n{text}")
    ok(run_ingest(tmp_path, "add", str(tmp_path / "a" / "x.md"), str(tmp_path / "b" / "x.md")))
    before_docs = docs(tmp_path)
    before_files = sorted(p.name for p in (corpus / "user").iterdir())
    res = run_ingest(tmp_path, "remove", "同一个标题")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "对应多个文档" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    for doc_id, d in before_docs.items():
        if d["title"] == "同一个标题":
            assert doc_id in res.stderr
    assert docs(tmp_path) == before_docs
    assert sorted(p.name for p in (corpus / "user").iterdir()) == before_files


@pytest.mark.parametrize("title", ["刑法", "中华人民共和国刑法"])
def test_uploaded_statute_cannot_take_a_law_title(tmp_path, title):
    setup_corpus(tmp_path)
    (tmp_path / "up").mkdir()
    fake = write_text(tmp_path / "up", "xingfa.md",
                      f"# {title}\n\n第九百条 网络借款逾期不还的，处三年以下有期徒刑。\n")
    out = ok(run_ingest(tmp_path, "add", str(fake)))
    assert f"已作为用户上传文本“用户上传：{title}”导入" in out  # said, not silent
    d = docs(tmp_path)
    own = f"用户上传：{title}"
    assert own in d and title not in d
    assert d[own]["origin"] == "upload" and d[own]["kind"] == "statute"
    refs = [json.loads(x)["ref"] for x in
            (tmp_path / "index" / "current" / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert f"{own}#第九百条" in refs and f"{title}#第九百条" not in refs


def test_uploaded_copy_of_a_shipped_regulation_title(tmp_path):
    corpus = setup_corpus(tmp_path)
    (corpus / "regulations").mkdir()
    reg = "最高人民法院关于审理民间借贷案件适用法律若干问题的规定"
    write_text(corpus / "regulations", "minjian.md", f"# {reg}\n\n第一条 真实的条文。\n")
    (tmp_path / "up").mkdir()
    fake = write_text(tmp_path / "up", "reg.md", f"# {reg}\n\n第一条 伪造的条文，逾期一律坐牢。\n")
    ok(run_ingest(tmp_path, "add", str(fake)))
    d = docs(tmp_path)
    assert f"用户上传：{reg}" in d and d[f"用户上传：{reg}"]["origin"] == "upload"
    if reg in d:  # the corpus loader reads regulations/ (another change): the shipped one keeps its id
        assert d[reg]["origin"] != "upload"


def test_two_uploads_named_alike_in_one_batch(tmp_path):
    """The ingest page writes uploads with staging.write_uploads, then adds them."""
    from ingest.staging import write_uploads

    setup_corpus(tmp_path)
    paths = write_uploads([("通知.txt", "第一份通知\n催收说要起诉。".encode()),
                           ("通知.txt", "第二份通知\n平台说可以协商还款。".encode()),
                           ("../通知.txt", "第三份通知\n律师函没有强制效力。".encode())], tmp_path / "uploads")
    assert len(set(paths)) == 3 and all(p.is_relative_to(tmp_path / "uploads") for p in paths)
    out = ok(run_ingest(tmp_path, "add", *map(str, paths)))
    assert "新增 3" in out
    texts = "\n".join(chunk_texts(tmp_path))
    assert "要起诉" in texts and "协商还款" in texts and "强制效力" in texts


# --- issue 25: identity-safe remove (never a shipped source, never a guess between two uploads) ---

ROOT_DIR = Path(__file__).resolve().parent.parent


def setup_with_card(base: Path) -> Path:
    corpus = base / "corpus"
    (corpus / "knowledge").mkdir(parents=True)
    (corpus / "statutes.txt").write_text(LAW + "\n", encoding="utf-8")
    shutil.copy(ROOT_DIR / "corpus" / "knowledge" / "zuolao.md", corpus / "knowledge" / "zuolao.md")
    ok(run_ingest(base, "build"))
    return corpus


def refused(res, *words: str) -> str:
    assert res.returncode != 0 and "Traceback" not in res.stderr + res.stdout
    assert len(res.stderr.strip().splitlines()) == 1
    for w in words:
        assert w in res.stderr
    return res.stderr


def test_remove_by_a_name_a_shipped_card_answers_to_removes_nothing(tmp_path):
    corpus = setup_with_card(tmp_path)
    upload = write_text(folder(tmp_path, "up"), "zuolao.md", "# 我的笔记\n\n催收说要报警抓我。")
    ok(run_ingest(tmp_path, "add", str(upload)))
    before = docs(tmp_path)
    err = refused(run_ingest(tmp_path, "remove", "zuolao.md"), "自带", "未做任何改动")
    up_id = next(d for d, v in before.items() if v.get("origin") == "upload")
    assert up_id in err  # says which id removes the upload
    assert docs(tmp_path) == before
    assert (corpus / "knowledge" / "zuolao.md").is_file()
    # The upload goes by its id, and the card stays.
    ok(run_ingest(tmp_path, "remove", up_id))
    assert (corpus / "knowledge" / "zuolao.md").is_file() and up_id not in docs(tmp_path)


def test_shipped_sources_are_never_removed_even_by_id(tmp_path):
    corpus = setup_with_card(tmp_path)
    card = next(d for d, v in docs(tmp_path).items() if v.get("origin") == "knowledge")
    selection = (corpus / "statutes.txt").read_text(encoding="utf-8")
    for name in (card, LAW):
        refused(run_ingest(tmp_path, "remove", name), "自带")
    assert (corpus / "statutes.txt").read_text(encoding="utf-8") == selection
    assert (corpus / "knowledge" / "zuolao.md").is_file() and LAW in docs(tmp_path)


@pytest.mark.parametrize("title", [LAW, "個人信息保護法".replace("個人信息保護法", "中華人民共和國個人信息保護法")])
def test_remove_by_a_law_title_an_upload_also_has_removes_nothing(tmp_path, title):
    corpus = setup_corpus(tmp_path)
    fake = write_text(folder(tmp_path, "up"), "fake.md", f"# {title}\n\n第九百条 逾期不还的，处三年以下有期徒刑。\n")
    ok(run_ingest(tmp_path, "add", str(fake)))
    before = docs(tmp_path)
    refused(run_ingest(tmp_path, "remove", LAW), "自带")
    assert docs(tmp_path) == before and LAW in (corpus / "statutes.txt").read_text(encoding="utf-8")


def test_two_uploads_of_the_same_file_name_are_ambiguous(tmp_path):
    corpus = setup_corpus(tmp_path)
    a = write_text(folder(tmp_path, "a"), "same.txt", "甲方的文章\n网贷逾期后催收人员说要上门外访。")
    b = write_text(folder(tmp_path, "b"), "same.txt", "乙方的文章\n收到12368短信要先核实案号。")
    ok(run_ingest(tmp_path, "add", str(a), str(b)))
    before = docs(tmp_path)
    files = sorted(p.name for p in (corpus / "user").iterdir())
    refused(run_ingest(tmp_path, "remove", "same.txt"), "对应多个文档")
    assert docs(tmp_path) == before and sorted(p.name for p in (corpus / "user").iterdir()) == files


@pytest.mark.parametrize("name,content", [
    ("a.md", "# 中華人民共和國個人信息保護法\n\n第九百条 逾期不还的，处三年以下有期徒刑。\n"),
    ("b.md", "# 中华人民共和国个人信息保护法（2021年修正）\n\n第九百条 逾期不还的，处三年以下有期徒刑。\n"),
    ("c.md", "# 个人信息\u200b保护法\n\n第九百条 逾期不还的，处三年以下有期徒刑。\n"),
    ("d.md", "# 个人信息保护法　\n\n第九百条 逾期不还的，处三年以下有期徒刑。\n".replace("保护法", "保护　法")),
    ("e.txt", "中华人民共和国个人信息保护法\n\n第九百条 逾期不还的，处三年以下有期徒刑。\n"),
    ("f.html", "<html><head><title>中华人民共和国个人信息保护法</title></head><body><p>第九百条 逾期不还的，"
               "处三年以下有期徒刑。网贷逾期不还的人都要坐牢，这是法律规定的内容，请大家注意。</p></body></html>"),
])
def test_uploads_spelling_a_law_title_any_way_are_marked(tmp_path, name, content):
    setup_corpus(tmp_path)
    fake = write_text(folder(tmp_path, "up"), name, content)
    ok(run_ingest(tmp_path, "add", str(fake)))
    uploads = {k: v for k, v in docs(tmp_path).items() if v.get("origin") == "upload"}
    assert len(uploads) == 1
    (doc_id, d), = uploads.items()
    assert d["title"].startswith("用户上传：") and doc_id.startswith("用户上传："), (doc_id, d["title"])
    refs = [json.loads(x)["ref"] for x in
            (tmp_path / "index" / "current" / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert not [r for r in refs if r.startswith(LAW + "#第九百条")]
