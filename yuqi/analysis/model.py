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
    key: str = ""  # the red flag or lawful step it comes from (lawful.json), "" for advice texts


@dataclass(frozen=True)
class CaseNumber:
    """A 案号 decoded: （年份）省简称+法院代码+类型代字+序号+号."""

    raw: str
    year: int | None
    province: str
    court_code: str
    court_level: str  # 高级/中级/基层/专门 or "" when unknown
    case_type: str    # 民初 民终 执 执保 财保 …
    type_label: str
    valid: bool
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    """One fact read from the text; cue holds its exact span (None only for absent-by-design facts)."""

    kind: str        # claim / demand / conduct / channel kind, e.g. "freeze", "pay_personal", "insult"
    cue: Cue
    tense: str = ""  # claims: "past" (已…) or "future"
    value: str = ""


@dataclass(frozen=True)
class Facts:
    speaker: str = "unknown"   # court police procuratorate regulator creditor collector lawyer mediator
    speaker_cue: Cue | None = None  # village_committee platform_service unknown
    addressee: str = "debtor"  # debtor | third_party
    addressee_cue: Cue | None = None
    claims: tuple[Fact, ...] = ()
    demands: tuple[Fact, ...] = ()
    channel: tuple[Fact, ...] = ()
    conduct: tuple[Fact, ...] = ()
    context: tuple[Fact, ...] = ()  # no_dispute, suspect, unless_repay, unrelated_condition
    case_numbers: tuple[CaseNumber, ...] = ()
    reported: bool = False     # the user tells of something that happened to them (a question)

    def has(self, group: str, *kinds: str) -> Fact | None:
        return next((f for f in getattr(self, group) if f.kind in kinds), None)


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
    facts: Facts = Facts()
    similar: tuple = ()  # yuqi.analysis.similar.SimilarCase: close real cases that agree with the verdict
    learned: bool = False  # the verdict came through the bank-fitted model, not the rules alone

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS.get(self.verdict, "") if self.verdict else ""

    def cues_of(self, kind: str) -> tuple[Cue, ...]:
        return tuple(c for c in self.cues if c.kind == kind)
