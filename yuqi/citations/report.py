"""Citation checks at ingest: every document's 《…》第X条 checked against the statutes we hold.

The result is stored in docs.json as {"summary": str, "items": [CitationItem as dict]};
readers get typed items back with `items_of`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields

from yuqi.citations.check import CheckResult
from yuqi.citations.clean import check_text, summarize
from yuqi.citations.renumber import version_date
from yuqi.citations.sources import StatuteSource, document_origin


@dataclass(frozen=True)
class CitationItem:
    """One checked citation as stored in docs.json and printed by `python -m yuqi.citations`."""

    raw: str
    ref: str | None  # the article as cited: <official title>#<第X条>
    status: str  # a key of status.STATUSES
    current_ref: str | None  # the article in force it should be read as
    note: str = ""
    readings: tuple[tuple[str, str], ...] = ()  # (label, ref): both readings of a renumbered article
    claim: str = ""  # id of a claimed crime the article defines (claims.json)

    @classmethod
    def from_result(cls, r: CheckResult) -> CitationItem:
        return cls(r.citation.raw, r.citation.ref, r.status, r.current_ref, r.note,
                   tuple((x.label, x.ref) for x in r.readings), getattr(r.claim, "id", "") or "")

    @classmethod
    def from_dict(cls, d: dict) -> CitationItem:
        known = {f.name for f in fields(cls)}
        d = {k: v for k, v in d.items() if k in known}
        d["readings"] = tuple(tuple(x) for x in d.get("readings") or ())
        return cls(**d)

    def to_dict(self) -> dict:
        return asdict(self)


def items_of(doc: dict) -> list[CitationItem]:
    """The typed citation items of one docs.json entry (old entries included)."""
    return [CitationItem.from_dict(i) for i in (doc.get("citations") or {}).get("items", [])]


def citation_report(src, statutes: StatuteSource) -> dict:
    """{"summary": one line, "items": [...]} for one Source. A laws.db law is not checked
    (it is the authority); a shipped regulation's cross-references to other laws are,
    dated by its header so that old article numbers are recognised."""
    origin = document_origin(src.path, getattr(src, "origin", ""))
    if origin == "lawsdb":
        return {}
    results = check_text(src.text, statutes, version_date(getattr(src, "version", ""), src.text))
    if src.kind == "statute":  # "本规定第X条" is the document itself, not a citation to check
        results = [r for r in results if r.citation.law_title != src.title]
    items = [CitationItem.from_result(r) for r in results]
    named = {r.citation.law_name for r in results}
    unheld = [i for i in _unheld_laws(src.text, statutes) if i.raw.strip("《》") not in named]
    if src.kind == "statute":
        unheld = []  # a statute's mention of another act without an article says nothing checkable
    if not items and not unheld:
        return {}
    summary = summarize(results) if results else ""
    if unheld:
        summary = "；".join(x for x in (summary, f"另提及{len(unheld)}部未收录的法规") if x)
    return {"summary": summary, "items": [i.to_dict() for i in items + unheld]}


LAW_NAME = re.compile(r"《([^《》\n]{2,60}(?:法|法典|条例|办法|规定|解释|决定|规则|细则))》")


def _unheld_laws(text: str, statutes: StatuteSource) -> list[CitationItem]:
    """Laws named without an article number that we do not hold: say we cannot check them."""
    out, seen = [], set()
    for m in LAW_NAME.finditer(text):
        name = m.group(1)
        if name in seen or statutes.resolve(name):
            continue
        seen.add(name)
        out.append(CitationItem(m.group(0), None, "unknown_law", None, f"本文提到的《{name}》未收录，无法核验"))
    return out
