import streamlit as st

st.title("评测")
