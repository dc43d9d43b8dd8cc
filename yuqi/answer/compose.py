"""The offline answer: a direct answer first, then 为什么 · 怎么核实 · 现在该做什么 · 法律依据.

Every sentence is fixed wording (wording.json), text from the analysis rules, a
line of a knowledge card, or a sentence quoted from a numbered passage. Quoted
lines carry the [n] of the chunk they came from; product wording carries the
AUTO placeholder, which the support check turns into the [n] of the passage
that says it (or nothing).
"""

from __future__ import annotations

import re

from yuqi.analysis.lexicon import advice
from yuqi.answer.basis import (  # noqa: F401  (SENT, key_sentences, secondary_clauses: used by tests and callers)
    SENT, basis_lines, basis_section, key_sentences, outdated_lines, secondary_clauses, shorten, statute_body, titled,
)
from yuqi.answer.cards import Card, find_card
from yuqi.answer.first import data as first_screen_data
from yuqi.answer.first import decisive, first_screen
from yuqi.answer.support import AUTO, grams
from yuqi.answer.types import FirstScreen, Passage, Prepared
from yuqi.answer.wording import inert, pattern, wording



def _cite(refs, passages: list[Passage]) -> str:
    nums = {min(p.n for p in passages if p.chunk.ref == r) for r in refs if any(p.chunk.ref == r for p in passages)}
    return "".join(f"[{n}]" for n in sorted(nums)) or AUTO


def _dedupe(items: list[str], against: list[str] = ()) -> list[str]:
    """Drop lines that say nearly the same as an earlier one (rules and cards overlap)."""
    kept: list[str] = []
    seen = [grams(k) for k in against]  # each line's bigrams once, not once per pair
    for item in items:
        g = grams(item)
        if all(len(g & k) / max(len(g), 1) < 0.6 for k in seen):
            kept.append(item)
            seen.append(g)
    return kept


def _card_lines(card: Card | None, section: str, passages: list[Passage], limit: int) -> list[str]:
    if card is None:
        return []
    n_of = {p.chunk.chunk_id: p.n for p in passages}
    return [f"{line.text}[{n_of[line.chunk.chunk_id]}]" for line in card.lines(section)[:limit] if line.chunk.chunk_id in n_of]


def _body_of(r) -> str:
    """A reason's text without its leading quote of the message ("“立案”：…")."""
    lead = f"“{r.cue.text}”：" if r.cue else ""
    return r.text[len(lead):] if lead and r.text.startswith(lead) else r.text


def _reason_key(text: str) -> str | None:
    return next((k for k, body in advice()["reasons"].items() if text.endswith(body)), None)


def _useful(reasons) -> list:
    return [r for r in reasons if _reason_key(r.text) != "conflict"]  # the conflict note is said once, above


def _headline(prepared: Prepared, first: FirstScreen) -> list[str]:
    """The unfolded head: the verdict and the decisive fact of this message (its words quoted), which
    clues conflict if any, then the actions that matter now (yuqi.answer.first)."""
    w, a = wording(), prepared.analysis
    if not a.verdict:
        return [f"**{w['conclusion']}：{w['no_threat']}。**"]
    r = decisive(a)
    cite = _cite(r.refs if r else (), prepared.passages)
    lines = [f"**{w['conclusion']}：{first.head}：{first.fact or w['decisive'].get(a.verdict, '')}。**{cite}"]
    lines += [first.conflict] if first.conflict else []
    return lines + _actions(first)


def _actions(first: FirstScreen, label: str = "") -> list[str]:
    if not first.actions:
        return []
    # Instructions (不要转账, 拨打 110) carry no marker: the support check would embed each one to look for a
    # passage saying it, a cost on every answer for a citation nobody needs; a card's step keeps its own [n].
    return ["", *([label] if label else []), *[f"- {x}" for x in first.actions]]


def _reason_lines(prepared: Prepared) -> list[str]:
    """One line per reason: the message's words it rests on, quoted inert, then the reason."""
    lim = wording()["limits"]["reasons"]
    groups: dict[str, list] = {}
    for r in _useful(prepared.analysis.reasons):
        groups.setdefault(_body_of(r), []).append(r)
    lines = []
    for body, rs in list(groups.items())[:lim]:
        quotes = "".join(dict.fromkeys(f"“{inert(r.cue.text)}”" for r in rs if r.cue))
        refs = tuple(dict.fromkeys(x for r in rs for x in r.refs))
        lines.append(f"{quotes + '：' if quotes else ''}{inert(body)}{_cite(refs, prepared.passages)}")
    return lines


def _advice(items, passages, limit: int, card_lines: list[str] = ()) -> list[str]:
    lines = list(card_lines) + _dedupe([f"{x}{AUTO}" for x in items], card_lines)
    return _dedupe(lines)[:limit]


def _material(prepared: Prepared, limit: int) -> list[str]:
    """Without a card: the key sentence of each of the top passages, quoted (statutes by their label)."""
    lines = []
    for p in prepared.passages:
        if len(lines) >= limit:
            break
        if p.chunk.kind == "statute":
            quote = "".join(key_sentences(statute_body(p.chunk), prepared.query, 1, p.chunk.title, prepared.encoder))
            lead = wording()["basis_intro"].format(label=p.chunk.label) if quote else ""
        else:
            quote, lead = "".join(key_sentences(p.chunk.text, prepared.query, 1, p.chunk.title)), ""
        if quote:
            lines.append(f"{lead}{shorten(quote, 200)}[{p.n}]")
    return _dedupe(lines)


def _finish(lines: list[str], prepared: Prepared, basis_limit: int) -> str:
    text = "\n".join(lines)
    lines += basis_section(prepared, basis_lines(prepared, text, basis_limit))
    out = outdated_lines(prepared)
    return "\n".join(lines + ([""] + out if out else [])).strip()


def compose_message(prepared: Prepared, card: Card | None) -> str:
    a, lim, ps = prepared.analysis, wording()["limits"], prepared.passages
    first = first_screen(a)
    lines = _headline(prepared, first)
    # A scam is answered by its red flags: a card retrieved for its words (仲裁, 被起诉后) would only confuse.
    card = card if first.kind != "scam" or (card and card.doc_id in a.refs) else None
    why = _reason_lines(prepared) + _card_lines(card, "简答", ps, 1)
    lines += titled("why", _dedupe(why)[:lim["reasons"] + 1])
    lines += titled("verify", _advice(a.verify, ps, lim["verify"], _card_lines(card, "怎么核实", ps, 1)))
    said = set(advice()["steps_verdict"].get(a.verdict or "", ()))  # the first screen already says these
    steps = [x for x in a.steps if x not in said]
    lines += titled("steps", _dedupe(_advice(steps, ps, lim["steps"]), list(first.actions)))
    return _finish(lines, prepared, lim["basis"])


def _question_steps(prepared: Prepared, card: Card | None) -> list[str]:
    """Debt-collection advice only where the question is about it (a card, a threat, a verdict)."""
    a, lim, ps = prepared.analysis, wording()["limits"], prepared.passages
    if not (card or a.threats or a.verdict):
        return []
    return _advice(a.steps, ps, lim["steps"], _card_lines(card, "现在该做什么", ps, lim["steps"]))


def _question_actions(prepared: Prepared, card: Card | None, direct: list[str]) -> list[str]:
    """A question's first actions: its card's first steps; the analysis' general steps only for a threat
    (保存催收短信 is no first step for 网贷利息上限是多少)."""
    lines = _dedupe(_card_lines(card, "现在该做什么", prepared.passages, 3), direct)
    if not lines and prepared.analysis.threats:
        lines = _dedupe(_question_steps(prepared, None), direct)
    return lines[:2]


def first_of(prepared: Prepared, card: Card | None = None) -> FirstScreen | None:
    """The first screen the offline answer opens with (None for a follow-up or a decline)."""
    a = prepared.analysis
    if prepared.declined or a.followup:
        return None
    if a.is_message or a.verdict:
        return first_screen(a)
    card = card or find_card(prepared)
    direct = _dedupe(_card_lines(card, "简答", prepared.passages, 2))
    return first_screen(a, _question_actions(prepared, card, direct))


def compose_question(prepared: Prepared, card: Card | None) -> str:
    a, lim, ps = prepared.analysis, wording()["limits"], prepared.passages
    direct = _dedupe(_card_lines(card, "简答", ps, 2))  # overlapping chunks can repeat a sentence
    why = _card_lines(card, "为什么", ps, lim["card_why"]) or _material(prepared, lim["material"])
    if not direct and why:
        direct, why = why[:1], why[1:]
    lines = [f"**{x}**" if i == 0 else x for i, x in enumerate(direct)]
    on_topic = bool(card or a.threats or a.verdict)
    steps = _question_steps(prepared, card)
    first = first_screen(a, _question_actions(prepared, card, direct))
    if a.verdict:  # a question that describes conduct gets the verdict and its actions first
        lines = [*_headline(prepared, first), "", *lines]
        why = _reason_lines(prepared) + why
    else:
        lines += _actions(first, first_screen_data()["question_steps_label"])
    lines += titled("why", _dedupe(why, direct))
    verify = _advice(a.verify, ps, lim["verify"], _card_lines(card, "怎么核实", ps, lim["verify"])) if on_topic else []
    lines += titled("verify", verify)
    lines += titled("steps", _dedupe(steps, [*direct, *first.actions]))
    return _finish(lines, prepared, lim["basis"])


def _intent(question: str) -> str:
    for name, rx in wording()["followup_intent"].items():
        if pattern(rx).search(question):
            return name
    return "answer"


def compose_followup(prepared: Prepared, card: Card | None) -> str:
    """Answer the follow-up itself, shorter, with the earlier message as context."""
    a, w, ps = prepared.analysis, wording(), prepared.passages
    lim = w["limits"]["followup_lines"]
    label = a.verdict_label or w["no_threat"]
    intent = _intent(a.question)
    lines = [w["followup_intro"].format(label=label)]
    if intent == "verify":
        body = _advice(a.verify, ps, lim, _card_lines(card, "怎么核实", ps, lim))
    elif intent == "steps":
        body = _advice(a.steps, ps, lim, _card_lines(card, "现在该做什么", ps, lim))
    elif intent == "why":
        body = _reason_lines(prepared)[:lim] or _card_lines(card, "为什么", ps, lim)
    else:
        body = _card_lines(card, "简答", ps, 2) or _material(prepared, 2)
    if not body:
        body = _advice(a.steps, ps, lim)
    q = grams(a.question)
    body = sorted(body, key=lambda x: -len(grams(x) & q))  # the line closest to what was asked leads
    lines += [f"**{body[0]}**", *[f"- {x}" for x in body[1:]]]
    basis = basis_lines(prepared, "\n".join(lines), 2) if intent in ("why", "answer") else []
    return "\n".join(lines + basis_section(prepared, basis)).strip()


def compose_offline(prepared: Prepared) -> str:
    a = prepared.analysis
    card = find_card(prepared)
    if a.followup:
        return compose_followup(prepared, card)
    if a.is_message:
        return compose_message(prepared, card)
    return compose_question(prepared, card)
