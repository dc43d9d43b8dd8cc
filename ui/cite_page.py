"""The citation checker: paste any text, see each statute reference checked against the law.

Everything shown here that came from the pasted text or a document is escaped:
no live markdown, links, images or HTML.
"""

from __future__ import annotations

import re

import streamlit as st

from ui.common import service_or_stop, sidebar
from yuqi.citations import badge, check_text, statute_source
from yuqi.settings import get_settings

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


def esc(text: str) -> str:
    """Markdown-inert text: every character markdown or a label could act on is escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text or "").replace("\n", "  \n")


def ref_label(ref: str | None) -> str:
    title, _, article = (ref or "").partition("#")
    return f"《{title.removeprefix('中华人民共和国')}》{article}" if title else ""


def show_result(r) -> None:
    c = r.citation
    title = f"{esc(c.raw)} — {badge(r.status, r.claim is not None)}"
    with st.expander(title, expanded=r.status != "verified" or r.claim is not None):
        if r.claim is not None:
            st.warning(esc(f"条文存在，但不等于构成{r.claim.crime}。构成该罪需要：{r.claim.conditions}"
                           f"\n为什么普通逾期不符合：{r.claim.why_not}"))
        if r.note:
            st.markdown(esc(r.note))
        if r.readings:
            st.markdown("**两种读法**")
            for reading in r.readings:
                st.markdown(f"- {esc(reading.label)}（{esc(ref_label(reading.ref))}）")
                st.text(reading.text)
        elif r.current_text:
            st.markdown(f"**现行条文**（{esc(ref_label(r.current_ref or c.ref))}）")
            st.text(r.current_text)
        elif r.status == "unknown_law":
            st.caption("我们没有收录这部法规，无法判断真假；请到国家法律法规数据库（flk\\.npc\\.gov\\.cn）查询。")


def main() -> None:
    settings = get_settings()
    service = service_or_stop()
    sidebar(settings)

    st.title("引用核验")
    st.caption("粘贴催收短信、律师函或文章，逐条核对其中引用的法律条文：是否存在、是否现行、引文是否一致，"
               "以及所说的罪名是否真的适用于普通逾期。")
    text = st.text_area("要核验的文字", height=180, max_chars=settings.max_input_chars * 5,
                        placeholder="例如：根据《刑法》第一百九十三条，你的行为已构成贷款诈骗罪……")
    if st.button("核验引用", type="primary"):
        results = check_text(text or "", statute_source(service.retriever().index))
        if not results:
            st.info("没有找到“《法律名称》第X条”形式的引用。")
        for result in results:
            show_result(result)


if __name__ == "__main__":  # streamlit runs the page as __main__; tests import the renderers
    main()
