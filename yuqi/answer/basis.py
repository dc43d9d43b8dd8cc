"""法律依据 and the quoting of passages: which sentence of an article is quoted, with which caption.

Split from compose.py (which arranges the answer); every quote is a sentence of a numbered passage.
"""

from __future__ import annotations

import re
from functools import lru_cache

from yuqi.answer.cards import Card, find_card
from yuqi.answer.sentvec import sentence_vectors
from yuqi.answer.support import corpus_grams
from yuqi.answer.types import Passage, Prepared
from yuqi.answer.wording import pattern, wording
from yuqi.textnorm import tokenize_zh

SENT = re.compile(r"[^。！？；\n]+[。！？；]?")
LIST_ITEM = re.compile(r"^（[一二三四五六七八九十]+）")
MD_LEAD = re.compile(r"^\s*(?:#{1,6}\s*|[-*•]\s*|\d{1,2}[.、．]\s*|[一二三四五六七八九十]+、)")



def statute_body(chunk) -> str:
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
    tokens = set(tokenize_zh(query)) - corpus_words(title)
    scored = sorted(((len(tokens & corpus_words(own)), -i, i) for i, (_, own) in enumerate(cands)), reverse=True)
    best = [i for score, _, i in scored[:limit] if score > 0]
    if not best and encoder is not None and len(cands) > 1:
        # the article's sentences are kept for the next answer; the question (`query`, `asked`) never is
        vecs = sentence_vectors(encoder, [query, *(own for _, own in cands)], f"{query}\n{asked or ''}")
        best = [int(i) for i in (vecs[1:] @ vecs[0]).argsort()[::-1][:limit]]
    return [cands[i][0] for i in sorted(best or [0])]


@lru_cache(maxsize=4096)
def corpus_words(text: str) -> frozenset[str]:
    """The BM25 terms of an article's sentence or title, kept across answers (keyed by the text
    itself: changed text is another entry). Never the person's text."""
    return frozenset(tokenize_zh(text))


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
                and not (title and _mostly_title(s, title))):
            out.append((shown, s))
    return [c for c in out if c[1] not in unasked] or out


def _mostly_title(sentence: str, title: str) -> bool:
    g = corpus_grams(sentence)
    return bool(g) and len(g & corpus_grams(title)) / len(g) > 0.8


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


def shorten(text: str, limit: int) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[:limit].rstrip("，、；") + "……"


def titled(title_key: str, lines: list[str]) -> list[str]:
    return ["", f"**{wording()['sections'][title_key]}**", *[f"- {x}" for x in lines]] if lines else []


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
        quote = "".join(key_sentences(statute_body(p.chunk), ask, 1, p.chunk.title, prepared.encoder, prepared.query))
        quote = quote or statute_body(p.chunk)
        lines.append(f"[{p.n}] {w['basis_intro'].format(label=p.chunk.label)}{shorten(quote, w['limits']['quote_chars'])}")
    return lines


CARD_CITE = re.compile(r"《([^》]+)》(第[一二三四五六七八九十百千零]+条(?:之[一二三四五六七八九十]+)?)")


def _card_citing(card: Card | None) -> dict[tuple[str, str], str]:
    """{(law's short title, 第X条): the card sentence that cites it}, first citation wins."""
    out: dict[tuple[str, str], str] = {}
    for lines in (card.sections.values() if card else ()):
        for line in lines:
            for sent in re.findall(r"[^。！？]+[。！？]?", line.text):
                for law, art in CARD_CITE.findall(sent):
                    out.setdefault((law.removeprefix("中华人民共和国"), art), sent)
    return out


def basis_section(prepared: Prepared, basis: list[str]) -> list[str]:
    """法律依据, with a caption when it quotes a penal article (why it is there, and that it states conditions)."""
    shown = {int(m.group(1)) for x in basis if (m := re.match(r"\[(\d+)\]", x))}
    caption = [wording()["penal_caption"]] if any(penal(p) for p in prepared.passages if p.n in shown) else []
    part = titled("basis", basis)
    return part[:2] + caption + part[2:] if part else []


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
