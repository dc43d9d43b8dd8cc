"""`python -m bench`: ingest, retrieval, answer, app start-up and memory figures on this machine.

A benchmark, not a test: it prints figures next to their targets and asserts nothing.
"""
