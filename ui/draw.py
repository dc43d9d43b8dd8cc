"""Drawing an answer: a `TurnView` is built from an Answer once, then drawn the same way live and on every rerun.

Layout for a phone: the verdict badge and the direct answer come first; every other part
(为什么 · 怎么核实 · 现在该做什么 · 法律依据, the highlighted message, copyable texts, sources)
is a collapsed section whose title alone is on screen, so the verdict stays in view.
Everything that did not come from this project is drawn through yuqi.render.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import streamlit as st

from ui.cards import Card, build_cards
from ui.common import verdict_badge
from ui.similar import draw_similar
from yuqi.render import highlight_html, inert_label, markdown_html, plain_html, split_sections

NO_THREAT_LABEL = "未发现明确威胁"


@dataclass
class TurnView:
    question: str
    text: str  # the whole answer, as checked by the answer path
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    verdict: str | None = None
    verdict_label: str = ""
    threats: list[str] = field(default_factory=list)
    threat_labels: list[str] = field(default_factory=list)
    message_html: str = ""  # the pasted message with its cues marked ("" for a question or a follow-up)
    followup: bool = False
    notices: list[str] = field(default_factory=list)
    notice: str = ""
    cards: list[Card] = field(default_factory=list)
    steps: list = field(default_factory=list)  # yuqi.answer.types.CopyText: title, body
    first: object = None  # yuqi.answer.types.FirstScreen, drawn above an LLM's prose
    used_llm: bool = False
    private: tuple[str, ...] = ()  # personal values: plain text only, never inside a link
    analysis: object = None  # the message's Analysis, for the facts view (None for a question or a follow-up)
    kind: str = "answer"  # or "warning" / "error": `text` is then the message shown

    @property
    def refs(self) -> list[str]:
        return [c.ref for c in self.cards]


def analysis_fields(analysis, private: tuple[str, ...] = ()) -> dict:
    from yuqi.analysis import THREAT_LABELS, VERDICT_LABELS

    shows_badge = bool(analysis.verdict or analysis.is_message)
    return {
        "verdict": analysis.verdict,
        "verdict_label": (VERDICT_LABELS.get(analysis.verdict or "", NO_THREAT_LABEL) or NO_THREAT_LABEL) if shows_badge else "",
        "threats": list(analysis.threats),
        "threat_labels": [THREAT_LABELS.get(t, t) for t in analysis.threats],
        "message_html": highlight_html(analysis.text, analysis.cues, private)
        if analysis.is_message and not analysis.followup else "",
        "followup": bool(analysis.followup),
    }


def view_from_answer(answer, retriever, private: tuple[str, ...] = ()) -> TurnView:
    """Everything the page needs from an Answer (yuqi.answer.Answer: text, notice, prepared, passages)."""
    from yuqi.sources import citation_notes

    prepared = answer.prepared
    cards = build_cards(answer.passages, lambda doc_id: citation_notes(doc_id, retriever),
                        lambda doc_id: retriever.index.docs.get(doc_id, {}))
    return TurnView(
        question=prepared.query, text=answer.text, notices=list(prepared.notices), notice=answer.notice,
        cards=cards, steps=list(answer.texts), first=answer.first, used_llm=answer.used_llm, private=private,
        analysis=prepared.analysis if prepared.analysis.is_message and not prepared.analysis.followup else None,
        **analysis_fields(prepared.analysis, private),
    )


# Our own script, no user text in it: after an answer, bring its start (the verdict) to the top of the
# screen once; Streamlit's chat otherwise keeps the view at the bottom, i.e. on the sources.
SCROLL_JS = """<script>(function () {
  const id = "%s"; window.__yuqiShown = window.__yuqiShown || {};
  if (window.__yuqiShown[id]) return;
  window.__yuqiShown[id] = true;
  let touched = false;
  const stop = (e) => { if (e.isTrusted) touched = true; };
  ["wheel", "touchstart", "pointerdown", "keydown"].forEach(t => window.addEventListener(t, stop, {capture: true, passive: true}));
  function go() {
    const el = document.querySelector('[data-turn-start="' + id + '"]');
    if (!el || touched) return;
    const top = el.getBoundingClientRect().top;
    if (top >= 40 && top <= window.innerHeight * 0.4) return;  // already where it should be
    let box = el.parentElement;
    while (box && !(box.scrollHeight > box.clientHeight && /auto|scroll/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
    box = box || document.scrollingElement;
    // the chat sticks to the bottom until the reader scrolls: tell it the reader did
    box.dispatchEvent(new WheelEvent("wheel")); box.dispatchEvent(new WheelEvent("wheel"));
    el.scrollIntoView({block: "start"});
    box.scrollTop -= 70;
  }
  [300, 800, 1500, 2500, 4000].forEach(ms => setTimeout(go, ms));
})();</script>"""


def scroll_to(view: TurnView) -> None:
    st.html(SCROLL_JS % view.id, unsafe_allow_javascript=True)


def draw_start(view: TurnView) -> None:
    st.markdown(f'<span data-turn-start="{view.id}"></span>', unsafe_allow_html=True)


def draw_verdict(view: TurnView) -> None:
    if not view.verdict_label:
        return
    st.markdown(verdict_badge(view.verdict, view.verdict_label), unsafe_allow_html=True)
    if view.followup:
        st.caption("（针对上面那条信息）")


def first_screen_md(first) -> str:
    """An LLM answer's prose is its own; the verdict's fact and actions come from the analysis, above it."""
    head = f"**{first.head}：{first.fact}。**" if first.head and first.fact else ""
    lines = [head, first.conflict, *[f"- {x}" for x in first.actions]]
    return "\n".join(x for x in lines if x)


def draw_first_screen(view: TurnView) -> None:
    if view.used_llm and view.first is not None and (view.first.fact or view.first.actions):
        st.markdown(markdown_html(first_screen_md(view.first), view.private), unsafe_allow_html=True)


def draw_answer_text(text: str, private: tuple[str, ...] = ()) -> None:
    """The direct answer in full; each further section collapsed under its title."""
    head, sections = split_sections(text)
    if head:
        st.markdown(markdown_html(head, private), unsafe_allow_html=True)
    for i, (title, body) in enumerate(sections):
        with st.expander(inert_label(title), expanded=not head and i == 0):
            st.markdown(markdown_html(body, private), unsafe_allow_html=True)


def draw_facts(analysis) -> None:
    """The facts read from the message (who, to whom, claim, demand, channel, 案号), beside the highlight."""
    try:
        from ui.facts import render_facts
    except ImportError:
        return  # the facts view comes with the message-analysis rewrite (branch `verdicts`)
    render_facts(analysis)


def draw_message(view: TurnView) -> None:
    if view.message_html:
        with st.expander("短信中的关键线索（已高亮）"):
            st.markdown(view.message_html, unsafe_allow_html=True)
            if view.analysis is not None:
                draw_facts(view.analysis)


def draw_steps(view: TurnView) -> None:
    if not view.steps:
        return
    from yuqi.answer.texts import short_title

    with st.expander("可复制的文本：" + " · ".join(short_title(s) for s in view.steps)):
        st.caption("已按您发来的内容填好；〔 〕处请补充。点右上角图标复制。")
        for step in view.steps:
            st.markdown(f"**{inert_label(step.title)}**")
            st.code(step.body, language=None, wrap_lines=True)


def draw_cards(cards: list[Card], private: tuple[str, ...] = ()) -> None:
    if not cards:
        return
    with st.expander(f"来源（{len(cards)} 条）"):
        for card in cards:
            st.markdown(f"**[{card.n}] {inert_label(card.title)}**")
            if card.caption:
                st.caption(card.caption)
            if card.version:
                st.caption(inert_label(f"版本：{card.version}"))
            st.markdown(plain_html(card.text, private, css="yuqi-passage"), unsafe_allow_html=True)
            if card.url:
                st.markdown(plain_html(f"原文链接：{card.url}", private), unsafe_allow_html=True)
            for note in card.notes:
                st.warning(inert_label(f"{note.raw}：{note.text}"))
                if note.current_text:
                    st.caption(inert_label(f"现行条文 {note.current_label}：{note.current_text[:300]}"))


def draw_assistant(view: TurnView) -> None:
    """One answer, in reading order for a phone."""
    if view.kind in ("warning", "error"):
        getattr(st, view.kind)(inert_label(view.text))  # an error may quote a file name
        return
    draw_start(view)
    draw_verdict(view)
    draw_first_screen(view)
    draw_answer_text(view.text, view.private)
    for n in view.notices:
        st.info(n)
    draw_message(view)
    draw_similar(view.analysis, view.private)
    draw_steps(view)
    draw_cards(view.cards, view.private)
    if view.notice:
        st.caption(f"ℹ️ {view.notice}")
