"""Deterministic analysis of a pasted debt-collection message (no LLM, no ML).

`analyze(text)` finds cues with offsets into the original text, the threat
types, a rule-based verdict with reasons and citations, verification channels
and next steps. `analyze_followup` keeps an earlier message in context.
"""

from .analyze import analyze, analyze_followup
from .model import THREAT_IDS, THREAT_LABELS, VERDICT_IDS, VERDICT_LABELS, Analysis, Cue, Reason
from .score import threat_scores, verdict_scores

__all__ = [
    "Analysis", "Cue", "Reason", "THREAT_IDS", "THREAT_LABELS", "VERDICT_IDS", "VERDICT_LABELS",
    "analyze", "analyze_followup", "threat_scores", "verdict_scores",
]
