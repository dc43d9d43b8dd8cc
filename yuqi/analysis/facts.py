"""Read a message as facts: who speaks, to whom, what is claimed and demanded, the channel, the conduct.

Every fact keeps the cue (exact span of the original text) it was read from, so a
reason built on a fact can only quote what is there.
"""

from __future__ import annotations

from dataclasses import replace

from yuqi.textnorm import normalize_for_rules

from .casenum import decode
from .cues import SENTENCE_END
from .lexicon import compiled, court_hosts, reading_rule, structure
from .model import Cue, Fact, Facts
from .threats import speaks_to_reader

_SENDER_ORG = {"法院": "court", "公安": "police", "检察院": "procuratorate", "律所": "lawyer",
               "调解中心": "mediator", "法务部": "collector", "仲裁委": "arbitration", "平台": "creditor"}
_AUTHORITY = ("court", "police", "procuratorate", "village_committee")
_CONDUCT_CUES = {"insult": "insult", "fact:insult": "insult", "intimidation": "threat_safety", "harassment": "harassment",
                 "fact:threat_safety": "threat_safety", "fact:publish": "publish",
                 "fact:disclose_done": "disclose_done", "fact:impersonation": "impersonation"}
_DEMAND_CUES = {"personal_account": "pay_personal", "payment_demand": "pay", "fee_demand": "fee"}


def _negated(norm: str, cue: Cue) -> bool:
    if reading_rule("negated").search(norm[max(0, cue.start - 8):cue.start]):
        return True
    head = norm[max(0, cue.start - 40):cue.start]
    return bool(reading_rule("warning").search(SENTENCE_END.split(head)[-1]))


def _speaker(cues: tuple[Cue, ...]) -> tuple[str, Cue | None, Cue | None]:
    """(speaker, its cue, an authority claim made by a collector: impersonation)."""
    named = [(c.kind.removeprefix("fact:"), c) for c in cues
             if c.kind in {"fact:court", "fact:police", "fact:procuratorate", "fact:village_committee",
                           "fact:platform_service", "fact:collector"}]
    named += [(_SENDER_ORG.get(c.value, "creditor"), c) for c in cues if c.kind == "sender"]
    if not named:
        return "unknown", None, None
    collector = next((c for k, c in named if k == "collector"), None)
    authority = next(((k, c) for k, c in named if k in _AUTHORITY), None)
    claimed = next((c for k, c in named if k in _AUTHORITY and "自称" in c.text), None)
    if collector and claimed:
        return "collector", collector, claimed
    if authority:
        return authority[0], authority[1], None
    return named[0][0], named[0][1], None


def _channel(text: str, norm: str, cues: tuple[Cue, ...]) -> tuple[Fact, ...]:
    hosts = court_hosts()
    out: list[Fact] = []
    for c in cues:
        if c.kind in ("url_official", "url_unknown"):
            host = c.value
            court = any(host == h or host.endswith("." + h) for h in hosts)
            out.append(Fact("link_court" if court else "link_other", c, value=host))
        elif c.kind in ("phone_personal", "phone_service", "phone_court", "phone_landline", "phone_hotline"):
            out.append(Fact(c.kind, c, value=c.value))
        elif c.kind in ("bank_card", "account_name"):
            out.append(Fact(c.kind, c, value=c.value))
    for m in compiled(structure()["phone_foreign"]).finditer(norm):
        out.append(Fact("foreign_number", Cue("foreign_number", text[m.start():m.end()], m.start(), m.end(),
                                              "境外号码"), value=m.group()))
    return tuple(out)


def _claims(norm: str, cues: tuple[Cue, ...]) -> tuple[Fact, ...]:
    kinds = {"freeze", "preservation", "enforcement", "blacklist", "lawsuit", "hearing", "mediation",
             "lawyer_letter", "credit_report", "criminal", "visit", "contact_third", "court_notice"}
    out = []
    for c in cues:
        kind = c.kind.removeprefix("fact:")
        if c.kind == "threat:contacts":  # the threat lexicon's third-party entries are the same legal category
            kind = "contact_third"
        if (c.kind.startswith("fact:") and kind in kinds) or c.kind == "threat:contacts":
            tense = "past" if reading_rule("past").search(norm[max(0, c.start - 4):c.start]) else "future"
            out.append(Fact(kind, c, tense))
    return tuple(out)


def _demands(norm: str, cues: tuple[Cue, ...]) -> tuple[Fact, ...]:
    kinds = {"pay", "pay_to_stop", "press_key", "pay_link", "fine", "bail_fee", "collect_agent", "report_whereabouts",
             "account_cancel", "state_policy", "paid_repair", "fee", "send_info", "download"}
    out = []
    for c in cues:
        kind = _DEMAND_CUES.get(c.kind) or c.kind.removeprefix("fact:")
        if kind == "fee" and not reading_rule("fee_word").search(c.text):
            kind = "paid_agent"  # "帮您办理延期": an agent's offer, no fee named in the text
        if (c.kind in _DEMAND_CUES or (c.kind.startswith("fact:") and kind in kinds)) and not _negated(norm, c):
            out.append(Fact(kind, c))
    # "我们能处理征信" is only a paid-repair offer when a fee or a private contact comes with it.
    if any(c.kind == "paid_contact" for c in cues):
        out += [Fact("paid_repair", c) for c in cues if c.kind == "repair_service"]
    return tuple(out)


def _conduct(norm: str, cues: tuple[Cue, ...], impersonated: Cue | None) -> tuple[Fact, ...]:
    out = [Fact(_CONDUCT_CUES[c.kind], c) for c in cues if c.kind in _CONDUCT_CUES and not _negated(norm, c)]
    out += [Fact("impersonation", c) for c in cues if c.kind == "impersonation"]
    if impersonated:
        out.append(Fact("impersonation", impersonated))
    return tuple(out)


def _context(cues: tuple[Cue, ...]) -> tuple[Fact, ...]:
    kinds = {"fact:no_dispute", "fact:suspect", "fact:unless_repay", "fact:unrelated_condition",
             "fact:self_report", "fact:asks_credibility", "fact:via_court", "fact:overstated", "fact:imminent"}
    return tuple(Fact(c.kind.removeprefix("fact:"), c) for c in cues if c.kind in kinds)


def read_facts(text: str, cues: tuple[Cue, ...]) -> Facts:
    norm = normalize_for_rules(text)
    speaker, speaker_cue, impersonated = _speaker(cues)
    third = next((c for c in cues if c.kind == "fact:third_party"), None)
    return Facts(
        speaker=speaker, speaker_cue=speaker_cue,
        addressee="third_party" if third else "debtor", addressee_cue=third,
        claims=_claims(norm, cues), context=_context(cues), demands=_demands(norm, cues),
        channel=_channel(text, norm, cues), conduct=_conduct(norm, cues, impersonated),
        case_numbers=tuple(replace(decode(c.value), raw=c.text) for c in cues if c.kind == "case_number"),
        reported=bool(reading_rule("reported").search(norm)) and not speaks_to_reader(norm),
    )
