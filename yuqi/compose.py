"""The offline answer: the analysis and the retrieved passages, arranged for a person.

Every sentence here is either fixed product wording, text from the analysis
rules, or a sentence quoted from a numbered passage, so each citation [n]
points at the passage the sentence came from.
"""

from __future__ import annotations

import re

from yuqi.analysis import VERDICT_LABELS
from yuqi.textnorm import tokenize_zh

VERDICT_SUMMARY = {
    "scam": "这条信息有诈骗特征：不要按信息里给的账户、链接或电话付款或操作。",
    "illegal": "这种催收做法本身涉嫌违法：请保留证据，可以投诉或报警。",
    "exaggerated": "信息把法律后果说重了，实际的法律程序并不是这样运作的。",
    "plausible": "这可能是真实的法律程序，请务必通过官方渠道核实，不要错过期限。",
}
NO_THREAT = "这条信息里没有发现明确的威胁或法律程序，更像一般的还款提醒。"
SENT = re.compile(r"[^。！？；\n]+[。！？；]?")


def _cite(refs, passages) -> str:
    """[n] markers for the passages holding these refs, in ascending order."""
    nums = set()
    for ref in refs:
        found = [p.n for p in passages if p.chunk.ref == ref]
        if found:
            nums.add(min(found))
    return "".join(f"[{n}]" for n in sorted(nums))


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _dedupe(items) -> list[str]:
    """Drop advice lines that say nearly the same as an earlier one (rules can overlap)."""
    kept: list[str] = []
    for item in items:
        grams = _bigrams(item)
        if all(len(grams & _bigrams(k)) / max(len(grams), 1) < 0.6 for k in kept):
            kept.append(item)
    return kept


def _body(chunk) -> str:
    """Statute text without its leading "第X条", which the label already says."""
    text = chunk.text
    if chunk.article_no and text.startswith(chunk.article_no):
        text = text[len(chunk.article_no):].lstrip()
    return text


MD_LEAD = re.compile(r"^\s*(?:#{1,6}\s*|[-*•]\s*|\d{1,2}[.、．]\s*|[一二三四五六七八九十]+、)")


def _key_sentences(text: str, query_tokens: set[str], limit: int = 2) -> list[str]:
    """The sentences of a passage that share most words with the question, in passage order."""
    sents = [MD_LEAD.sub("", s).strip() for s in SENT.findall(text)]
    # A heading or a fragment is not a statement a reader can rely on.
    sents = [s for s in sents if len(s) >= 12 and re.search(r"[，。；！？,]", s)]
    if not sents:
        return []
    scored = sorted(
        ((len(query_tokens & set(tokenize_zh(s))), -i, s) for i, s in enumerate(sents)), reverse=True
    )
    best = [s for score, _, s in scored[:limit] if score > 0] or sents[:1]
    return sorted(best, key=sents.index)


def _excerpt(text: str, limit: int = 160) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[:limit].rstrip() + "……"


def _verdict_section(prepared) -> list[str]:
    a = prepared.analysis
    if a.verdict:
        head = f"**结论：{VERDICT_LABELS[a.verdict]}**。{VERDICT_SUMMARY[a.verdict]}"
    elif a.is_message:
        head = f"**结论**：{NO_THREAT}"
    else:
        return []
    lines = [head]
    if a.conflict:
        lines.append("注意：这条信息里的线索相互矛盾，按更安全的判断处理。")
    if a.reasons:
        lines += ["", "**为什么**"]
        lines += [f"- {r.text}{_cite(r.refs, prepared.passages)}" for r in a.reasons]
    return lines


def _list_section(title: str, items, cite: str = "") -> list[str]:
    if not items:
        return []
    return ["", f"**{title}**"] + [f"- {x}{cite}" for x in _dedupe(items)]


def _basis_section(prepared) -> list[str]:
    statutes = [p for p in prepared.passages if p.chunk.kind == "statute"]
    if not statutes:
        return []
    lines = ["", "**法律依据**"]
    lines += [f"- [{p.n}] {p.chunk.label}：{_excerpt(_body(p.chunk))}" for p in statutes[:5]]
    return lines


def _outdated_lines(prepared) -> list[str]:
    """One line per outdated number in a retrieved article; the answer rests on the current article."""
    lines = []
    for item in prepared.outdated:
        current = [p for p in prepared.passages if p.chunk.ref == item["current_ref"]]
        sources = [p.n for p in prepared.passages if p.chunk.doc_id == item.get("doc_id")]
        if not current:
            continue
        old_no = item.get("old_no") or ""
        where = f"资料[{sources[0]}]" if sources else "检索到的文章"
        lines.append(
            f"> 说明：{where}引用的是修订前的条文编号{('“' + old_no + '”') if old_no else ''}，"
            f"该内容现行条文为{current[0].chunk.label}[{current[0].n}]，本回答依据现行条文。"
        )
    return lines


def _material_section(prepared, query: str) -> list[str]:
    tokens = set(tokenize_zh(query))
    lines = ["", "**资料要点**" if prepared.analysis.verdict else "**根据检索到的资料**"]
    for p in prepared.passages[:4]:
        if p.chunk.kind == "statute":
            lines.append(f"- {p.chunk.label}规定：{_excerpt(_body(p.chunk), 200)}[{p.n}]")
        else:
            quote = "".join(_key_sentences(p.chunk.text, tokens))
            if not quote:
                continue
            lines.append(f"- 《{p.chunk.title}》指出：{_excerpt(quote, 200)}[{p.n}]")
    return lines


def compose_offline(prepared) -> str:
    a = prepared.analysis
    lines = _verdict_section(prepared)
    if not a.verdict:
        lines += _material_section(prepared, prepared.query)
    hecha = _cite(["hecha_qudao"], prepared.passages)
    lines += _list_section("怎么核实", a.verify, hecha)
    lines += _list_section("现在该做什么", a.steps)
    lines += _basis_section(prepared)
    out = _outdated_lines(prepared)
    if out:
        lines += [""] + out
    return "\n".join(lines).strip()
