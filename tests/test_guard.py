"""The LLM output guard reads meaning after normalisation, and gates the stream sentence by sentence (issue 25)."""

from __future__ import annotations

import pytest

from fake_openai import FakeOpenAI
from yuqi.analysis import analyze
from yuqi.answer.checks import llm_guard
from yuqi.answer.llm import GuardRefused, TooLong, stream_text
from yuqi.answer.types import Prepared
from yuqi.settings import load_settings

SCAM = "【法院】您已被起诉，请点击 http://t.cn/x 缴纳诉讼费，否则今日冻结账户，收款人张三 6222021234567890123"
PLAUSIBLE = ("【北京市朝阳区人民法院】您好，您与某某小贷公司借款合同纠纷一案已立案，案号（2024）京0105民初12345号，"
             "请登录人民法院在线服务查看诉讼材料，咨询请拨打12368。")


@pytest.fixture(scope="module")
def scam() -> Prepared:
    p = Prepared(SCAM, analyze(SCAM), [])
    assert p.analysis.verdict == "scam"
    return p


WITHDRAWN = [
    "该短信真实有效。",
    "**结论**：属实",
    "这是诈骗。" + "说明" * 120 + "不过这条短信是真的。",  # a contradiction after the 200th character
    "请把钱转到以下银行卡：6222。",
    "请转到招商银行卡6222021234567890123",
    "请访问短信里的网址处理。",
    "请还款到对方的个人账户。",
    "请立即转\u200b账。",
    "请立即转\u00ad账到指定账户。",
    "請立即轉賬到指定賬戶。",
    "結論：屬實",
    "请 立 即 转 账",
    "结论：这条短信是真的，请立即转账到6222。",
    "为防诈骗，请立即转账到安全账户",
    "请提供验证码给对方",
    "这是诈骗[1]。但系统要求您立即点击短信中的链接缴费，否则冻结。",
]
KEPT = [
    "结论：这很可能是诈骗，并非真实的法院通知[1]。不要转账，切勿点击链接；请不要向个人账户付款。",
    "真实的法院通知不会要求转账到个人账户。",
    "诈骗分子会要求你立即转账到所谓安全账户。",
    "请拨打12368核实是否属实。",
    "可以登录人民法院在线服务核实案号。",
    "法院的短信是真的吗？不一定，请核实。",
    "不要点击短信里的链接，也不要向任何账户转账。",
    "如果是真的法院通知，会有案号。",
    "还款请通过借款合同约定的官方渠道。",
    "对方让你扫码缴费，这是典型骗局。",
    "要求转账到个人账户的，按诈骗处理。",
]


@pytest.mark.parametrize("text", WITHDRAWN)
def test_unsafe_answers_are_withdrawn(scam, text):
    assert llm_guard(text, scam)


@pytest.mark.parametrize("text", KEPT)
def test_safe_answers_are_kept(scam, text):
    assert llm_guard(text, scam) is None


def test_a_plausible_message_is_never_called_a_scam():
    p = Prepared(PLAUSIBLE, analyze(PLAUSIBLE), [])
    assert p.analysis.verdict == "plausible"
    assert llm_guard("结论：这是诈骗短信，不要理会。", p)
    assert llm_guard("结论：这可能是真实的立案通知，请拨打12368核实案号。", p) is None


def test_knowledge_cards_read_as_answers_rarely_trip_the_guard(scam):
    """The project's own advice, paragraph by paragraph, as if an LLM had written it under a scam verdict."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "corpus" / "knowledge"
    paras = [p for f in sorted(root.glob("*.md")) for p in f.read_text(encoding="utf-8").split("\n\n")
             if len(p) >= 20 and not p.startswith(("问法", "# "))]
    flagged = [p for p in paras if llm_guard(p, scam)]
    assert len(paras) > 200 and len(flagged) <= 3, flagged


def settings_for(fake):
    return load_settings().with_(llm_base_url=fake.base_url, llm_api_key="", llm_model="fake-model",
                                 llm_timeout=5.0, privacy_mask="off")


def test_a_refused_first_sentence_never_reaches_the_screen(scam):
    reply = "结论：这条短信是真的，" + "法院已经立案，" * 10 + "请立即转账到6222021234567890123。后面的话。"
    shown = []
    with FakeOpenAI(reply, chunk_size=3) as fake:
        with pytest.raises(GuardRefused) as info:
            for delta in stream_text(scam, settings_for(fake)):
                shown.append(delta)
    assert shown == [] and isinstance(info.value, TooLong)


def test_safe_sentences_stream_and_a_later_bad_one_stops_there(scam):
    reply = "这是诈骗[1]。不要转账。但是请立即转账到6222021234567890123。"
    shown = []
    with FakeOpenAI(reply, chunk_size=2) as fake:
        with pytest.raises(GuardRefused):
            for delta in stream_text(scam, settings_for(fake)):
                shown.append(delta)
    assert "".join(shown) == "这是诈骗[1]。不要转账。"
    assert len(shown) >= 2  # released sentence by sentence, not at the end


def test_a_safe_answer_streams_whole(scam):
    reply = "这是诈骗[1]。不要转账，也不要点击链接。拨打12368核实"
    with FakeOpenAI(reply, chunk_size=2) as fake:
        assert "".join(stream_text(scam, settings_for(fake))) == reply


# --- the deadline covers the whole answer, and the judge pass runs under it ---

def test_the_stream_leaves_room_for_the_fallback_within_the_deadline(scam, monkeypatch):
    import yuqi.llm

    seen = {}

    def fake_stream(messages, settings, **kw):
        seen["deadline"] = settings.llm_deadline
        yield "这是诈骗。"

    monkeypatch.setattr(yuqi.llm, "stream_chat", fake_stream)
    settings = load_settings().with_(llm_deadline=60.0)
    assert "".join(stream_text(scam, settings)) == "这是诈骗。"
    assert seen["deadline"] <= 55.0


def test_dripping_answer_stops_before_the_deadline(scam):
    import time

    from yuqi.llm import DeadlineExceeded

    with FakeOpenAI("这是诈骗。", mode="endless", drip=0.05, chunk_size=2) as fake:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            list(stream_text(scam, settings_for(fake).with_(llm_deadline=3.0)))
        elapsed = time.monotonic() - started
    assert elapsed < 3.0  # the whole answer's deadline, not the stream's alone


def test_the_judge_shares_one_deadline_per_answer():
    import time
    from types import SimpleNamespace

    from eval.judge import faithfulness

    chunk = SimpleNamespace(ref="法#第一条", text="条文")
    rows = [{"answer": "".join(f"第{i}句有依据[1]。" for i in range(6)), "passages": ["法#第一条"]}]
    with FakeOpenAI(mode="keepalive", drip=0.05) as fake:
        started = time.monotonic()
        result = faithfulness(rows, SimpleNamespace(chunks=[chunk]), settings_for(fake).with_(llm_deadline=0.8))
        elapsed = time.monotonic() - started
    assert result["sentences"] == 0 and result["errors"] == 6
    assert elapsed < 3 * 0.8  # six sentences at 0.8 s each would take 4.8 s
