"""Rule-based verdict: each rule reads cue kinds and lexicon labels, none is learned.

Rules emit (verdict, Reason) signals; the safest verdict wins (scam > illegal >
exaggerated > plausible) and a plausible signal beside a worse one is a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .lexicon import advice
from .model import VERDICT_IDS, Cue, Reason

Signal = tuple[str, Reason]
_NEGATED = re.compile(r"(勿|不要|切勿|谨防|不会|严禁|不得|警惕|防止|并非|不是)[^。，,]{0,6}$")
_OFFICIAL_ORGS = {"法院", "公安", "检察院"}


def _reason(key: str, cue: Cue | None, extra_refs: tuple[str, ...] = ()) -> Reason:
    data = advice()
    body = data["reasons"][key]
    text = f"“{cue.text}”：{body}" if cue else body
    refs_key = cue.kind if cue and cue.kind in data["cue_refs"] else key
    refs = tuple(data["cue_refs"].get(refs_key, ())) + extra_refs
    return Reason(text, cue, tuple(dict.fromkeys(refs)))


def _first(cues: tuple[Cue, ...], *kinds: str) -> Cue | None:
    return next((c for c in cues if c.kind in kinds), None)


def _live(cues: tuple[Cue, ...], text: str) -> tuple[Cue, ...]:
    """Drop money cues that are warnings ("请勿向个人账户转账"), not demands."""
    money = {"personal_account", "payment_demand", "fee_demand"}
    return tuple(c for c in cues if c.kind not in money or not _NEGATED.search(text[max(0, c.start - 8):c.start]))


def scam_signals(cues: tuple[Cue, ...], threats: tuple[str, ...]) -> Iterator[Signal]:
    if cue := _first(cues, "fee_demand"):
        yield "scam", _reason("fee_demand", cue)
    elif (cue := _first(cues, "repair_service")) and _first(cues, "paid_contact"):
        yield "scam", _reason("fee_demand", cue)  # a paid "we clear your record" service
    personal = _first(cues, "personal_account") or next(
        (c for c in cues if c.kind == "account_name" and c.value == "personal"), None)
    pay = _first(cues, "payment_demand")
    if personal or (pay and _first(cues, "bank_card", "account_name")):
        yield "scam", _reason("personal_money", personal or pay)
    link = _first(cues, "url_unknown")
    if link and (pay or threats):
        yield "scam", _reason("url_payment", link)


def _impersonation(cues: tuple[Cue, ...]) -> Cue | None:
    if cue := _first(cues, "impersonation"):
        return cue
    official = next((c for c in cues if c.kind == "sender" and c.value in _OFFICIAL_ORGS), None)
    return official if official and _first(cues, "phone_personal") else None


def illegal_signals(cues: tuple[Cue, ...], threats: tuple[str, ...]) -> Iterator[Signal]:
    if cue := _impersonation(cues):
        yield "illegal", _reason("impersonation", cue)
    for kind in ("insult", "intimidation", "harassment"):
        if cue := _first(cues, kind):
            yield "illegal", _reason(kind, cue)
    if cue := _first(cues, "threat:contacts"):
        yield "illegal", _reason("contacts", cue)


def exaggerated_signals(cues: tuple[Cue, ...], threats: tuple[str, ...]) -> Iterator[Signal]:
    if cue := _first(cues, "exaggeration"):
        yield "exaggerated", _reason("exaggeration", cue)
    if (cue := _first(cues, "threat:criminal")) and not _impersonation(cues):
        yield "exaggerated", _reason("criminal", cue)
    has_case = _first(cues, "case_number") is not None
    if (cue := _first(cues, "case_claim_past")) and not has_case:
        yield "exaggerated", _reason("case_claim_past", cue)
    if (cue := _first(cues, "enforcement_claim")) and not has_case:
        yield "exaggerated", _reason("enforcement_claim", cue)
    if cue := _first(cues, "threat:visit"):
        yield "exaggerated", _reason("visit", cue)


def plausible_signals(cues: tuple[Cue, ...], threats: tuple[str, ...]) -> Iterator[Signal]:
    table = advice()["threat_verdict"]
    for tid in threats:
        if table.get(tid) == "plausible":
            cue = _first(cues, f"threat:{tid}") or _first(cues, "case_number", "phone_court", "sender")
            refs = tuple(advice()["threat_refs"].get(tid, ()))
            yield "plausible", Reason(_reason("plausible", cue).text, cue, refs)


RULES = (scam_signals, illegal_signals, exaggerated_signals, plausible_signals)


def decide(cues: tuple[Cue, ...], threats: tuple[str, ...], text: str) -> tuple[str | None, tuple[Reason, ...], bool]:
    """(verdict, reasons ordered by severity, conflict)."""
    live = _live(cues, text)
    signals = [s for rule in RULES for s in rule(live, threats)]
    if not signals:
        return None, (), False
    found = {v for v, _ in signals}
    verdict = next(v for v in VERDICT_IDS if v in found)
    conflict = verdict != "plausible" and "plausible" in found
    reasons = [r for v in VERDICT_IDS for s, r in signals if s == v]
    if conflict:
        reasons.insert(0, _reason("conflict", None, tuple(reasons[0].refs)))
    return verdict, tuple(reasons), conflict
