import json
import time
from pathlib import Path

import pytest

from ingest.statutes import parse_statute
from yuqi.citations import (
    CombinedSource,
    LawsDb,
    MemoryStatutes,
    check,
    check_text,
    clean_answer,
    find_citations,
    from_sources,
    summarize,
)

ROOT = Path(__file__).resolve().parent.parent
CASES = [json.loads(line) for line in (ROOT / "tests/data/citation_cases.jsonl").read_text("utf-8").splitlines() if line]
ZA = "中华人民共和国治安管理处罚法"
JIEDAI = "最高人民法院关于审理民间借贷案件适用法律若干问题的规定"
# two articles of the 2020 民间借贷规定 as a user would ingest them
JIEDAI_MD = f"""# {JIEDAI}

第二十五条 出借人请求借款人按照合同约定利率支付利息的，人民法院应予支持，但是双方约定的利率超过合同成立时一年期贷款市场报价利率四倍的除外。

前款所称“一年期贷款市场报价利率”，是指中国人民银行授权全国银行间同业拆借中心自2019年8月20日起每月发布的一年期贷款市场报价利率。

第二十六条 借据、收据、欠条等债权凭证载明的借款金额，一般认定为本金。预先在本金中扣除利息的，人民法院应当将实际出借的金额认定为本金。
"""


@pytest.fixture(scope="module")
def db() -> LawsDb:
    try:
        return LawsDb()
    except FileNotFoundError:
        pytest.skip("laws.db not installed")


def test_case_file_is_broad():
    statuses = {e["status"] for c in CASES for e in c["expected"]}
    assert len(CASES) >= 40
    assert statuses >= {"verified", "outdated", "quote_mismatch", "not_found", "repealed", "unknown_law", "garbled"}


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:24] for c in CASES])
def test_cases_against_laws_db(case, db):
    got = [{"ref": r.current_ref, "status": r.status} for r in check_text(case["text"], db)]
    assert got == case["expected"]


def test_seed_article_004_is_outdated(db):
    text = (ROOT / "corpus/articles/004_d83716d2b35a790d.txt").read_text("utf-8")
    results = check_text(text, db)
    old = [r for r in results if r.citation.raw == "《中华人民共和国治安管理处罚法》第四十二条"]
    assert len(old) == 1 and old[0].status == "outdated"
    assert old[0].current_ref == f"{ZA}#第五十条"
    assert "第四十二条" in old[0].note and "第五十条" in old[0].note
    # the unquoted 第42条 earlier in the same article is the same old number
    assert all(r.status == "outdated" for r in results if r.citation.ref == f"{ZA}#第四十二条")
    by_status = {r.citation.raw: r.status for r in results}
    assert by_status["《中华人民共和国民法典》第一千零三十二条"] == "verified"
    assert by_status["《网络借贷信息中介机构业务活动管理暂行办法》第三十条"] == "unknown_law"
    assert summarize(results) == "引用4处：核验1处，2处为修订前编号，1处未收录无法核验"


def test_unknown_law_is_neither_verified_nor_false(db):
    (r,) = check_text("《某某催收管理办法》第三条：催收可以上门", db)
    assert r.status == "unknown_law" and r.current_ref is None and "未收录，无法核验" in r.note


def test_single_check_without_quote(db):
    (c,) = find_citations("《民法典》第九千条")
    assert check(c, db).status == "not_found"
    # laws.db holds 仲裁法 2017 as 历史版本; the 2025 text moved its old 第二条 to 第三条
    (c,) = find_citations("《仲裁法》第二条")
    r = check(c, db)
    assert r.status == "renumbered" and r.current_ref == "中华人民共和国仲裁法#第三条"
    assert [x.ref for x in r.readings] == ["中华人民共和国仲裁法#第二条", "中华人民共和国仲裁法#第三条"]
    # an unchanged article of the same law stays plainly verified
    (c,) = find_citations("《仲裁法》第一条")
    assert check(c, db).status in ("verified", "renumbered")


def test_best_match_over_whole_civil_code_is_fast(db):
    text = "《民法典》第五百条：自然人享有隐私权。任何组织或者个人不得以刺探、侵扰、泄露、公开等方式侵害他人的隐私权。"
    check_text(text, db)  # warm the per-law cache
    start = time.perf_counter()
    for _ in range(20):
        (r,) = check_text(text, db)
    assert r.status == "outdated" and r.current_ref.endswith("#第一千零三十二条")
    assert (time.perf_counter() - start) / 20 < 0.05


def test_ingested_statutes_and_combined_source(db):
    src = parse_statute(JIEDAI_MD, "corpus/regulations/jiedai.md")
    articles = {a.number: a.text for a in src.articles}
    assert src.title == JIEDAI and set(articles) == {"第二十五条", "第二十六条"}
    source = from_sources([src])
    text = "民间借贷规定第二十五条：双方约定的利率超过合同成立时一年期贷款市场报价利率四倍的除外。民法典第六百八十条"
    assert [(r.status, r.current_ref) for r in check_text(text, source)] == [
        ("verified", f"{JIEDAI}#第二十五条"),
        ("verified", "中华人民共和国民法典#第六百八十条"),
    ]
    moved = check_text("《民间借贷司法解释》第二十六条：借款的利率超过一年期贷款市场报价利率四倍的除外", source)
    assert moved[0].status == "outdated" and moved[0].current_ref == f"{JIEDAI}#第二十五条"
    assert check_text("民间借贷规定第九十条", source)[0].status == "not_found"
    assert check_text("民间借贷规定第九十条", db)[0].status == "unknown_law"


def test_memory_status_repealed():
    source = MemoryStatutes({"某旧规定": {"第一条": "旧的内容在这里"}}, {"某旧规定": "已废止"})
    (r,) = check_text("《某旧规定》第一条", source)
    assert r.status == "repealed" and r.current_ref is None


def test_clean_answer_removes_marker_and_flags_missing_article(db):
    text = "根据《民法典》第九千条……[7]"
    out = clean_answer(text, 5, set(), db)
    assert out.text == "根据《民法典》第九千条（⚠该条不存在）……"
    assert out.removed_markers == ["[7]"]
    assert [r.status for r in out.flagged] == ["not_found"]
    assert clean_answer(out.text, 5, set(), db).text == out.text


def test_clean_answer_allowed_unallowed_outdated(db):
    allowed = {"中华人民共和国民法典#第五百六十三条"}
    text = ("依据《民法典》第五百六十三条[2]，以及《刑法》第二百九十三条之一[1,6]。"
            "《治安管理处罚法》第四十二条：有下列行为之一的，处五日以下拘留或者五百元以下罚款：（五）多次发送淫秽、侮辱、恐吓或者其他信息，干扰他人正常生活的。")
    out = clean_answer(text, 5, allowed, db)
    assert "《民法典》第五百六十三条[2]" in out.text  # verified and retrieved: untouched
    assert "《刑法》第二百九十三条之一（⚠未核验）[1]" in out.text  # exists, but not retrieved
    assert "第四十二条（现行为第五十条）：" in out.text
    assert out.removed_markers == ["[6]"]
    assert any("第五十条" in n for n in out.notes)
    again = clean_answer(out.text, 5, allowed, db)
    assert again.text == out.text and again.removed_markers == []


def test_summarize_empty_and_counts(db):
    assert summarize([]) == "未发现法条引用"
    results = check_text("《民法典》第563条、《民法典》第九千条、《合同法》第一条", db)
    assert summarize(results) == "引用3处：核验1处，1处条文不存在，1处所引法律已失效"


def test_full_width_marker_removed(db):
    out = clean_answer("见《民法典》第五百六十三条［9］。", 3, {"中华人民共和国民法典#第五百六十三条"}, db)
    assert out.text == "见《民法典》第五百六十三条。" and out.removed_markers == ["[9]"]


CLEAN_PARTS = ["根据", "《民法典》第九千条", "《民法典》第563条", "《刑法》第二百九十三条之一", "[1]", "[7]", "[2,9]",
               "《治安管理处罚法》第四十二条：有下列行为之一的，处五日以下拘留或者五百元以下罚款；多次发送淫秽、侮辱、恐吓或者其他信息",
               "《合同法》第一条", "《某办法》第3条", "、", "。", "\n", "同法第五条", "……", "（⚠未核验）"]


def test_clean_answer_is_idempotent_on_mixed_inputs(db):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.sampled_from(CLEAN_PARTS), max_size=12))
    def run(parts):
        once = clean_answer("".join(parts), 2, {"中华人民共和国民法典#第五百六十三条"}, db)
        twice = clean_answer(once.text, 2, {"中华人民共和国民法典#第五百六十三条"}, db)
        assert twice.text == once.text and twice.removed_markers == []
        assert "[7]" not in once.text

    run()
