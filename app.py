"""Streamlit entry point: `streamlit run app.py`. It only wires the pages together."""

import streamlit as st

st.set_page_config(page_title="逾期催收信息核实助手", page_icon="🛡️", layout="wide")

pages = [
    st.Page("ui/chat.py", title="问答与短信核实", icon="💬", default=True),
    st.Page("ui/ingest_page.py", title="导入文档", icon="📥"),
    st.Page("ui/cite_page.py", title="引用核验", icon="📜"),
    st.Page("ui/eval_page.py", title="评测", icon="📊"),
]
st.navigation(pages).run()
