"""Similar real cases under the verdict: what the bank holds that looks like this message, and what was found."""

from __future__ import annotations

import streamlit as st

from yuqi.render import inert_label, plain_html

GRADES = {"A": "官方或新闻报道", "B": "当事人自述", "C": "内容网站转述"}


def case_lines(similar) -> list[tuple[str, str, str]]:
    """(heading, quoted text, source line) per case: plain strings, drawn through the render rule."""
    out = []
    for s in similar:
        c = s.case
        head = s.shown_as or s.family_name
        when = f"，{c.source.date}" if c.source.date else ""
        source = f"来源：{c.source.publisher or '公开网页'}{when}（{GRADES.get(c.source.grade, '')}）　{c.source.url}"
        found = f"{c.source.says}　" if c.source.says else ""
        out.append((head, c.text, f"{found}{c.why}\n{source}"))
    return out


def draw_similar(analysis, private: tuple[str, ...] = ()) -> None:
    similar = getattr(analysis, "similar", ()) if analysis is not None else ()
    if not similar:
        return
    with st.expander(f"相似的真实案例（{len(similar)} 条）"):
        st.caption("下面是公开报道或当事人记录的真实信息，与你收到的内容相近；原文照录，仅供对照。")
        for head, text, source in case_lines(similar):
            st.markdown(f"**{inert_label(head)}**")
            st.markdown(plain_html(f"“{text}”", private, css="yuqi-passage"), unsafe_allow_html=True)
            st.markdown(plain_html(source, private), unsafe_allow_html=True)
