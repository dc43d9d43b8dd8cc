"""The last gates before an answer is shown.

`finish`: every [n] true to its passage (support check, markers moved or
dropped, passages renumbered in reading order), then every statute citation
checked (yuqi.citations.ground). `llm_guard`: an LLM answer that contradicts the
verdict anywhere, or tells the user to pay, transfer, click or hand over account
data, is withdrawn; its rules are data (yuqi/data/llm_guard.json).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from yuqi.answer.support import AUTO, renumber, repair
from yuqi.answer.types import Answer, Prepared
from yuqi.answer.wording import wording
from yuqi.citations.ground import check_answer
from yuqi.textnorm import normalize_for_rules


def finish(text: str, prepared: Prepared, used_llm: bool, notice: str) -> Answer:
    """Every answer, offline or LLM, passes the same checks before anyone sees it."""
    own = "\n".join(dict.fromkeys((prepared.query, getattr(prepared.analysis, "text", "") or "")))
    repaired, supports, stats, dangling = repair(text, prepared.passages, prepared.encoder, own)  # own: never kept
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


GUARD_FILE = Path(__file__).resolve().parent.parent / "data" / "llm_guard.json"
_MARKUP = re.compile(r"[*_#`>~|]")
_SENTENCE = re.compile(r"[^;!?。\n]+[;!?。\n]?")
_CLAUSE = re.compile(r"[^,]+,?")


@lru_cache(maxsize=1)
def guard_rules() -> dict[str, re.Pattern[str]]:
    data = json.loads(GUARD_FILE.read_text(encoding="utf-8"))
    return {k: re.compile(v) for k, v in data.items() if not k.startswith("_")}


def guard_view(text: str) -> str:
    """What the guard reads: the one normaliser's rule view (simplified script, ASCII punctuation,
    no invisible characters or spaces between Chinese characters) without Markdown marks."""
    return normalize_for_rules(_MARKUP.sub("", text or ""))


def llm_guard(text: str, prepared: Prepared) -> str | None:
    """Why this LLM answer must not be shown, or None.

    The analysis' verdict comes from rules over the message; an answer that calls a scam, an
    illegal or an exaggerated message real (anywhere in the text), calls a plausible one a scam,
    or tells the user to pay, transfer, open a link or hand over account data has most likely
    obeyed an instruction hidden in the message or a document. Read after normalisation, so
    zero-width characters, traditional script or Markdown emphasis change nothing."""
    w, rules, view = wording(), guard_rules(), guard_view(text)
    verdict = prepared.analysis.verdict
    if verdict in ("scam", "illegal", "exaggerated") and affirmed(view, rules["toward_real"]):
        return w["llm_contradicts"].format(label=prepared.analysis.verdict_label)
    if verdict == "plausible" and affirmed(view, rules["toward_scam"]):
        return w["llm_contradicts"].format(label=prepared.analysis.verdict_label)
    if any(affirmed(view, rules[k]) for k in ("pay", "link", "account")):
        return w["llm_pay"]
    return None


def affirmed(view: str, rx: re.Pattern[str]) -> bool:
    """A match of `rx` in `view` that is not excused (the rules: yuqi/data/llm_guard.json)."""
    rules = guard_rules()
    for sentence in _SENTENCE.finditer(view):
        for clause in _CLAUSE.finditer(sentence.group()):
            part = clause.group()
            for m in rx.finditer(part):
                tail = sentence.group()[clause.start() + m.end():]
                if not _excused(part, m, tail, rules):
                    return True
    return False


def _excused(part: str, m: re.Match[str], tail: str, rules: dict[str, re.Pattern[str]]) -> bool:
    if tail[:2].startswith(("?", "吗")) or rules["label"].search(tail):
        return True  # a question, or a sentence that names the act as the scam ("…的,按诈骗处理")
    if m.start() and part[m.start() - 1] in "不别勿":
        return True
    # An excuse may overlap the match up to its last two characters (the act itself):
    # "不要转账" matched from 要, "对方会要求你转账" matched from 要求.
    excuse = [e.end() for e in rules["excuse"].finditer(part, 0, max(m.start() + 1, m.end() - 2))]
    return bool(excuse) and not rules["imperative"].search(part, min(max(excuse), m.start()), m.start())
