"""Pure parts of the page: copyable next-step texts and source cards (no Streamlit run)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ui.cards import build_cards, card_title, starts_mid_sentence
from yuqi.analysis import analyze_followup
from yuqi.answer.texts import copy_texts
from yuqi.documents import Chunk

SMS = ("【XX金融】您已逾期，已通知您的通讯录联系人和单位，请今日18点前转账至 6222 0212 3456 7890 123 户名：王强，"
       "详情 http://t.cn/A6abcd")


def test_texts_are_filled_with_what_the_message_says_and_go_to_the_lender():
    texts = {s.id: s for s in copy_texts(analyze_followup(SMS, None), dt.date(2026, 3, 5))}
    assert set(texts) == {"police_110"}  # a scam: notes for the police, no letter to whoever sent it
    body = texts["police_110"].body
    assert "XX金融" in body and "2026年3月5日" in body and "{" not in body
    assert "6222 0212 3456 7890 123" in body and "t.cn/A6abcd" in body


def test_a_plain_question_gets_no_templates():
    assert copy_texts(analyze_followup("诉讼时效是多久？", None)) == []


def test_a_question_about_a_threat_gets_no_text_and_never_a_paste_placeholder():
    analysis = analyze_followup("网贷逾期会坐牢吗", None)
    assert analysis.threats and not analysis.is_message
    assert copy_texts(analysis) == []  # it tells of no message and no conduct


@dataclass
class P:
    n: int
    chunk: Chunk
    score: float | None = None
    pinned: bool = False


def chunk(text, kind="article", start=10, doc_id="a1", heading="", path="", **kw):
    return Chunk(chunk_id=f"{doc_id}:{start}", ref=doc_id, doc_id=doc_id, title=kw.pop("title", "文章标题"), kind=kind,
                 text=text, path=path, start=start, end=start + len(text), heading=heading, **kw)


def test_cards_have_titles_clean_text_and_notes_only_where_cited(tmp_path):
    src = tmp_path / "a.txt"
    body = "前面的话。这里是被切开的半句，后面才是完整的一句话。\n## 小标题\n- 要点一\n根据《治安管理处罚法》第42条，可以处罚。"
    src.write_text(body, encoding="utf-8")
    start = body.index("被切开")
    c1 = chunk(body[start:], start=start, path=str(src), heading="## 小标题", meta={"version": "2021年修订"})
    c2 = chunk("另一段，没有引用。", start=0, path=str(src))
    note = {"raw": "《治安管理处罚法》第42条", "status": "outdated", "note": "现行为第五十条"}
    cards = build_cards([P(1, c1), P(2, c2), P(3, c1)], lambda doc_id: [note])
    assert starts_mid_sentence(c1) and not starts_mid_sentence(c2)
    assert cards[0].title == "文章标题 · 小标题" and "a1:" not in cards[0].title
    assert not cards[0].text.startswith("被切开") and "##" not in cards[0].text and "- 要点" not in cards[0].text
    assert cards[0].version == "2021年修订"
    assert [len(c.notes) for c in cards] == [1, 0, 0]  # once per answer, only where the text cites it


def test_statute_card_title_is_law_and_article():
    c = chunk("第五十条 有下列行为之一的……", kind="statute", start=0, doc_id="中华人民共和国治安管理处罚法",
              title="中华人民共和国治安管理处罚法", article_no="第五十条")
    assert card_title(c) == "《中华人民共和国治安管理处罚法》第五十条"


def test_a_card_source_shows_what_a_person_reads_not_its_internal_fields(tmp_path):
    text = ("# 网贷逾期会坐牢吗？\n问法：会坐牢吗；会被抓吗；催收说要报警\n\n## 简答\n一般不会：借款到期还不上是民事纠纷。\n\n"
            "## 依据\n中华人民共和国刑法#第三百一十三条")
    card_chunk = chunk(text, start=0, doc_id="zuolao", heading="## 简答", path="corpus/knowledge/zuolao.md",
                       title="网贷逾期会坐牢吗？")
    law = chunk("第三百一十三条 对人民法院的判决、裁定有能力执行而拒不执行，情节严重的，处三年以下有期徒刑。", kind="statute",
                start=0, doc_id="xingfa", title="中华人民共和国刑法", article_no="第三百一十三条")
    web = chunk("网贷逾期后收到解约短信，是真的吗？我们要明确一点。", start=0, doc_id="000_x", path="corpus/articles/000_x.txt")
    cards = build_cards([P(1, web), P(2, card_chunk), P(3, law)], lambda doc_id: [])
    assert [c.n for c in cards] == [3, 2, 1]  # the law first, a web article never above it
    card = next(c for c in cards if c.n == 2)
    assert card.title == "网贷逾期会坐牢吗？" and "简答" not in card.title
    assert "问法" not in card.text and "依据" not in card.text and "#第三百" not in card.text
    assert "一般不会" in card.text
    assert "不是对您处境的判断" in cards[0].caption  # a penal article says why it is there
    assert "非官方" in cards[2].caption


def test_the_ingest_report_is_whole_lines_and_a_duplicate_batch_needs_no_rebuild(tmp_path):
    from types import SimpleNamespace

    from ingest.load import load_file
    from ui.ingest_views import already_held, report_lines

    report = SimpleNamespace(added=[], updated=[], unchanged=[], skipped=[],
                             duplicates=[("/tmp/x/notice.txt", "doc1")])
    lines = report_lines(report, {"doc1": "征信业管理条例"})
    assert lines == ["重复：notice.txt 与已有文档《征信业管理条例》内容相同，未重复导入"]  # the reason whole
    old, new = tmp_path / "a.txt", tmp_path / "b.txt"
    old.write_text("第一条 网络借贷平台不得在晚上十点后催收。", encoding="utf-8")
    new.write_text("第一条 另一段完全不同的文字。", encoding="utf-8")
    docs = [{"content_hash": load_file(old).content_hash, "title": "旧文档"}]
    assert already_held([old], docs) == [("a.txt", "旧文档")]
    assert already_held([old, new], docs) is None  # one new file: import (and rebuild) as usual


def test_an_llm_answer_gets_the_first_screen_from_the_analysis_above_its_prose():
    from ui.draw import first_screen_md
    from yuqi.answer.types import FirstScreen

    md = first_screen_md(FirstScreen("scam", "这很可能是诈骗", "信息要你把钱转到“李明”", "", ("不要转账。", "拨打 110。")))
    assert md.splitlines()[0] == "**这很可能是诈骗：信息要你把钱转到“李明”。**"
    assert md.splitlines()[1:] == ["- 不要转账。", "- 拨打 110。"]
