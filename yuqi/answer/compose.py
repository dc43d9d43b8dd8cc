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
from yuqi.answer.cards import Card, find_card
from yuqi.answer.first import data as first_screen_data
from yuqi.answer.first import decisive, first_screen
from yuqi.answer.support import AUTO, grams
from yuqi.answer.types import FirstScreen, Passage, Prepared
from yuqi.answer.wording import inert, pattern, wording
from yuqi.textnorm import tokenize_zh

SENT = re.compile(r"[^。！？；\n]+[。！？；]?")
LIST_ITEM = re.compile(r"^（[一二三四五六七八九十]+）")
MD_LEAD = re.compile(r"^\s*(?:#{1,6}\s*|[-*•]\s*|\d{1,2}[.、．]\s*|[一二三四五六七八九十]+、)")


def _cite(refs, passages: list[Passage]) -> str:
    nums = {min(p.n for p in passages if p.chunk.ref == r) for r in refs if any(p.chunk.ref == r for p in passages)}
    return "".join(f"[{n}]" for n in sorted(nums)) or AUTO


def _dedupe(items: list[str], against: list[str] = ()) -> list[str]:
    """Drop lines that say nearly the same as an earlier one (rules and cards overlap)."""
    kept: list[str] = []
    for item in items:
        g = grams(item)
        if all(len(g & grams(k)) / max(len(g), 1) < 0.6 for k in [*against, *kept]):
            kept.append(item)
    return kept


def _body(chunk) -> str:
    """Statute text without its leading "第X条", which the label already says."""
    text = chunk.text
    return text[len(chunk.article_no):].lstrip() if chunk.article_no and text.startswith(chunk.article_no) else text


def key_sentences(text: str, query: str, limit: int = 2, title: str = "", encoder=None,
                  asked: str | None = None) -> list[str]:
    """The sentences of a passage that share most words with the question, in passage order.

    Words of the passage's own title do not count (a question naming 治安管理处罚法 would
    otherwise pick whichever item mentions 治安管理处罚); when no sentence shares a word and the
    loaded embedder is at hand, the sentence nearest the question in meaning is taken. A clause for
    a narrower case (a penal article's aggravated tier, its unit-crime clause) is a candidate only
    when the person's own text (`asked`, default `query`) asks about that case."""
    cands = _candidates(text, title, query if asked is None else asked)
    if not cands:
        return []
    tokens = set(tokenize_zh(query)) - set(tokenize_zh(title))
    scored = sorted(((len(tokens & set(tokenize_zh(own))), -i, i) for i, (_, own) in enumerate(cands)), reverse=True)
    best = [i for score, _, i in scored[:limit] if score > 0]
    if not best and encoder is not None and len(cands) > 1:
        vecs = encoder.encode_queries([query, *(own for _, own in cands)])
        best = [int(i) for i in (vecs[1:] @ vecs[0]).argsort()[::-1][:limit]]
    return [cands[i][0] for i in sorted(best or [0])]


def _candidates(text: str, title: str, asked: str) -> list[tuple[str, str]]:
    """(what is quoted, its own words) per quotable sentence. Not headings, titles, fragments, a
    list's lead-in alone ("有下列行为之一的，…") or a bare referral (法律另有规定的，依照其规定); a list
    item is quoted after its lead-in (有下列行为之一的，处…：……（二）…) and matched on its own words."""
    sents = [MD_LEAD.sub("", s).strip() for s in SENT.findall(text)]
    unasked = set(secondary_clauses(sents, asked))
    lead = next((s for s in sents if "下列" in s), "")
    referral = pattern(wording()["referral_only"]["pattern"])
    out = []
    for s in sents:
        shown = f"{lead.rstrip('；：:，,')}：……{s}" if lead and LIST_ITEM.match(s) else s
        if (len(shown) >= 12 and re.search(r"[，。；！？,]", shown) and "下列" not in s and not referral.match(s)
                and not (title and grams(s) and len(grams(s) & grams(title)) / len(grams(s)) > 0.8)):
            out.append((shown, s))
    return [c for c in out if c[1] not in unasked] or out


def secondary_clauses(sents: list[str], asked: str | None = None) -> list[str]:
    """The sentences after an article's first that apply only in a narrower case (wording.json
    `secondary_clauses`): all of them, or with `asked` those that text does not ask about."""
    out = []
    for rule in wording()["secondary_clauses"]["rules"]:
        words = set(pattern(rule["asked"]).findall(asked)) if asked is not None else set()
        for s in sents[1:]:
            reached = any(w in s for w in words) if rule.get("same_word") else bool(words)
            if pattern(rule["pattern"]).match(s) and not reached and s not in out:
                out.append(s)
    return out


def _short(text: str, limit: int) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[:limit].rstrip("，、；") + "……"


def _card_lines(card: Card | None, section: str, passages: list[Passage], limit: int) -> list[str]:
    if card is None:
        return []
    n_of = {p.chunk.chunk_id: p.n for p in passages}
    return [f"{line.text}[{n_of[line.chunk.chunk_id]}]" for line in card.lines(section)[:limit] if line.chunk.chunk_id in n_of]


def _section(title_key: str, lines: list[str]) -> list[str]:
    return ["", f"**{wording()['sections'][title_key]}**", *[f"- {x}" for x in lines]] if lines else []


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
    lines = [f"**{first.head}：{first.fact or w['decisive'].get(a.verdict, '')}。**{cite}"]
    lines += [first.conflict] if first.conflict else []
    return lines + _actions(first)


def _actions(first: FirstScreen, label: str = "") -> list[str]:
    if not first.actions:
        return []
    return ["", *([label] if label else []), *[f"- {x}{'' if x.endswith(']') else AUTO}" for x in first.actions]]


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


def basis_lines(prepared: Prepared, text_so_far: str, limit: int) -> list[str]:
    """Statutes, those the answer already cites first, each quoted at its most relevant sentence."""
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", text_so_far)]
    quoted = set(re.findall(r"规定：[^\n]*\[(\d+)\]", text_so_far))  # already quoted above: not again
    statutes = [p for p in prepared.passages if p.chunk.kind == "statute" and str(p.n) not in quoted]
    statutes.sort(key=lambda p: cited.index(p.n) if p.n in cited else len(cited) + p.n)
    q = prepared.query + " " + " ".join(r.text for r in prepared.analysis.reasons)
    said = _card_citing(find_card(prepared))
    w = wording()
    lines = []
    for p in statutes[:limit]:
        # A card line that cites this article says which part of it matters (利率…不得违反, not 没有约定利息的).
        ask = said.get((p.chunk.title.removeprefix("中华人民共和国"), p.chunk.article_no), q)
        quote = "".join(key_sentences(_body(p.chunk), ask, 1, p.chunk.title, prepared.encoder, prepared.query))
        quote = quote or _body(p.chunk)
        lines.append(f"[{p.n}] {w['basis_intro'].format(label=p.chunk.label)}{_short(quote, w['limits']['quote_chars'])}")
    return lines


CARD_CITE = re.compile(r"《([^》]+)》(第[一二三四五六七八九十百千零]+条(?:之[一二三四五六七八九十]+)?)")


def _card_citing(card: Card | None) -> dict[tuple[str, str], str]:
    """{(law's short title, 第X条): the card sentence that cites it}, first citation wins."""
    out: dict[tuple[str, str], str] = {}
    for section in (card.sections.values() if card else ()):
        for line in section:
            for sent in re.findall(r"[^。！？]+[。！？]?", line.text):
                for law, art in CARD_CITE.findall(sent):
                    out.setdefault((law.removeprefix("中华人民共和国"), art), sent)
    return out


def _material(prepared: Prepared, limit: int) -> list[str]:
    """Without a card: the key sentence of each of the top passages, quoted (statutes by their label)."""
    lines = []
    for p in prepared.passages:
        if len(lines) >= limit:
            break
        if p.chunk.kind == "statute":
            quote = "".join(key_sentences(_body(p.chunk), prepared.query, 1, p.chunk.title, prepared.encoder))
            lead = wording()["basis_intro"].format(label=p.chunk.label) if quote else ""
        else:
            quote, lead = "".join(key_sentences(p.chunk.text, prepared.query, 1, p.chunk.title)), ""
        if quote:
            lines.append(f"{lead}{_short(quote, 200)}[{p.n}]")
    return _dedupe(lines)


def _basis_section(prepared: Prepared, basis: list[str]) -> list[str]:
    """法律依据, with a caption when it quotes a penal article (why it is there, and that it states conditions)."""
    shown = {int(m.group(1)) for x in basis if (m := re.match(r"\[(\d+)\]", x))}
    caption = [wording()["penal_caption"]] if any(penal(p) for p in prepared.passages if p.n in shown) else []
    section = _section("basis", basis)
    return section[:2] + caption + section[2:] if section else []


def penal(passage: Passage) -> bool:
    """A penal article: shown to say what a crime requires, never what the person will get."""
    return passage.chunk.kind == "statute" and passage.chunk.title in wording()["penal_titles"]


def outdated_lines(prepared: Prepared) -> list[str]:
    """One note per old article number, naming the current article. No [n] here: the note says
    where a number went, it is no claim the support check could weigh (the article is in 法律依据)."""
    w, lines = wording(), []
    for item in prepared.outdated:
        current = [p for p in prepared.passages if p.chunk.ref == item.current_ref]
        if not current:
            continue
        label = current[0].chunk.label
        if not item.doc_id:  # the person's own text cites the old number
            lines.append("> " + w["outdated_question"].format(raw=item.raw, label=label))
            continue
        sources = [p.n for p in prepared.passages if p.chunk.doc_id == item.doc_id]
        where = w["outdated_where_source"].format(n=sources[0]) if sources else w["outdated_where_default"]
        old = f"“{item.old_no}”" if item.old_no else ""
        lines.append("> " + w["outdated"].format(where=where, old=old, label=label))
    return list(dict.fromkeys(lines))


def _finish(lines: list[str], prepared: Prepared, basis_limit: int) -> str:
    text = "\n".join(lines)
    lines += _basis_section(prepared, basis_lines(prepared, text, basis_limit))
    out = outdated_lines(prepared)
    return "\n".join(lines + ([""] + out if out else [])).strip()


def compose_message(prepared: Prepared, card: Card | None) -> str:
    a, lim, ps = prepared.analysis, wording()["limits"], prepared.passages
    first = first_screen(a)
    lines = _headline(prepared, first)
    # A scam is answered by its red flags: a card retrieved for its words (仲裁, 被起诉后) would only confuse.
    card = card if first.kind != "scam" or (card and card.doc_id in a.refs) else None
    why = _reason_lines(prepared) + _card_lines(card, "简答", ps, 1)
    lines += _section("why", _dedupe(why)[:lim["reasons"] + 1])
    lines += _section("verify", _advice(a.verify, ps, lim["verify"], _card_lines(card, "怎么核实", ps, 1)))
    said = set(advice()["steps_verdict"].get(a.verdict or "", ()))  # the first screen already says these
    steps = [x for x in a.steps if x not in said]
    lines += _section("steps", _dedupe(_advice(steps, ps, lim["steps"]), list(first.actions)))
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
    lines += _section("why", _dedupe(why, direct))
    verify = _advice(a.verify, ps, lim["verify"], _card_lines(card, "怎么核实", ps, lim["verify"])) if on_topic else []
    lines += _section("verify", verify)
    lines += _section("steps", _dedupe(steps, [*direct, *first.actions]))
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
    return "\n".join(lines + _basis_section(prepared, basis)).strip()


def compose_offline(prepared: Prepared) -> str:
    a = prepared.analysis
    card = find_card(prepared)
    if a.followup:
        return compose_followup(prepared, card)
    if a.is_message:
        return compose_message(prepared, card)
    return compose_question(prepared, card)
