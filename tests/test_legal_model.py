"""The lawful-actor model's law, corrected against the statutes (issue 22, point 5)."""

from __future__ import annotations

import pytest

from yuqi.analysis import analyze
from yuqi.analysis.lexicon import lawful


def _keys(text: str) -> set[str]:
    return {r.key for r in analyze(text).reasons if r.key}


def test_never_borrowed_plus_a_court_notice_is_verified_not_called_a_scam() -> None:
    """民事诉讼法第一百二十二条: a suit needs a defined defendant and a claim; loans in your name make real suits."""
    a = analyze("我从来没借过钱，却收到短信说法院下周开庭审理我的借款纠纷，这是真的吗？")
    assert a.verdict != "scam"
    flag = lawful()["red_flags"]["no_dispute"]
    assert flag["verdict"] == "plausible" and "中华人民共和国民事诉讼法#第一百二十二条" in flag["refs"]
    assert "12368" in flag["text"]


def test_a_court_fine_without_a_way_to_pay_it_here_is_not_a_payment_link() -> None:
    """Courts lawfully fine (民事诉讼法第一百一十四条); the scam sign is paying it through a link or an account."""
    assert "pay_link" not in _keys("【某某区人民法院】你拒不履行生效判决，本院将依法对你处以罚款、拘留。")
    assert "pay_link" in _keys("【某某区人民法院】你被处罚款2000元，请点击 http://fy-pay.cn 缴纳罚款。")


def test_summons_and_arrest_warrants_are_not_called_civil_impossibilities() -> None:
    text = lawful()["red_flags"]["overstated"]["text"]
    assert "拘传" not in text and "传唤" not in text


def test_bail_money_exists_but_never_by_phone_or_to_an_account() -> None:
    text = lawful()["red_flags"]["bail_fee"]["text"]
    assert "取保候审的保证金确实存在" in text and "电话" in text


def test_a_bad_case_number_cites_the_case_number_rules_not_article_90() -> None:
    flag = lawful()["red_flags"]["bad_case_number"]
    assert "关于人民法院案件案号的若干规定" in flag["text"]
    assert "中华人民共和国民事诉讼法#第九十条" not in flag["refs"]


def test_a_criminal_threat_explains_malicious_overdraft_and_refusal_to_enforce() -> None:
    flag = lawful()["red_flags"]["collector_arrests"]
    assert "中华人民共和国刑法#第一百九十六条" in flag["refs"] and "中华人民共和国刑法#第三百一十三条" in flag["refs"]
    assert "恶意透支" in flag["text"] and "支付令" in flag["text"] and "公证债权文书" in flag["text"]


def test_consumption_limits_need_only_non_payment_within_the_notice_period() -> None:
    needs = lawful()["steps"]["blacklist"]["needs"]
    assert any("限制消费" in n and "执行通知" in n for n in needs)
    assert not any(n == "被执行人有履行能力而拒不履行" for n in needs)


def test_filing_and_summoning_cite_their_own_articles() -> None:
    import json
    from pathlib import Path

    facts = (Path(__file__).resolve().parents[1] / "yuqi" / "analysis" / "data" / "facts.json").read_text(encoding="utf-8")
    assert "刑事立案由公安机关依法决定（刑事诉讼法第一百一十二条）" in facts
    assert "行政处罚法第十八条" not in facts and "行政处罚法第十七条" in facts
    json.loads(facts)


@pytest.mark.parametrize("text", [
    "收到了显示是人民法院发来的验证码，不确定是不是真的法院发的。",
    "法院发送的验证码是干什么的",
    "我收到了12368的诉讼服务验证码，这是怎么回事？",
])
def test_receiving_a_code_is_not_a_demand_for_it(text: str) -> None:
    """Real e-service sends codes (12368, 人民法院在线服务); only asking for one is the scam sign."""
    assert "credentials" not in {r.key for r in analyze(text).reasons}


@pytest.mark.parametrize("text", ["对方让我发验证码给他", "请把收到的验证码告诉客服", "请将验证码发给我们核实", "请发一下验证码"])
def test_asking_for_a_code_is_still_a_hard_scam_sign(text: str) -> None:
    a = analyze(text)
    assert a.verdict == "scam" and "credentials" in {r.key for r in a.reasons}
