"""From a user's text to a grounded answer: analyse, retrieve, compose, check.

The front door is `ask` (yuqi.answer.front). Module map, no cycles (each imports
only those above it): types, wording → cards, support → prepare, compose,
checks, llm → front.
"""

from yuqi.answer.front import answer, answer_events, ask, declined_answer, offline_answer, stream_answer
from yuqi.answer.prepare import input_problem, prepare, statute_source
from yuqi.answer.types import (
    Analysis, AnalysisReady, Answer, Event, Final, Passage, PassagesReady, Prepared, Support, TextDelta, Withdrawn,
)

__all__ = [
    "Analysis", "AnalysisReady", "Answer", "Event", "Final", "Passage", "PassagesReady", "Prepared", "Support",
    "TextDelta", "Withdrawn", "answer", "answer_events", "ask", "declined_answer", "input_problem",
    "offline_answer", "prepare", "statute_source", "stream_answer",
]
