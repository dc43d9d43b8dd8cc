"""Shared pieces of the pages: the cached service, the page preamble and sidebar, the verdict badge."""

from __future__ import annotations

import html

import streamlit as st

from yuqi.errors import YuqiError
from yuqi.settings import Settings, get_settings

DISCLAIMER = "本工具提供法律信息，不构成法律意见；涉及具体案件请咨询律师或法律援助机构（12348）。"
VERDICT_COLORS = {"scam": "#c62828", "illegal": "#ad1457", "exaggerated": "#ef6c00", "plausible": "#1565c0"}
# Our own CSS (no user text): inert links read as text to inspect, passages stay compact on a phone.
PAGE_CSS = """<style>
.inert-link{background:#f3f3f3;color:#555;border-radius:3px;padding:0 .2em;word-break:break-all}
.yuqi-md p,.yuqi-md li{margin-bottom:.3em}
.yuqi-passage{font-size:.92em;color:#333}
.official-link{word-break:break-all}
</style>"""


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


def preamble() -> Settings:
    """Once per run, in app.py: page setup, our CSS and the sidebar every page shares."""
    settings = get_settings()
    st.set_page_config(page_title="逾期催收信息核实助手", page_icon="🛡️", layout="wide")
    st.markdown(PAGE_CSS, unsafe_allow_html=True)
    draw_sidebar(settings)
    return settings


def sidebar(settings: Settings) -> None:
    """Kept for pages written before app.py drew the sidebar itself: it is drawn once, by `preamble`."""


def draw_sidebar(settings: Settings) -> None:
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
