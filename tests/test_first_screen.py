"""The first screen (verdict fact + actions) and the copyable texts, per kind of message (no model, no index)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from yuqi.analysis import analyze_followup
from yuqi.answer.first import first_screen
from yuqi.answer.texts import copy_texts

FAKE_COURT = ("【最高人民法院】您的网贷欠款已被立案，案号（2025）粤0304民初12345号，请于今日18点前将欠款转账至指定账户"
              " 6222021234567890123 户名：李明，否则将冻结您名下所有账户。")
COURT_NOTICE = ("【深圳市福田区人民法院】张三，您好：原告某某消费金融有限公司诉你借款合同纠纷一案，案号（2025）粤0304民初12345号，"
                "已立案。请登录人民法院在线服务 zxfw.court.gov.cn 查看起诉状副本及应诉材料，开庭时间2025年8月20日9时30分。")
VISIT = "【某某金融】王先生，您的借款已严重逾期，我司已将材料提交律师准备起诉，明天安排外访人员到您户籍地上门核实。"
DISCLOSE = "你欠钱不还，我们已经打电话给你老婆和你单位领导，明天就把你的欠款信息发到你们公司群里。"
AUTHORITIES = ("法院", "公安", "警", "检察", "村委")


def screen(text: str):
    a = analyze_followup(text, None)
    return a, first_screen(a), copy_texts(a, dt.date(2026, 3, 5))


def addressees(texts) -> list[str]:
    return [m.group(1) for t in texts for m in re.finditer(r"(?:^致|投诉对象：)([^：\n（]+)", t.body, re.M)]


def test_a_fake_court_demand_says_do_not_pay_and_call_110_and_writes_no_letter_to_the_court():
    a, first, texts = screen(FAKE_COURT)
    assert a.verdict == "scam" and first.kind == "scam"
    assert "“" in first.fact and "李明" in first.fact  # this message's words, quoted
    said = " ".join(first.actions)
    assert "不要转账" in said and "110" in said and "96110" in said
    assert [t.id for t in texts] == ["police_110"]  # a police note, no letter to the impersonated court
    assert addressees(texts) == []
    assert "粤0304" in first.conflict and "李明" in first.conflict  # which clues conflict, named


def test_a_likely_real_court_notice_says_answer_it_and_decodes_the_case_number():
    a, first, texts = screen(COURT_NOTICE)
    assert a.verdict == "plausible" and first.kind == "court"
    said = " ".join(first.actions)
    assert "不要置之不理" in said and "12368" in said and "15 日" in said and "缺席判决" in said
    assert "深圳市福田区人民法院" in said and "一致" in said  # the 案号's court, checked against the sender
    assert "2025年8月20日" in said  # the date the notice sets
    assert [t.id for t in texts] == ["court_checklist"]
    body = texts[0].body
    assert all(w in body for w in ("答辩", "管辖异议", "证据", "调解")) and "12378" not in body


def test_a_visit_threat_is_quoted_and_what_is_true_is_said():
    a, first, texts = screen(VISIT)
    assert a.verdict == "exaggerated"
    assert "“外访" in first.fact or "“上门" in first.fact
    assert "村委" not in first.fact  # the message names no 村委: no rule label as the fact
    assert first.actions[0].startswith("真实情况：") and first.actions[1].startswith("自己核实：")
    assert set(addressees(texts)) == {"某某金融"}


def test_a_disclosure_gets_letters_to_the_platform_never_to_anyone_else():
    a, first, texts = screen(DISCLOSE)
    assert a.verdict == "illegal" and first.kind == "illegal"
    assert "保存证据" in first.actions[0] and "12378" in first.actions[2]
    assert {t.id for t in texts} >= {"stop_third_party", "complaint"}
    assert set(addressees(texts)) == {"〔借款平台〕"}


@pytest.mark.parametrize("text", [FAKE_COURT, COURT_NOTICE, VISIT, DISCLOSE,
                                  "【XX派出所】你涉嫌诈骗，已被立案侦查，请立即联系民警 13800138000 处理。"])
def test_no_letter_or_complaint_is_ever_addressed_to_a_court_or_the_police(text):
    _, _, texts = screen(text)
    assert not [x for x in addressees(texts) if any(w in x for w in AUTHORITIES)], addressees(texts)


def test_a_question_telling_of_conduct_is_filled_from_the_question_not_a_paste_placeholder():
    q = "催收天天打电话给我爸妈，怎么办"
    a, first, texts = screen(q)
    if not texts:
        pytest.skip("the analysis reads no conduct in this question")
    assert all("请粘贴" not in t.body for t in texts)
    assert all("本人遇到的情况：" + q in t.body for t in texts if "{said}" not in t.body)
    assert "收到" not in first.fact  # the person's own account, not a message received


def test_a_plain_question_gets_neither_a_fact_nor_a_text():
    a, first, texts = screen("网贷利息超过多少就不受法律保护")
    assert first.kind == "question" and first.fact == "" and texts == []


@pytest.mark.parametrize("text, lender", [
    ("你欠钱不还，你在花花贷的借款已逾期，我们已经打电话给你老婆", "花花贷"),
    ("【某某金融】王先生，您的借款已严重逾期，明天安排外访人员上门。", "某某金融"),
    ("【XX法院】你欠钱不还，明天冻结你的账户，已通知你单位", "〔借款平台〕"),
])
def test_the_lender_is_the_sender_or_named_lender_never_an_authority(text, lender):
    from yuqi.answer.texts import platform

    assert platform(analyze_followup(text, None)) == lender
