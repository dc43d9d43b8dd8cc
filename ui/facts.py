"""Draw the facts the analysis read (who, to whom, claim, demand, channel, 案号 decoded).

`facts_rows` is pure (testable without Streamlit); `render_facts` draws the rows with
`st.text`, so text quoted from the user's message never renders as markdown, HTML or a link.
"""

from __future__ import annotations

from yuqi.analysis.model import Analysis, CaseNumber, Fact

SPEAKERS = {"court": "自称法院", "police": "自称公安", "procuratorate": "自称检察院", "village_committee": "自称村委/居委",
            "platform_service": "自称平台客服", "collector": "催收方/受托方", "creditor": "署名的平台/机构",
            "lawyer": "律师/律所", "mediator": "调解组织", "arbitration": "仲裁机构", "unknown": "未表明身份"}
ADDRESSEES = {"debtor": "借款人本人", "third_party": "借款人的亲友/同事（第三人）"}
CLAIMS = {"freeze": "冻结/查封", "preservation": "财产保全", "enforcement": "强制执行", "blacklist": "失信/限高",
          "lawsuit": "起诉/立案", "hearing": "开庭/传票", "mediation": "调解", "lawyer_letter": "律师函",
          "credit_report": "征信后果", "criminal": "刑事/报警", "visit": "上门/走访", "contact_third": "联系第三人",
          "court_notice": "法院短信/送达"}
DEMANDS = {"pay": "转账付款", "pay_personal": "付到个人账户", "pay_link": "点链接/扫码付款", "press_key": "按键转人工",
           "fine": "缴罚款", "paid_agent": "代办服务", "pay_to_stop": "交钱撤诉/解冻", "bail_fee": "交保证金", "fee": "交费用", "collect_agent": "付给代收方",
           "report_whereabouts": "汇报行踪/保密", "account_cancel": "注销/取消账户", "state_policy": "“国家政策”",
           "paid_repair": "付费修复征信", "send_info": "提供证件/验证码", "download": "下载软件/屏幕共享"}
CHANNEL = {"link_court": "法院服务平台链接", "link_other": "非法院平台链接", "phone_personal": "个人手机号",
           "phone_service": "机构服务号", "phone_court": "12368", "phone_landline": "固定电话", "phone_hotline": "公共热线",
           "foreign_number": "境外号码", "bank_card": "银行卡号", "account_name": "收款人"}
CONDUCT = {"insult": "辱骂", "threat_safety": "威胁人身安全", "harassment": "骚扰", "publish": "公开/群发信息",
           "disclose_done": "已向他人透露", "impersonation": "冒充机关/组织"}


def _quoted(facts: tuple[Fact, ...], names: dict[str, str]) -> str:
    parts = [f"{names.get(f.kind, f.kind)}（“{f.cue.text}”{'，已发生' if f.tense == 'past' else ''}）" for f in facts]
    return "；".join(dict.fromkeys(parts))


def case_line(case: CaseNumber) -> str:
    """"（2025）粤0304民初12345号：2025年，深圳市福田区人民法院，民事一审；……" with what to do with it."""
    from yuqi.analysis.casenum import court_of

    if not case.valid:
        return f"{case.raw}：结构不成立（{'；'.join(case.problems)}），真实法院不会发出这样的案号"
    court = court_of(case) or case.province
    level = f"（{case.court_level}法院）" if case.court_level and case.court_level != "最高" else ""
    kind = case.type_label or f"类型“{case.case_type}”"
    return (f"{case.raw}：{case.year}年，{court}{level}，{kind}。"
            "请拨打 12368 或登录人民法院在线服务，用这个案号核实案件是否存在、是否以你为当事人")


def facts_rows(analysis: Analysis) -> list[tuple[str, str]]:
    f = analysis.facts
    rows: list[tuple[str, str]] = []
    who = SPEAKERS.get(f.speaker, f.speaker)
    rows.append(("谁在说", who + (f"（“{f.speaker_cue.text}”）" if f.speaker_cue else "")))
    to = ADDRESSEES[f.addressee] + (f"（“{f.addressee_cue.text}”）" if f.addressee_cue else "")
    rows.append(("对谁说", to))
    for label, group, names in (("声称", f.claims, CLAIMS), ("要求你", f.demands, DEMANDS),
                                ("渠道", f.channel, CHANNEL), ("行为", f.conduct, CONDUCT)):
        if text := _quoted(group, names):
            rows.append((label, text))
    rows += [("案号", case_line(c)) for c in f.case_numbers]
    return rows


def render_facts(analysis: Analysis) -> None:
    import streamlit as st

    rows = facts_rows(analysis)
    if not analysis.text.strip() or not rows:
        return
    with st.container(border=True):
        st.caption("读到的事实")
        for label, value in rows:
            st.text(f"{label}：{value}")  # st.text: plain text, no markdown, no links
