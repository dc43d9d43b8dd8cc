"""Kept for old imports: the LLM path lives in yuqi.answer.llm."""

from yuqi.answer.llm import build_messages, defuse, fill, prompt  # noqa: F401
