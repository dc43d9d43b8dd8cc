"""The first screen in whole offline answers over the real index (model): the decisive fact and actions head the
answer, texts go to the right party, figures and captions are where a person reads them, results.jsonl carries texts."""

from __future__ import annotations

import re

import pytest

from test_first_screen import COURT_NOTICE, FAKE_COURT
from yuqi.answer import answer

pytestmark = pytest.mark.model


def offline(settings):
    return settings.with_(llm_model="", llm_api_key="", llm_base_url="")


def head(a) -> str:
    return a.text.split("\n**为什么**", 1)[0]


def test_a_fake_court_transfer_demand_opens_with_do_not_pay(built):
    settings, service = built
    a = answer(service, FAKE_COURT, settings=offline(settings))
    first_line = a.text.splitlines()[0]
    assert first_line.startswith("**结论：这很可能是诈骗：") and "李明" in first_line
    assert all(w in head(a) for w in ("不要转账", "110", "96110"))
    assert [t.id for t in a.texts] == ["police_110"] and a.first.kind == "scam"
    assert not re.search(r"\[\d+\]", " ".join(a.first.actions))  # the record carries no stale passage numbers


def test_a_court_notice_opens_with_answer_it_and_its_court(built):
    settings, service = built
    a = answer(service, COURT_NOTICE, settings=offline(settings))
    assert all(w in head(a) for w in ("不要置之不理", "12368", "15 日", "深圳市福田区人民法院"))
    assert [t.id for t in a.texts] == ["court_checklist"]


def test_the_interest_answer_gives_the_cap_as_a_dated_figure_and_quotes_the_part_that_matters(built):
    settings, service = built
    a = answer(service, "网贷利息超过多少就不受法律保护", settings=offline(settings))
    first = a.text.splitlines()[0]
    assert "12%" in first and "3.0%" in first and "2025年5月20日" in first
    basis = a.text.split("**法律依据**", 1)[-1]
    line = next((x for x in basis.splitlines() if "第六百八十条" in x), "")
    assert not line or "禁止高利放贷" in line, line  # not 借款合同对支付利息没有约定的
    assert "第二十五条" in a.text and "四倍" in a.text
    assert a.texts == []  # a question that tells of no conduct gets no letter


def test_a_penal_article_in_the_basis_says_why_it_is_there(built):
    settings, service = built
    a = answer(service, "网贷逾期会坐牢吗", settings=offline(settings))
    basis = a.text.split("**法律依据**", 1)[-1]
    if "刑法" in basis:
        assert "不是对您处境的判断" in basis
    assert "支付令" in a.text  # the corrected card: 拒执 needs no judgment


def test_results_carry_the_copyable_texts(built):
    from eval.answers import run_answers

    settings, service = built

    class Item:
        def __init__(self, id, query):
            self.id, self.query = id, query

    rows = run_answers([Item("scam", FAKE_COURT), Item("q", "诉讼时效是多久？")], service, use_llm=False)
    assert [r["texts"] for r in rows][1] == []
    assert rows[0]["texts"] and set(rows[0]["texts"][0]) == {"title", "body"} and "报警" in rows[0]["texts"][0]["title"]
