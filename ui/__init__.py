"""Streamlit pages: they only draw; logic lives in yuqi/ and ingest/."""
