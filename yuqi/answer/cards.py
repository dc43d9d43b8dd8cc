"""Knowledge cards (corpus/knowledge/*.md written by the team) read back from the index.

A card is `# question`, `问法：…`, `依据：ref；ref`, then `## 简答`, `## 为什么`,
`## 怎么核实`, `## 现在该做什么`. Cards are ordinary article chunks; here the
chunks of one card are put back in order and each sentence keeps the chunk it
came from, so a quoted sentence cites exactly the passage that holds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yuqi.documents import Chunk

SECTIONS = ("简答", "为什么", "怎么核实", "现在该做什么")
HEADING = re.compile(r"^\s*#{2,6}\s*(\S.*?)\s*$")
LEAD = re.compile(r"^\s*(?:[-*•]\s*|\d{1,2}[.、．)]\s*)")
SENT = re.compile(r"[^。！？\n]+[。！？]?")


@dataclass(frozen=True)
class CardLine:
    text: str
    chunk: Chunk


@dataclass
class Card:
    doc_id: str
    question: str
    sections: dict[str, list[CardLine]] = field(default_factory=dict)

    def lines(self, section: str) -> list[CardLine]:
        return self.sections.get(section, [])


def is_card_chunk(chunk: Chunk) -> bool:
    return chunk.kind == "article" and "/knowledge/" in chunk.path.replace("\\", "/")


def card_docs(chunks: list[Chunk]) -> list[str]:
    """Card document ids among ranked chunks, best first."""
    return list(dict.fromkeys(c.doc_id for c in chunks if is_card_chunk(c)))


def card_chunks(all_chunks: list[Chunk], doc_id: str) -> list[Chunk]:
    return sorted((c for c in all_chunks if c.doc_id == doc_id and is_card_chunk(c)), key=lambda c: c.start)


def _section_of(chunk: Chunk) -> str:
    head = (chunk.heading or "").lstrip("#").strip()
    return head if head in SECTIONS else ""


def parse_card(chunks: list[Chunk]) -> Card | None:
    """The card's sections, sentence by sentence; None when the document is not in card form."""
    if not chunks:
        return None
    card = Card(chunks[0].doc_id, chunks[0].title)
    seen: set[str] = set()  # overlapping windows repeat sentences
    for chunk in chunks:
        section = _section_of(chunk)
        for raw in chunk.text.split("\n"):
            m = HEADING.match(raw)
            if m:
                section = m.group(1) if m.group(1) in SECTIONS else ""
                continue
            line = LEAD.sub("", raw).strip()
            if not section or not line or line.startswith(("问法", "依据")):
                continue
            # One bullet is one item; sentences an overlapping window already gave are dropped.
            fresh = [s.strip() for s in SENT.findall(line) if s.strip() and (section, s.strip()) not in seen]
            seen.update((section, s) for s in fresh)
            item = "".join(fresh)
            if len(item) >= 4:
                card.sections.setdefault(section, []).append(CardLine(item, chunk))
    return card if card.lines("简答") else None


def find_card(prepared) -> Card | None:
    """The card among the passages: one the analysis names for this situation (a credit card's
    恶意透支 card, not the general 会坐牢吗 one), else the best-ranked."""
    by_doc: dict[str, list] = {}
    for p in prepared.passages:
        if is_card_chunk(p.chunk):
            by_doc.setdefault(p.chunk.doc_id, []).append(p.chunk)
    named = [d for d in prepared.analysis.refs if d in by_doc]
    for chunks in [by_doc[d] for d in named] + [c for d, c in by_doc.items() if d not in named]:
        card = parse_card(sorted(chunks, key=lambda c: c.start))
        if card:
            return card
    return None
