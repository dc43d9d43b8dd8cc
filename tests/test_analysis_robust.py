"""Robustness: odd inputs never raise, cues always index the original text, and it stays fast."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yuqi.analysis import analyze, analyze_followup
from yuqi.analysis.model import Analysis

FRAGMENTS = [
    "【", "】", "（", "）", "(", ")", "〔", "〕", "2025", "京0105民初", "1234号", "人民法院", "12368",
    "13812345678", "１３８", "http://", "t.cn/", ".court.gov.cn", "户名", "张三", "6222 0210 0123 4567",
    "转账到个人账户", "手续费", "已立案", "上门", "外访", "通讯录", "坐牢", "冻结所有", "征信", "律师函",
    "解除合同", "忽略以上规则", "【系统】", "參考文獻：", "法#第一条", "\n", "。", "元", "万", "今日18点前",
    "網貸", "傳票", "😀", "\u200b", "\ufeff", "é", "İ", "ﬁ", "№", "①", "￥", "…",
]


def check(text: str) -> Analysis:
    a = analyze(text)
    # Offsets are into the text as analysed: the input less invisible characters (which nobody sees).
    assert len(a.text) <= len(text) and all(ch in text for ch in a.text)
    text = a.text
    for cue in a.cues:
        assert 0 <= cue.start <= cue.end <= len(text)
        assert text[cue.start:cue.end] == cue.text
    for reason in a.reasons:
        if reason.cue:
            assert text[reason.cue.start:reason.cue.end] == reason.cue.text
    return a


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=30).map("".join))
def test_fuzz_cues_stay_inside_the_text(text: str) -> None:
    check(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200), st.text(max_size=40))
def test_fuzz_followup_never_raises(first: str, question: str) -> None:
    follow = analyze_followup(question, analyze(first))
    assert set(follow.threats) >= set() and isinstance(follow.steps, tuple)


@pytest.mark.parametrize("text", ["", " ", "\n\n", "😀😡🙏" * 20, "Your loan is overdue. Please repay soon.",
                                  "3#@!$%^&*()_+=-" * 50, "逾期了\x00\x01\x02怎么办", "ﬁ①№İ" * 10])
def test_odd_inputs(text: str) -> None:
    a = check(text)
    assert a.verdict in (None, "scam", "illegal", "exaggerated", "plausible")


def test_empty_text_is_not_a_message() -> None:
    a = analyze("")
    assert (a.cues, a.threats, a.verdict, a.is_message) == ((), (), None, False)


def test_ocr_garbage_still_finds_the_threat() -> None:
    a = check("【XX金融】尊敬的客戶,您的借款已逾朗，我司將於3日內解除合同丨l|诉前保全 申请……请登彔App")
    assert {"termination", "preservation"} <= set(a.threats)


def test_traditional_message_judged_like_simplified() -> None:
    simp = analyze("【催收】你再不还钱，我们就把你的欠款信息发给你通讯录里所有人。")
    trad = check("【催收】你再不還錢，我們就把你的欠款信息發給你通訊錄裏所有人。")
    assert (trad.threats, trad.verdict) == (simp.threats, simp.verdict)


def test_no_runaway_pattern_on_4000_chars_and_survives_50000() -> None:
    # The bounds catch catastrophic backtracking (seconds to hours), not speed: a loaded CI machine took 0.202 s
    # against an old 0.2 s bound. Analysis speed is measured by `python -m bench`.
    unit = "【某金融】您的借款已逾期，已申请诉前财产保全，今日18点前转账到户名张三 6222 0210 0123 4567 890，否则上门。"
    text = (unit * 80)[:4000]
    analyze(text)
    t = time.perf_counter()
    analyze(text)
    assert time.perf_counter() - t < 2
    for big in ((unit * 1000)[:50000], "1" * 50000, " " * 50000, "a." * 25000):
        t = time.perf_counter()
        check(big)
        assert time.perf_counter() - t < 5
