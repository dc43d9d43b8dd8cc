"""Verdict from the facts read and the model of what each actor may lawfully do (data/lawful.json).

Each check names a red flag of the model; the safest verdict wins (scam > illegal >
exaggerated > plausible). `plausible` needs a lawful step by an actor who may take it,
through a channel a real sender uses, and no red flag at all.
"""

from __future__ import annotations

from collections.abc import Iterator

from .lexicon import advice, lawful
from .model import VERDICT_IDS, CaseNumber, Cue, Fact, Facts, Reason
from .casenum import fits

Signal = tuple[str, Reason]
_AUTHORITY = {"court", "police", "procuratorate"}
_COURT_CLAIMS = ("court_notice", "hearing", "enforcement", "blacklist", "lawsuit")
_MONEY = ("pay", "pay_personal", "pay_link", "fine", "bail_fee", "fee", "collect_agent")
_THIRD_PLACES = ("村", "居委", "街道")


def flag(key: str, cue: Cue | None) -> Signal:
    data = lawful()["red_flags"][key]
    text = f"“{cue.text}”：{data['text']}" if cue else data["text"]
    return data["verdict"], Reason(text, cue, tuple(data["refs"]), key)


def _cue(fact: Fact | None) -> Cue | None:
    return fact.cue if fact else None


def _court_case(f: Facts, step: str) -> bool:
    return any(c.valid and fits(c, step) for c in f.case_numbers)


# Demands that a real creditor, court or police never make (lawful.json red flags).
_DEMAND_FLAGS = (("send_info", "credentials"), ("download", "screen_share"), ("pay_to_stop", "fee_demand"),
                 ("paid_agent", "paid_agent"), ("press_key", "press_key"), ("bail_fee", "bail_fee"),
                 ("paid_repair", "paid_repair"), ("collect_agent", "pay_personal"), ("pay_personal", "pay_personal"),
                 ("fee", "fee_demand"))


def _case_flag(key: str, case: CaseNumber, detail: str) -> Signal:
    verdict, reason = flag(key, None)
    return verdict, Reason(f"“{case.raw}”：{reason.text}（{detail}）", None, reason.refs, key)


def scam_signals(f: Facts) -> Iterator[Signal]:
    authority = f.speaker in _AUTHORITY or f.has("claims", "court_notice")
    for kind, key in _DEMAND_FLAGS:
        if d := f.has("demands", kind):
            yield flag(key, d.cue)
    # A court may lawfully fine (民事诉讼法第一百一十四条): a fine is a scam sign only with a way to pay it here.
    pay_here = f.has("channel", "link_other", "bank_card", "account_name") or f.has("demands", "pay", "pay_personal")
    if (d := f.has("demands", "pay_link")) or (f.has("demands", "fine") and authority and pay_here):
        yield flag("pay_link", _cue(d or f.has("demands", "fine")))
    payee = next((c for c in f.channel if c.kind == "account_name" and c.value == "personal"), None)
    if payee:  # "户名：王强": the creditor's repayment account is never a private person's
        yield flag("pay_personal", payee.cue)
    own = ("您", "你", "本人", "绑定", "自己")  # "存入您绑定的还款卡" is the debtor's own account
    if (d := f.has("demands", "pay")) and not any(w in d.cue.text for w in own):
        yield flag("pay_personal", d.cue)
    if (d := f.has("demands", "account_cancel")) and (f.has("claims", "credit_report") or f.has("demands", "state_policy")):
        yield flag("account_cancel_script", d.cue)
    if (d := f.has("context", "suspect")) and (authority or f.has("demands", "report_whereabouts", *_MONEY)):
        yield flag("criminal_notice", d.cue)
    if (link := f.has("channel", "link_other")) and (authority or f.has("demands", *_MONEY) or f.claims):
        yield flag("unknown_link", link.cue)
    if (num := f.has("channel", "foreign_number")) and (authority or f.claims):
        yield flag("foreign_number", num.cue)
    bad = next((c for c in f.case_numbers if not c.valid), None)
    if authority and bad:
        yield _case_flag("bad_case_number", bad, "；".join(bad.problems))


def illegal_signals(f: Facts) -> Iterator[Signal]:
    for kind in ("impersonation", "threat_safety", "insult", "publish"):
        if c := f.has("conduct", kind):
            yield flag(kind, c.cue)
    if c := f.has("conduct", "harassment"):
        yield flag("harassment", c.cue)
    if f.addressee == "third_party":
        yield flag("disclose_third_party", f.addressee_cue)
    if (c := f.has("conduct", "disclose_done")) and f.reported:
        yield flag("disclose_third_party", c.cue)
    third = next((c for c in f.claims if c.kind == "contact_third"
                  and not any(p in c.cue.text for p in _THIRD_PLACES)), None)
    if third:
        yield flag("disclose_third_party", third.cue)


def exaggerated_signals(f: Facts) -> Iterator[Signal]:
    # A creditor may apply to a court, but cannot promise when the court freezes or enforces.
    court = f.speaker == "court" or bool(f.has("context", "via_court") and not f.has("context", "imminent"))
    for kind in ("freeze", "preservation"):
        if (c := f.has("claims", kind)) and not court and not _court_case(f, kind):
            yield flag("collector_freezes", c.cue)
            break
    for kind in ("enforcement", "blacklist"):
        if (c := f.has("claims", kind)) and not court and not _court_case(f, kind):
            yield flag("collector_enforces", c.cue)
            break
    if (c := f.has("claims", "lawsuit")) and c.tense == "past" and not court and not f.case_numbers:
        yield flag("collector_declares_filed", c.cue)
    if (c := f.has("claims", "criminal")) and f.speaker not in _AUTHORITY:
        yield flag("collector_arrests", c.cue)
    if (c := f.has("context", "unrelated_condition")) and f.has("claims", "credit_report"):
        yield flag("credit_for_unrelated_act", c.cue)
    if c := f.has("context", "overstated"):
        yield flag("overstated", c.cue)
    if c := f.has("claims", "visit"):
        yield flag("visit_pressure", c.cue)
    third = next((c for c in f.claims if c.kind == "contact_third" and any(p in c.cue.text for p in _THIRD_PLACES)), None)
    if third:
        yield flag("visit_pressure", third.cue)
    for case in f.case_numbers:
        step = next((c.kind for c in f.claims if c.kind in ("freeze", "enforcement", "hearing", "preservation")), "")
        if case.valid and step and not fits(case, step):
            label = lawful()["steps"][step]["label"]
            yield _case_flag("case_type_mismatch", case, f"“{case.case_type}”是{case.type_label}案号，与声称的{label}不符")


_LAWFUL_CLAIMS = ("lawsuit", "hearing", "court_notice", "mediation", "lawyer_letter", "credit_report", "termination",
                  "freeze", "preservation", "enforcement", "blacklist")
_COURT_ONLY = ("freeze", "preservation", "enforcement", "blacklist")


def plausible_signals(f: Facts, threats: tuple[str, ...]) -> Iterator[Signal]:
    steps = lawful()["steps"]
    for c in f.claims:
        if c.kind not in _LAWFUL_CLAIMS:
            continue
        if c.kind == "credit_report" and not f.has("context", "unless_repay"):
            continue
        if c.kind in _COURT_ONLY and not (f.speaker == "court" or f.has("context", "via_court") or _court_case(f, c.kind)):
            continue
        step = steps["service" if c.kind == "court_notice" else c.kind]
        text = f"“{c.cue.text}”：{step['label']}是{('、'.join(_who(step)))}可以依法采取的步骤；真实的会经{step['channel']}，请按核实渠道确认"
        yield "plausible", Reason(text, c.cue, tuple(step["refs"]), "step:" + c.kind)
    if (d := f.has("context", "no_dispute")) and f.has("claims", *_COURT_CLAIMS):
        yield flag("no_dispute", d.cue)  # a suit needs no real loan of yours: verify, never dismiss
    official = f.has("channel", "link_court", "phone_court") or any(c.valid for c in f.case_numbers)
    if f.speaker == "court" and official and not f.claims:
        step = steps["service"]  # a court notice pointing to a court platform or carrying a valid 案号
        cue = _cue(official) if isinstance(official, Fact) else f.speaker_cue
        body = f"符合法院电子送达的渠道（{step['channel']}）；仍请用案号在人民法院在线服务或12368核实"
        yield "plausible", Reason(f"“{cue.text}”：{body}" if cue else body, cue, tuple(step["refs"]), "step:official_channel")
    if "termination" in threats:
        step = steps["termination"]
        yield "plausible", Reason(f"{step['label']}是债权人依合同可以采取的步骤；{step['channel']}", None, tuple(step["refs"]),
                                  "step:termination")


def _who(step: dict) -> list[str]:
    names = {"court": "法院", "creditor": "债权人", "lawyer": "受托律师", "collector": "受托催收机构",
             "mediator": "调解组织", "police": "公安机关", "procuratorate": "检察院"}
    return [names.get(w, w) for w in step["who"] or step.get("decides", [])] or ["债权人"]


def decide(facts: Facts, threats: tuple[str, ...], injected: bool = False) -> tuple[str | None, tuple[Reason, ...], bool]:
    """(verdict, reasons ordered by severity, conflict)."""
    signals = [*scam_signals(facts), *illegal_signals(facts), *exaggerated_signals(facts)]
    if not injected:
        signals += list(plausible_signals(facts, threats))
    if not signals:
        return None, (), False
    found = {v for v, _ in signals}
    verdict = next(v for v in VERDICT_IDS if v in found)
    conflict = verdict != "plausible" and "plausible" in found
    seen: set[str] = set()
    reasons = []
    for v in VERDICT_IDS:
        for s, r in signals:
            if s == v and r.text not in seen:
                seen.add(r.text)
                reasons.append(r)
    if conflict:
        body = advice()["reasons"]["conflict"]
        reasons.insert(0, Reason(body, None, tuple(reasons[0].refs)))
    return verdict, tuple(reasons), conflict


def unsure_reason(threats: tuple[str, ...]) -> Reason:
    """No verdict yet threats named: say so plainly instead of reassuring by default."""
    from .model import THREAT_LABELS

    named = "、".join(THREAT_LABELS.get(t, t) for t in threats)
    refs = tuple(r for t in threats for r in advice()["threat_refs"].get(t, ()))[:3]
    return Reason(f"信息提到了{named}，但仅凭这段文字无法判断真假；请按下面的渠道核实，不要因为没有结论就放松警惕。", None, refs)
