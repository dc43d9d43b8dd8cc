"""A quoted regulation's own cross-references keep the numbering it was written with: the answer
labels them as old numbers instead of presenting them as today's articles or as "unverified"."""

from __future__ import annotations

from test_citations_check import db  # noqa: F401 - the laws.db fixture
from yuqi.citations import clean_answer
from yuqi.citations.status import FLAG_OLD_QUOTE, FLAG_UNVERIFIED

QUOTE = "当事人以民事诉讼法第二百零七条规定的事由向原审人民法院申请再审的，人民法院应当受理。[1]"
MINSU_JIESHI = "最高人民法院关于适用《中华人民共和国民事诉讼法》的解释"




def test_an_old_number_inside_a_quote_is_labelled_as_old(db):
    out = clean_answer(QUOTE, 1, set(), db, old_numbers={"民事诉讼法第二百零七条"})
    assert "第二百零七条" + FLAG_OLD_QUOTE in out.text
    assert FLAG_UNVERIFIED not in out.text


def test_the_same_citation_outside_any_dated_passage_stays_unverified(db):
    out = clean_answer(QUOTE, 1, set(), db)
    assert "第二百零七条" + FLAG_UNVERIFIED in out.text


def test_labelling_is_idempotent(db):
    once = clean_answer(QUOTE, 1, set(), db, old_numbers={"民事诉讼法第二百零七条"}).text
    twice = clean_answer(once, 1, set(), db, old_numbers={"民事诉讼法第二百零七条"}).text
    assert once == twice


def test_dated_passages_of_the_default_index_yield_their_old_numbers(retriever):
    from yuqi.citations.ground import passage_old_numbers

    chunk = retriever.fetch([f"{MINSU_JIESHI}#第四百二十四条"])[0]
    assert "民事诉讼法第二百零七条" in passage_old_numbers(chunk, retriever.index)
    law = retriever.fetch(["中华人民共和国民事诉讼法#第一百二十二条"])[0]
    assert passage_old_numbers(law, retriever.index) == set()  # laws.db text is today's numbering


def _validity(text: str, allowed: set[str], db):
    from types import SimpleNamespace

    from yuqi.citations import check_text
    from yuqi.citations.ground import citation_validity

    shown = clean_answer(text, 1, allowed, db).text
    answer = SimpleNamespace(text=shown, checks=check_text(shown, db), removed_markers=[],
                             prepared=SimpleNamespace(allowed=allowed))
    return shown, citation_validity(answer)


def test_a_renumbered_article_shown_with_its_current_one_is_labelled_not_invalid(db):
    za50 = "中华人民共和国治安管理处罚法#第五十条"
    shown, counts = _validity("文章写道：《治安管理处罚法》第四十二条禁止多次发送信息干扰他人正常生活。[1]", {za50}, db)
    assert "第五十条" in shown  # the reader is told where the old number went
    assert counts["invalid"] == 0 and counts["old_number_in_quote"] == 1
    # without the current article among the passages the same text is an invalid citation
    _, counts = _validity("文章写道：《治安管理处罚法》第四十二条禁止多次发送信息干扰他人正常生活。[1]", set(), db)
    assert counts["invalid"] == 1 and counts["old_number_in_quote"] == 0
