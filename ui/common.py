"""Shared pieces of the pages: the cached service, the sidebar, small renderers."""

from __future__ import annotations

import html

import streamlit as st

from yuqi.errors import YuqiError
from yuqi.settings import Settings, get_settings

DISCLAIMER = "本工具提供法律信息，不构成法律意见；涉及具体案件请咨询律师或法律援助机构（12348）。"
VERDICT_COLORS = {"scam": "#c62828", "illegal": "#ad1457", "exaggerated": "#ef6c00", "plausible": "#1565c0"}


@st.cache_resource(show_spinner="正在加载模型与索引（首次启动需要构建索引，约一两分钟）…")
def get_service():
    from yuqi.service import Service

    service = Service(get_settings())
    service.ensure_index()
    return service


def service_or_stop():
    try:
        return get_service()
    except YuqiError as err:
        st.error(f"无法启动：{err}")
        st.stop()


def sidebar(settings: Settings) -> None:
    from yuqi.llm import describe

    with st.sidebar:
        st.markdown("### 运行状态")
        st.write(describe(settings))
        if settings.llm_enabled:
            mask = "开启" if settings.mask_personal_data else "关闭（本机模型）"
            st.caption(f"隐私保护：发送给大模型前隐去身份证号、银行卡号、手机号、姓名、住址 — {mask}")
        try:
            stats = get_service().stats()
            st.caption(
                f"索引：{stats['docs']} 篇文档 · {stats['chunks']} 段（法条 {stats['statute_chunks']}，文章 {stats['article_chunks']}）"
                f"\n\n构建于 {stats['built_at']}"
            )
        except YuqiError as err:
            st.warning(str(err))
        st.caption(DISCLAIMER)


def verdict_badge(verdict: str | None, label: str) -> str:
    color = VERDICT_COLORS.get(verdict or "", "#546e7a")
    return (
        f'<span data-testid="verdict-badge" data-verdict="{html.escape(verdict or "none")}" '
        f'style="background:{color};color:white;padding:0.2em 0.7em;border-radius:1em;font-weight:600">'
        f"{html.escape(label)}</span>"
    )


def highlight(text: str, cues) -> str:
    """The message with each cue marked; offsets come from the analysis, text is escaped."""
    spans = sorted(((c.start, c.end, c.label) for c in cues if 0 <= c.start < c.end <= len(text)), key=lambda s: (s[0], -s[1]))
    out, pos = [], 0
    for start, end, label in spans:
        if start < pos:
            continue  # overlapping cue: the outer one is already marked
        out.append(html.escape(text[pos:start]))
        out.append(
            f'<mark class="cue" title="{html.escape(label)}" style="background:#fff3b0;border-radius:3px">'
            f"{html.escape(text[start:end])}</mark>"
        )
        pos = end
    out.append(html.escape(text[pos:]))
    return "<div style='white-space:pre-wrap;line-height:1.7'>" + "".join(out) + "</div>"
