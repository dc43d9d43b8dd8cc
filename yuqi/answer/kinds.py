"""Which first screen a message gets: its verdict, with a plausible court step apart from other plausible steps
(a court step is answered, not complained about)."""

from __future__ import annotations

import re

from yuqi.analysis import Analysis

COURT_THREATS = ("lawsuit", "court_sms", "preservation", "enforcement")
COURT_CLAIMS = ("lawsuit", "hearing", "court_notice", "preservation", "freeze", "enforcement", "blacklist")


def is_court_step(analysis: Analysis) -> bool:
    f = analysis.facts
    return (f.speaker == "court" or any(c.valid for c in f.case_numbers) or bool(set(analysis.threats) & set(COURT_THREATS))
            or any(c.kind in COURT_CLAIMS for c in f.claims))


def kind_of(analysis: Analysis) -> str:
    if analysis.verdict == "plausible":
        return "court" if is_court_step(analysis) else "plausible"
    return analysis.verdict or "question"


def own_account(analysis: Analysis) -> bool:
    """The person tells what happened to them ("催收天天打电话给我爸妈"), rather than pasting a message that speaks
    to them ("你欠钱不还，我们已经打电话给你老婆")."""
    return analysis.facts.reported and not re.search(r"[你您]", analysis.text)
