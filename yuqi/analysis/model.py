"""Records produced by the message analysis (all frozen, safe to cache and share)."""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import advice

THREAT_IDS: tuple[str, ...] = (
    "lawsuit", "court_sms", "preservation", "enforcement", "visit",
    "termination", "lawyer_letter", "contacts", "credit", "criminal",
)
# Ordered safest first: when cues conflict the earliest verdict wins.
VERDICT_IDS: tuple[str, ...] = ("scam", "illegal", "exaggerated", "plausible")

THREAT_LABELS: dict[str, str] = dict(advice()["threat_labels"])
VERDICT_LABELS: dict[str, str] = dict(advice()["verdict_labels"])


@dataclass(frozen=True)
class Cue:
    """One span of the ORIGINAL text: text == original[start:end]."""

    kind: str
    text: str
    start: int
    end: int
    label: str
    value: str = ""


@dataclass(frozen=True)
class Reason:
    text: str
    cue: Cue | None
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Analysis:
    text: str
    cues: tuple[Cue, ...] = ()
    threats: tuple[str, ...] = ()
    verdict: str | None = None
    reasons: tuple[Reason, ...] = ()
    is_message: bool = False
    harassment: bool = False
    conflict: bool = False
    expansion: str = ""
    refs: tuple[str, ...] = ()
    verify: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    question: str = ""  # the follow-up question when this analysis carries an earlier message
    followup: bool = False

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS.get(self.verdict, "") if self.verdict else ""

    def cues_of(self, kind: str) -> tuple[Cue, ...]:
        return tuple(c for c in self.cues if c.kind == kind)
