"""Copyable texts addressed to the right party, filled from the message or the question (texts.json).

Letters and complaints go to the lender or platform; a scam gets notes for a police report, a
court step a checklist for answering it. A question gets a text only when it tells of a message
or conduct, and then its own words fill it (never "paste the message here").
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path

from yuqi.analysis import Analysis
from yuqi.answer.kinds import kind_of, own_account
from yuqi.answer.types import CopyText

HERE = Path(__file__).resolve().parent
QUOTE_LIMIT = 160


@lru_cache(maxsize=1)
def data() -> dict:
    return json.loads((HERE / "texts.json").read_text(encoding="utf-8"))


def _clean(name: str) -> str:
    return re.sub(r"[【】\[\]〔〕「」]", "", name).strip()


def sender(analysis: Analysis) -> str:
    """The name the message signs with (【XX金融】), whoever that claims to be."""
    cue = next((c for c in analysis.cues if c.kind == "sender"), None)
    return _clean(cue.text) if cue else ""


def _lender(name: str) -> bool:
    return bool(name) and not re.search(data()["not_a_lender"], name)


def platform(analysis: Analysis) -> str:
    """Who a letter goes to: the sender when it is a lender, else a lender the text names, else 〔借款平台〕.
    Never a court, the police or another party the message speaks as (or impersonates)."""
    d = data()
    name = sender(analysis)
    if _lender(name) and analysis.facts.speaker not in ("court", "police", "procuratorate", "village_committee"):
        return name
    for m in re.finditer(d["lender_names"], analysis.text):
        name = re.sub(d["name_lead"], "", m.group(0))  # "您在花花贷" → 花花贷, "原告某某消费金融" → 某某消费金融
        if len(name) >= 2 and _lender(name) and name not in ("网贷", "借贷", "贷款"):
            return name
    return d["defaults"]["platform"]


def _numbers(analysis: Analysis) -> str:
    seen: list[str] = []
    for c in analysis.cues:
        if c.kind.startswith(("bank", "phone", "url", "account", "wechat", "qq")):
            seen.append(f"{c.label}：{c.text}" if c.kind != "account_name" else f"收款户名：{c.text}")
    return "；".join(dict.fromkeys(seen)) or data()["defaults"]["numbers"]


def _court_fields(analysis: Analysis) -> dict[str, str]:
    from yuqi.analysis.casenum import court_of

    case = next((c for c in analysis.facts.case_numbers if c.valid), None)
    return {"case": case.raw if case else "〔案号〕", "court": (court_of(case) if case else "") or "〔法院〕"}


def fields(analysis: Analysis, today: dt.date | None = None) -> dict[str, str]:
    from yuqi.analysis import THREAT_LABELS

    d, today = data(), today or dt.date.today()
    text = analysis.text if analysis.is_message else (analysis.question or analysis.text)
    quote = re.sub(r"\s+", " ", text).strip()
    quote = quote if len(quote) <= QUOTE_LIMIT else quote[:QUOTE_LIMIT] + "……"
    date = f"{today.year}年{today.month}月{today.day}日"
    name = sender(analysis)
    who = d["sender_named"].format(name=name) if name else d["sender_unnamed"]
    told = analysis.is_message and not own_account(analysis)  # a message received, not the person's account
    said = (d["said_message"] if told else d["said_question"]).format(date=date, sender=who, quote=quote)
    return {"platform": platform(analysis), "said": said, "quote": quote, "date": date,
            "sender_name": name or "（未署名）", "numbers": _numbers(analysis),
            "claims": "、".join(THREAT_LABELS.get(t, t) for t in analysis.threats) or d["defaults"]["claims"],
            **_court_fields(analysis)}


def describes_conduct(analysis: Analysis) -> bool:
    """A pasted message, or a question that tells of a message or of what a collector did."""
    f = analysis.facts
    return analysis.is_message or f.reported or bool(f.conduct) or bool(analysis.verdict and f.claims)


def _ids(analysis: Analysis, kind: str) -> list[str]:
    d = data()
    ids = list(d["by_kind"].get(kind, []))
    tags = set(analysis.threats) | {c.kind for c in analysis.facts.conduct}
    if analysis.facts.addressee == "third_party":
        tags.add("disclose_third_party")
    if kind in ("illegal", "exaggerated"):
        ids += [t for t in ("stop_third_party",) if tags & set(d["also"][t]) and t not in ids]
    if kind == "illegal" and tags & set(d["also"]["police_110"]):
        ids.append("police_110")
    order = list(d["templates"])
    return sorted(dict.fromkeys(ids), key=order.index)


def copy_texts(analysis: Analysis | None, today: dt.date | None = None) -> list[CopyText]:
    """The texts that fit this analysis, filled in; none for a question that tells of nothing."""
    if analysis is None or not analysis.verdict or not describes_conduct(analysis):
        return []
    values = fields(analysis, today)
    tpl = data()["templates"]
    return [CopyText(i, tpl[i]["title"].format(**values), tpl[i]["text"].format(**values))
            for i in _ids(analysis, kind_of(analysis))]


def short_title(text: CopyText) -> str:
    """The few words an expander's title gives for a text ("应诉清单")."""
    return data()["templates"].get(text.id, {}).get("short", text.title)
