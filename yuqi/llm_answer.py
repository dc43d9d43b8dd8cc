"""The LLM path: delimited prompt, masked personal data, streamed prose, safe fallback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from yuqi.settings import ROOT, Settings

PROMPTS = ROOT / "prompts"
# Text that could close or fake a data block is defused before it enters the prompt.
TAG = re.compile(r"</?\s*(passages?|analysis|user_message|history|system)\b[^>]*>", re.I)


@lru_cache(maxsize=8)
def prompt(name: str) -> str:
    return (PROMPTS / name).read_text(encoding="utf-8")


def defuse(text: str) -> str:
    return TAG.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


def _analysis_block(prepared) -> str:
    from yuqi.analysis import THREAT_LABELS, VERDICT_LABELS

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
        lines.append(f"条文编号提示：{item['note']}（回答时请使用现行条文）")
    return "\n".join(defuse(x) for x in lines)


def _passages_block(prepared) -> str:
    out = []
    for p in prepared.passages:
        c = p.chunk
        out.append(f'<passage n="{p.n}" source="{defuse(c.label)}">\n{defuse(c.text)}\n</passage>')
    return "\n".join(out)


def build_messages(prepared, history: list[dict] | None = None) -> list[dict]:
    fmt = prompt("format_verdict.md" if prepared.analysis.verdict or prepared.analysis.is_message else "format_question.md")
    hist = ""
    if history:
        turns = [f"{'用户' if h['role'] == 'user' else '助手'}：{defuse(h['content'][:400])}" for h in history[-4:]]
        hist = "<history>\n" + "\n".join(turns) + "\n</history>"
    user = (
        prompt("answer.md")
        .replace("{analysis}", _analysis_block(prepared))
        .replace("{passages}", _passages_block(prepared))
        .replace("{question}", defuse(prepared.query))
        .replace("{history}", hist)
        .replace("{format}", fmt)
    )
    return [{"role": "system", "content": prompt("system.md")}, {"role": "user", "content": user}]


def stream_llm_answer(prepared, settings: Settings, client=None, history=None, vault=None) -> Iterator[tuple[str, object]]:
    """Masking of personal data happens inside `stream_chat` (see yuqi.llm)."""
    from yuqi.answer import finish, offline_answer
    from yuqi.errors import LLMError
    from yuqi.llm import looks_chinese, stream_chat

    messages = build_messages(prepared, history)
    parts: list[str] = []
    try:
        for delta in stream_chat(messages, settings, client=client, vault=vault):
            parts.append(delta)
            yield "delta", delta
    except LLMError as err:
        if parts:
            yield "reset", str(err)
        yield "final", offline_answer(prepared, settings, notice=f"{err}，已改用离线回答。")
        return
    text = "".join(parts).strip()
    if not looks_chinese(text):
        yield "reset", "模型回答不是中文"
        yield "final", offline_answer(prepared, settings, notice="模型没有用中文回答，已改用离线回答。")
        return
    yield "final", finish(text, prepared, settings, used_llm=True, notice=f"由大模型 {settings.llm_model} 根据检索资料撰写。")
