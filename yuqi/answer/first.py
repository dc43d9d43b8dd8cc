"""The first screen of an answer: what a frightened person sees on a phone without opening anything.

The verdict's head, one sentence on the decisive fact of THIS message (its own words quoted),
then the one to three actions that matter now. Wording is data (first_screen.json); the
decisive fact is the analysis' first reason, read as the red flag of lawful.json it carries.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from yuqi.analysis import Analysis
from yuqi.analysis.lexicon import advice, lawful
from yuqi.answer.kinds import COURT_CLAIMS, kind_of, own_account
from yuqi.answer.texts import platform
from yuqi.answer.types import FirstScreen
from yuqi.answer.wording import inert, wording

HERE = Path(__file__).resolve().parent
DEADLINE = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日[^，。；！\n]{0,12}|\d{1,2}日内[^，。；！\n]{0,10}|[一二三四五六七八九十\d]+(?:日|天)内[^，。；！\n]{0,10}")
QUOTE_MAX = 40


@lru_cache(maxsize=1)
def data() -> dict:
    return json.loads((HERE / "first_screen.json").read_text(encoding="utf-8"))


def _body(reason) -> str:
    lead = f"“{reason.cue.text}”：" if reason.cue else ""
    return reason.text[len(lead):] if lead and reason.text.startswith(lead) else reason.text


def flag_key(reason) -> str | None:
    """The red flag of lawful.json a reason states (its text starts with the flag's)."""
    body = _body(reason)
    return next((k for k, f in lawful()["red_flags"].items() if body.startswith(f["text"])), None)


def decisive(analysis: Analysis):
    """The first reason that is not the conflict note (the first reason decides the verdict)."""
    conflict = advice()["reasons"]["conflict"]
    return next((r for r in analysis.reasons if not r.text.endswith(conflict)), None)


def _quote(text: str) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return inert(flat if len(flat) <= QUOTE_MAX else flat[:QUOTE_MAX] + "…")


def fact_sentence(analysis: Analysis) -> str:
    """One sentence on the decisive fact, quoting the message; a rule's own wording only as a fallback."""
    r = decisive(analysis)
    if r is None:
        return ""
    d, key = data(), flag_key(r)
    if r.cue and own_account(analysis):  # the person's own account, not a message they received
        return d["reported_fact"].format(quote=_quote(r.cue.text), body=inert(_body(r)))
    if r.cue and key in d["facts"]:
        return d["facts"][key].format(quote=_quote(r.cue.text))
    body = _body(r)
    if r.cue and analysis.verdict == "plausible":
        label = body.split("是", 1)[0] if "可以依法采取" in body else d["plausible_label"]["default"]
        return d["plausible_fact"].format(quote=_quote(r.cue.text), label=label)
    # Without a known flag: the explanation after the rule's label ("label；explanation"), else the body.
    parts = body.split("；", 1)
    said = parts[1] if len(parts) > 1 else parts[0]
    return f"信息里“{_quote(r.cue.text)}”：{said}" if r.cue else inert(body)


def conflict_sentence(analysis: Analysis) -> str:
    """Which clues conflict: the official-looking one and the one that decided; nothing when unsure."""
    if not analysis.conflict:
        return ""
    f = analysis.facts
    official = next((c.cue.text for c in f.channel if c.kind in ("link_court", "phone_court")), "")
    official = official or next((c.raw for c in f.case_numbers if c.valid), "")
    official = official or next((c.cue.text for c in f.claims if c.kind in COURT_CLAIMS), "")
    r = decisive(analysis)
    if not official or r is None or r.cue is None or r.cue.text == official:
        return ""
    return data()["conflict_named"].format(official=_quote(official), flag=_quote(r.cue.text))


def _court_fill(analysis: Analysis) -> dict[str, str]:
    from yuqi.analysis.casenum import court_match

    d = data()
    case = next((c for c in analysis.facts.case_numbers if c.valid), None)
    deadline = DEADLINE.search(analysis.text) if analysis.is_message else None
    out = {"case_check": d["case_check"].format(case=inert(case.raw)) if case else d["case_check_none"],
           "deadline": d["deadline"].format(deadline=inert(deadline.group(0).strip())) if deadline else "", "court_line": ""}
    if case:
        court, match, named = court_match(case, analysis.text)
        if court:
            how = d["court_match"][match].format(named=inert(named))
            out["court_line"] = d["court_line"].format(court=court, match=how)
    return out


def _truth_check(analysis: Analysis) -> dict[str, str]:
    d = data()
    r = decisive(analysis)
    key = flag_key(r) if r else None
    check = next((d["check"][t] for t in d["check"] if t in analysis.threats), d["check"]["default"])
    return {"truth": d["truth"].get(key or "", d["truth"]["default"]), "check": check}


def actions(analysis: Analysis, kind: str) -> list[str]:
    d = data()
    fill = {"platform": platform(analysis), "case_check": "", "deadline": "", "truth": "", "check": ""}
    if kind == "court":
        fill |= _court_fill(analysis)
    if kind == "exaggerated":
        fill |= _truth_check(analysis)
    lines = [a.format(**fill).strip() for a in d["actions"].get(kind, [])]
    if fill.get("court_line"):
        lines[0] = f"{lines[0]}{fill['court_line']}"
    return lines[:3]


def first_screen(analysis: Analysis, question_steps: list[str] = ()) -> FirstScreen:
    """The head of the answer for this analysis. A question's actions are its card's first steps."""
    kind = kind_of(analysis)
    head = wording()["verdict_head"].get(analysis.verdict or "", "")
    fact = fact_sentence(analysis) if analysis.verdict else ""
    acts = actions(analysis, kind) if kind != "question" else list(question_steps)[:2]
    return FirstScreen(kind, head, fact, conflict_sentence(analysis), tuple(acts))
