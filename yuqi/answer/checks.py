"""The last gates before an answer is shown.

`finish`: every [n] true to its passage (support check, markers moved or
dropped, passages renumbered in reading order), then every statute citation
checked (yuqi.citations.ground). `llm_guard`: an LLM answer that turns the verdict
toward "real" or tells the user to pay, transfer or click is withdrawn.
"""

from __future__ import annotations

import re
from dataclasses import replace

from yuqi.answer.support import AUTO, renumber, repair
from yuqi.answer.types import Answer, Prepared
from yuqi.answer.wording import pattern, wording
from yuqi.citations.ground import check_answer


def finish(text: str, prepared: Prepared, used_llm: bool, notice: str) -> Answer:
    """Every answer, offline or LLM, passes the same checks before anyone sees it."""
    repaired, supports, stats, dangling = repair(text, prepared.passages, prepared.encoder)
    repaired, passages = renumber(repaired, prepared.passages)
    repaired = sort_numbered_lines(repaired)
    shown = replace(prepared, passages=passages)
    cleaned, checks, removed, notes = check_answer(repaired.replace(AUTO, ""), shown)
    if notes:
        cleaned = cleaned.rstrip() + "\n\n" + "\n".join(f"> {n}" for n in notes)
    new_no = {p.chunk.chunk_id: p.n for p in passages}
    old = {p.n: p.chunk.chunk_id for p in prepared.passages}
    supports = [replace(s, n=new_no[old[s.n]]) for s in supports]
    return Answer(cleaned, shown, used_llm, notice, checks, dangling + removed, supports, stats)


NUMBERED = re.compile(r"^- \[(\d+)\] ")


def sort_numbered_lines(text: str) -> str:
    """A run of "- [n] …" lines (the legal basis) reads in ascending order after renumbering."""
    out: list[str] = []
    run: list[str] = []
    for line in text.split("\n") + [""]:
        if NUMBERED.match(line):
            run.append(line)
            continue
        out += sorted(run, key=lambda x: int(NUMBERED.match(x).group(1)))
        run = []
        out.append(line)
    return "\n".join(out[:-1])


def strip_auto(text: str) -> str:
    """An LLM cannot use the composer's placeholder: text from outside never carries it."""
    return text.replace(AUTO, "")


def llm_guard(text: str, prepared: Prepared) -> str | None:
    """Why this LLM answer must not be shown, or None.

    The analysis' verdict comes from rules over the message; an answer that
    calls a scam, an illegal or an exaggerated message real, or tells the user
    to pay, transfer or click, has most likely obeyed an instruction hidden in
    the message or a document."""
    w = wording()
    g = w["llm_guard"]
    verdict = prepared.analysis.verdict
    head = text[:200]  # the conclusion comes first (the prompt asks for it)
    if verdict in ("scam", "illegal", "exaggerated") and _affirmed(head, g["toward_real"], g["negation"]):
        return w["llm_contradicts"].format(label=prepared.analysis.verdict_label)
    if _affirmed(text, g["pay"], g["negation"]):
        return w["llm_pay"]
    return None


def _affirmed(text: str, rx: str, negation: str) -> bool:
    """A match that is not negated just before it ("不要转账", "并非真实")."""
    neg = pattern(negation)
    for m in pattern(rx).finditer(text):
        at = m.start("v") if "v" in m.re.groupindex else m.start()
        if not neg.search(text[max(0, at - 14):at]):
            return True
    return False
