"""The chat page: ask a question or paste a message; streamed, cited answers."""

from __future__ import annotations

import uuid

import streamlit as st

from ui.common import highlight, service_or_stop, sidebar, verdict_badge
from yuqi.answer import input_problem, prepare, stream_answer
from yuqi.errors import YuqiError
from yuqi.settings import get_settings
from yuqi.sources import source_cards

settings = get_settings()
service = service_or_stop()
sidebar(settings)

st.title("逾期催收信息核实助手")
st.caption("粘贴收到的催收短信，或直接提问：这条威胁是真的吗？怎么核实？现在该做什么？依据哪条法律？")

state = st.session_state
state.setdefault("messages", [])
state.setdefault("analysis", None)
state.setdefault("vault", None)


def draw_sources(sources: list[dict]) -> None:
    if not sources:
        return
    st.markdown("**来源**")
    for s in sources:
        with st.expander(f"[{s['n']}] {s['label']}"):
            st.markdown(f"**{s['title']}**" + (f" · {s['article_no']}" if s.get("article_no") else ""))
            if s.get("url"):
                st.markdown(f"原文链接：[{s['url']}]({s['url']})")
            st.caption(s["where"])
            st.text(s["text"])
            for note in s.get("notes", []):
                st.warning(note["note"])
                if note.get("current_text"):
                    with st.popover(f"查看现行条文：{note['current_label']}"):
                        st.text(note["current_text"])


def draw_analysis(turn: dict) -> None:
    if not turn.get("analysis_html"):
        return
    st.markdown(verdict_badge(turn["verdict"], turn["verdict_label"]), unsafe_allow_html=True)
    if turn.get("threat_labels"):
        st.caption("涉及：" + "、".join(turn["threat_labels"]))
    with st.expander("短信中的关键线索（已高亮）", expanded=True):
        st.markdown(turn["analysis_html"], unsafe_allow_html=True)


def draw_turn(turn: dict) -> None:
    with st.chat_message(turn["role"]):
        if turn["role"] == "user":
            st.text(turn["content"])
            return
        if turn.get("kind") in ("warning", "error"):
            getattr(st, turn["kind"])(turn["content"])
            return
        draw_analysis(turn)
        for n in turn.get("notices", []):
            st.info(n)
        st.markdown(turn["content"])
        if turn.get("notice"):
            st.caption(f"ℹ️ {turn['notice']}")
        draw_sources(turn.get("sources", []))
        draw_feedback(turn)


def draw_feedback(turn: dict) -> None:
    from yuqi.feedback import save_feedback

    key = turn["id"]
    rating = st.feedback("thumbs", key=f"fb-{key}")
    if rating is None or state.get(f"fb-saved-{key}"):
        if state.get(f"fb-saved-{key}"):
            st.caption("谢谢，反馈已保存在本机。")
        return
    reason = st.text_input("可选：说说原因（仅在您点击保存后写入本机）", key=f"fb-reason-{key}")
    if st.button("保存反馈", key=f"fb-save-{key}"):
        save_feedback(
            settings.data_dir, question=turn["question"], answer=turn["content"], rating=1 if rating == 1 else -1,
            reason=reason, refs=[s["ref"] for s in turn.get("sources", [])], verdict=turn.get("verdict"),
            threats=turn.get("threats", []),
        )
        state[f"fb-saved-{key}"] = True
        st.rerun()


def answer_turn(question: str) -> dict:
    retriever = service.retriever()  # one complete build for this whole answer
    prepared = prepare(question, retriever, settings, previous=state.analysis)
    a = prepared.analysis
    turn = {"role": "assistant", "id": uuid.uuid4().hex, "question": question, "verdict": a.verdict,
            "threats": list(a.threats), "content": "", "notice": ""}
    if a.is_message and not a.followup:
        from yuqi.analysis import THREAT_LABELS, VERDICT_LABELS

        turn["analysis_html"] = highlight(a.text, a.cues)
        turn["verdict_label"] = VERDICT_LABELS.get(a.verdict, "未发现明确威胁") if a.verdict else "未发现明确威胁"
        turn["threat_labels"] = [THREAT_LABELS[t] for t in a.threats]
        draw_analysis(turn)
    for n in prepared.notices:
        st.info(n)
    history = [{"role": m["role"], "content": m["content"]} for m in state.messages[-4:]]
    placeholder, streamed, final = st.empty(), "", None
    for kind, payload in stream_answer(prepared, settings, history=history, vault=state.vault):
        if kind == "delta":
            streamed += payload
            placeholder.markdown(streamed + " ▌")
        elif kind == "reset":
            placeholder.empty()  # never leave a broken half-answer on screen
            streamed = ""
        else:
            final = payload
    placeholder.markdown(final.text)
    turn.update(content=final.text, notice=final.notice, notices=list(prepared.notices),
                sources=source_cards(final.passages, retriever))
    if final.notice:
        st.caption(f"ℹ️ {final.notice}")
    draw_sources(turn["sources"])
    if not prepared.declined and (a.is_message or a.threats):
        state.analysis = a
    return turn


for turn in state.messages:
    draw_turn(turn)

question = st.chat_input("粘贴短信原文，或描述您遇到的情况…")  # long input is cut with a notice, not silently
if question is not None:
    from yuqi.privacy import Vault

    state.vault = state.vault or Vault()
    user_turn = {"role": "user", "content": question}
    draw_turn(user_turn)
    problem = input_problem(question)
    with st.chat_message("assistant"):
        if problem:
            st.warning(problem)
            turn = {"role": "assistant", "id": uuid.uuid4().hex, "question": question, "content": problem, "kind": "warning"}
        else:
            try:
                turn = answer_turn(question)
            except YuqiError as err:
                st.error(str(err))
                turn = {"role": "assistant", "id": uuid.uuid4().hex, "question": question, "content": str(err), "kind": "error"}
    state.messages += [user_turn, turn]
    st.rerun()
