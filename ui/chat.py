"""The chat page: ask a question or paste a message; the verdict and the direct answer first.

Computing (`answer_view`) and drawing (ui.draw) are apart: the answer path can change its front
door without touching how an answer is shown.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from ui.common import service_or_stop
from ui.draw import TurnView, draw_assistant, scroll_to, view_from_answer
from yuqi.answer import input_problem, prepare, stream_answer
from yuqi.errors import YuqiError
from yuqi.render import markdown_html
from yuqi.settings import get_settings

EXAMPLES = json.loads(Path(__file__).with_name("examples.json").read_text(encoding="utf-8"))
settings = get_settings()
service = service_or_stop()

st.title("逾期催收信息核实助手")
st.caption("粘贴收到的催收短信，或直接提问：这条威胁是真的吗？怎么核实？现在该做什么？依据哪条法律？")

state = st.session_state
state.setdefault("messages", [])
state.setdefault("analysis", None)
state.setdefault("vault", None)


def private_values() -> tuple[str, ...]:
    vault = state.vault
    return tuple(v for v in (vault.by_slot.values() if vault else ()) if v)


def draw_feedback(view: TurnView) -> None:
    from yuqi.feedback import save_feedback

    key = view.id
    if state.get(f"fb-saved-{key}"):
        st.caption("谢谢，反馈已保存在本机。")
        return
    rating = st.feedback("thumbs", key=f"fb-{key}")
    if rating is None:
        return
    reason = st.text_input("可选：说说原因（仅在您点击保存后写入本机）", key=f"fb-reason-{key}")
    if st.button("保存反馈", key=f"fb-save-{key}"):
        save_feedback(settings.data_dir, question=view.question, answer=view.text, rating=1 if rating == 1 else -1,
                      reason=reason, refs=view.refs, verdict=view.verdict, threats=view.threats)
        state[f"fb-saved-{key}"] = True
        st.rerun()


def draw_turn(turn, latest: bool = False) -> None:
    if isinstance(turn, dict):  # the person's own words: plain text, never markup
        with st.chat_message("user"):
            st.text(turn["content"])
        return
    with st.chat_message("assistant"):
        draw_assistant(turn)
        if turn.kind == "answer":
            draw_feedback(turn)
            if latest:
                scroll_to(turn)


def answer_view(question: str) -> TurnView:
    """Today's answer path (prepare → stream_answer); an LLM's text is drawn safely while it streams."""
    retriever = service.retriever()  # one complete build for this whole answer
    prepared = prepare(question, retriever, settings, previous=state.analysis)
    history = [{"role": "user", "content": m["content"]} if isinstance(m, dict) else {"role": "assistant", "content": m.text}
               for m in state.messages[-4:]]
    placeholder, streamed, final = st.empty(), "", None
    for kind, payload in stream_answer(prepared, settings, history=history, vault=state.vault):
        if kind == "delta":
            streamed += payload
            placeholder.markdown(markdown_html(streamed + " ▌", private_values()), unsafe_allow_html=True)
        elif kind == "reset":
            placeholder.empty()  # never leave a broken half-answer on screen
            streamed = ""
        else:
            final = payload
    placeholder.empty()
    a = prepared.analysis
    if not prepared.declined and (a.is_message or a.threats):
        state.analysis = a
    return view_from_answer(final, retriever, private_values())


def submit(question: str) -> None:
    from yuqi.privacy import Vault

    state.vault = state.vault or Vault()
    user_turn = {"role": "user", "content": question}
    draw_turn(user_turn)
    problem = input_problem(question)
    with st.chat_message("assistant"):
        if problem:
            view = TurnView(question=question, text=problem, kind="warning")
        else:
            try:
                with st.spinner("正在分析并查找依据…"):
                    view = answer_view(question)
            except YuqiError as err:
                view = TurnView(question=question, text=str(err), kind="error")
    state.messages += [user_turn, view]
    st.rerun()


def fill_input(text: str) -> None:
    state["chat_box"] = text  # before the chat input is drawn: it shows the text, ready to edit or send


def draw_examples() -> None:
    """The empty chat offers three messages to try; a click fills the input with one."""
    st.markdown("**试试这些例子**（点一下填入输入框，按回车发送）：")
    for i, ex in enumerate(EXAMPLES):
        st.button(ex["label"], key=f"example-{i}", help=ex["text"], width="stretch", on_click=fill_input, args=(ex["text"],))


for i, turn in enumerate(state.messages):
    draw_turn(turn, latest=i == len(state.messages) - 1)

if not state.messages:
    draw_examples()
question = st.chat_input("粘贴短信原文，或描述您遇到的情况…", key="chat_box")  # long input is cut with a notice
if question is not None:
    submit(question)
