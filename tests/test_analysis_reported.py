"""Reported messages, colloquial violence, paid credit repair, credit reporting and 传唤/拘传 claims."""

from __future__ import annotations

import pytest

from yuqi.analysis import analyze
from yuqi.analysis.threats import quotes_ultimatum


@pytest.mark.parametrize("text,verdict,threats", [
    # The user quotes a received message with a concrete demand: judge it like the message.
    ("银行来电话说信用卡欠款五天内不还清就移交法务起诉，这个靠谱吗？", "plausible", {"lawsuit"}),
    ("客服打电话说账单今天之内不处理，否则就停止分期全额收回，真有这回事？", "plausible", {"termination"}),
    ("律所寄了一封函过来，写着十日内不联系将代理平台提起诉讼，这个要理吗？", "plausible",
     {"lawsuit", "lawyer_letter"}),
    ("贷款公司发消息说要解除合同，剩下的钱要一次性还清，这样正常吗", "plausible", {"termination"}),
    ("收到短信说逾期会报送征信，真的会吗？", "plausible", {"credit"}),
])
def test_reported_message_is_judged_like_the_message(text: str, verdict: str, threats: set[str]) -> None:
    a = analyze(text)
    assert (a.verdict, set(a.threats)) == (verdict, threats)


@pytest.mark.parametrize("text", [
    "收到律师函说要起诉我，律师函有什么作用？",   # a question about a kind of document
    "收到短信说我有一笔逾期，怎么查？",            # no threat in the report
    "如果平台发短信说三天内不还就起诉，我该怎么办？",  # hypothetical
])
def test_general_questions_about_reports_stay_unjudged(text: str) -> None:
    assert analyze(text).verdict is None


def test_quoted_ultimatum_needs_reported_speech() -> None:
    assert quotes_ultimatum("对方说三天内不还就上门")
    assert not quotes_ultimatum("收到支付令，十五天内不还会怎么样？")


@pytest.mark.parametrize("text", [
    "那个催收放话说再不还钱就打断我的腿",
    "催收在电话里说要弄死我",
    "他们说要叫一帮兄弟到我单位闹，看我还要不要脸上班",
    "催收威胁说要在我家门口泼红漆",
    "对方说会让我好看的",
    "催收说找到我就揍我一顿",
    "【催收】再不还钱，天黑以后就带几个人去你家堵你。",
])
def test_colloquial_violence_is_illegal(text: str) -> None:
    a = analyze(text)
    assert a.verdict == "illegal"
    assert any(c.kind == "intimidation" for c in a.cues)


def test_user_figure_of_speech_is_not_a_threat() -> None:
    assert not any(c.kind == "intimidation" for c in analyze("我打死也不会给他们转钱").cues)


@pytest.mark.parametrize("text", [
    "【征信服务】专业代处理网贷黑名单，三天见效，添加微信 zx88990 咨询",
    "代办停息挂账，成功后收取20%服务费，私信了解",
    "【信用管家】信用修复一对一服务，逾期记录快速处理，详询客服。",
    "网贷铲单，当天到账，需要的私聊",
])
def test_paid_credit_repair_services_are_scams(text: str) -> None:
    assert analyze(text).verdict == "scam"


def test_repair_service_without_fee_or_contact_is_not_a_scam_signal() -> None:
    a = analyze("【某银行】如对征信有异议，可向人民银行征信中心申请，我行可以处理征信异议申请。")
    assert a.verdict != "scam"


@pytest.mark.parametrize("text,verdict", [
    ("【好分期】您的分期账单已逾期4天，请今日内还款，逾期信息将按规定报送征信系统。", "plausible"),
    ("【速借】您已逾期2天，为免不良记录影响今后贷款，请尽快登录App还款。", "plausible"),
    ("【好分期】您已逾期，如继续拖欠，将上报征信，您的征信永久黑了，子女上学也受影响。", "exaggerated"),
])
def test_credit_reporting_is_plausible_unless_overstated(text: str, verdict: str) -> None:
    a = analyze(text)
    assert a.threats == ("credit",) and a.verdict == verdict


@pytest.mark.parametrize("text", [
    "对方说案子在我户籍地法院立了，过几天就传唤我去法院",
    "催收说已经在我老家法院起诉了，下周法院会派人来拘传我",
    "【法务中心】你的欠款纠纷已经在户籍所在地法院立案，近期将对你依法传唤。",
    "短信说法院后天派人来拘传我，真会这样吗？",
])
def test_summons_or_arrest_warrant_alone_is_not_called_overstatement(text: str) -> None:
    """Civil courts summon by 传票 (民事诉讼法第一百四十七条) and may 拘传 a defendant who must appear
    (第一百一十二条) or a 被执行人 (民诉法解释第四百八十二条): the word alone proves nothing either way."""
    a = analyze(text)
    assert "lawsuit" in a.threats or "criminal" in a.threats
    assert not any(r.key == "overstated" for r in a.reasons)
    assert not any("不会被“拘传" in r.text for r in a.reasons)


def test_real_summons_wording_is_not_flagged() -> None:
    a = analyze("法院传票上写着传唤我出庭，这个要去吗？")
    assert not any(c.kind == "exaggeration" for c in a.cues)


def test_posting_at_home_is_exposure_not_a_visit() -> None:
    a = analyze("催收把我欠款的事贴到我家小区门口")
    assert a.threats == ("contacts",) and a.verdict == "illegal"
