"""Typed records between the answer stages, and the events the front door streams.

Nothing here imports another answer module, so every stage can import it
without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from yuqi.analysis import Analysis
from yuqi.documents import Chunk

if TYPE_CHECKING:  # only for annotations: the citation package is a sibling, not a dependency cycle
    from yuqi.citations import CheckResult, StatuteSource


@dataclass(frozen=True)
class Passage:
    n: int  # the [n] the answer cites
    chunk: Chunk
    score: float | None = None
    pinned: bool = False  # added because a reason, a card or a citation check rests on it
    vec: object = field(default=None, compare=False, repr=False)  # the index's embedding of the chunk


@dataclass(frozen=True)
class OutdatedCitation:
    """An old article number cited by a retrieved article (or, with doc_id "", by the question itself);
    the answer rests on the current one."""

    raw: str
    ref: str
    current_ref: str
    note: str
    doc_id: str
    old_no: str = ""


@dataclass
class Prepared:
    query: str
    analysis: Analysis
    passages: list[Passage]
    declined: bool = False
    notices: list[str] = field(default_factory=list)
    outdated: list[OutdatedCitation] = field(default_factory=list)
    allowed: set[str] = field(default_factory=set)  # refs an answer may cite: passages + their verified citations
    statutes: StatuteSource | None = None  # what statute citations are checked against
    encoder: object = field(default=None, repr=False, compare=False)  # the loaded embedder, for the support check
    old_numbers: set[str] = field(default_factory=set)  # old-numbered citations written in dated passages


@dataclass(frozen=True)
class FirstScreen:
    """What a phone shows unfolded under the badge (yuqi.answer.first)."""

    kind: str  # scam / illegal / exaggerated / court / plausible / question
    head: str  # the verdict's head ("这很可能是诈骗"), "" for a question
    fact: str  # one sentence on the decisive fact of this message, its words quoted
    conflict: str = ""  # which clues conflict, or ""
    actions: tuple[str, ...] = ()  # the one to three things to do now


@dataclass(frozen=True)
class CopyText:
    """A text the person can copy: to the lender or platform, or notes for a report or an answer to a court."""

    id: str
    title: str
    body: str


@dataclass(frozen=True)
class Support:
    """How well one cited sentence is backed by the passage its marker names."""

    sentence: str
    n: int
    lexical: float
    semantic: float | None
    supported: bool


@dataclass(frozen=True)
class SupportStats:
    """Markers before and after the repair, for the eval."""

    raw_markers: int = 0
    raw_supported: int = 0
    moved: int = 0
    removed: int = 0
    added: int = 0  # product wording given the passage that says it


@dataclass
class Answer:
    text: str
    prepared: Prepared
    used_llm: bool = False
    notice: str = ""
    checks: list[CheckResult] = field(default_factory=list)  # every statute citation left in `text`
    removed_markers: list[str] = field(default_factory=list)
    support: list[Support] = field(default_factory=list)  # one per cited sentence, after repair
    support_stats: SupportStats = field(default_factory=SupportStats)
    withdrawn: str = ""  # why an LLM answer was replaced by the offline one
    first: FirstScreen | None = None  # the unfolded head, the same for an offline and an LLM answer
    texts: list[CopyText] = field(default_factory=list)  # copyable texts addressed to the right party

    @property
    def passages(self) -> list[Passage]:
        return self.prepared.passages

    @property
    def verdict(self) -> str | None:
        return self.prepared.analysis.verdict

    @property
    def declined(self) -> bool:
        return self.prepared.declined


# -- events of `ask` -----------------------------------------------------------

@dataclass(frozen=True)
class AnalysisReady:
    analysis: Analysis
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class PassagesReady:
    prepared: Prepared


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Withdrawn:
    """Streamed LLM text must be taken off the screen; the offline answer follows."""

    reason: str


@dataclass(frozen=True)
class Final:
    answer: Answer


Event = Union[AnalysisReady, PassagesReady, TextDelta, Withdrawn, Final]
