"""Citations that mean what they say: "exists" vs "applies", both readings of a renumbered
article, the one status table, and the `python -m yuqi.citations` contract."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from yuqi.citations import LawsDb, badge, check_text, claims, clean_answer, lawsdb
from yuqi.citations.status import STATUSES

ROOT = Path(__file__).resolve().parent.parent
ZA = "中华人民共和国治安管理处罚法"
pytestmark = pytest.mark.skipif(not lawsdb.available(), reason="laws.db not installed")


@pytest.fixture(scope="module")
def db():
    return LawsDb()


def test_every_claim_names_articles_that_exist_and_define_the_crime(db):
    raw = json.loads((ROOT / "yuqi/citations/data/claims.json").read_text("utf-8"))["claims"]
    assert len(raw) == len(claims()) >= 5
    for entry, claim in zip(raw, claims()):
        assert claim.refs and claim.conditions and claim.why_not
        for ref in claim.refs:
            title, _, no = ref.partition("#")
            # the article exists and is the one that defines the crime (its own words)
            assert entry["article_says"] in db.articles(title)[no], ref


@pytest.mark.parametrize("text, crime", [
    ("你已构成贷款诈骗罪（《刑法》第一百九十三条），请立即还款", "贷款诈骗罪"),
    ("根据《刑法》第一百九十六条，你属于恶意透支，将被追究刑事责任", "信用卡诈骗罪（恶意透支）"),
    ("拒不还款将以拒执罪（刑法第三百一十三条）移交公安", "拒不执行判决、裁定罪"),
    ("你的行为涉嫌诈骗，《中华人民共和国刑法》第二百六十六条规定……", "诈骗罪"),
    ("再不还钱就按寻衅滋事处理，刑法第二百九十三条", "寻衅滋事罪"),
])
def test_a_claimed_crime_gets_its_conditions_not_a_bare_tick(text, crime, db):
    (r,) = check_text(text, db)
    assert r.status == "verified"  # the article exists …
    assert r.claim is not None and r.claim.crime == crime  # … but that is not the end of it
    assert badge(r.status, True).startswith("ℹ️ 条文存在，但")
    assert "✅" not in badge(r.status, True)


def test_citing_an_article_without_asserting_the_crime_carries_no_claim(db):
    (r,) = check_text("《刑法》第一百九十三条的内容可以在国家法律法规数据库查到", db)
    assert r.status == "verified" and r.claim is None
    (r,) = check_text("《刑法》第二百九十三条之一规定了催收非法债务罪", db)
    assert r.claim is None  # 293之一 binds collectors; it is not in the claim table


def test_bare_old_number_of_a_renumbered_law_gets_both_readings(db):
    (r,) = check_text("催收称你违反了《治安管理处罚法》第四十二条", db)
    assert r.status == "renumbered"
    current, old = r.readings
    assert current.ref == f"{ZA}#第四十二条" and "铁路" in current.text
    assert old.ref == f"{ZA}#第五十条" and "干扰他人正常生活" in old.text
    assert r.current_ref == f"{ZA}#第五十条"
    assert "第四十二条" in r.note and "第五十条" in r.note


def test_renumbered_law_kept_as_history_in_laws_db_is_found_by_text(db):
    # 仲裁法: laws.db holds the 2017 text as 历史版本; nothing about it is in our data files
    (r,) = check_text("《仲裁法》第二条", db)
    assert r.status == "renumbered" and [x.ref.partition("#")[2] for x in r.readings] == ["第二条", "第三条"]


def test_a_dated_text_reads_the_old_number_as_old(db):
    (r,) = check_text("《治安管理处罚法》第四十二条", db, as_of="2020-01-01")
    assert r.status == "outdated" and r.current_ref == f"{ZA}#第五十条"
    (r,) = check_text("《治安管理处罚法》第四十二条", db, as_of="2026-02-01")
    assert r.status == "verified" and r.current_ref == f"{ZA}#第四十二条"


def test_answer_citing_the_current_number_is_kept_and_an_old_number_is_flagged(db):
    out = clean_answer("依据《治安管理处罚法》第五十条[1]。", 1, {f"{ZA}#第五十条"}, db)
    assert out.text == "依据《治安管理处罚法》第五十条[1]。" and not out.flagged
    # the retrieved passage is today's 第五十条; an answer writing the old 第四十二条 is told so
    out = clean_answer("依据《治安管理处罚法》第四十二条[1]。", 1, {f"{ZA}#第五十条"}, db)
    assert "第四十二条（⚠条号已变动，旧版该条现为第五十条）" in out.text
    assert clean_answer(out.text, 1, {f"{ZA}#第五十条"}, db).text == out.text
    # 仲裁法 (history in laws.db): the current 第三条, when shown, is not flagged
    out = clean_answer("《仲裁法》第三条[1]", 1, {"中华人民共和国仲裁法#第三条"}, db)
    assert not out.flagged


def test_one_status_table():
    """Labels live in status.py only: no other module spells a status → label mapping."""
    pattern = re.compile(r"[\"']outdated[\"']\s*:\s*[\"']")
    copies = [str(p.relative_to(ROOT)) for p in [*ROOT.glob("yuqi/**/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("ingest/*.py")]
              if pattern.search(p.read_text(encoding="utf-8")) and p.name != "status.py"]
    assert copies == []
    assert {"verified", "uploaded", "renumbered", "outdated", "not_found", "unknown_law"} <= set(STATUSES)
    assert STATUSES["uploaded"].label == "依据上传文本核对"


def test_cli_contract():
    text = "你已构成贷款诈骗罪（《刑法》第一百九十三条）。《治安管理处罚法》第四十二条。《民法典》第九千条。"
    proc = subprocess.run([sys.executable, "-m", "yuqi.citations"], input=text.encode("utf-8"),
                          capture_output=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert all({"raw", "ref", "status", "current_ref"} <= set(r) for r in rows)
    assert [(r["status"], r["current_ref"]) for r in rows] == [
        ("verified", "中华人民共和国刑法#第一百九十三条"), ("renumbered", f"{ZA}#第五十条"), ("not_found", None)]
    assert rows[0]["claim"]["crime"] == "贷款诈骗罪" and rows[1]["readings"]


def test_cite_page_escapes_what_the_user_pasted(db):
    from streamlit.testing.v1 import AppTest

    def page():
        from ui.cite_page import show_result
        from yuqi.citations import LawsDb, check_text

        text = "《[点我](http://evil.example/p)<img src=x>管理办法》第三条；你已构成贷款诈骗罪（《刑法》第一百九十三条）"
        for r in check_text(text, LawsDb()):
            show_result(r)

    at = AppTest.from_function(page).run()
    assert not at.exception, at.exception
    labels = [e.label for e in at.expander]
    assert len(labels) == 2
    # every character markdown or HTML could act on is backslash-escaped: the label renders as text
    assert "点我" in labels[0] and re.search(r"(?<!\\)[\[\]()<>]", labels[0]) is None
    assert "条文存在，但" in labels[1] and "✅" not in labels[1]
    assert any("为什么普通逾期不符合" in w.value for w in at.warning)


def test_citation_items_are_typed_and_read_old_docs_json_entries(db):
    from yuqi.citations import CitationItem, items_of

    (r,) = check_text("《治安管理处罚法》第四十二条", db)
    item = CitationItem.from_result(r)
    assert item.readings[1] == ("2012年修正本第四十二条，现为第五十条", f"{ZA}#第五十条")
    doc = {"citations": {"summary": "", "items": [
        json.loads(json.dumps(item.to_dict())),  # as stored in docs.json
        {"raw": "《民法典》第九千条", "ref": None, "status": "not_found", "current_ref": None, "note": "x"},  # older index
    ]}}
    back = items_of(doc)
    assert back[0] == item and back[1].status == "not_found" and back[1].readings == ()
