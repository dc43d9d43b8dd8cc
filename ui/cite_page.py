"""The citation checker: paste any text, see each statute reference checked against the law."""

from __future__ import annotations

import streamlit as st

from ui.common import service_or_stop, sidebar
from yuqi.settings import get_settings
from yuqi.sources import STATUS_LABEL

settings = get_settings()
service = service_or_stop()
sidebar(settings)

st.title("引用核验")
st.caption("粘贴催收短信、律师函或文章，逐条核对其中引用的法律条文：是否存在、是否现行、引文是否一致。")
ICONS = {"verified": "✅ 已核验", "outdated": "⚠️ 修订前编号", "quote_mismatch": "⚠️ 引文不符", "not_found": "❌ 条文不存在",
         "repealed": "❌ 已失效", "unknown_law": "❔ 未收录，无法核验", "garbled": "❔ 无法识别"}

text = st.text_area("要核验的文字", height=180, max_chars=settings.max_input_chars * 5,
                    placeholder="例如：根据《刑法》第一百九十三条，你的行为已构成贷款诈骗罪……")
if st.button("核验引用", type="primary"):
    from yuqi.answer import statute_source
    from yuqi.citations import check_text

    results = check_text(text or "", statute_source(service.retriever()))
    if not results:
        st.info("没有找到“《法律名称》第X条”形式的引用。")
    for r in results:
        c = r.citation
        label = ICONS.get(r.status, STATUS_LABEL.get(r.status, r.status))
        with st.expander(f"{c.raw} — {label}", expanded=r.status != "verified"):
            if r.note:
                st.write(r.note)
            if r.current_text:
                st.markdown(f"**现行条文**（{(r.current_ref or c.ref or '').replace('#', ' ')}）")
                st.text(r.current_text)
            elif r.status == "unknown_law":
                st.caption("我们没有收录这部法规，无法判断真假；请到国家法律法规数据库（flk.npc.gov.cn）查询。")
