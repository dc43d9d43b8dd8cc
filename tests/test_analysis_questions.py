"""A general legal question reads no collection cue; a pasted message is not the user reporting something.

The sentences are written for these tests (unit tests, not evidence): each names a legal term whose characters
once matched a cue word (人行 in 承租人行使, 以免 in 可以免除, 姓名 in 姓名权, 垃圾, 砍, 公示, 费用, 解除合同, 质量保证金,
不履行合同).
"""

from __future__ import annotations

import pytest

from yuqi.analysis import analyze
from yuqi.analysis.threats import asks_question
from yuqi.textnorm import normalize_for_rules


def _kinds(text: str) -> set[str]:
    return {c.kind for c in analyze(text, learn=False).cues}


@pytest.mark.parametrize("question,message,kind", [
    ("承租人行使撤销权需要什么条件？", "逾期未还将上报人行征信", "threat:credit"),
    ("发生地震时承运人可以免除赔偿责任吗？", "请于今日内还款，以免影响您的信用", "fact:unless_repay"),
    ("冒用他人姓名注册账号，是否侵犯姓名权？", "请转账至以下账户，姓名：王小明", "account_name"),
    ("装修产生的建筑垃圾能堆在楼道里吗？", "你这个垃圾，欠钱不还", "insult"),
    ("邻居家的大树挡住采光，可以要求砍掉吗？", "再不还钱就砍死你", "intimidation"),
    ("拆迁补偿方案公告公示期满后还能提出异议吗？", "三天内不还，我们就在村里公示你的欠款", "threat:contacts"),
    ("小区电梯的维修费用应当由谁承担？", "包办理，收费后三天见效", "paid_contact"),
    ("出租人什么情况下可以解除房屋租赁合同？", "平台通知将解除借款合同并要求一次性还清", "threat:termination"),
    ("在单位遭受性骚扰，可以起诉用人单位吗？", "他们换着号码骚扰我", "harassment"),
    ("小孩放学时打伤邻居家的孩子，要赔多少钱？", "再不还就打给你邻居", "fact:contact_third"),
    ("工程竣工后，发包人可以扣留质量保证金吗？", "需先交纳三千元保证金才能放款", "fee_demand"),
    ("承租人不履行合同义务，出租人能否解约？", "你仍不履行还款义务，我司将委外处理", "fact:unless_repay"),
])
def test_a_legal_term_is_not_a_collection_cue(question: str, message: str, kind: str) -> None:
    assert kind not in _kinds(question)
    assert kind in _kinds(message)  # the cue still reads where collection uses the word


def test_asking_for_an_id_number_by_phone_is_a_credentials_scam() -> None:
    a = analyze("您先把身份证号码告诉我，我这边帮您查一下", learn=False)
    assert a.verdict == "scam"
    assert any(r.key == "credentials" for r in a.reasons)


@pytest.mark.parametrize("text", [
    "无人具有监护资格时，谁来担任监护人",
    "签订的协议是否属于地役权条款",
    "保管人未收到提货单就放货，要承担责任吗？\n（仓储合同）",
    "押金超过多少就算违约",
    "起诉到开庭一般要多久",
])
def test_question_wording_anywhere_makes_a_question(text: str) -> None:
    assert asks_question(normalize_for_rules(text))


@pytest.mark.parametrize("pasted", [
    "您的欠款已移交催收部门，对方将与您联系核实还款情况。",
    "尊敬的客户，您的账单已逾期，他们会在三日内与您联系。",
    "你的案件已分配给催收专员，请尽快处理。",
])
def test_a_pasted_message_is_not_a_report(pasted: str) -> None:
    assert not analyze(pasted, learn=False).facts.reported
    # while the user telling what a collector said still is one, and is judged
    told = analyze("催收说明天就上门，是真的吗？", learn=False)
    assert told.facts.reported and told.verdict == "exaggerated"
