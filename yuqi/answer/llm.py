"""The LLM path: delimited prompt, defused data, streamed prose, capped length.

Prompts live in prompts/ at the top of the repository (package data in a wheel: yuqi.promptfiles). Documents, the message and the
history are data: their text is defused (fake block tags, chat control tokens)
and put into the prompt in one pass, so a "{question}" inside a document stays
literal text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from yuqi.analysis import THREAT_LABELS, VERDICT_LABELS
from yuqi.answer.types import Prepared
from yuqi.answer.wording import wording
from yuqi.promptfiles import prompts_dir
from yuqi.settings import Settings

# Text that could close or fake a data block is defused before it enters the prompt.
TAG = re.compile(r"</?\s*(passages?|analysis|user_message|history|system)\b[^>]*>", re.I)
# Chat-template control tokens (<|im_start|>, <|endoftext|>, [INST], <<SYS>>, <s>) that could open a new turn.
CONTROL = re.compile(r"<\|[^|>\n]{0,40}\|>|\[/?INST\]|<</?SYS>>|</?s>", re.I)
PROMPTS = prompts_dir()


@lru_cache(maxsize=8)
def prompt(name: str) -> str:
    return (PROMPTS / name).read_text(encoding="utf-8")


def defuse(text: str) -> str:
    text = CONTROL.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›").replace("|", "¦").replace("[", "［").replace("]", "］"), text)
    return TAG.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


def fill(template: str, values: dict[str, str]) -> str:
    """Substitute the template's {slots} in one pass: a "{question}" inside a value stays literal."""
    slot = re.compile(r"\{(" + "|".join(map(re.escape, values)) + r")\}")
    return slot.sub(lambda m: values[m.group(1)], template)


def _analysis_block(prepared: Prepared) -> str:
    a = prepared.analysis
    lines = [f"结论：{VERDICT_LABELS.get(a.verdict or '', '无（一般问题或无威胁）')}"]
    if a.threats:
        lines.append("涉及：" + "、".join(THREAT_LABELS[t] for t in a.threats))
    for r in a.reasons:
        refs = [f"[{p.n}]" for p in prepared.passages if p.chunk.ref in r.refs]
        lines.append(f"理由：{r.text} {''.join(refs)}")
    lines += [f"核实渠道：{v}" for v in a.verify]
    lines += [f"建议步骤：{s}" for s in a.steps]
    for item in prepared.outdated:
        lines.append(f"条文编号提示：{item.note}（回答时请使用现行条文）")
    if a.followup and a.question:
        lines.append(f"追问：{a.question}（只回答这个追问，比第一次回答更短）")
    return "\n".join(defuse(x) for x in lines)


def _passages_block(prepared: Prepared) -> str:
    out = []
    for p in prepared.passages:
        c = p.chunk
        kind = "知识卡片" if "/knowledge/" in c.path else ("法条" if c.kind == "statute" else "文章")
        out.append(f'<passage n="{p.n}" kind="{kind}" source="{defuse(c.label)}">\n{defuse(c.text)}\n</passage>')
    return "\n".join(out)


def build_messages(prepared: Prepared, history: list[dict] | None = None) -> list[dict]:
    a = prepared.analysis
    fmt = prompt("format_verdict.md" if (a.verdict or a.is_message) and not a.followup else "format_question.md")
    hist = ""
    if history:
        turns = [f"{'用户' if h['role'] == 'user' else '助手'}：{defuse(h['content'][:400])}" for h in history[-4:]]
        hist = "<history>\n" + "\n".join(turns) + "\n</history>"
    user = fill(prompt("answer.md"), {
        "analysis": _analysis_block(prepared), "passages": _passages_block(prepared),
        "question": defuse(a.question or prepared.query), "history": hist, "format": fmt,
    })
    return [{"role": "system", "content": prompt("system.md")}, {"role": "user", "content": user}]


class TooLong(Exception):
    """The answer was stopped before it could be shown (the front door withdraws it for the offline one)."""


class GuardRefused(TooLong):
    """The output guard refused a sentence before it reached the screen."""


# The LLM deadline is for the whole answer: after a withdrawal the offline answer is still to
# be composed and checked (the red team measured 4.8 s past a 60 s deadline), so the stream
# gets the deadline less this reserve.
FALLBACK_SHARE, FALLBACK_MAX = 0.1, 5.0

# A sentence is released to the screen only after the guard has read it (and all before it).
SENTENCE_END = re.compile(r"[。！？；!?;\n]")


def stream_text(prepared: Prepared, settings: Settings, client=None, history=None, vault=None) -> Iterator[str]:
    """Deltas of the LLM's answer, at most `max_chars` in all (a longer answer raises TooLong).

    Text is held back until a sentence ends; the guard (yuqi.answer.checks.llm_guard) then reads
    everything so far, and the sentence is released only if it passes (GuardRefused otherwise),
    so "这条短信是真的，请立即转账…" never stands on a screen while the rest streams in.
    Masking of personal data happens inside `stream_chat` (see yuqi.llm); its errors are LLMError."""
    from yuqi.answer.checks import llm_guard
    from yuqi.llm import stream_chat

    limit = wording()["llm_guard"]["max_chars"]
    reserve = min(FALLBACK_MAX, FALLBACK_SHARE * settings.llm_deadline)
    settings = settings.with_(llm_deadline=max(0.5, settings.llm_deadline - reserve))
    text, shown = "", 0
    for delta in stream_chat(build_messages(prepared, history), settings, client=client, vault=vault):
        text += delta
        if len(text) > limit:
            raise TooLong(wording()["llm_too_long"].format(limit=limit))
        ends = [m.end() for m in SENTENCE_END.finditer(text, shown)]
        if ends:
            yield from _release(text, shown, ends[-1], prepared, llm_guard)
            shown = ends[-1]
    if shown < len(text):
        yield from _release(text, shown, len(text), prepared, llm_guard)


def _release(text: str, shown: int, upto: int, prepared: Prepared, guard) -> Iterator[str]:
    reason = guard(text[:upto], prepared)
    if reason:
        raise GuardRefused(reason)
    yield text[shown:upto]
