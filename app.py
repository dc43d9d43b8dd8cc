"""Streamlit entry point: `streamlit run app.py`. The preamble (page setup, sidebar) runs once here."""

import streamlit as st

from ui.common import preamble

preamble()
pages = [
    st.Page("ui/chat.py", title="问答与短信核实", icon="💬", default=True),
    st.Page("ui/ingest_page.py", title="导入文档", icon="📥"),
    st.Page("ui/cite_page.py", title="引用核验", icon="📜"),
    st.Page("ui/eval_page.py", title="评测", icon="📊"),
]
st.navigation(pages).run()
